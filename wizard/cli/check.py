"""`smtp-wizard check`: run every step against a server, non-interactively, and report."""

from __future__ import annotations

import argparse

from wizard.cli.common import (
    add_format_args,
    fail_usage,
    report_session,
    target_from_args,
    validate_output,
)
from wizard.model.target import TargetError


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from wizard.cli.common import add_target_args

    parser = sub.add_parser(
        "check", help="test a mail server from connect to send, and the DNS",
        description="Connect, TLS, authenticate, send (stops before delivery unless --send), "
                    "then the sender's and recipient's DNS. Exit 0: nothing failed; 1: a check "
                    "failed; 2: bad input; 3: internal error.")
    add_target_args(parser, scope="check")
    add_format_args(parser)
    parser.add_argument("--evidence-only", action="store_true",
                        help="print what was seen (findings, transcript) without the verdict, "
                             "category or next step: for exercises")
    return parser


def run(args: argparse.Namespace) -> int:
    import asyncio

    from wizard.records.history import run_recorded

    try:
        validate_output(args.output)
        target = target_from_args(args)
        if target.knowledge_dirs:  # a team's articles teach the classifier: load them now
            from wizard.catalog.knowledge import KnowledgeError, load_knowledge

            try:
                load_knowledge(list(target.knowledge_dirs))
            except KnowledgeError as exc:
                raise TargetError(str(exc)) from None
    except TargetError as exc:
        return fail_usage(str(exc))
    if args.evidence_only and args.format != "text":
        return fail_usage("--evidence-only prints text: not with --format " + args.format)
    session = asyncio.run(run_recorded(target, "check",
                                       record=target.history and not args.evidence_only))
    if args.evidence_only:
        from wizard.cli.common import emit
        from wizard.output.report import render_evidence

        try:
            emit(render_evidence(session), args.output)
        except TargetError as exc:
            return fail_usage(str(exc))
        return 0
    return report_session(session, args.format, args.output)
