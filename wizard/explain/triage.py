"""Mail-log triage: deferred and bounced deliveries grouped by category, provider and domain,
and the receiving side's problems (rejects, failed logins, TLS, limits) grouped by what to do.

Each group keeps its count (deferred and bounced), first and last time seen, one sample reply
and the fix for it; groups are ranked by count. The same reply text with other addresses, IPs
and queue ids is classified once (:func:`template`), so a log of repeated replies costs little
per line, and memory stays bounded: the template cache is cleared when full, and past
:data:`MAX_GROUPS` new domains fold into one "(other domains)" group per category and provider.
Receiving-side groups (:class:`ServerGroup`) carry their top clients, users, senders and
recipient domains (bounded counters), a per-hour/per-minute timeline, and their wording from
``data/server_log.toml``. Rendering as text, Markdown or JSON is :mod:`wizard.explain.logreport`'s;
reading the log is :mod:`wizard.explain.logs`' and :mod:`wizard.explain.serverlog`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wizard.catalog.providers import recognise
from wizard.explain.logs import Event, LogReader
from wizard.explain.serverlog import Incident, ServerLogReader, Tally, minute_key

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService

__all__ = ["Group", "ServerGroup", "Timeline", "Triage", "template"]

MAX_GROUPS = 10_000
MAX_TOP = 500
"""Distinct keys each top-N counter keeps; later new keys are counted under "(others)"."""
MAX_MINUTES = 240
"""Minute buckets a timeline keeps before it keeps hours only."""
SAMPLES = 5
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


class Timeline:
    """Counts per minute (while the span is short) and per hour, keyed ``MM-DD HH[:MM]``."""

    __slots__ = ("hours", "minutes")

    def __init__(self) -> None:
        self.hours: dict[str, int] = {}
        self.minutes: dict[str, int] | None = {}

    def add(self, key: str, n: int = 1) -> None:
        if not key:
            return
        hour = key[:8]
        self.hours[hour] = self.hours.get(hour, 0) + n
        if self.minutes is not None:
            self.minutes[key] = self.minutes.get(key, 0) + n
            if len(self.minutes) > MAX_MINUTES:
                self.minutes = None

    def merge(self, other: Timeline) -> None:
        for k, v in other.hours.items():
            self.hours[k] = self.hours.get(k, 0) + v
        if self.minutes is None or other.minutes is None:
            self.minutes = None
            return
        for k, v in other.minutes.items():
            self.minutes[k] = self.minutes.get(k, 0) + v
        if len(self.minutes) > MAX_MINUTES:
            self.minutes = None


def _count(counter: dict[str, int], key: str) -> None:
    if not key:
        return
    if key in counter:
        counter[key] += 1
    elif len(counter) < MAX_TOP:
        counter[key] = 1
    else:
        counter["(others)"] = counter.get("(others)", 0) + 1


def _merge_counts(mine: dict[str, int], other: dict[str, int]) -> None:
    for key, n in other.items():
        if key in mine or len(mine) < MAX_TOP:
            mine[key] = mine.get(key, 0) + n
        else:
            mine["(others)"] = mine.get("(others)", 0) + n


def top(counter: dict[str, int], n: int = 5) -> list[tuple[str, int]]:
    """The ``n`` largest entries, largest first (ties by name)."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


class _Span:
    """First and last time seen, compared as times (``minute_key``), not as text."""

    first_seen: str
    last_seen: str
    first_key: str
    last_key: str

    def _seen(self, time: str, key: str) -> None:
        if key and (not self.first_key or key < self.first_key):
            self.first_key, self.first_seen = key, time
        elif not self.first_seen:
            self.first_seen = time
        if key and key >= self.last_key:
            self.last_key, self.last_seen = key, time
        elif not self.last_key:
            self.last_seen = time

    def _merge_span(self, other: _Span) -> None:
        if other.first_key and (not self.first_key or other.first_key < self.first_key):
            self.first_key, self.first_seen = other.first_key, other.first_seen
        if other.last_key and other.last_key >= self.last_key:
            self.last_key, self.last_seen = other.last_key, other.last_seen
        self.first_seen = self.first_seen or other.first_seen
        self.last_seen = self.last_seen or other.last_seen


@dataclass
class ServerGroup(_Span):
    """One receiving-side problem: e.g. every relay denial, or every failed SASL login."""

    kind: str
    reason: str
    detail: str
    category: str = "unknown"
    count: int = 0
    first_seen: str = ""
    last_seen: str = ""
    first_key: str = ""
    last_key: str = ""
    samples: list[str] = field(default_factory=list)
    reply: str = ""
    summary: str = ""
    articles: list[str] = field(default_factory=list)
    clients: dict[str, int] = field(default_factory=dict)
    ips: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    pairs: dict[str, int] = field(default_factory=dict)
    senders: dict[str, int] = field(default_factory=dict)
    domains: dict[str, int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)
    timeline: Timeline = field(default_factory=Timeline)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.reason, self.detail)

    def add(self, incident: Incident, key: str) -> None:
        self.count += 1
        self._seen(incident.time, key)
        self.timeline.add(key)
        if len(self.samples) < SAMPLES:
            self.samples.append(incident.line[:2000])
        _count(self.clients, incident.client)
        _count(self.ips, incident.ip)
        _count(self.users, incident.user)
        if incident.user:
            _count(self.pairs, f"{incident.user} {incident.ip}")
        _count(self.senders, incident.sender)
        _count(self.domains, incident.recipient_domain)
        _count(self.stages, incident.stage)

    def merge(self, other: ServerGroup) -> None:
        self.count += other.count
        self._merge_span(other)
        self.timeline.merge(other.timeline)
        self.samples = (self.samples + other.samples)[:SAMPLES]
        for name in ("clients", "ips", "users", "pairs", "senders", "domains", "stages"):
            _merge_counts(getattr(self, name), getattr(other, name))


