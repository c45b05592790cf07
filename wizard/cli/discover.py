"""`smtp-wizard discover ADDRESS`: find the sending settings from an email address.

Also the one place ``check --address`` asks (``discover_for``). Heavy imports stay in functions.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from wizard.cli import SUMMARY
from wizard.output.terminal import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from wizard.discover.model import Discovery
    from wizard.discover.run import DiscoverOptions
    from wizard.model.target import Target

NAMED_IN_ERRORS = True  # errors read "smtp-wizard discover: error: ..." (wizard/__main__.py)


def add_lab_args(parser: argparse.ArgumentParser) -> None:
    """Hidden knobs for the lab and the tests: where the loopback servers listen."""
    hidden = argparse.SUPPRESS
    parser.add_argument("--discover-https-port", type=int, default=None, help=hidden)
    parser.add_argument("--discover-ispdb-url", default=None, help=hidden)
    parser.add_argument("--discover-microsoft-url", default=None, help=hidden)
    parser.add_argument("--discover-guess-port", type=int, action="append", default=None,
                        help=hidden)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "discover", help=SUMMARY["discover"],
        description="Ask the domain's DNS SRV records, its autoconfig and Autodiscover files, "
                    "Mozilla's ISPDB, the provider catalog (by MX) and the usual host names, "
                    "then probe each candidate. Exit 0: a setting was found (and confirmed, "
                    "when probed); 1: none; 2: bad input.")
    p.add_argument("address", metavar="ADDRESS", help="the email address, e.g. jane@example.com")
    p.add_argument("--nameserver", action="append", default=None, metavar="IP[:PORT]",
                   help="ask this nameserver (repeatable); also for the HTTPS fetches")
    p.add_argument("--ca-file", metavar="PEM", help="trust these CAs (HTTPS and SMTP)")
    p.add_argument("--timeout", default=None, metavar="SECONDS",
                   help="per source (default 10); probes take at most 3 s per attempt")
    p.add_argument("--no-third-party", action="store_true",
                   help="do not ask Mozilla's ISPDB or Microsoft's Autodiscover")
    p.add_argument("--no-probe", action="store_true", help="do not connect to the candidates")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically)")
    add_lab_args(p)


def options_for(target: Target, args: argparse.Namespace, third_party: bool = True,
                probe: bool = True) -> DiscoverOptions:
    from wizard.discover.run import DiscoverOptions
    from wizard.dns.resolver import Resolver

    options = DiscoverOptions(
        Resolver(list(target.nameservers) or None, timeout=min(3.0, target.timeout)),
        timeout=target.timeout, probe_timeout=min(3.0, target.timeout),
        ca_file=target.ca_file, third_party=third_party, probe=probe,
        helo_name=target.helo_name)
    if getattr(args, "discover_https_port", None):
        options.https_port = args.discover_https_port
    if getattr(args, "discover_ispdb_url", None):
        options.ispdb_url = args.discover_ispdb_url
    if getattr(args, "discover_microsoft_url", None):
        options.microsoft_url = args.discover_microsoft_url
    if getattr(args, "discover_guess_port", None):
        options.guess_ports = tuple(args.discover_guess_port)
    return options


def discover_for(address: str, target: Target, args: argparse.Namespace,
                 third_party: bool = True, probe: bool = True) -> Discovery:
    import asyncio

    from wizard.discover.run import discover

    return asyncio.run(discover(address, options_for(target, args, third_party, probe)))


def run(args: argparse.Namespace) -> int:
    from wizard.cli.common import emit, validate_output
    from wizard.model.target import (
        Target,
        validate_address,
        validate_ca_file,
        validate_nameserver,
        validate_timeout,
    )
    from wizard.output.discovery import render

    validate_output(args.output)
    address = validate_address(args.address)
    target = Target(
        nameservers=tuple(validate_nameserver(n) for n in args.nameserver or ()),
        ca_file=validate_ca_file(args.ca_file) if args.ca_file else None,
        timeout=validate_timeout(args.timeout) if args.timeout else 10.0)
    found = discover_for(address, target, args, not args.no_third_party, not args.no_probe)
    emit(render(found, args.format), args.output)
    good = found.settings is not None and (found.settings.confirmed or args.no_probe)
    return EXIT_OK if good else EXIT_FAILED
