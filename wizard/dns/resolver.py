"""One async DNS resolver per session, honest about *why* a lookup found nothing.

dnspython's stub resolver folds SERVFAIL and REFUSED into one ``NoNameservers`` error and hides
which name timed out, so this module sends queries itself (:func:`wizard.dns.exchange.exchange`:
UDP resent within the timeout as stub resolvers do, TCP when an answer is truncated) and reports
each lookup as a :class:`Lookup` with one of: ok, nxdomain, nodata, servfail, refused, timeout,
error.

Lookups are cached and de-duplicated per session: concurrent checks that ask the same question
share one query. A nameserver that does not answer is remembered as dead for the session, so a
dead server costs one timeout, not one per query.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver

from wizard.dns.exchange import exchange


class LookupStatus(StrEnum):
    OK = "ok"
    NXDOMAIN = "nxdomain"
    NODATA = "nodata"
    SERVFAIL = "servfail"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    ERROR = "error"

    @property
    def answered(self) -> bool:
        """The DNS gave a definite answer (records, no such name, or no such record)."""
        return self in (LookupStatus.OK, LookupStatus.NXDOMAIN, LookupStatus.NODATA)


STATUS_TEXT = {
    LookupStatus.NXDOMAIN: "the name does not exist (NXDOMAIN)",
    LookupStatus.NODATA: "the name exists but has no record of this type",
    LookupStatus.SERVFAIL: "the DNS server failed to answer (SERVFAIL)",
    LookupStatus.REFUSED: "the DNS server refused the query (REFUSED)",
    LookupStatus.TIMEOUT: "no DNS server answered in time",
    LookupStatus.ERROR: "the lookup failed",
}


@dataclass(slots=True)
class Lookup:
    """The outcome of one question: records as text plus the rdata objects."""

    name: str
    rdtype: str
    status: LookupStatus
    records: list[str] = field(default_factory=list)
    rdata: list[Any] = field(default_factory=list)
    cnames: list[str] = field(default_factory=list)
    error: str | None = None
    duration_ms: int = 0
    authenticated: bool = False
    nameserver: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is LookupStatus.OK

    def describe(self) -> str:
        if self.ok:
            return f"{self.name} {self.rdtype}: {len(self.records)} record(s)"
        text = STATUS_TEXT[self.status]
        return f"{self.name} {self.rdtype}: {text}" + (f" ({self.error})" if self.error else "")


def system_nameservers() -> list[tuple[str, int]]:
    """The nameservers of the system configuration (resolv.conf); empty when none."""
    try:
        resolver = dns.resolver.Resolver(configure=True)
    except (dns.resolver.NoResolverConfiguration, OSError):
        return []
    return [(str(ns), resolver.port) for ns in resolver.nameservers]


class Resolver:
    """Ask ``nameservers`` in order; per-query ``timeout``, cached for the session."""

    def __init__(
        self,
        nameservers: list[tuple[str, int]] | None = None,
        timeout: float = 3.0,
        max_cname_depth: int = 8,
    ) -> None:
        self.nameservers = list(nameservers) if nameservers else system_nameservers()
        self.timeout = timeout
        self.max_cname_depth = max_cname_depth
        self._cache: dict[tuple[str, str], asyncio.Task[Lookup]] = {}
        self._dead: set[tuple[str, int]] = set()
        self.queries_sent = 0  # questions asked of a nameserver (a UDP resend is not a new one)

    async def query(self, name: str, rdtype: str) -> Lookup:
        key = (name.lower().rstrip("."), rdtype.upper())
        task = self._cache.get(key)
        if task is None:
            task = asyncio.ensure_future(self._resolve(*key))
            self._cache[key] = task
        return await asyncio.shield(task)

    async def _resolve(self, name: str, rdtype: str) -> Lookup:
        start = time.monotonic()
        lookup = await self._follow(name, rdtype)
        lookup.duration_ms = int((time.monotonic() - start) * 1000)
        return lookup

    async def _follow(self, name: str, rdtype: str) -> Lookup:
        """Resolve, following CNAMEs the server did not chase itself (bounded depth)."""
        try:
            qname = dns.name.from_text(name or ".")
            qtype = dns.rdatatype.from_text(rdtype)
        except (dns.exception.DNSException, ValueError) as exc:
            return Lookup(name, rdtype, LookupStatus.ERROR, error=f"invalid name: {exc}")
        cnames: list[str] = []
        seen = {qname}
        for _ in range(self.max_cname_depth + 1):
            lookup, next_name = await self._ask(qname, qtype, name, rdtype)
            lookup.cnames = cnames + lookup.cnames
            if next_name is None:
                return lookup
            if next_name in seen:
                lookup.status = LookupStatus.ERROR
                lookup.error = "CNAME loop: " + " -> ".join(lookup.cnames)
                return lookup
            seen.add(next_name)
            cnames = lookup.cnames
            qname = next_name
        return Lookup(
            name, rdtype, LookupStatus.ERROR, cnames=cnames,
            error=f"CNAME chain longer than {self.max_cname_depth}",
        )

    async def _ask(
        self, qname: dns.name.Name, qtype: dns.rdatatype.RdataType, name: str, rdtype: str
    ) -> tuple[Lookup, dns.name.Name | None]:
        if not self.nameservers:
            return Lookup(name, rdtype, LookupStatus.ERROR, error="no nameserver configured"), None
        last = Lookup(name, rdtype, LookupStatus.TIMEOUT)
        alive = [ns for ns in self.nameservers if ns not in self._dead] or self.nameservers[:1]
        for ip, port in alive:
            request = dns.message.make_query(qname, qtype, want_dnssec=False)
            request.flags |= dns.flags.AD
            self.queries_sent += 1
            try:
                response = await exchange(request, ip, port, self.timeout)
            except dns.exception.Timeout:
                self._dead.add((ip, port))
                last = Lookup(name, rdtype, LookupStatus.TIMEOUT, nameserver=f"{ip}:{port}")
                continue
            except (OSError, dns.exception.DNSException, ValueError, EOFError) as exc:
                last = Lookup(
                    name, rdtype, LookupStatus.ERROR, error=str(exc) or type(exc).__name__,
                    nameserver=f"{ip}:{port}",
                )
                continue
            return _interpret(response, qname, qtype, name, rdtype, f"{ip}:{port}")
        return last, None


def _interpret(
    response: dns.message.Message,
    qname: dns.name.Name,
    qtype: dns.rdatatype.RdataType,
    name: str,
    rdtype: str,
    server: str,
) -> tuple[Lookup, dns.name.Name | None]:
    rcode = response.rcode()
    ad = bool(response.flags & dns.flags.AD)

    def out(status: LookupStatus, **facts: Any) -> Lookup:
        return Lookup(name, rdtype, status, nameserver=server, authenticated=ad, **facts)

    if rcode == dns.rcode.NXDOMAIN:
        return out(LookupStatus.NXDOMAIN, cnames=_cname_chain(response, qname)), None
    if rcode == dns.rcode.SERVFAIL:
        return out(LookupStatus.SERVFAIL), None
    if rcode == dns.rcode.REFUSED:
        return out(LookupStatus.REFUSED), None
    if rcode != dns.rcode.NOERROR:
        return out(LookupStatus.ERROR, error=f"rcode {dns.rcode.to_text(rcode)}"), None
    current = qname
    cnames: list[str] = []
    for _ in range(16):
        rrset = response.get_rrset(
            response.answer, current, dns.rdataclass.IN, dns.rdatatype.CNAME
        )
        if rrset is None or qtype == dns.rdatatype.CNAME:
            break
        current = rrset[0].target
        cnames.append(current.to_text(omit_final_dot=True))
        if current == qname or cnames.count(cnames[-1]) > 1:
            return out(LookupStatus.ERROR, cnames=cnames,
                       error="CNAME loop: " + " -> ".join(cnames)), None
    rrset = response.get_rrset(response.answer, current, dns.rdataclass.IN, qtype)
    if rrset is None:
        if cnames:
            # The server stopped at a CNAME it did not follow: ask again for the target.
            return out(LookupStatus.NODATA, cnames=cnames), current
        return out(LookupStatus.NODATA), None
    rdata = list(rrset)
    return out(LookupStatus.OK, records=[_text(r) for r in rdata], rdata=rdata,
               cnames=cnames), None


def _cname_chain(response: dns.message.Message, qname: dns.name.Name) -> list[str]:
    chain: list[str] = []
    current = qname
    for _ in range(16):
        rrset = response.get_rrset(
            response.answer, current, dns.rdataclass.IN, dns.rdatatype.CNAME
        )
        if rrset is None:
            break
        current = rrset[0].target
        chain.append(current.to_text(omit_final_dot=True))
    return chain


def _text(rdata: Any) -> str:
    """TXT strings joined (RFC 7208 3.3); other types in presentation format."""
    if rdata.rdtype == dns.rdatatype.TXT:
        return b"".join(rdata.strings).decode("utf-8", "replace")
    text: str = rdata.to_text()
    return text
