"""The lab holds a class: hundreds of simultaneous SMTP connections all greeted, a burst of DNS
queries all answered. (How fast is measured in tests/bench/test_lab_load.py.)"""

from __future__ import annotations

import asyncio
import socket
import time

import dns.message

from tests.conftest import builtin_scenario, serve_in_thread
from wizard.lab.dns_server import DnsServer
from wizard.lab.dns_zones import zone_for
from wizard.lab.runner import Lab

WAIT_S = 30  # per connection: a bound, not a timing goal


async def test_the_lab_smtp_server_greets_500_simultaneous_connections():
    async def greeting(port: int) -> bytes:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port),
                                                WAIT_S)
        try:
            return await asyncio.wait_for(reader.readline(), WAIT_S)
        finally:
            held.append(writer)  # keep every connection open until all are greeted

    held: list[asyncio.StreamWriter] = []
    async with Lab(builtin_scenario("healthy")) as lab:
        lines = await asyncio.gather(*(greeting(lab.port) for _ in range(500)),
                                     return_exceptions=True)
        for writer in held:
            writer.close()
    assert [x for x in lines if not (isinstance(x, bytes) and x.startswith(b"220 "))] == []


def test_the_lab_dns_answers_a_burst_of_queries_sent_faster_than_it_reads():
    """40 checks of ~30 queries each, sent at once: the UDP buffer holds what the server has not
    read yet instead of dropping it (no resend here: every query is sent once)."""
    names = ["lab.test", "_dmarc.lab.test", "lab._domainkey.lab.test", "mail.lab.test",
             "1.0.0.127.in-addr.arpa", "1.0.0.127.bl.lab.test"]
    with serve_in_thread(DnsServer(zone_for("healthy"))) as server, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
        sent = {}
        for i in range(1200):
            query = dns.message.make_query(names[i % len(names)], "TXT")
            query.id = i
            sent[i] = query
            sock.sendto(query.to_wire(), server.nameserver)
        answered: set[int] = set()
        deadline = time.monotonic() + WAIT_S
        sock.settimeout(1.0)
        while len(answered) < len(sent) and time.monotonic() < deadline:
            try:
                wire, _ = sock.recvfrom(65535)
            except TimeoutError:
                continue
            answered.add(dns.message.from_wire(wire).id)
    assert len(answered) == len(sent)
