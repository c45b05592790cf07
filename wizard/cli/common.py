"""Flags shared by subcommands, turning them into a Target, and writing output safely."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from wizard.files import write_atomic
from wizard.secret import Secret
from wizard.target import (
    Security,
    Target,
    TargetError,
    validate_address,
    validate_ca_file,
    validate_host,
    validate_ip,
    validate_nameserver,
    validate_port,
    validate_selector,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def add_target_args(parser: argparse.ArgumentParser) -> None:
    """The target flags of DESIGN.md. There is deliberately no --password flag."""
    g = parser.add_argument_group("target")
    g.add_argument("--host", help="mail server host name or IP")
    g.add_argument("--port", help="port (default 587; 465 means implicit TLS in auto mode)")
    g.add_argument(
        "--security", choices=[s.value for s in Security], default=None,
        help="auto (default): implicit TLS on 465, STARTTLS elsewhere when offered",
    )
    g.add_argument("--user", help="user name for SMTP AUTH (the password is prompted for)")
    g.add_argument("--password-env", metavar="VAR", help="read the password from this env var")
    g.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    g.add_argument("--oauth-token-env", metavar="VAR", help="XOAUTH2 bearer token from env var")
    g.add_argument("--mail-from", help="envelope sender to test (MAIL FROM)")
    g.add_argument("--rcpt-to", help="recipient to test (RCPT TO)")
    g.add_argument("--domain", help="sender domain for the DNS step (default: MAIL FROM's)")
    g.add_argument("--dkim-selector", action="append", default=None, metavar="S")
    g.add_argument("--sending-ip", help="the IP your mail leaves from (for SPF, PTR, blocklists)")
    g.add_argument("--nameserver", action="append", default=None, metavar="IP[:PORT]")
    g.add_argument("--ca-file", metavar="PEM", help="trust these CA certificates")
    g.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="per network operation (default 10)")
    g.add_argument("--allow-plaintext-auth", action="store_true",
                   help="allow sending credentials without TLS (off by default)")
    g.add_argument("--no-verify", action="store_true",
                   help="do not verify the server certificate (reported loudly)")
    g.add_argument("--no-blocklists", action="store_true",
                   help="do not ask DNS blocklists about the sending IP and domain")
    g.add_argument("--knowledge", action="append", default=None, metavar="DIR",
                   help="extra knowledge articles (may override built-in ids)")


def add_format_args(parser: argparse.ArgumentParser, formats=("text", "json", "markdown")) -> None:
    parser.add_argument("--format", choices=formats, default="text")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically)")


def _secret_from(args: argparse.Namespace, user: str | None) -> Secret | None:
    """The password from the env var or stdin, else a prompt when a user is given and no OAuth
    token stands in for it."""
    if args.password_env:
        value = os.environ.get(args.password_env)
        if value is None:
            raise TargetError(f"environment variable {args.password_env} is not set")
        return Secret(value)
    if args.password_stdin:
        line = sys.stdin.readline()
        return Secret(line.rstrip("\r\n"))
    if user and not args.oauth_token_env:
        if not sys.stdin.isatty():
            raise TargetError(
                "--user needs a password: use --password-env VAR or --password-stdin "
                "(no terminal to prompt on)"
            )
        return Secret(getpass.getpass(f"Password for {user}: "))
    return None


def target_from_args(args: argparse.Namespace, need_host: bool = True, **overrides) -> Target:
    """Validate every flag; raise TargetError with a one-line message on the first bad one."""
    host = validate_host(args.host) if args.host else None
    if need_host and not host:
        raise TargetError("--host is required (the mail server to test)")
    port = validate_port(args.port) if args.port else None
    user = args.user or None
    password = _secret_from(args, user)
    oauth = None
    if args.oauth_token_env:
        value = os.environ.get(args.oauth_token_env)
        if value is None:
            raise TargetError(f"environment variable {args.oauth_token_env} is not set")
        oauth = Secret(value)
    values = dict(
        host=host,
        port=port,
        security=Security(args.security or "auto"),
        user=user,
        password=password,
        oauth_token=oauth,
        mail_from=validate_address(args.mail_from, "MAIL FROM") if args.mail_from else None,
        rcpt_to=validate_address(args.rcpt_to, "RCPT TO") if args.rcpt_to else None,
        domain=validate_host(args.domain) if args.domain else None,
        dkim_selectors=tuple(validate_selector(s) for s in args.dkim_selector or ()),
        sending_ip=validate_ip(args.sending_ip) if args.sending_ip else None,
        nameservers=tuple(validate_nameserver(n) for n in args.nameserver or ()),
        ca_file=validate_ca_file(args.ca_file) if args.ca_file else None,
        timeout=_timeout(args.timeout),
        allow_plaintext_auth=bool(args.allow_plaintext_auth),
        verify_tls=not args.no_verify,
        knowledge_dirs=tuple(args.knowledge or ()),
        blocklists=not args.no_blocklists,
    )
    values.update(overrides)
    return Target(**values)


def _timeout(value: float | None) -> float:
    if value is None:
        return 10.0
    if not 0.1 <= value <= 300:
        raise TargetError(f"--timeout {value} is out of range: use 0.1 to 300 seconds")
    return float(value)


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