@dataclass
class Group(_Span):
    category: str
    provider: str | None
    domain: str
    klass: str
    deferred: int = 0
    bounced: int = 0
    first_seen: str = ""
    last_seen: str = ""
    first_key: str = ""
    last_key: str = ""
    sample: str = ""
    summary: str = ""
    who: str = ""
    next_step: str = ""
    next_command: str | None = None
    articles: list[str] = field(default_factory=list)
    timeline: Timeline = field(default_factory=Timeline)

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
        self._merge_span(other)
        self.timeline.merge(other.timeline)


class Triage:
    """Feeds log lines in order; :attr:`groups` (deliveries), :attr:`server_groups` (receiving
    side) and :attr:`tally` are the result (see :meth:`ranked` and :meth:`ranked_server`)."""

    def __init__(self, service: ExplainService,
                 templates: dict[str, tuple[str, str | None, str, Any]] | None = None) -> None:
        self.service = service
        self.reader = LogReader()
        self.server = ServerLogReader()
        self.tally: Tally = self.server.tally
        self.lines = 0
        self.events = 0
        self.incidents = 0
        self.groups: dict[tuple[str, str | None, str], Group] = {}
        self.server_groups: dict[tuple[str, str, str], ServerGroup] = {}
        self.timeline = Timeline()
        """Every problem (delivery or receiving side) by time: the whole log's span."""
        # Classified templates; a worker passes the same dict to every chunk it reads.
        self._templates = templates if templates is not None else {}
        self._domains: set[str] = set()

    def feed(self, line: str) -> None:
        self.lines += 1
        incident = self.server.feed(line)
        if incident is not None:
            self.add_incident(incident)
            return
        event = self.reader.event(line)
        if event is not None:
            self.add(event)

    def _explained(self, key: str, text: str, status: str | None) -> tuple[str, str | None,
                                                                           str, Any]:
        known = self._templates.get(key)
        if known is None:
            if len(self._templates) >= MAX_TEMPLATES:
                self._templates.clear()
            found = self.service.explain(text, status=status)
            known = (found.category, found.provider, found.klass, found)
            self._templates[key] = known
        return known

    def add_incident(self, incident: Incident) -> None:
        """Count one receiving-side problem into its group."""
        self.incidents += 1
        detail = incident.detail or (incident.stage if incident.kind in ("lost", "limit")
                                     and incident.reason in ("lost", "too-many-errors") else "")
        gkey = (incident.kind, incident.reason, detail)
        group = self.server_groups.get(gkey)
        if group is None:
            category, _, _, found = self._explained(
                f"server {incident.kind} {incident.reason} {template(incident.reply)}",
                incident.reply, None)
            group = ServerGroup(incident.kind, incident.reason, detail, category=category,
                                reply=incident.reply[:500], summary=found.summary,
                                articles=[a for a, _ in found.articles])
            self.server_groups[gkey] = group
        key = minute_key(incident.time)
        group.add(incident, key)
        self.timeline.add(key)

    def add(self, event: Event) -> None:
        self.events += 1
        # The relay matters only through the provider it names.
        key = f"{recognise(event.relay) if event.relay else ''} {event.dsn} {template(event.reply)}"
        text = f"{event.reply} {event.relay}".strip() if event.relay else event.reply
        category, provider, klass, sample = self._explained(key, text, event.dsn or None)
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
            group = Group(category, provider, domain, klass,
                          sample=event.reply[:2000], summary=sample.summary,
                          who=sample.next.who, next_step=sample.next.next_step,
                          next_command=sample.next_command,
                          articles=[a for a, _ in sample.articles])
            self.groups[gkey] = group
        if event.status == "deferred":
            group.deferred += 1
        else:
            group.bounced += 1
        tkey = minute_key(event.time)
        group._seen(event.time, tkey)
        group.timeline.add(tkey)
        self.timeline.add(tkey)

    def __getstate__(self) -> dict[str, Any]:
        """What a worker sends back: the counts and groups, not the service or its caches."""
        return {"lines": self.lines, "events": self.events, "incidents": self.incidents,
                "groups": self.groups, "server_groups": self.server_groups,
                "tally": self.tally, "timeline": self.timeline}

    def __setstate__(self, state: dict[str, Any]) -> None:
        server = ServerLogReader()
        server.tally = state["tally"]
        self.__dict__.update(state, service=None, reader=LogReader(), server=server,
                             _templates={}, _domains=set())

    def merge(self, other: Triage) -> None:
        """Add a later part's groups (parts are merged in input order)."""
        self.lines += other.lines
        self.events += other.events
        self.incidents += other.incidents
        self.tally.merge(other.tally)
        self.timeline.merge(other.timeline)
        for key, group in other.groups.items():
            mine = self.groups.get(key)
            if mine is None:
                self.groups[key] = group
            else:
                mine.merge(group)
        for skey, sgroup in other.server_groups.items():
            smine = self.server_groups.get(skey)
            if smine is None:
                self.server_groups[skey] = sgroup
            else:
                smine.merge(sgroup)

    def ranked(self) -> list[Group]:
        return sorted(self.groups.values(),
                      key=lambda g: (-g.count, g.category, g.provider or "", g.domain))
