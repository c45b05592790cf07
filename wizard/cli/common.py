"""Flags shared by subcommands, turning them into a Target, and writing output safely."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from wizard.files import write_atomic
from wizard.secret import Secret
from wizard.target import TARGET_FIELDS, Target, TargetError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def add_target_args(parser: argparse.ArgumentParser, scope: str = "target",
                    prefix: str = "") -> None:
    """The target flags of DESIGN.md, from the one field table (``wizard.target``). There is
    deliberately no --password flag: the secret comes from an env var, stdin or a prompt.
    ``scope="check"`` adds the flags only ``check`` has (--send, --no-dns). ``prefix`` goes
    before every destination name (the top-level parser keeps its own, see ``__main__``)."""
    g = parser.add_argument_group("target")
    for spec in TARGET_FIELDS:
        if spec.flag is None or (spec.scope == "check" and scope != "check"):
            continue
        if spec.kind == "flag":
            g.add_argument(spec.flag, dest=prefix + spec.name, action="store_true", default=None,
                           help=spec.help)
        elif spec.kind == "list":
            g.add_argument(spec.flag, dest=prefix + spec.name, action="append", default=None,
                           metavar=spec.name.upper().removesuffix("S"), help=spec.help)
        elif spec.kind == "choice":
            g.add_argument(spec.flag, dest=prefix + spec.name, choices=spec.choices, default=None,
                           help=spec.help)
        else:
            g.add_argument(spec.flag, dest=prefix + spec.name, default=None, help=spec.help,
                           metavar=spec.name.upper())
        if spec.name == "user":
            g.add_argument("--password-env", dest=prefix + "password_env", metavar="VAR",
                           help="read the password from this env var")
            g.add_argument("--password-stdin", dest=prefix + "password_stdin",
                           action="store_true", default=None,
                           help="read the password from stdin")
            g.add_argument("--oauth-token-env", dest=prefix + "oauth_token_env", metavar="VAR",
                           help="XOAUTH2 bearer token from env var")


def add_format_args(parser: argparse.ArgumentParser, formats=("text", "json", "markdown")) -> None:
    parser.add_argument("--format", choices=formats, default="text")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically)")


def _secret_from(args: argparse.Namespace, user: str | None) -> Secret | None:
    """The password from the env var or stdin, else a prompt when a user is given and no OAuth
    token stands in for it."""
    if getattr(args, "password_env", None):
        value = os.environ.get(args.password_env)
        if value is None:
            raise TargetError(f"environment variable {args.password_env} is not set")
        return Secret(value)
    if getattr(args, "password_stdin", None):
        line = sys.stdin.readline()
        return Secret(line.rstrip("\r\n"))
    if user and not getattr(args, "oauth_token_env", None):
        if not sys.stdin.isatty():
            raise TargetError(
                "--user needs a password: use --password-env VAR or --password-stdin "
                "(no terminal to prompt on)"
            )
        return Secret(getpass.getpass(f"Password for {user}: "))
    return None


def target_from_args(args: argparse.Namespace, need_host: bool = True, **overrides) -> Target:
    """Validate every flag; raise TargetError with a one-line message on the first bad one."""
    values: dict[str, Any] = {}
    for spec in TARGET_FIELDS:
        given = getattr(args, spec.name, None)
        if spec.flag is None or given is None:
            continue
        if spec.kind == "flag":
            values[spec.name] = not given if spec.invert else bool(given)
        elif spec.kind == "list":
            values[spec.name] = tuple(  # each flag may carry "a, b"; paths are taken whole
                value for item in given
                for value in (spec.from_text(item) if spec.parse else (item,)) if value)
        else:
            values[spec.name] = spec.from_text(given)
    if need_host and not values.get("host"):
        raise TargetError("--host is required (the mail server to test)")
    user = values.get("user") or None
    values["user"] = user
    oauth = None
    if getattr(args, "oauth_token_env", None):
        value = os.environ.get(args.oauth_token_env)
        if value is None:
            raise TargetError(f"environment variable {args.oauth_token_env} is not set")
        oauth = Secret(value)
    values["password"] = _secret_from(args, user)
    values["oauth_token"] = oauth
    values.update(overrides)
    return Target(**values)


def emit(text: str, output: str | None) -> None:
    """Print ``text`` or write it to ``output``; an unwritable file is a usage error."""
    if output:
        try:
            write_atomic(output, text)
        except OSError as exc:
            raise TargetError(f"cannot write {output!r}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def report_session(session, fmt: str, output: str | None) -> int:
    """Print or write the session's report; the exit status says whether a check failed."""
    from wizard.report import render, use_colour

    colour = fmt == "text" and not output and use_colour(sys.stdout)
    try:
        emit(render(session, fmt, colour=colour), output)
    except TargetError as exc:
        return fail_usage(str(exc))
    return EXIT_FAILED if session.verdict.status.failed else EXIT_OK


def fail_usage(message: str) -> int:
    print(f"smtp-wizard: error: {message}", file=sys.stderr)
    return EXIT_USAGE
