"""Mail-log triage: deferred and bounced deliveries grouped by category, provider and domain.

Each group keeps its count (deferred and bounced), first and last time seen, one sample reply
and the fix for it; groups are ranked by count. The same reply text with other addresses, IPs
and queue ids is classified once (:func:`template`), so a log of repeated replies costs little
per line, and memory stays bounded: the template cache is cleared when full, and past
:data:`MAX_GROUPS` new domains fold into one "(other domains)" group per category and provider.
Rendering as text, Markdown or JSON is here too; reading the log is :mod:`wizard.explain.logs`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wizard.catalog.providers import recognise
from wizard.explain.logs import Event, LogReader

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService

__all__ = ["Group", "Triage", "render_json", "render_markdown", "render_text", "template"]

MAX_GROUPS = 10_000
MAX_TEMPLATES = 50_000
OTHER = "(other domains)"

_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                   ".+=!#$%&'*/?^`{|}~-_")
# A template is the text with every digit run as "#" (IPs, times, ports, counts, ids vary),
# its reply codes and short codes inside words (TSS04, S3150) appended, and long ids masked.
_DIGITS = re.compile(r"\d+")
_CODES = re.compile(r"(?<![\w.])[245](?:\d\d|\.\d{1,3}\.\d{1,3})(?![\w.])"
                    r"|(?<!\w)[A-Z]{1,5}\d{2,5}(?!\w)")
_IDS = re.compile(r"\b(?:[0-9A-F]{8,}|[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}"
                  r"|(?=[A-Za-z]*\d)[A-Za-z0-9]{12,})\b")


def _mask_addresses(text: str) -> str:
    out = []
    last = 0
    at = text.find("@")
    while at >= 0:
        start = at
        while start > last and text[start - 1] in _LOCAL:
            start -= 1
        if start < at:
            out.append(text[last:start])
            out.append("<u>")
            last = at
        at = text.find("@", at + 1)
    out.append(text[last:])
    return "".join(out)


def template(text: str) -> str:
    """What stays the same between copies of one reply: ``text`` with addresses' local parts,
    ids and every digit masked, followed by the reply codes and the short codes inside words
    (TSS04, S3150) it contains, so equal templates classify the same."""
    if "@" in text:
        text = _mask_addresses(text)
    codes = " ".join(_CODES.findall(text))
    return f"{_DIGITS.sub('#', _IDS.sub('<id>', text))}\0{codes}"


@dataclass
class Group:
    category: str
    provider: str | None
    domain: str
    klass: str
    deferred: int = 0
    bounced: int = 0
    first_seen: str = ""
    last_seen: str = ""
    sample: str = ""
    summary: str = ""
    who: str = ""
    next_step: str = ""
    next_command: str | None = None
    articles: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.deferred + self.bounced

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category, "provider": self.provider, "domain": self.domain,
            "class": self.klass, "count": self.count, "deferred": self.deferred,
            "bounced": self.bounced, "first_seen": self.first_seen, "last_seen": self.last_seen,
            "sample": self.sample, "summary": self.summary, "who": self.who,
            "next_step": self.next_step, "next_command": self.next_command,
            "articles": list(self.articles),
        }

    def merge(self, other: Group) -> None:
        self.deferred += other.deferred
        self.bounced += other.bounced
        self.last_seen = other.last_seen or self.last_seen
        self.first_seen = self.first_seen or other.first_seen


class Triage:
    """Feeds log lines in order; :attr:`groups` is the result (see :meth:`ranked`)."""

    def __init__(self, service: ExplainService,
                 templates: dict[str, tuple[str, str | None, str, Any]] | None = None) -> None:
        self.service = service
        self.reader = LogReader()
        self.lines = 0
        self.events = 0
        self.groups: dict[tuple[str, str | None, str], Group] = {}
        # Classified templates; a worker passes the same dict to every chunk it reads.
        self._templates = templates if templates is not None else {}
        self._domains: set[str] = set()

    def feed(self, line: str) -> None:
        self.lines += 1
        event = self.reader.event(line)
        if event is not None:
            self.add(event)

    def add(self, event: Event) -> None:
        self.events += 1
        # The relay matters only through the provider it names.
        key = f"{recognise(event.relay) if event.relay else ''} {event.dsn} {template(event.reply)}"
        known = self._templates.get(key)
        if known is None:
            if len(self._templates) >= MAX_TEMPLATES:
                self._templates.clear()
            text = f"{event.reply} {event.relay}".strip() if event.relay else event.reply
            found = self.service.explain(text, status=event.dsn or None)
            known = (found.category, found.provider, found.klass, found)
            self._templates[key] = known
        category, provider, klass, sample = known
        if klass == "unknown":
            klass = "temporary" if event.status == "deferred" else "permanent"
        domain = event.domain
        if domain not in self._domains:
            if len(self._domains) >= MAX_GROUPS:
                domain = OTHER
            else:
                self._domains.add(domain)
        gkey = (category, provider, domain)
        group = self.groups.get(gkey)
        if group is None:
            group = Group(category, provider, domain, klass, first_seen=event.time,
                          sample=event.reply[:2000], summary=sample.summary,
                          who=sample.next.who, next_step=sample.next.next_step,
                          next_command=sample.next_command,
                          articles=[a for a, _ in sample.articles])
            self.groups[gkey] = group
        if event.status == "deferred":
            group.deferred += 1
        else:
            group.bounced += 1
        group.last_seen = event.time

    def __getstate__(self) -> dict[str, Any]:
        """What a worker sends back: the counts and groups, not the service or its caches."""
        return {"lines": self.lines, "events": self.events, "groups": self.groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, service=None, reader=LogReader(), _templates={},
                             _domains=set())

    def merge(self, other: Triage) -> None:
        """Add a later part's groups (parts are merged in input order)."""
        self.lines += other.lines
        self.events += other.events
        for key, group in other.groups.items():
            mine = self.groups.get(key)
            if mine is None:
                self.groups[key] = group
            else:
                mine.merge(group)

    def ranked(self) -> list[Group]:
        return sorted(self.groups.values(),
                      key=lambda g: (-g.count, g.category, g.provider or "", g.domain))


