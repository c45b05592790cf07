"""Resolve the SMTP host to addresses, telling a typo apart from a DNS outage.

With ``--nameserver`` the session's own resolver answers (A and AAAA, concurrently). Without it
the DNS is asked first (it can tell NXDOMAIN from SERVFAIL), and the operating system's resolver
(``getaddrinfo``: the hosts file, mDNS, VPN split DNS) gets the last word, so a name that works in
the user's mail client also works here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time

from wizard.dns.resolver import Lookup, LookupStatus
from wizard.model.findings import Finding, Status, Step
from wizard.model.target import Target
from wizard.smtp.session import elapsed_ms
from wizard.walk.context import CheckContext

FINDING_ID = "connect.resolve"


def _ms(start: float) -> int:
    return elapsed_ms(start)


async def _system_addresses(host: str, port: int, timeout: float) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
        )
    except (OSError, TimeoutError, UnicodeError):
        return []
    out: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in out:
            out.append(str(sockaddr[0]))
    return out


def _worst(lookups: list[Lookup]) -> Lookup:
    order = [LookupStatus.TIMEOUT, LookupStatus.SERVFAIL, LookupStatus.REFUSED,
             LookupStatus.ERROR, LookupStatus.NXDOMAIN, LookupStatus.NODATA]
    return min(lookups, key=lambda lk: order.index(lk.status) if lk.status in order else 99)


def judge_resolution(host: str, lookups: list[Lookup], addresses: list[str]) -> Finding:
    """The finding for a host name, from its A/AAAA lookups and the addresses finally found."""
    details = {
        "host": host,
        "addresses": addresses,
        "lookups": [{"type": lk.rdtype, "status": lk.status.value, "records": lk.records,
                     "error": lk.error} for lk in lookups],
    }
    if addresses:
        listed = ", ".join(addresses[:6]) + (" ..." if len(addresses) > 6 else "")
        return Finding(FINDING_ID, Step.CONNECT, Status.PASS, f"{host} resolves to {listed}",
                       f"The name {host} has {len(addresses)} address(es).", details)
    worst = _worst(lookups) if lookups else None
    status = worst.status if worst else LookupStatus.NXDOMAIN
    if status is LookupStatus.NXDOMAIN:
        return Finding(
            FINDING_ID, Step.CONNECT, Status.FAIL, f"The server name {host} does not exist",
            f"DNS says there is no such name as {host} (NXDOMAIN). This is almost always a typo "
            "in the server name, or a name that only exists inside another network (VPN).",
            details, category="dns-host-not-found")
    if status is LookupStatus.NODATA:
        return Finding(
            FINDING_ID, Step.CONNECT, Status.FAIL, f"The name {host} exists but has no address",
            f"{host} exists in DNS but has no A or AAAA record, so there is nothing to connect "
            "to. Check the server name; it may be a domain rather than the mail server's host.",
            details, category="dns-host-not-found")
    if status is LookupStatus.SERVFAIL or status is LookupStatus.REFUSED:
        word = "failed (SERVFAIL)" if status is LookupStatus.SERVFAIL else "refused the query"
        return Finding(
            FINDING_ID, Step.CONNECT, Status.ERROR, f"DNS could not look up {host}",
            f"The DNS server {word} for {host}. The name may be fine: this is a DNS outage or "
            "a broken zone, not a typo. Try again later or ask another resolver.",
            details, category="dns-host-not-found")
    return Finding(
        FINDING_ID, Step.CONNECT, Status.ERROR, f"DNS did not answer for {host}",
        f"No DNS server answered in time when looking up {host}. Check this machine's network "
        "and DNS settings; the server name itself may be fine.",
        details, category="dns-host-not-found")


async def resolve_host(target: Target, ctx: CheckContext) -> list[Finding]:
    """Resolve ``target.host``; the addresses go to ``ctx.addresses``."""
    start = time.monotonic()
    host = target.host or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        ctx.addresses = [host]
        return [Finding(FINDING_ID, Step.CONNECT, Status.PASS, f"{host} is an IP address",
                        "No DNS lookup is needed.", {"host": host, "addresses": [host]})]
    a, aaaa = await asyncio.gather(ctx.resolver.query(host, "A"),
                                   ctx.resolver.query(host, "AAAA"))
    addresses = [*a.records, *aaaa.records] if (a.ok or aaaa.ok) else []
    if not addresses and not target.nameservers:
        addresses = await _system_addresses(host, target.effective_port, target.timeout)
    finding = judge_resolution(host, [a, aaaa], addresses)
    finding.duration_ms = elapsed_ms(start)
    ctx.addresses = addresses
    return [finding]
