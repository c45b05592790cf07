"""Many replies or log lines at speed: a per-template cache, and worker processes in order.

``--batch`` writes one JSON object per input line, in input order; ``--log`` feeds a
:class:`~wizard.explain.triage.Triage`. A reply seen before with other addresses, IPs or ids
(same :func:`~wizard.explain.triage.template`) is classified once; its facts and next step are
still taken from each line. Large inputs are cut into chunks that worker processes handle while
the main process reads and writes, with a bounded number of chunks in flight, so memory does not
grow with the input and the output keeps the input's order.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal, overload

from wizard.explain.service import (
    ExplainService,
    Explanation,
    facts_used,
    next_command,
    next_step,
)
from wizard.explain.triage import MAX_TEMPLATES, Triage, template
from wizard.output.safetext import json_text

if TYPE_CHECKING:
    from wizard.model.findings import NextStep

__all__ = ["BatchExplainer", "auto_jobs", "run_chunks"]

SHOWN = ("rcpt_to", "recipient_domain")
"""Facts every batch line reports besides those its next step uses (cheap to find)."""
CHUNK_LINES = 4000
IN_FLIGHT = 3
"""Chunks queued per worker; bounds memory whatever the input's size."""
PARALLEL_FROM_BYTES = 4 << 20
"""Inputs smaller than this run in one process (starting workers costs more than it saves)."""


class BatchExplainer:
    """One line in, one explanation out, with the template cache."""

    def __init__(self, service: ExplainService, command: str | None = None) -> None:
        self.service = service
        self.command = command
        self._cache: dict[str, Explanation] = {}
        self._json_parts: dict[int, tuple[str, str]] = {}
        # (template's explanation id, the facts its next step uses) -> (step, command)
        self._steps: dict[tuple[int | str | None, ...], tuple[NextStep, str | None]] = {}
        self._used: dict[int, tuple[str, ...]] = {}

    def explain(self, line: str) -> Explanation:
        key = template(line)
        known = self._cache.get(key)
        if known is None:
            found = self.service.explain(line, self.command)
            if found.classification is not None:  # the same facts as later lines of this template
                used = (*facts_used(found.classification), *SHOWN)
                found.facts = {k: v for k, v in found.facts.items() if k in used}
            if len(self._cache) >= MAX_TEMPLATES:
                self._cache.clear()
                self._steps.clear()
                self._used.clear()
            self._cache[key] = found
            return found
        from wizard.explain.facts import extract

        result = known.classification
        if result is None:
            facts = extract(line, known.category)
            step, command = known.next, known.next_command
        else:
            names = self._used.get(id(known))
            if names is None:
                names = self._used[id(known)] = facts_used(result)
            facts = extract(line, known.category, only=(*names, *SHOWN))  # what the step needs
            skey = (id(known), *(facts.get(name) for name in names))
            cached = self._steps.get(skey)
            if cached is None:
                if len(self._steps) >= MAX_TEMPLATES:
                    self._steps.clear()
                step = next_step(result, facts)
                cached = self._steps[skey] = (step, next_command(step.action, facts))
            step, command = cached
        return Explanation(
            input=line, code=known.code, enhanced=known.enhanced, klass=known.klass,
            category=known.category, provider=known.provider, summary=known.summary,
            articles=known.articles, next=step, next_command=command,
            note=known.note, facts=facts, truncated=known.truncated,
            classification=result,
        )

    def json_line(self, text: str) -> str:
        """``explain --format json`` for one line; the parts that do not change between lines
        of one template are encoded once."""
        found = self.explain(text)
        parts = self._json_parts.get(id(found.classification), None) if found.classification \
            else None
        if parts is None:
            whole = found.to_json()
            static = {k: whole[k] for k in ("code", "enhanced", "class", "category", "provider",
                                             "summary", "articles")}
            parts = (_inner(static), _dump(whole["note"]))
            if found.classification is not None:
                if len(self._json_parts) >= MAX_TEMPLATES:
                    self._json_parts.clear()
                self._json_parts[id(found.classification)] = parts
        step = _inner({"who": found.next.who, "next_step": found.next.next_step,
                       "action": found.next.action.to_dict(), "next_command": found.next_command})
        tail = f', "truncated": {found.truncated}' if found.truncated else ""
        return (f'{{"input": {_dump(found.input)}, {parts[0]}, {step}, "note": {parts[1]},'
                f' "facts": {_dump(found.facts)}{tail}}}')

    def json_lines(self, lines: Iterable[str]) -> str:
        out = []
        for line in lines:
            text = line.strip()
            if text:
                out.append(self.json_line(text))
        return "".join(s + "\n" for s in out)


