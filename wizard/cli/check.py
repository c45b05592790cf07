"""`smtp-wizard check`: run every step against a server, non-interactively, and report."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from wizard.cli import SUMMARY
from wizard.cli.common import (
    add_format_args,
    report_session,
    target_from_args,
    validate_output,
)
from wizard.model.target import Target
from wizard.output.terminal import EXIT_FAILED, fail_usage

if TYPE_CHECKING:
    from wizard.discover.model import Discovery


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    from wizard.cli.common import add_target_args

    parser = sub.add_parser(
        "check", help=SUMMARY["check"],
        description="Connect, TLS, authenticate, send (stops before delivery unless --send), "
                    "then the sender's and recipient's DNS. Exit 0: nothing failed; 1: a check "
                    "failed; 2: bad input; 3: internal error.")
    from wizard.cli.discover import add_lab_args

    add_target_args(parser, scope="check")
    parser.add_argument("--address", metavar="ADDRESS",
                        help="start from this email address: discovery fills host, port, "
                             "security, sender (and the user when a password is given)")
    parser.add_argument("--no-third-party", action="store_true",
                        help="with --address: do not ask Mozilla's ISPDB or Microsoft")
    add_lab_args(parser)
    from wizard.cli.arrival import add_arrival_args

    add_arrival_args(parser)
    add_format_args(parser)
    parser.add_argument("--evidence-only", action="store_true",
                        help="print what was seen (findings, transcript) without the verdict, "
                             "category or next step: for exercises")
    return parser


def run(args: argparse.Namespace) -> int:
    import asyncio

    from wizard.records.history import run_recorded

    validate_output(args.output)
    address = getattr(args, "address", None)
    target = target_from_args(args, need_host=not address)
    if target.knowledge_dirs:  # a team's articles teach the classifier: load them now
        from wizard.catalog.knowledge import load_knowledge

        load_knowledge(list(target.knowledge_dirs))
    found = None
    notes: list[str] = []
    if address:
        target, found, notes = _discovered(target, address, args)
    imap = _arrival_settings(args, target)
    if args.evidence_only and args.format != "text":
        return fail_usage("--evidence-only prints text: not with --format " + args.format)
    if found is not None and target.host is None:
        from wizard.cli.common import emit
        from wizard.output.discovery import render

        emit(render(found, args.format), args.output)
        return EXIT_FAILED
    session = asyncio.run(run_recorded(target, "check",
                                       record=target.history and not args.evidence_only))
    session.notes[:0] = notes
    if found is not None:
        session.discovery = found.to_dict()
    if imap is not None:
        from wizard.cli.arrival import run_arrival

        run_arrival(session, imap, args)
    if args.evidence_only:
        from wizard.cli.common import emit
        from wizard.output.report import render_evidence

        emit(render_evidence(session), args.output)
        return 0
    return report_session(session, args.format, args.output)


def _arrival_settings(args: argparse.Namespace, target: Target) -> Any:
    """``--arrival``'s IMAP settings (None without it), read before anything is sent."""
    from wizard.cli.arrival import arrival_settings

    return arrival_settings(args, target)


def _discovered(target: Target, address: str, args: argparse.Namespace
                ) -> tuple[Target, Discovery, list[str]]:
    """Discovery for ``address``, and the target with what the user did not give filled."""
    from wizard.cli.discover import discover_for
    from wizard.discover.apply import fill_target
    from wizard.model.target import TARGET_FIELDS, validate_address

    address = validate_address(address)
    given = {spec.name for spec in TARGET_FIELDS if getattr(args, spec.name, None) is not None}
    found = discover_for(address, target, args, not args.no_third_party)
    filled, notes = fill_target(target, found, given)
    return filled, found, notes
