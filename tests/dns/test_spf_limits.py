"""SPF evaluation stops at RFC 7208's limits without recursion, and fetching a record's lookups
ahead keeps the lookup counting exact. Every zone is served by the loopback responder."""

from __future__ import annotations

from typing import Any

from wizard.dns.resolver import Resolver
from wizard.dns.spf import (
    ANALYZE_MAX_LOOKUPS,
    MAX_DEPTH,
    MAX_LOOKUPS,
    analyze,
    check_host,
    judge_lookups,
)
from wizard.lab.dns_server import DnsServer
from wizard.model.findings import Status


def fan_out(levels: int) -> dict[str, Any]:
    """Each level includes the next one twice: 2**levels walks if nothing stops it."""
    zone: dict[str, Any] = {}
    for i in range(levels):
        nxt = f"l{i + 1}.fan.test"
        zone[f"l{i}.fan.test"] = {"TXT": [f"v=spf1 include:{nxt} include:{nxt} -all"]}
    zone[f"l{levels}.fan.test"] = {"TXT": ["v=spf1 -all"]}
    return zone


def tree(depth: int) -> dict[str, Any]:
    """A binary tree of distinct names, ``depth`` levels of includes below ``t.tree.test``."""
    zone: dict[str, Any] = {}

    def add(name: str, level: int) -> None:
        if level == depth:
            zone[name] = {"TXT": ["v=spf1 ip4:198.51.100.1 -all"]}
            return
        zone[name] = {"TXT": [f"v=spf1 include:a.{name} include:b.{name} -all"]}
        add(f"a.{name}", level + 1)
        add(f"b.{name}", level + 1)

    add("t.tree.test", 0)
    return zone


def chain(length: int) -> dict[str, Any]:
    zone = {f"c{i}.chain.test": {"TXT": [f"v=spf1 include:c{i + 1}.chain.test -all"]}
            for i in range(length)}
    zone[f"c{length}.chain.test"] = {"TXT": ["v=spf1 -all"]}
    return zone


async def test_fan_out_of_two_per_level_300_deep_stops_without_recursion_error() -> None:
    async with DnsServer(fan_out(300)) as server:
        resolver = Resolver([server.nameserver], timeout=1.0)
        checked = await check_host(resolver, "192.0.2.9", "l0.fan.test", "a@l0.fan.test")
        health = await analyze(resolver, "l0.fan.test")
    assert checked.result == "permerror" and checked.reason is not None
    assert "more than 10 DNS lookups" in checked.reason
    assert checked.lookups == MAX_LOOKUPS + 1
    assert health.result == "permerror" and not health.complete
    assert MAX_LOOKUPS < health.lookups <= ANALYZE_MAX_LOOKUPS + 1
    assert health.limit_exceeded_at is not None and len(health.limit_exceeded_at) > 1
    assert len({q.name for q in server.log}) <= MAX_DEPTH + 2  # never walked past the bound
    f = judge_lookups("l0.fan.test", health)
    assert f.status is Status.FAIL and f.category == "dns-spf"
    assert f"at least {health.lookups}" in f.title and "stopped" in f.summary


async def test_endless_chain_stops_at_the_lookup_limit_and_the_depth_bound() -> None:
    async with DnsServer(chain(200)) as server:
        resolver = Resolver([server.nameserver], timeout=1.0)
        checked = await check_host(resolver, "192.0.2.9", "c0.chain.test", "a@c0.chain.test")
        health = await analyze(resolver, "c0.chain.test")
    assert checked.result == "permerror" and checked.lookups == MAX_LOOKUPS + 1
    assert health.result == "permerror" and not health.complete
    assert health.reason is not None and "nested more than" in health.reason
    depth, node = 0, health.trace
    while node is not None and node.children:
        node, depth = node.children[0], depth + 1
    assert depth == MAX_DEPTH  # the walk went no deeper
    asked = {q.name for q in server.log if q.rdtype == "TXT"}
    assert len(asked) <= MAX_DEPTH + 2  # nor did the prefetch


async def test_wide_tree_prefetch_is_bounded() -> None:
    async with DnsServer(tree(8)) as server:  # 511 records
        resolver = Resolver([server.nameserver], timeout=1.0)
        checked = await check_host(resolver, "192.0.2.9", "t.tree.test", "a@t.tree.test")
        after_check = len(server.log)
        health = await analyze(resolver, "t.tree.test")
    assert checked.result == "permerror" and checked.lookups == MAX_LOOKUPS + 1
    assert after_check <= 1 + 2 * MAX_LOOKUPS + MAX_LOOKUPS  # prefetch budget + the walk's own
    assert health.lookups == ANALYZE_MAX_LOOKUPS + 1 and not health.complete
    assert len(server.log) <= after_check + 1 + 4 * ANALYZE_MAX_LOOKUPS


async def test_prefetched_terms_are_not_counted() -> None:
    zone = {
        "p.test": {"TXT": ["v=spf1 include:a.p.test include:b.p.test a:v1.p.test -all"]},
        "a.p.test": {"TXT": ["v=spf1 ip4:192.0.2.9 -all"]},
        "b.p.test": {"TXT": ["v=spf1 a:x.p.test a:y.p.test -all"]},
    }
    async with DnsServer(zone) as server:
        resolver = Resolver([server.nameserver], timeout=1.0)
        res = await check_host(resolver, "192.0.2.9", "p.test", "a@p.test")
    assert res.result == "pass" and res.lookups == 1 and res.void_lookups == 0
    assert res.matched is not None and res.matched["via"]["term"] == "ip4:192.0.2.9"
    fetched = {(q.name, q.rdtype) for q in server.log}
    assert ("b.p.test", "TXT") in fetched  # fetched ahead of the walk ...
    assert res.trace is not None
    assert [t["term"] for t in res.trace.terms] == ["include:a.p.test"]  # ... never evaluated


async def test_void_lookups_counted_only_when_evaluated() -> None:
    zone = {"v.test": {"TXT": ["v=spf1 a:n1.v.test a:n2.v.test ip4:192.0.2.9 a:n3.v.test -all"]}}
    async with DnsServer(zone) as server:
        resolver = Resolver([server.nameserver], timeout=1.0)
        passing = await check_host(resolver, "192.0.2.9", "v.test", "a@v.test")
        asked_first = {(q.name, q.rdtype) for q in server.log}
        other = await check_host(resolver, "192.0.2.10", "v.test", "a@v.test")
    assert passing.result == "pass" and passing.void_lookups == 2
    assert ("n3.v.test", "A") not in asked_first  # nothing after the matching ip4 is fetched
    assert other.result == "permerror" and other.reason is not None and "void" in other.reason
