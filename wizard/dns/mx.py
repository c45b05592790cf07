"""MX of a domain: priorities, null MX (RFC 7505), CNAME and IP-literal targets, host addresses.

``judge_mx`` is pure (lookups in, finding out); ``gather_mx`` does the concurrent lookups, for
the :data:`MAX_MX_HOSTS` most preferred hosts only: a domain publishing thousands of MX records
must not cost thousands of queries (senders try only the first few), and the finding says so.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from wizard.dns.resolver import Lookup, LookupStatus, Resolver
from wizard.dns.util import error_finding, finding, lookup_facts, lookup_failed
from wizard.model.findings import Finding, Status

MAX_MX_HOSTS = 10  # hosts whose addresses are looked up, most preferred first


@dataclass
class MxHost:
    preference: int
    host: str
    a: Lookup | None = None
    aaaa: Lookup | None = None

    @property
    def addresses(self) -> list[str]:
        return [r for lk in (self.a, self.aaaa) if lk and lk.ok for r in lk.records]

    @property
    def cname(self) -> list[str]:
        return (self.a.cnames if self.a else []) or (self.aaaa.cnames if self.aaaa else [])

    @property
    def ip_literal(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


@dataclass
class MxInfo:
    domain: str
    mx: Lookup
    hosts: list[MxHost] = field(default_factory=list)
    implicit_a: Lookup | None = None
    implicit_aaaa: Lookup | None = None
    total: int = 0  # MX records published; ``hosts`` holds the first MAX_MX_HOSTS of them

    @property
    def capped(self) -> bool:
        return self.total > len(self.hosts)

    @property
    def null_mx(self) -> bool:
        return len(self.hosts) == 1 and self.hosts[0].host in ("", ".")

    @property
    def host_names(self) -> list[str]:
        return [h.host for h in self.hosts if h.host not in ("", ".")]


async def gather_mx(resolver: Resolver, domain: str) -> MxInfo:
    mx = await resolver.query(domain, "MX")
    info = MxInfo(domain, mx)
    if mx.ok:
        ranked = sorted(mx.rdata, key=lambda r: r.preference)
        info.total = len(ranked)
        for rdata in ranked[:MAX_MX_HOSTS]:
            info.hosts.append(MxHost(rdata.preference, rdata.exchange.to_text(True).rstrip(".")))
        real = [h for h in info.hosts if h.host not in ("", ".") and not h.ip_literal]

        async def addresses(h: MxHost) -> None:
            h.a, h.aaaa = await asyncio.gather(resolver.query(h.host, "A"),
                                               resolver.query(h.host, "AAAA"))

        await asyncio.gather(*(addresses(h) for h in real))
    elif mx.status is LookupStatus.NODATA:
        info.implicit_a, info.implicit_aaaa = await asyncio.gather(
            resolver.query(domain, "A"), resolver.query(domain, "AAAA"))
    return info


def judge_mx(info: MxInfo, fid: str, role: str, also_sender: bool = False) -> Finding:
    """``role`` is "recipient" or "sender": a recipient domain that cannot receive is
    ``recipient-domain``; a sender domain that cannot receive bounces is ``dns-mx``.
    ``also_sender``: the recipient domain is the sender's too (checked and reported once)."""
    domain, mx = info.domain, info.mx
    bad_domain = "recipient-domain" if role == "recipient" else "dns-mx"
    roles = "sender and recipient" if also_sender else role
    title_what = f"MX of the {roles} domain {domain}"
    if lookup_failed(mx):
        return error_finding(fid, title_what, mx)
    if mx.status is LookupStatus.NXDOMAIN:
        return finding(fid, Status.FAIL, f"The {roles} domain {domain} does not exist",
                       f"The DNS says {domain} does not exist (NXDOMAIN): no mail can be "
                       "delivered to it. Check the spelling after the @.",
                       bad_domain, domain=domain, lookup=lookup_facts(mx), roles=roles)
    if mx.status is LookupStatus.NODATA:
        a, aaaa = info.implicit_a, info.implicit_aaaa
        addrs = [r for lk in (a, aaaa) if lk and lk.ok for r in lk.records]
        facts: dict[str, Any] = {"domain": domain, "implicit_mx": True, "addresses": addrs,
                                 "roles": roles}
        if addrs:
            return finding(fid, Status.WARN, f"{domain} has no MX record (falls back to its A "
                           "record)", f"Without MX, senders deliver to {domain}'s own address "
                           f"({', '.join(addrs)}). Publish an MX record to make this explicit.",
                           "dns-mx", **facts)
        if any(lk is not None and lookup_failed(lk) for lk in (a, aaaa)):
            broken = next(lk for lk in (a, aaaa) if lk is not None and lookup_failed(lk))
            return error_finding(fid, f"the address of {domain} (it has no MX)", broken)
        return finding(fid, Status.FAIL, f"{domain} has no MX and no address: it cannot "
                       "receive mail", "There is no MX record and no A/AAAA record to fall "
                       "back to.", bad_domain, **facts)
    records = [{"preference": h.preference, "host": h.host or ".", "addresses": h.addresses,
                "cname": h.cname or None} for h in info.hosts]
    facts = {"domain": domain, "mx": records, "null_mx": info.null_mx, "roles": roles,
             "mx_total": info.total or len(info.hosts), "mx_checked": len(info.hosts)}
    if info.null_mx:
        return finding(fid, Status.FAIL, f"{domain} publishes a null MX: it accepts no mail",
                       f"'MX 0 .' (RFC 7505) declares that {domain} never receives mail; mail "
                       "to it bounces at once" + (", and receivers may refuse it as a sender"
                                                  if role == "sender" or also_sender else "")
                       + ".", bad_domain, **facts)
    problems: list[str] = []
    if info.capped:
        problems.append(f"{info.total} MX records published: only the {len(info.hosts)} most "
                        "preferred were checked (senders try only the first few; so many MX "
                        "records are almost certainly a mistake)")
    literal = [h.host for h in info.hosts if h.ip_literal]
    if literal:
        problems.append(f"MX points to an IP address ({', '.join(literal)}), not a host name")
    if any(h.host in ("", ".") for h in info.hosts):
        problems.append("a null MX '.' is mixed with real MX hosts")
    failed = [h for h in info.hosts if not h.ip_literal and h.host not in ("", ".")
              and not h.addresses and any(lk is not None and lookup_failed(lk)
                                           for lk in (h.a, h.aaaa))]
    missing = [h.host for h in info.hosts if not h.ip_literal and h.host not in ("", ".")
               and not h.addresses and h not in failed]
    usable = [h for h in info.hosts if h.addresses]
    cnamed = [h.host for h in info.hosts if h.cname]
    if failed and not usable:
        lk = next(lk for lk in (failed[0].a, failed[0].aaaa)
                  if lk is not None and lookup_failed(lk))
        return error_finding(fid, f"the address of MX host {failed[0].host}", lk)
    if not usable:
        problems.insert(0, "no MX host has an address (A/AAAA): " + ", ".join(missing or literal))
        return finding(fid, Status.FAIL, f"The MX hosts of {domain} have no address",
                       "; ".join(problems) + ". Nothing can be delivered.", bad_domain
                       if role == "recipient" else "dns-mx", **facts)
    if missing:
        problems.append("MX host(s) without an address: " + ", ".join(missing))
    if cnamed:
        problems.append("MX host(s) that are CNAME aliases (RFC 2181 forbids this; most "
                        "senders cope): " + ", ".join(cnamed))
    if failed:
        problems.append("could not look up: " + ", ".join(h.host for h in failed))
    listing = ", ".join(f"{h.preference} {h.host}" for h in info.hosts) + (
        f" and {info.total - len(info.hosts)} more" if info.capped else "")
    if problems:
        return finding(fid, Status.WARN, f"MX of {domain} works, with problems",
                       "; ".join(problems) + f". MX: {listing}.", "dns-mx", **facts)
    both = " (sender and recipient domain)" if also_sender else ""
    return finding(fid, Status.PASS, f"MX of {domain}{both}: {len(info.hosts)} host(s), all "
                   "with addresses", f"MX: {listing}.", **facts)
