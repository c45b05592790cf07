"""DANE for SMTP (RFC 7672): TLSA records at ``_25._tcp.<mx>``, and whether the answer was
DNSSEC-validated (the resolver's AD bit). Optional: absence is not a failure."""

from __future__ import annotations

import asyncio
from typing import Any

from wizard.dns.resolver import Lookup, Resolver
from wizard.dns.util import error_finding, finding, lookup_facts, lookup_failed
from wizard.model.findings import Finding, Status

USAGE = {0: "PKIX-TA", 1: "PKIX-EE", 2: "DANE-TA", 3: "DANE-EE"}


async def check_dane(resolver: Resolver, hosts: list[str]) -> Finding:
    lookups = await asyncio.gather(*(resolver.query(f"_25._tcp.{h}", "TLSA") for h in hosts))
    return judge_dane(dict(zip(hosts, lookups, strict=True)))


def judge_dane(by_host: dict[str, Lookup]) -> Finding:
    fid = "dns.dane"
    if not by_host:
        return finding(fid, Status.SKIP, "DANE not checked: no MX host known",
                       "DANE is looked up for each MX host.")
    failed = [lk for lk in by_host.values() if lookup_failed(lk)]
    facts: dict[str, Any] = {h: lookup_facts(lk) for h, lk in by_host.items()}
    if failed:
        return error_finding(fid, f"TLSA {failed[0].name}", failed[0])
    with_tlsa = {h: lk for h, lk in by_host.items() if lk.ok}
    if not with_tlsa:
        return finding(fid, Status.PASS, "No DANE TLSA records (optional)",
                       "DANE lets DNSSEC-validating senders pin your MX certificates. Optional; "
                       "it needs DNSSEC.", published=False, hosts=facts)
    records: dict[str, list[dict[str, Any]]] = {}
    problems: list[str] = []
    for host, lk in with_tlsa.items():
        records[host] = [{"usage": r.usage, "usage_name": USAGE.get(r.usage, "unknown"),
                          "selector": r.selector, "mtype": r.mtype} for r in lk.rdata]
        if any(r.usage in (0, 1) for r in lk.rdata):
            problems.append(f"{host}: usages 0/1 (PKIX) are not used for SMTP (RFC 7672); "
                            "use 3 (DANE-EE) or 2 (DANE-TA)")
    missing = [h for h in by_host if h not in with_tlsa]
    if missing:
        problems.append("MX hosts without TLSA: " + ", ".join(missing))
    validated = all(lk.authenticated for lk in with_tlsa.values())
    note = ("the answer was DNSSEC-validated (AD bit)" if validated else
            "the answer was NOT DNSSEC-validated by the resolver used: DANE is only honoured "
            "for DNSSEC-signed zones")
    facts = {"tlsa": records, "dnssec_validated": validated, "hosts": facts}
    if problems:
        return finding(fid, Status.WARN, "DANE TLSA records with problems",
                       "; ".join(problems) + f"; {note}.", "dns-dane", **facts)
    return finding(fid, Status.PASS, f"DANE TLSA published for {len(with_tlsa)} MX host(s)",
                   f"Note: {note}.", **facts)
