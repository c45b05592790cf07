"""Flags shared by subcommands, turning them into a Target, and writing output safely."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.model.secret import Secret
from wizard.model.target import TARGET_FIELDS, Target, TargetError
from wizard.output.files import NotARegularFile, refuse_non_regular, write_atomic
from wizard.output.terminal import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from wizard.walk.session import Session


def add_target_args(parser: argparse.ArgumentParser, scope: str = "target",
                    prefix: str = "") -> None:
    """The target flags of DESIGN.md, from the one field table (``wizard.model.target``). There is
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


def add_format_args(parser: argparse.ArgumentParser,
                    formats: tuple[str, ...] = ("text", "json", "markdown")) -> None:
    parser.add_argument("--format", choices=formats, default="text")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically)")


def stdin_secret(what: str) -> Secret:
    """One line of stdin as a secret (``what`` names it in errors), bounded by MAX_SECRET."""
    raw = sys.stdin.buffer.readline(MAX_SECRET + 1)
    if len(raw) > MAX_SECRET:
        raise TargetError(f"the {what} on stdin is longer than {MAX_SECRET} bytes")
    try:
        return Secret(raw.decode("utf-8").rstrip("\r\n"))
    except UnicodeDecodeError:
        raise TargetError(f"the {what} on stdin is not valid UTF-8") from None


def _secret_from(args: argparse.Namespace, user: str | None) -> Secret | None:
    """The password from the env var or stdin, else a prompt when a user is given and no OAuth
    token stands in for it."""
    if getattr(args, "password_env", None):
        return Secret(_env_secret(args.password_env, "password"))
    if getattr(args, "password_stdin", None):
        return stdin_secret("password")
    if user and not getattr(args, "oauth_token_env", None):
        if not sys.stdin.isatty():
            raise TargetError(
                "--user needs a password: use --password-env VAR or --password-stdin "
                "(no terminal to prompt on)"
            )
        return Secret(getpass.getpass(f"Password for {user}: "))
    return None


MAX_SECRET = 4096  # bytes: a password or token longer than this is an input error


def _env_secret(var: str, what: str) -> str:
    value = os.environ.get(var)
    if value is None:
        raise TargetError(f"environment variable {var} is not set")
    try:  # the environment is decoded with surrogateescape: bad bytes show up here
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise TargetError(f"the {what} in {var} is not valid UTF-8") from None
    if size > MAX_SECRET:
        raise TargetError(f"the {what} in {var} is longer than {MAX_SECRET} bytes")
    return value


def target_from_args(args: argparse.Namespace, need_host: bool = True,
                     **overrides: Any) -> Target:
    """Validate every flag; raise TargetError with a one-line message on the first bad one."""
    values: dict[str, Any] = {}
    for spec in TARGET_FIELDS:
        given = getattr(args, spec.name, None)
        if spec.flag is None or given is None:
            continue
        if isinstance(given, str) and not given.strip():
            raise TargetError(f"{spec.flag} is empty: give a value or leave the option out")
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
        oauth = Secret(_env_secret(args.oauth_token_env, "token"))
    values["password"] = _secret_from(args, user)
    values["oauth_token"] = oauth
    values.update(overrides)
    return Target(**values)


def validate_output(output: str | None) -> None:
    """Refuse an ``--output`` that could never be written, before any check runs."""
    if not output or output == "-":
        return
    path = Path(output).expanduser()
    if not path.parent.resolve().is_dir():
        raise TargetError(f"cannot write {output!r}: its folder does not exist")
    try:
        refuse_non_regular(path)
    except OSError as exc:
        raise TargetError(f"cannot write {output!r}: {exc.strerror or exc}") from None


def emit(text: str, output: str | None) -> None:
    """Print ``text`` or write it to ``output`` (``-``: standard output); an unwritable file,
    or anything there that is not a regular file, is a usage error."""
    if output and output != "-":
        try:
            write_atomic(output, text)
        except NotARegularFile as exc:
            raise TargetError(f"cannot write {output!r}: {exc}") from None
        except OSError as exc:
            raise TargetError(f"cannot write {output!r}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def report_session(session: Session, fmt: str, output: str | None) -> int:
    """Print or write the session's report; the exit status says whether a check failed."""
    from wizard.output.report import render
    from wizard.output.terminal import use_colour

    colour = fmt == "text" and not output and use_colour(sys.stdout)
    emit(render(session, fmt, colour=colour), output)
    return EXIT_FAILED if session.verdict.status.failed else EXIT_OK


