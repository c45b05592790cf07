"""DNS SRV records for mail submission: ``_submissions._tcp`` (RFC 8314, implicit TLS) and
``_submission._tcp`` (RFC 6186, STARTTLS), plus ``_imaps``/``_imap`` for the incoming side.

:func:`judge_srv` is pure. A target of "." means the service is decidedly not offered
(RFC 2782): that is reported, not probed. The records are authenticated only when the
resolver's answer carried DNSSEC's AD bit; otherwise the host they name must prove itself with
a certificate valid for that name (which the probe checks).
"""

from __future__ import annotations

import asyncio
import time

from wizard.discover.model import Candidate, Incoming, ReportStatus, SourceReport, SourceResult
from wizard.dns.resolver import Lookup, Resolver
from wizard.model.target import TargetError, validate_host

SERVICES = (("_submissions._tcp", "tls"), ("_submission._tcp", "starttls"))
INCOMING = (("_imaps._tcp", "tls"), ("_imap._tcp", "starttls"))


def _records(lookup: Lookup, problems: list[str]) -> list[tuple[int, int, int, str]]:
    out = []
    for rdata in lookup.rdata[:20]:
        target = rdata.target.to_text(omit_final_dot=True)
        if target in ("", "."):
            problems.append(f"{lookup.name}: target '.' (the domain says: not offered)")
            continue
        try:
            host = validate_host(target)
        except TargetError:
            problems.append(f"{lookup.name}: target {target[:60]!r} is not a host name")
            continue
        if not 1 <= rdata.port <= 65535:
            problems.append(f"{lookup.name} {host}: port {rdata.port} is not 1-65535")
            continue
        out.append((rdata.priority, -rdata.weight, rdata.port, host))
    return sorted(out)


def judge_srv(domain: str, address: str, lookups: list[Lookup],
              incoming_lookups: list[Lookup]) -> SourceResult:
    problems: list[str] = []
    candidates: list[Candidate] = []
    failed = [lk for lk in lookups if not lk.status.answered]
    for (_, security), lookup in zip(SERVICES, lookups, strict=True):
        for _prio, _w, port, host in _records(lookup, problems) if lookup.ok else []:
            candidates.append(Candidate(host, port, security, "srv", "from DNS SRV",
                                        lookup.name, lookup.authenticated, address, "address"))
    incoming = []
    for (service, security), lookup in zip(INCOMING, incoming_lookups, strict=True):
        for _prio, _w, port, host in _records(lookup, []) if lookup.ok else []:
            incoming.append(Incoming("imap", host, port, security, address, "srv",
                                     f"{service}.{domain}"))
    names = ", ".join(f"{s}.{domain}" for s, _ in SERVICES)
    status: ReportStatus
    authenticated = bool(candidates) and all(c.authenticated for c in candidates)
    if candidates:
        status, summary = "found", f"{len(candidates)} SRV record(s) (" + (
            "DNSSEC-validated)" if authenticated else "not DNSSEC-validated)")
    elif failed and len(failed) == len(lookups):
        status, summary = "error", "; ".join(lk.describe() for lk in failed)
    elif problems:
        status, summary = "none", "no usable SRV record: " + "; ".join(problems[:3])
    else:
        status, summary = "none", f"no SRV record at {names}"
    report = SourceReport("srv", status, summary, names, None,
                          authenticated, 0, problems)
    return SourceResult(report, candidates, incoming)


async def lookup_srv(domain: str, address: str, resolver: Resolver) -> SourceResult:
    start = time.monotonic()
    names = [f"{s}.{domain}" for s, _ in SERVICES + INCOMING]
    lookups = await asyncio.gather(*(resolver.query(n, "SRV") for n in names))
    result = judge_srv(domain, address, list(lookups[:2]), list(lookups[2:]))
    result.report.duration_ms = int((time.monotonic() - start) * 1000)
    return result