# --- rendering ---------------------------------------------------------------------------------


def render_json(triage: Triage) -> dict[str, Any]:
    return {"lines": triage.lines, "events": triage.events,
            "groups": [g.to_json() for g in triage.ranked()]}


def _names() -> dict[str, str]:
    from wizard.catalog.providers import catalog

    return {pid: p.name for pid, p in catalog().items()}


def render_text(triage: Triage, limit: int = 30) -> str:
    from wizard.explain.render import shorten
    from wizard.output.safetext import printable

    names = _names()
    groups = triage.ranked()
    out = [f"{triage.events:,} deferred or bounced deliveries in {triage.lines:,} lines,"
           f" {len(groups):,} groups (most frequent first)", ""]
    for rank, g in enumerate(groups[:limit], 1):
        provider = names.get(g.provider or "", g.provider or "unknown provider")
        out.append(f"{rank:>3}. {g.count:,} x {g.category} ({g.klass}) - {printable(g.domain)}"
                   f" via {printable(provider)}")
        out.append(f"     deferred {g.deferred:,}, bounced {g.bounced:,};"
                   f" first {printable(g.first_seen)}, last {printable(g.last_seen)}")
        sample, _ = shorten(printable(g.sample), 160)
        out.append(f"     sample: {sample}")
        out.append(f"     do now: {printable(g.next_step)}")
        if g.next_command:
            out.append(f"     run:    {printable(g.next_command)}")
        out.append("")
    if len(groups) > limit:
        out.append(f"... and {len(groups) - limit:,} smaller groups (--format json lists all)")
    return "\n".join(out).rstrip() + "\n"


def render_markdown(triage: Triage, limit: int = 100) -> str:
    from wizard.output.safetext import markdown_inline

    names = _names()
    groups = triage.ranked()
    out = ["# Mail log triage", "",
           f"{triage.events:,} deferred or bounced deliveries in {triage.lines:,} lines,"
           f" {len(groups):,} groups.", "",
           "| # | count | category | class | domain | provider | deferred | bounced | first seen |"
           " last seen | fix |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for rank, g in enumerate(groups[:limit], 1):
        provider = names.get(g.provider or "", g.provider or "")
        out.append(f"| {rank} | {g.count} | {g.category} | {g.klass} |"
                   f" {markdown_inline(g.domain)} | {markdown_inline(provider)} | {g.deferred} |"
                   f" {g.bounced} | {markdown_inline(g.first_seen)} |"
                   f" {markdown_inline(g.last_seen)} | {markdown_inline(g.next_step)} |")
    out += ["", "## Samples", ""]
    for rank, g in enumerate(groups[:limit], 1):
        out.append(f"{rank}. `{markdown_inline(g.sample[:300])}`")
    return "\n".join(out) + "\n"
