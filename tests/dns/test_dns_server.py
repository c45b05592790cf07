"""The loopback responder and the resolver together: statuses, truncation, big answers, loops."""

from __future__ import annotations

import asyncio
import socket
import time

from wizard.dns.resolver import LookupStatus
from wizard.lab.dns_server import DnsServer

ZONE = {
    "example.test": [{"TXT": "v=spf1 -all"}, {"MX": [10, "mail.example.test"]}],
    "mail.example.test": {"A": "192.0.2.1"},
    "deep.sub.example.test": {"A": "192.0.2.2"},
    "slow.example.test": ["TIMEOUT"],
    "broken.example.test": ["SERVFAIL"],
    "closed.example.test": ["REFUSED"],
    "loop1.example.test": {"CNAME": "loop2.example.test"},
    "loop2.example.test": {"CNAME": "loop1.example.test"},
    "alias.example.test": {"CNAME": "mail.example.test"},
    "many.example.test": {"TXT": [f"record {i:03d} " + "x" * 60 for i in range(20)]},
    "huge.example.test": {"TXT": [f"{i:04d}" + "y" * 246 for i in range(240)]},
}


async def test_statuses_are_told_apart(resolver_for) -> None:
    resolver, _ = await resolver_for(ZONE, timeout=0.3)
    cases = {
        ("example.test", "TXT"): LookupStatus.OK,
        ("nowhere.example.test", "A"): LookupStatus.NXDOMAIN,
        ("example.test", "A"): LookupStatus.NODATA,
        ("sub.example.test", "A"): LookupStatus.NODATA,  # empty non-terminal exists
        ("broken.example.test", "TXT"): LookupStatus.SERVFAIL,
        ("closed.example.test", "TXT"): LookupStatus.REFUSED,
        ("slow.example.test", "TXT"): LookupStatus.TIMEOUT,
    }
    results = await asyncio.gather(*(resolver.query(n, t) for n, t in cases))
    for (key, want), got in zip(cases.items(), results, strict=True):
        assert got.status is want, (key, got.describe())
    assert not LookupStatus.TIMEOUT.answered and LookupStatus.NODATA.answered


async def test_tcp_fallback_on_truncation(resolver_for) -> None:
    resolver, server = await resolver_for(ZONE)
    lookup = await resolver.query("many.example.test", "TXT")
    assert lookup.ok and len(lookup.records) == 20
    transports = [q.transport for q in server.log if q.name == "many.example.test"]
    assert transports == ["udp", "tcp"]


async def test_64k_txt_answer(resolver_for) -> None:
    resolver, _ = await resolver_for(ZONE)
    lookup = await resolver.query("huge.example.test", "TXT")
    assert lookup.ok and len(lookup.records) == 240
    assert sum(len(r) for r in lookup.records) == 240 * 250  # 60 KB of text, a 63 KB answer


async def test_cname_follow_and_loop(resolver_for) -> None:
    resolver, _ = await resolver_for(ZONE)
    alias = await resolver.query("alias.example.test", "A")
    assert alias.ok and alias.records == ["192.0.2.1"] and alias.cnames == ["mail.example.test"]
    loop = await resolver.query("loop1.example.test", "A")
    assert loop.status is LookupStatus.ERROR and "CNAME loop" in (loop.error or "")


async def test_zone_file_text_and_latency() -> None:
    text = """$ORIGIN zf.test.
$TTL 300
@   IN SOA ns.zf.test. admin.zf.test. 1 3600 600 86400 300
@   IN MX 10 mx.zf.test.
mx  IN A 192.0.2.9
"""
    async with DnsServer(text, latency_ms=60) as server:
        from wizard.dns.resolver import Resolver

        assert server.host == "127.0.0.1" and server.nameserver == ("127.0.0.1", server.port)
        resolver = Resolver([server.nameserver], timeout=1)
        start = time.monotonic()
        mx, a = await asyncio.gather(resolver.query("zf.test", "MX"),
                                     resolver.query("mx.zf.test", "A"))
        elapsed = time.monotonic() - start
    assert mx.records == ["10 mx.zf.test."] and a.records == ["192.0.2.9"]
    assert 0.055 <= elapsed < 0.5  # concurrent: one latency, not two


async def test_behaviour_can_change_and_shutdown_frees_port() -> None:
    async with DnsServer(ZONE) as server:
        from wizard.dns.resolver import Resolver

        server.set_behaviour("mail.example.test", "servfail")
        lookup = await Resolver([server.nameserver], timeout=0.5).query("mail.example.test", "A")
        assert lookup.status is LookupStatus.SERVFAIL
        port = server.port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))  # free again after a clean shutdown
