"""`smtp-wizard dns DOMAIN`: run the DNS step alone and print a report (text, JSON, Markdown).

The run is bounded as ``check``'s DNS step is: ``wizard.dns.step.dns_budget`` of the per-query
timeout (6·T + 5 s, 23 s by default), slow checks reported as errors before that.
Module-level imports stay light (argparse only); the resolver and checks load inside ``run``.
"""

from __future__ import annotations

import argparse

from wizard.cli import SUMMARY

NAMED_IN_ERRORS = True  # errors read "smtp-wizard dns: error: ..." (wizard/__main__.py)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "dns", help=SUMMARY["dns"],
        description="Check the DNS records mail depends on, concurrently, and explain them.",
    )
    p.add_argument("domain", metavar="DOMAIN", help="the sending domain to check")
    p.add_argument("--sending-ip", metavar="IP", help="evaluate SPF, PTR and blocklists for it")
    p.add_argument("--mail-from", metavar="ADDRESS", help="envelope sender (MAIL FROM)")
    p.add_argument("--rcpt-to", metavar="ADDRESS", help="a recipient (its domain's MX is checked)")
    p.add_argument("--dkim-selector", action="append", default=None, metavar="S",
                   help="DKIM selector (repeatable); default: from --headers, else probe")
    p.add_argument("--headers", metavar="FILE", help="a pasted header block or .eml file "
                   "(DKIM-Signature selectors and From are taken from it)")
    p.add_argument("--helo", metavar="NAME", help="the HELO/EHLO name your server uses")
    p.add_argument("--nameserver", action="append", default=None, metavar="IP[:PORT]",
                   help="ask this nameserver (repeatable); default: the system's")
    p.add_argument("--blocklist", action="append", default=None, metavar="ZONE",
                   help="IP blocklist zone (repeatable); default: a set of widely used lists")
    p.add_argument("--domain-blocklist", action="append", default=None, metavar="ZONE",
                   help="domain blocklist zone (repeatable); default: Spamhaus DBL")
    p.add_argument("--no-blocklists", action="store_true",
                   help="do not ask DNS blocklists about the sending IP and domain")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="per DNS query (default 3); the whole run ends within 6 x this + 5")
    p.add_argument("--knowledge", action="append", default=None, metavar="DIR",
                   help="extra knowledge articles (may override built-in ids)")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically)")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import time

    from wizard.cli.common import report_session, validate_output
    from wizard.dns.step import run_dns_step_bounded
    from wizard.model.target import (
        Target,
        TargetError,
        validate_address,
        validate_host,
        validate_ip,
        validate_nameserver,
        validate_selector,
    )
    from wizard.walk.context import CheckContext
    from wizard.walk.session import Session

    validate_output(args.output)
    if args.knowledge:
        from wizard.catalog.knowledge import load_knowledge

        load_knowledge(list(args.knowledge))
    domain = validate_host(args.domain)
    if "." not in domain or domain.replace(".", "").isdigit() or ":" in domain:
        raise TargetError(f"{args.domain!r} is not a domain name (e.g. example.com)")
    headers = None
    if args.headers:
        try:
            with open(args.headers, encoding="utf-8", errors="replace") as handle:
                headers = handle.read(1024 * 1024)
        except OSError as exc:
            raise TargetError(f"cannot read {args.headers!r}: {exc.strerror or exc}") from None
    timeout = args.timeout if args.timeout is not None else 3.0
    if not 0.1 <= timeout <= 60:
        raise TargetError(f"--timeout {timeout} is out of range: use 0.1 to 60 seconds")
    zones = tuple(validate_host(z) for z in args.blocklist or ())
    dzones = tuple(validate_host(z) for z in args.domain_blocklist or ())
    target = Target(
        domain=domain,
        mail_from=validate_address(args.mail_from, "MAIL FROM") if args.mail_from else None,
        rcpt_to=validate_address(args.rcpt_to, "RCPT TO") if args.rcpt_to else None,
        sending_ip=validate_ip(args.sending_ip) if args.sending_ip else None,
        dkim_selectors=tuple(validate_selector(s) for s in args.dkim_selector or ()),
        nameservers=tuple(validate_nameserver(n) for n in args.nameserver or ()),
        ip_blocklists=zones, domain_blocklists=dzones, message_headers=headers,
        blocklists=not args.no_blocklists, timeout=timeout,
        helo_name=validate_host(args.helo) if args.helo else "smtp-wizard.localhost",
        knowledge_dirs=tuple(args.knowledge or ()),
    )

    async def main() -> Session:
        session = Session(target=target, command="dns")
        ctx = CheckContext.for_target(target, dns_timeout=timeout)
        if not ctx.resolver.nameservers:
            session.notes.append("no nameserver configured: give --nameserver IP")
        start = time.monotonic()
        session.findings = await run_dns_step_bounded(target, ctx)
        session.duration_ms = int((time.monotonic() - start) * 1000)
        return session

    session = asyncio.run(main())
    return report_session(session, args.format, args.output)
