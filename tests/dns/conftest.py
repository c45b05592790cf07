"""Helpers for the DNS tests: every lookup goes through a loopback DnsServer and the real
resolver (never real DNS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from wizard.dns.resolver import Resolver
from wizard.dns.step import run_dns_step
from wizard.lab.dns_server import DnsServer
from wizard.lab.dns_zones import lab_target, zone_for
from wizard.model.findings import Finding
from wizard.walk.context import CheckContext


class StepRun:
    def __init__(self, findings: list[Finding], server: DnsServer) -> None:
        self.findings = findings
        self.by_id = {f.id: f for f in findings}
        self.server = server

    def __getitem__(self, fid: str) -> Finding:
        return self.by_id[fid]


async def run_step(zone: dict[str, Any] | str | None = None, *, behaviours: dict | None = None,
                   latency_ms: float = 0, dns_timeout: float = 0.5, **changes: Any) -> StepRun:
    """Serve ``zone`` (default: the healthy lab zone), run the DNS step on the lab target."""
    async with DnsServer(zone if zone is not None else zone_for("healthy"),
                         latency_ms=latency_ms, behaviours=behaviours) as server:
        target = lab_target(server.nameserver, **changes)
        ctx = CheckContext.for_target(target, dns_timeout=dns_timeout)
        findings = await run_dns_step(target, ctx)
        return StepRun(findings, server)


def lab_zone(variant: str = "healthy", extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The lab zone ``variant``, with the names in ``extra`` added or replaced."""
    zone = zone_for(variant)
    zone.update(extra or {})
    return zone


@pytest.fixture
def step():
    return run_step


@pytest.fixture
async def resolver_for():
    servers: list[DnsServer] = []

    async def make(zone: Any, timeout: float = 0.5, **kw: Any) -> tuple[Resolver, DnsServer]:
        server = await DnsServer(zone, **kw).start()
        servers.append(server)
        return Resolver([server.nameserver], timeout=timeout), server

    yield make
    for server in servers:
        await server.stop()
