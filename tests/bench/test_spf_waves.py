"""Benchmark: how many sequential DNS round trips ("waves") SPF evaluation costs.

The loopback responder adds 50 ms to every answer. Waves are counted from its query log (a new
wave starts when a query arrives 30 ms or more after the one before: within a wave queries
arrive together); wall time / 50 ms says the same on an idle machine.
Each shape is evaluated twice, by ``check_host`` for an IP that no term matches (every include
is walked) and by ``analyze`` (the record-health walk): sibling includes of one record (width),
and a chain of nested includes (depth). The DNS step of the lab's healthy zone is timed too.
Run with: pytest -m bench -s tests/bench/test_spf_waves.py
"""

from __future__ import annotations

import gc
import itertools
import time
from typing import Any

import pytest

from wizard.dns.resolver import Resolver
from wizard.dns.spf import analyze, check_host
from wizard.lab.dns_server import DnsServer

LATENCY_MS = 50
NO_MATCH_IP = "192.0.2.200"


def wide(width: int) -> dict[str, Any]:
    """``example.test`` includes ``width`` records that hold only ip4 terms."""
    zone: dict[str, Any] = {"example.test": {"TXT": ["v=spf1 " + " ".join(
        f"include:i{i}.example.test" for i in range(width)) + " -all"]}}
    for i in range(width):
        zone[f"i{i}.example.test"] = {"TXT": [f"v=spf1 ip4:198.51.100.{i} -all"]}
    return zone


def deep(depth: int) -> dict[str, Any]:
    """A chain: ``example.test`` -> d1 -> d2 ... -> d<depth> (ip4 only)."""
    zone: dict[str, Any] = {"example.test": {"TXT": ["v=spf1 include:d1.example.test -all"]}}
    for i in range(1, depth + 1):
        last = i == depth
        zone[f"d{i}.example.test"] = {"TXT": [
            f"v=spf1 ip4:198.51.100.{i} " + ("" if last else f"include:d{i + 1}.example.test ")
            + "-all"]}
    return zone


def count_waves(times: list[float]) -> int:
    times = sorted(times)
    gap = 0.6 * LATENCY_MS / 1000
    return 1 + sum(1 for a, b in itertools.pairwise(times) if b - a >= gap)


async def waves(zone: dict[str, Any], walk: str) -> tuple[float, int, int, int, str]:
    async with DnsServer(zone, latency_ms=LATENCY_MS) as server:
        resolver = Resolver([server.nameserver], timeout=2.0)
        gc.collect()
        gc.disable()  # a collection pause would look like one more round trip
        try:
            start = time.monotonic()
            if walk == "check_host":
                res = await check_host(resolver, NO_MATCH_IP, "example.test", "a@example.test")
            else:
                res = await analyze(resolver, "example.test")
            ms = (time.monotonic() - start) * 1000
        finally:
            gc.enable()
        n = count_waves([q.t for q in server.log])
        return ms, n, len(server.log), res.lookups, res.result


@pytest.mark.bench
async def test_spf_waves_at_50ms() -> None:
    print(f"\nSPF evaluation at {LATENCY_MS} ms per DNS answer (waves = wall time / latency)")
    print(f"{'shape':<10}{'walk':<12}{'wall ms':>9}{'waves':>7}{'queries':>9}{'lookups':>9}"
          "  result")
    rows = []
    for name, zone, levels in [*[(f"width {w}", wide(w), 1) for w in (1, 3, 6, 9)],
                               *[(f"depth {d}", deep(d), d) for d in (2, 4, 8)]]:
        for walk in ("check_host", "analyze"):
            ms, n, queries, lookups, result = await waves(zone, walk)
            rows.append((name, walk, n, levels))
            print(f"{name:<10}{walk:<12}{ms:>9.0f}{n:>7}{queries:>9}{lookups:>9}  {result}")
    for name, _walk, n, levels in rows:
        # one wave for the top record, then one per nesting level, whatever the width
        assert n <= levels + 2, (name, n)
