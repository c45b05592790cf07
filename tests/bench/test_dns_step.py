"""Benchmark: the whole DNS step against a responder that adds 50 ms to every answer.

Prints the wall time and the number of sequential round trips it amounts to, for the lab's
healthy zone and for its zone whose SPF record includes four records of two lookups each.
Run with: pytest -m bench tests/bench/test_dns_step.py -s
"""

from __future__ import annotations

import time

import pytest

from wizard.dns.step import run_dns_step
from wizard.lab.dns_server import DnsServer
from wizard.lab.dns_zones import EXPECTED_CATEGORY, lab_target, zone_for
from wizard.walk.context import CheckContext
from wizard.walk.verdict import verdict_for

LATENCY_MS = 50


@pytest.mark.bench
@pytest.mark.parametrize("variant", ["healthy", "spf-too-many-lookups"])
async def test_dns_step_at_50ms_latency(variant: str) -> None:
    async with DnsServer(zone_for(variant), latency_ms=LATENCY_MS) as server:
        target = lab_target(server.nameserver, ip_blocklists=())  # default blocklists too
        ctx = CheckContext.for_target(target, dns_timeout=2.0)
        start = time.monotonic()
        findings = await run_dns_step(target, ctx)
        elapsed_ms = (time.monotonic() - start) * 1000
        queries = len(server.log)
    round_trips = round(elapsed_ms / LATENCY_MS)
    print(f"\nDNS step ({variant}): {elapsed_ms:.0f} ms at {LATENCY_MS} ms per answer = about "
          f"{round_trips} sequential round trips; {queries} queries, {len(findings)} findings")
    assert verdict_for(findings).category == EXPECTED_CATEGORY[variant]
    assert round_trips <= 6 and queries > 10
