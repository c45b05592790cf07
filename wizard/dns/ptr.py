"""Reverse DNS of the sending IP: PTR, forward confirmation (FCrDNS), and the HELO name."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

from wizard.dns.resolver import Lookup, LookupStatus, Resolver
from wizard.dns.util import error_finding, finding, lookup_facts, lookup_failed
from wizard.model.findings import Finding, Status


def reverse_name(ip: str) -> str:
    return ipaddress.ip_address(ip).reverse_pointer


async def gather_ptr(resolver: Resolver, ip: str) -> tuple[Lookup, dict[str, Lookup]]:
    ptr = await resolver.query(reverse_name(ip), "PTR")
    names = [r.rstrip(".") for r in ptr.records][:10] if ptr.ok else []
    rdtype = "AAAA" if ipaddress.ip_address(ip).version == 6 else "A"
    forward = await asyncio.gather(*(resolver.query(n, rdtype) for n in names))
    return ptr, dict(zip(names, forward, strict=True))


def real_helo(helo: str | None) -> bool:
    return helo is not None and "." in helo and not helo.startswith("[") \
        and not helo.lower().endswith((".localhost", ".local"))


def judge_ptr(ip: str, ptr: Lookup, forward: dict[str, Lookup], helo: str | None,
              hint: bool = False) -> Finding:
    fid = "dns.ptr"
    if lookup_failed(ptr):
        return error_finding(fid, f"the reverse DNS of {ip}", ptr)
    facts: dict[str, Any] = {"ip": ip, "ptr": lookup_facts(ptr), "hint": hint}
    if not ptr.ok:
        why = "no PTR record" if ptr.status is LookupStatus.NODATA else \
            "no reverse DNS name (NXDOMAIN)"
        return finding(fid, Status.WARN if hint else Status.FAIL,
                       f"{ip} has no reverse DNS (PTR)",
                       f"{ip} has {why}. Many receivers (Gmail, Outlook, most ISPs) refuse or "
                       "spam-folder mail from such IPs: ask the IP's owner to set a PTR to the "
                       "server's host name.", "dns-ptr", **facts)
    names = list(forward)
    confirmed = [n for n, lk in forward.items() if lk.ok and any(
        _same(r, ip) for r in lk.records)]
    facts.update(names=names, confirmed=confirmed,
                 forward={n: lookup_facts(lk) for n, lk in forward.items()})
    helo_note = ""
    helo_ok = True
    if helo is not None and real_helo(helo):
        helo_ok = any(n.lower() == helo.lower() for n in names)
        facts["helo"] = helo
        facts["helo_matches"] = helo_ok
        helo_note = "" if helo_ok else f" The HELO name {helo} differs from the PTR name."
    if not confirmed:
        failed = [lk for lk in forward.values() if lookup_failed(lk)]
        if failed:
            return error_finding(fid, f"the forward address of {failed[0].name}", failed[0])
        return finding(fid, Status.WARN if hint else Status.FAIL,
                       f"Reverse DNS of {ip} is not forward-confirmed",
                       f"PTR {', '.join(names)} does not resolve back to {ip}. Receivers "
                       "check forward-confirmed reverse DNS: make the name's A/AAAA record "
                       f"include {ip}.{helo_note}", "dns-ptr", **facts)
    if not helo_ok:
        return finding(fid, Status.WARN, f"Reverse DNS of {ip} is fine, the HELO name is not",
                       f"PTR {confirmed[0]} resolves back to {ip}.{helo_note} Use the PTR name "
                       "as HELO/EHLO name.", "dns-ptr", **facts)
    prefix = "SMTP server address (hint): " if hint else ""
    return finding(fid, Status.PASS, f"{prefix}{ip} has forward-confirmed reverse DNS",
                   f"PTR {confirmed[0]} resolves back to {ip}.", **facts)


def _same(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return False
