"""`smtp-wizard explain`: what an SMTP error, a bounce, a client error or a mail log means.

One reply (TEXT, or ``-`` for stdin), a bounce message (``--file``), one reply per line
(``--batch``, JSON Lines out) or a mail log (``--log``: totals, the receiving side's rejects,
failed logins and TLS trouble, and the deferred and bounced deliveries, grouped and ranked;
``--message QUEUEID`` one message's timeline). Everything goes through the one explain
service (``wizard.explain.service``); this module only reads the inputs, bounded
(``wizard.explain.inputs``), and prints. It imports no
Textual or network library, so it starts fast. Bad input is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService, Explanation

from wizard.cli import SUMMARY
from wizard.output.terminal import EXIT_OK, fail_usage

NAMED_IN_ERRORS = True  # errors read "smtp-wizard explain: error: ..." (wizard/__main__.py)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "explain",
        help=SUMMARY["explain"],
        description="Say what an SMTP reply, bounce, client error or mail log means, who must"
                    " act, and what to do next.",
    )
    p.add_argument("text", nargs="*", metavar="TEXT", help="the error text, or - for stdin")
    p.add_argument("--file", metavar="FILE.eml", help="a bounce message (DSN) to explain")
    p.add_argument("--batch", metavar="FILE", help="one reply per line (- for stdin); prints"
                                                   " JSON Lines")
    p.add_argument("--log", metavar="FILE", help="a Postfix, Exim, Sendmail or Exchange"
                                                 " message-tracking log (.gz too; - for stdin)")
    p.add_argument("--message", metavar="QUEUEID", help="with --log: one message's timeline"
                                                        " (received, each delivery try, status)")
    p.add_argument("--command", metavar="CMD", help="the SMTP command the reply answered")
    p.add_argument("--format", choices=("text", "json", "markdown"), default=None,
                   help="text (default), json; markdown for --log")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="worker processes for --batch/--log (default: by input size)")
    p.add_argument("--knowledge", action="append", default=None, metavar="DIR",
                   help="extra knowledge articles (may override built-in ids; their patterns"
                        " teach the classifier)")
    p.add_argument("--nameserver", action="append", default=None, metavar="IP[:PORT]",
                   help="with --file: the nameserver used to check a received (not bounced) "
                        "message, as `smtp-wizard headers` does")


# --- compatibility helpers (tests and scripts call these) --------------------------------------


class _Articles:
    """The knowledge base and the service built on it (kept for older callers)."""

    def __init__(self, dirs: Iterable[str]) -> None:
        from wizard.catalog.knowledge import load_knowledge
        from wizard.explain.service import ExplainService

        self.kb = load_knowledge(list(dirs))
        self.service = ExplainService(self.kb)


def explain_reply(text: str, articles: _Articles, command: str | None = None,
                  status: str | None = None, action: str | None = None) -> dict[str, Any]:
    """The explain JSON object for one reply."""
    return articles.service.explain(text, command, status, action).to_json()


def explain_bounce(data: bytes, articles: _Articles) -> list[dict[str, Any]]:
    """One explain JSON object per recipient of a bounce (with ``recipient``)."""
    return [r.to_json(with_recipient=True) for r in articles.service.explain_bounce(data)]


# --- running -----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    sources = sum(bool(x) for x in (args.text, args.file, args.batch, args.log))
    if sources != 1:
        return _usage("give exactly one of TEXT, -, --file FILE.eml, --batch FILE or --log FILE")
    fmt = args.format or "text"
    if fmt == "markdown" and not args.log:
        return _usage("--format markdown is for --log; use text or json")
    if args.message and not args.log:
        return _usage("--message QUEUEID is for --log FILE")
    if args.jobs is not None and args.jobs < 1:
        return _usage("--jobs must be 1 or more")
    service = _service(args.knowledge or ())
    if args.batch:
        return _run_batch(args, service)
    if args.log:
        return _run_log(args, service, fmt)
    if args.file:
        return _run_file(args, service, fmt)
    return _run_text(args, service, fmt)


def _service(dirs: Iterable[str]) -> ExplainService:
    from wizard.catalog.knowledge import load_knowledge
    from wizard.explain.service import ExplainService

    return ExplainService(load_knowledge(list(dirs)))


def _run_text(args: argparse.Namespace, service: ExplainService, fmt: str) -> int:
    from wizard.explain.inputs import MAX_TEXT_BYTES, InputError, open_input, read_bounded

    text = " ".join(args.text)
    if text == "-":
        text = read_bounded(open_input("-"), MAX_TEXT_BYTES, "standard input").decode(
            "utf-8", errors="replace")
    elif len(text.encode("utf-8", errors="replace")) > MAX_TEXT_BYTES:
        raise InputError("the text is larger than 1 MiB: give one reply")
    if not text.strip():
        return _usage("nothing to explain: the text is empty")
    _emit([service.explain(text.strip(), args.command)], fmt, service)
    return EXIT_OK


def _run_file(args: argparse.Namespace, service: ExplainService, fmt: str) -> int:
    """A message file. Bounces are explained here; a received message (not a bounce) goes to
    the received-message analysis (``smtp-wizard headers``)."""
    from wizard.explain.inputs import MAX_MESSAGE_BYTES, open_input, read_bounded
    from wizard.headers.route import is_received_message

    with _closing(open_input(args.file)) as stream:
        data = read_bounded(stream, MAX_MESSAGE_BYTES, repr(args.file))
    if is_received_message(data):
        from wizard.cli.headers import run_for_explain

        return run_for_explain(data, args)
    _emit(service_bounce(service, data), fmt, service, with_recipient=True)
    return EXIT_OK


def service_bounce(service: ExplainService, data: bytes) -> list[Explanation]:
    from wizard.explain.inputs import InputError

    try:
        return service.explain_bounce(data)
    except RecursionError:
        raise InputError("the message nests its MIME parts too deeply to read") from None


def _run_batch(args: argparse.Namespace, service: ExplainService) -> int:
    from wizard.explain.bulk import auto_jobs, run_chunks
    from wizard.explain.inputs import iter_lines, open_input

    with _closing(open_input(args.batch)) as stream:
        jobs = args.jobs or auto_jobs(_size(args.batch))
        out = sys.stdout
        run_chunks("batch", iter_lines(stream, repr(args.batch)), jobs, service, args.command,
                   out.write)
    return EXIT_OK


def _run_log(args: argparse.Namespace, service: ExplainService, fmt: str) -> int:
    from wizard.explain.bulk import read_log
    from wizard.explain.logreport import render_json, render_markdown, render_text

    if args.message:
        return _run_trail(args, fmt)
    progress = _Progress(_size(args.log))
    total = read_log(args.log, service, args.jobs, progress.show)
    progress.done()
    if fmt == "json":
        from wizard.output.safetext import json_text

        sys.stdout.write(json_text(render_json(total), indent=1) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(render_markdown(total))
    else:
        sys.stdout.write(render_text(total))
    return EXIT_OK


def _run_trail(args: argparse.Namespace, fmt: str) -> int:
    """``--log FILE --message QUEUEID``: that message's way through the server."""
    from wizard.explain.inputs import iter_lines, open_input
    from wizard.explain.trail import trail
    from wizard.output.safetext import printable

    with _closing(open_input(args.log)) as stream:
        steps = trail(iter_lines(stream, repr(args.log)), args.message)
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps({"queue_id": args.message,
                                     "steps": [s.to_json() for s in steps]},
                                    ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    if not steps:
        sys.stdout.write(f"no line of the log names queue id {printable(args.message)}\n")
        return EXIT_OK
    out = [f"message {printable(args.message)}: {len(steps)} log lines"]
    for step in steps:
        facts = ", ".join(f"{k}={printable(v)}" for k, v in step.fields.items())
        text = f" ({printable(step.text)})" if step.text else ""
        out.append(f"  {printable(step.time):<26} {step.daemon:<8} {facts}{text}")
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


class _Progress:
    """Lines read so far and a bar on stderr, only when stderr is a terminal and the file is
    larger than a few MB (a plain file: the bar follows the lines read against its size)."""

    def __init__(self, size: int | None) -> None:
        self.on = bool(getattr(sys.stderr, "isatty", lambda: False)()) and (size or 0) > 4 << 20
        self.size = size or 0

    def show(self, done: int) -> None:
        if self.on:
            sys.stderr.write(f"\rread {done:,} lines")
            sys.stderr.flush()

    def done(self) -> None:
        if self.on:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def _size(path: str) -> int | None:
    import os
    import stat

    if path == "-":
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


class _closing:
    """Close a stream we opened (never stdin)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def __enter__(self) -> Any:
        return self.stream

    def __exit__(self, *exc: object) -> None:
        if self.stream is not sys.stdin.buffer:
            self.stream.close()


def _emit(results: list[Explanation], fmt: str, service: ExplainService,
          with_recipient: bool = False) -> None:
    if fmt == "json":
        from wizard.output.safetext import json_text

        sys.stdout.write("".join(json_text(r.to_json(with_recipient)) + "\n"
                                 for r in results))
        return
    from wizard.catalog.providers import catalog
    from wizard.explain.render import render_text

    names = {pid: p.name for pid, p in catalog().items()}
    sys.stdout.write("\n".join(render_text(r, names.get(r.provider or "")) for r in results))


def _usage(message: str) -> int:
    return fail_usage(message, "explain")