def _dump(value: Any) -> str:
    return json_text(value)


def _inner(mapping: dict[str, Any]) -> str:
    """A JSON object's members without its braces, to splice into a larger object."""
    return json_text(mapping)[1:-1]


# --- worker processes --------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _batch_chunk(lines: list[str]) -> str:
    text: str = _WORKER["batch"].json_lines(lines)
    return text


def _log_chunk(part: tuple[str | None, list[str]]) -> Triage:
    header, lines = part
    triage = Triage(_WORKER["service"], _WORKER.setdefault("templates", {}))
    if header is not None:  # the Exchange CSV header last seen before this chunk
        triage.reader.event(header)
    for line in lines:
        triage.feed(line)
    return triage


def auto_jobs(size: int | None) -> int:
    """Worker processes for an input of ``size`` bytes (None: unknown, e.g. a pipe)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if not cpus or cpus < 2 or size is None or size < PARALLEL_FROM_BYTES:
        return 1
    return min(cpus, 8)


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _log_parts(lines: Iterable[str], size: int) -> Iterator[tuple[str | None, list[str]]]:
    """Chunks of a log, each with the CSV header that was in force where it starts."""
    header: str | None = None
    for chunk in _chunks(lines, size):
        yield header, chunk
        for line in chunk:
            if line.startswith(("#Fields:", '"Timestamp"', "date-time,")):
                header = line


@overload
def run_chunks(kind: Literal["batch"], lines: Iterable[str], jobs: int, service: ExplainService,
               command: str | None, sink: Callable[[str], object]) -> None: ...


@overload
def run_chunks(kind: Literal["log"], lines: Iterable[str], jobs: int, service: ExplainService,
               command: str | None, sink: Callable[[Triage], object]) -> None: ...


def run_chunks(kind: Literal["batch", "log"], lines: Iterable[str], jobs: int,
               service: ExplainService, command: str | None,
               sink: Callable[[Any], object]) -> None:
    """Process ``lines`` in chunks (``kind`` "batch" or "log"), giving each result to ``sink``
    in input order; ``jobs`` > 1 uses that many worker processes."""
    _WORKER.clear()
    _WORKER["service"] = service
    _WORKER["batch"] = BatchExplainer(service, command)
    work: Callable[[Any], Any] = _batch_chunk if kind == "batch" else _log_chunk
    parts: Iterator[Any] = (_chunks(lines, CHUNK_LINES) if kind == "batch"
                            else _log_parts(lines, CHUNK_LINES))
    if jobs <= 1:
        for part in parts:
            sink(work(part))
        return
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(jobs) as pool:
        pending: deque[Any] = deque()
        for part in parts:
            pending.append(pool.apply_async(work, (part,)))
            while len(pending) >= jobs * IN_FLIGHT:
                sink(pending.popleft().get())
        while pending:
            sink(pending.popleft().get())


def read_log(name: str, service: ExplainService, jobs: int | None = None,
             progress: Callable[[int], object] | None = None) -> Triage:
    """Triage the log file ``name`` (``-`` stdin, gzip too), in worker processes when large;
    ``progress`` is told the lines done after each chunk. The one driver the CLI and TUI use."""
    import stat

    from wizard.explain.inputs import iter_lines, open_input

    size: int | None = None
    if name != "-":
        try:
            st = os.stat(name)
            size = st.st_size if stat.S_ISREG(st.st_mode) else None
        except OSError:
            size = None
    total = Triage(service)

    def add(part: Triage) -> None:
        total.merge(part)
        if progress is not None:
            progress(total.lines)

    stream = open_input(name)
    try:
        run_chunks("log", iter_lines(stream, repr(name)), jobs or auto_jobs(size), service, None,
                   add)
    finally:
        if name != "-":
            stream.close()
    return total
