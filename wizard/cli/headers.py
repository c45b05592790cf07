"""`smtp-wizard headers FILE.eml|-`: why did this received message fail DMARC or land in spam?

Reads a whole message or only its header block (a file, or stdin with ``-``), verifies DKIM/ARC,
re-evaluates SPF and computes DMARC through the project's resolver (``--nameserver``), decodes the
spam headers and prints a report (text, Markdown, JSON schema 1). A bounce (DSN) goes to the
bounce path of ``explain``; input that is not a message is a one-line error (exit 2).
Module-level imports stay light; the analysis loads inside ``run``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from wizard.cli import SUMMARY
from wizard.output.terminal import EXIT_FAILED, EXIT_OK, fail_usage

BOUNCE_KINDS = ("dsn", "feedback", "bounce")
NAMED_IN_ERRORS = True  # errors read "smtp-wizard headers: error: ..." (wizard/__main__.py)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "headers", help=SUMMARY["headers"],
        description="Why did this message fail DMARC or land in spam? Verifies DKIM and ARC, "
                    "re-evaluates SPF, computes DMARC, decodes spam headers and names the hop "
                    "that most likely changed the message.")
    p.add_argument("file", metavar="FILE.eml", help="the message (or only its headers); - for "
                   "stdin")
    p.add_argument("--nameserver", action="append", default=None, metavar="IP[:PORT]",
                   help="ask this nameserver (repeatable); default: the system's")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="per DNS query (default 3)")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically)")
    p.add_argument("--knowledge", action="append", default=None, metavar="DIR",
                   help="extra knowledge articles (may override built-in ids)")


def _usage(message: str) -> int:
    return fail_usage(message, "headers")


def read_input(path: str) -> bytes:
    """The bytes of ``path`` (``-``: stdin), at most the parser's limit plus one byte."""
    from wizard.headers.parse import MAX_INPUT_BYTES

    if path == "-":
        return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    with open(path, "rb") as handle:
        return handle.read(MAX_INPUT_BYTES + 1)


def titles_for(dirs: list[str] | tuple[str, ...]) -> Any:
    """A function giving an article's title (its id when the knowledge base lacks it)."""
    from wizard.catalog.knowledge import load_knowledge

    kb = load_knowledge(list(dirs))

    def title(article_id: str) -> str:
        found = kb.get(article_id)
        return found.title if found is not None else article_id

    return title


def explain_as_bounce(data: bytes, fmt: str, knowledge: list[str]) -> int:
    """The bounce path: what ``explain --file`` says about a DSN."""
    from wizard.cli.explain import _emit, _service, service_bounce

    print("smtp-wizard headers: this is a bounce (delivery status notification), not a received "
          "message: explained as a bounce (smtp-wizard explain --file)", file=sys.stderr)
    service = _service(knowledge)
    _emit(service_bounce(service, data), "json" if fmt == "json" else "text", service,
          with_recipient=True)
    return EXIT_OK


def analyse_bytes(data: bytes, source: str, nameservers: tuple[tuple[str, int], ...],
                  timeout: float) -> Any:
    """Run the analysis (raises NotAMessage); its DNS phase is bounded (6·T + 5 s)."""
    import asyncio

    from wizard.dns.resolver import Resolver
    from wizard.headers.analyse import analyse_message

    async def main() -> Any:
        resolver = Resolver(list(nameservers) or None, timeout=timeout)
        return await analyse_message(data, resolver, source)

    return asyncio.run(main())


def report(analysis: Any, fmt: str, output: str | None, knowledge: list[str]) -> int:
    from wizard.cli.common import emit
    from wizard.headers.report import render
    from wizard.output.terminal import use_colour

    colour = fmt == "text" and not output and use_colour(sys.stdout)
    emit(render(analysis, fmt, colour=colour, titles=titles_for(knowledge)), output)
    return EXIT_FAILED if analysis.verdict and analysis.verdict.status.failed else EXIT_OK


def run_for_explain(data: bytes, args: argparse.Namespace) -> int:
    """``explain --file`` with a received message (not a bounce): the headers analysis, whose
    errors speak as ``smtp-wizard headers`` even here (the one mapping names ``explain``)."""
    from wizard.headers.parse import NotAMessage
    from wizard.model.target import TargetError, validate_nameserver

    try:
        nameservers = tuple(validate_nameserver(n) for n in args.nameserver or ())
        print("smtp-wizard explain: this is a received message, not a bounce: analysed as "
              "`smtp-wizard headers` does", file=sys.stderr)
        analysis = analyse_bytes(data, args.file, nameservers, 3.0)
    except (TargetError, NotAMessage) as exc:
        return _usage(str(exc))
    return report(analysis, args.format, None, list(args.knowledge or ()))


def run(args: argparse.Namespace) -> int:
    from wizard.headers.route import message_kind
    from wizard.model.target import TargetError, validate_nameserver

    nameservers = tuple(validate_nameserver(n) for n in args.nameserver or ())
    timeout = args.timeout if args.timeout is not None else 3.0
    if not 0.1 <= timeout <= 60:
        return _usage(f"--timeout {timeout} is out of range: use 0.1 to 60 seconds")
    try:
        data = read_input(args.file)
    except OSError as exc:
        raise TargetError(f"cannot read {args.file!r}: {exc.strerror or exc}") from None
    knowledge = list(args.knowledge or ())
    if message_kind(data) in BOUNCE_KINDS:
        return explain_as_bounce(data, args.format, knowledge)
    analysis = analyse_bytes(data, args.file, nameservers, timeout)
    return report(analysis, args.format, args.output, knowledge)
