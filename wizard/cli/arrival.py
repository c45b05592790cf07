"""`check --send --arrival`: the IMAP flags, their secret, and the read-back after the session.

The IMAP password comes like the SMTP one: ``--imap-password-env VAR``, ``--imap-password-stdin``
or a prompt; never argv. When the IMAP account is the SMTP account (sending to yourself), its
host and password are reused.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from wizard.model.secret import Secret
from wizard.model.target import Target, TargetError, validate_host, validate_port

DEFAULT_WAIT_S = 120.0


def add_arrival_args(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("arrival (with --send)")
    g.add_argument("--arrival", action="store_true",
                   help="after sending, read the test message back by IMAP (inbox or junk) "
                        "and explain how it arrived")
    g.add_argument("--imap-host", metavar="HOST",
                   help="IMAP server (default: the SMTP host when sending to yourself)")
    g.add_argument("--imap-port", metavar="PORT", help="default 993 with tls, else 143")
    g.add_argument("--imap-security", choices=("auto", "starttls", "tls", "none"),
                   default="auto", help="auto: implicit TLS on 993, else STARTTLS")
    g.add_argument("--imap-user", metavar="USER",
                   help="IMAP login (default: the SMTP user when sending to yourself, else the "
                        "recipient address)")
    g.add_argument("--imap-password-env", metavar="VAR", help="read the IMAP password from VAR")
    g.add_argument("--imap-password-stdin", action="store_true",
                   help="read the IMAP password from stdin")
    g.add_argument("--arrival-wait", metavar="SECONDS", type=float, default=DEFAULT_WAIT_S,
                   help=f"how long to wait for the message (default {DEFAULT_WAIT_S:g})")
    g.add_argument("--keep", action="store_true",
                   help="leave the test message in the mailbox (default: delete it)")


def _imap_secret(args: argparse.Namespace, user: str, target: Target) -> Secret:
    from wizard.cli.common import _env_secret, stdin_secret

    if args.imap_password_env:
        return Secret(_env_secret(args.imap_password_env, "IMAP password"))
    if args.imap_password_stdin:
        if getattr(args, "password_stdin", None):
            raise TargetError("--password-stdin and --imap-password-stdin cannot share stdin: "
                              "give one of them by --...-env")
        return stdin_secret("IMAP password")
    if target.password and target.user and user.lower() == target.user.lower():
        return target.password
    if not sys.stdin.isatty():
        raise TargetError("--arrival needs the IMAP password: use --imap-password-env VAR or "
                          "--imap-password-stdin (no terminal to prompt on)")
    import getpass

    return Secret(getpass.getpass(f"IMAP password for {user}: "))


def _base(address: str) -> str:
    """``user+tag@domain`` as ``user@domain`` (lowercased): the same mailbox."""
    local, _, domain = address.lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def arrival_settings(args: argparse.Namespace, target: Target) -> Any:
    """The IMAP settings for ``--arrival`` (None without it); TargetError for bad flags."""
    from wizard.arrival.readback import ImapSettings

    if not getattr(args, "arrival", False):
        return None
    if not target.send:
        raise TargetError("--arrival needs --send (nothing is delivered without it)")
    if not target.rcpt_to:
        raise TargetError("--arrival needs --rcpt-to (the mailbox to read back)")
    if not 1 <= args.arrival_wait <= 3600:
        raise TargetError("--arrival-wait must be between 1 and 3600 seconds")
    to_self = bool(target.user) and _base(target.rcpt_to) == _base(target.user or "")
    host = args.imap_host or (target.host if to_self else None)
    if not host:
        raise TargetError("--arrival needs --imap-host (the recipient's IMAP server) unless you "
                          "send to yourself (--rcpt-to the same as --user)")
    user = args.imap_user or (target.user if to_self else target.rcpt_to) or target.rcpt_to
    port = validate_port(args.imap_port) if args.imap_port else None
    return ImapSettings(host=validate_host(host), user=user,
                        password=_imap_secret(args, user, target), port=port,
                        security=args.imap_security, ca_file=target.ca_file,
                        verify_tls=target.verify_tls,
                        allow_plaintext=target.allow_plaintext_auth,
                        timeout=max(target.timeout, 5.0))


def _progress(text: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K" + text)
        sys.stderr.flush()


def run_arrival(session: Any, settings: Any, args: argparse.Namespace) -> None:
    """Read the test message back and put the result in ``session.arrival``."""
    import asyncio

    from wizard.arrival.explain import conclude, explain
    from wizard.arrival.readback import read_back
    from wizard.arrival.result import Arrival
    from wizard.dns.resolver import Resolver

    sent = next((f for f in session.findings if f.id == "send.data"), None)
    details = sent.details if sent is not None else {}
    message_id = details.get("message_id")
    if sent is None or not details.get("delivered") or not message_id:
        arrival = Arrival("error", message_id or "", error="the test message was not accepted, "
                          "so there is nothing to look for")
        session.arrival = conclude(arrival, args.arrival_wait).to_dict()
        return
    target = session.target

    async def main() -> Arrival:
        found = await read_back(settings, message_id, args.arrival_wait, keep=args.keep,
                                progress=_progress)
        found.queue_id, found.accepted_at = details.get("queue_id"), details.get("accepted_at")
        resolver = Resolver(list(target.nameservers) or None, timeout=target.timeout)
        return await explain(found, resolver, None if target.dns else 0.0)

    arrival = asyncio.run(main())
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")
    session.arrival = conclude(arrival, args.arrival_wait).to_dict()
