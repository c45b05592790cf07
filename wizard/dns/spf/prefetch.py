"""Fetch an SPF record's lookups ahead of the walk: all of a record's terms at once, and each
included record's terms as soon as that record arrives.

The walk (:mod:`wizard.dns.spf.evaluate`) still evaluates the terms one by one, in order, and
counts only what it evaluates; it simply finds most answers already in the resolver's cache (or
in flight: the resolver shares one query per question). A record with nine includes then costs
two round trips instead of ten, and nested includes one round trip per level.

Bounded so that it cannot load the DNS more than the walk could: at most ``budget`` lookup terms
in all (twice the walk's own limit), no deeper than the walk may go, each record once, nothing
after a term that is certain to match (``all``, or an ip4/ip6 that holds the IP), and the 10-name
limit of ``mx`` respected. It never evaluates anything and never raises: a term it cannot work
out (a macro error) is simply left to the walk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from typing import TYPE_CHECKING

from wizard.dns.resolver import Lookup
from wizard.dns.spf.record import (
    LOOKUP_TERMS,
    MAX_LOOKUPS,
    MAX_MX_PTR_NAMES,
    PermError,
    SpfError,
    SpfRecord,
    Term,
    parse_record,
    select_record,
)

if TYPE_CHECKING:
    from wizard.dns.spf.evaluate import Evaluator

MAX_PREFETCH_DEPTH = MAX_LOOKUPS + 1


def mx_hosts(mx: Lookup) -> list[str]:
    """The MX host names of an answer, most preferred first (a null MX '.' left out)."""
    hosts = [r.exchange.to_text(omit_final_dot=True) for r in
             sorted(mx.rdata, key=lambda r: r.preference)]
    return [h for h in hosts if h and h != "."]


class Prefetcher:
    """Prefetch for one evaluation; :meth:`close` stops it when the walk is done."""

    def __init__(self, evaluator: Evaluator, budget: int) -> None:
        self.evaluator = evaluator
        self.budget = budget
        self.seen: set[str] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.closed = False

    def record_loaded(self, record: SpfRecord, domain: str, depth: int) -> None:
        """A record is known (the walk loaded it, or a prefetch did): fetch what it will ask."""
        key = domain.lower().rstrip(".")
        if self.closed or key in self.seen or depth > MAX_PREFETCH_DEPTH:
            return
        self.seen.add(key)
        for term in self._terms(record):
            if self.budget <= 0:
                return
            self.budget -= 1
            self._spawn(self._fetch(term, domain, depth))

    def close(self) -> None:
        self.closed = True
        for task in list(self.tasks):
            task.cancel()

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _terms(self, record: SpfRecord) -> Iterator[Term]:
        """The record's lookup terms the walk may reach, in order (redirect last)."""
        for term in record.mechanisms:
            if term.name == "all":
                return
            if term.name in ("ip4", "ip6") and self.evaluator.in_network(term):
                return  # the walk decides here, whatever the qualifier
            if term.name in LOOKUP_TERMS:
                yield term
        if record.redirect is not None:
            yield record.redirect

    async def _fetch(self, term: Term, domain: str, depth: int) -> None:
        ev = self.evaluator
        try:
            target = await ev.target_domain(term, domain)
        except SpfError:
            return  # a macro the walk will report on
        name = term.name
        if name in ("include", "redirect"):
            lookup = await ev.query(target, "TXT")
            try:
                text = select_record(lookup.records) if lookup.ok else None
                record = parse_record(text) if text else None
            except PermError:
                return  # the walk reports it
            if record is not None:
                self.record_loaded(record, target, depth + 1)
        elif name == "a":
            await ev.addresses(target)
        elif name == "exists":
            await ev.query(target, "A")
        elif name == "mx":
            mx = await ev.query(target, "MX")
            if mx.ok and len(mx.rdata) <= MAX_MX_PTR_NAMES:
                await asyncio.gather(*(ev.addresses(h) for h in mx_hosts(mx)))
        elif name == "ptr":
            await ev.validated_names()
