"""The resolver resends a UDP query within its timeout, as stub resolvers do: one lost datagram
costs a resend interval, not a failed lookup. A real lossy UDP relay on loopback sits between the
resolver and the DNS responder and drops what it is told to."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import dns.message

from wizard.dns.exchange import resend_interval
from wizard.dns.resolver import LookupStatus, Resolver
from wizard.lab.dns_server import DnsServer
from wizard.lab.dns_zones import zone_for


class LossyRelay(asyncio.DatagramProtocol):
    """Forwards queries to ``upstream`` and answers back; drops the first ``drop`` datagrams of
    each query (by id and question), or every one when ``drop`` is None."""

    def __init__(self, upstream: tuple[str, int], drop: int | None = 1) -> None:
        self.upstream = upstream
        self.drop = drop
        self.seen: Counter[tuple[int, str]] = Counter()
        self.transport: asyncio.DatagramTransport | None = None
        self.clients: dict[int, tuple[str, int]] = {}
        self.out: asyncio.DatagramTransport | None = None

    async def start(self) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.create_datagram_endpoint(lambda: self,
                                                                local_addr=("127.0.0.1", 0))
        relay = self

        class Back(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                qid = int.from_bytes(data[:2], "big")
                client = relay.clients.get(qid)
                if client is not None and relay.transport is not None:
                    relay.transport.sendto(data, client)

        self.out, _ = await loop.create_datagram_endpoint(Back, local_addr=("127.0.0.1", 0))
        return self.transport.get_extra_info("sockname")[:2]

    def close(self) -> None:
        for t in (self.transport, self.out):
            if t is not None:
                t.close()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        msg = dns.message.from_wire(data)
        key = (msg.id, msg.question[0].to_text())
        self.seen[key] += 1
        if self.drop is None or self.seen[key] <= self.drop:
            return  # lost on the way
        self.clients[msg.id] = addr
        assert self.out is not None
        self.out.sendto(data, self.upstream)


async def test_one_lost_datagram_is_resent_and_answered() -> None:
    async with DnsServer(zone_for("healthy")) as server:
        relay = LossyRelay(server.nameserver, drop=1)
        try:
            resolver = Resolver([await relay.start()], timeout=1.5)
            lookups = await asyncio.gather(*(resolver.query(n, "A") for n in (
                "lab.test", "mail.lab.test")), resolver.query("lab.test", "MX"))
        finally:
            relay.close()
    assert [lk.status for lk in lookups] == [LookupStatus.OK] * 3
    assert lookups[0].records == ["127.0.0.1"]
    assert sorted(relay.seen.values()) == [2, 2, 2]  # each sent twice: lost, then resent
    assert resolver.queries_sent == 3  # a resend is not a new question
    assert all(lk.duration_ms < 1500 for lk in lookups)  # not one timeout each


async def test_silence_is_a_timeout_after_several_resends() -> None:
    async with DnsServer(zone_for("healthy")) as server:
        relay = LossyRelay(server.nameserver, drop=None)
        try:
            resolver = Resolver([await relay.start()], timeout=0.6)
            start = time.monotonic()
            lookup = await resolver.query("lab.test", "A")
            elapsed = time.monotonic() - start
        finally:
            relay.close()
    assert lookup.status is LookupStatus.TIMEOUT
    assert list(relay.seen.values()) == [2]  # sent at 0 and 0.2 s, then waited 0.4 s
    assert elapsed >= 0.6


def test_resend_interval_is_a_third_of_the_timeout_within_bounds() -> None:
    assert abs(resend_interval(0.6) - 0.2) < 1e-9
    assert resend_interval(10) == 1.0  # the first resend within a second
    assert resend_interval(0.01) == 0.05  # never a flood
