"""Hostile DNS and HTTP: escapes rendered inert, and `dns` / the DNS step end within the README's
bounds against slow endless include chains, wide fan-out and policy servers that never stop."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from wizard.dns.mta_sts import MAX_POLICY_BYTES, fetch_policy
from wizard.dns.step import dns_budget, run_dns_step, run_dns_step_bounded
from wizard.lab.dns_server import DnsServer
from wizard.lab.dns_zones import lab_target, zone_for
from wizard.lab.hostile import ESCAPES, MARKUP
from wizard.model.findings import Status
from wizard.model.target import Target
from wizard.output.report import render
from wizard.walk.context import CheckContext
from wizard.walk.session import Session
from wizard.walk.tree import check_budget

REPO = Path(__file__).resolve().parents[2]


async def test_escapes_in_spf_and_dmarc_records_are_rendered_inert():
    zone = zone_for("healthy")
    zone["lab.test"] = {**zone["lab.test"], "TXT": [f"v=spf1 {MARKUP} {ESCAPES} -all"]}
    zone["_dmarc.lab.test"] = {"TXT": [f"v=DMARC1; p=reject; x={ESCAPES}"]}
    async with DnsServer(zone) as dns:
        target = lab_target(dns.nameserver)
        ctx = CheckContext.for_target(target)
        findings = await run_dns_step(target, ctx)
    session = Session(target=target, findings=findings, command="dns")
    spf = next(f for f in findings if f.id == "dns.spf.record")
    assert any(isinstance(v, str) and "\x1b" in v for v in spf.details.values())  # really there
    for fmt in ("text", "markdown", "json"):
        shown = render(session, fmt)
        assert "\x1b" not in shown and "\x07" not in shown


# --------------------------------------------------------------------------- hostile zones
def endless_chain(zone: dict[str, Any], length: int = 300) -> dict[str, Any]:
    """lab.test's SPF includes c1, which includes c2, ... (far past any limit)."""
    zone["lab.test"] = {**zone["lab.test"],
                        "TXT": ["v=spf1 ip4:192.0.2.1 include:c1.lab.test -all"]}
    for i in range(1, length + 1):
        zone[f"c{i}.lab.test"] = {"TXT": [f"v=spf1 include:c{i + 1}.lab.test -all"]}
    return zone


def fan_out(zone: dict[str, Any], levels: int = 300) -> dict[str, Any]:
    zone["lab.test"] = {**zone["lab.test"], "TXT": ["v=spf1 include:f1.lab.test -all"]}
    for i in range(1, levels + 1):
        nxt = f"f{i + 1}.lab.test"
        zone[f"f{i}.lab.test"] = {"TXT": [f"v=spf1 include:{nxt} include:{nxt} -all"]}
    return zone


def test_dns_budget_is_checks_budget() -> None:
    for t in (0.5, 2, 3, 10, 60):
        assert dns_budget(t) == check_budget(Target(timeout=t))


async def test_fan_out_through_the_dns_step_is_a_finding_not_a_crash() -> None:
    async with DnsServer(fan_out(zone_for("healthy"))) as server:
        target = lab_target(server.nameserver)
        findings = await run_dns_step(target, CheckContext.for_target(target, dns_timeout=0.5))
    by_id = {f.id: f for f in findings}
    assert by_id["dns.spf.lookups"].status is Status.FAIL
    assert by_id["dns.spf.eval"].details["result"] == "permerror"
    assert not [f for f in findings if f.status is Status.ERROR], [
        (f.id, f.summary) for f in findings if f.status is Status.ERROR]


async def test_slow_checks_are_reported_and_the_rest_kept_within_the_budget() -> None:
    # every answer takes 300 ms: the SPF walks need ~11 of them in a row, the budget allows ~6
    async with DnsServer(endless_chain(zone_for("healthy")), latency_ms=300) as server:
        target = lab_target(server.nameserver)
        ctx = CheckContext.for_target(target, dns_timeout=1.0)
        start = time.monotonic()
        findings = await run_dns_step_bounded(target, ctx, budget=2.0)
        elapsed = time.monotonic() - start
    by_id = {f.id: f for f in findings}
    assert elapsed < 2.0
    slow = by_id["dns.spf.lookups"]
    assert slow.status is Status.ERROR and slow.category is None and "no result" in slow.title
    assert slow.next is not None and slow.next.action.kind == "rerun"
    assert by_id["dns.mx.recipient"].status is Status.PASS  # quick checks kept
    assert by_id["dns.dkim.lab"].status is Status.PASS


@contextmanager
def served(zone: dict, latency_ms: float = 0) -> Iterator[str]:
    """A DnsServer in a thread, for the `dns` command run as a subprocess."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict = {}

    async def main() -> None:
        async with DnsServer(zone, latency_ms=latency_ms) as server:
            holder["ns"] = f"{server.host}:{server.port}"
            holder["stop"] = asyncio.Event()
            ready.set()
            await holder["stop"].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield holder["ns"]
    finally:
        loop.call_soon_threadsafe(holder["stop"].set)
        thread.join(10)
        loop.close()


def test_dns_command_against_a_slow_endless_chain_ends_within_its_budget() -> None:
    timeout = 0.5  # per query: the whole run is bounded by dns_budget(0.5) = 8 s
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    with served(endless_chain(zone_for("healthy")), latency_ms=250) as ns:
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "wizard", "dns", "lab.test", "--nameserver", ns,
             "--sending-ip", "127.0.0.1", "--blocklist", "bl.lab.test", "--domain-blocklist",
             "dbl.lab.test", "--dkim-selector", "lab", "--helo", "mail.lab.test",
             "--timeout", str(timeout), "--format", "json"],
            capture_output=True, text=True, env=env, timeout=60, cwd=REPO)
        elapsed = time.monotonic() - start
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    checks = {c["id"]: c for c in doc["checks"]}
    assert elapsed < dns_budget(timeout) + 5  # + interpreter start-up on a loaded machine
    assert doc["duration_ms"] < dns_budget(timeout) * 1000
    assert checks["dns.spf.lookups"]["status"] in ("fail", "error")
    if checks["dns.spf.lookups"]["status"] == "fail":
        assert checks["dns.spf.lookups"]["details"]["complete"] is False
    assert "dns.step" not in checks  # the step itself finished: per-check bounds held


# --------------------------------------------------------------------------- MTA-STS policy
class PolicyStream:
    """A loopback HTTP server answering with a body that never ends (``mode``: "flood" as fast
    as possible, "drip" a byte every 0.2 s, "announce" a 10 MB Content-Length)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sent = 0
        self.stop = asyncio.Event()
        self.handlers: set[asyncio.Task] = set()

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/policy"

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.close()
        await asyncio.wait_for(asyncio.gather(*self.handlers), 5)
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        try:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            length = "Content-Length: 10000000\r\n" if self.mode == "announce" else \
                "Transfer-Encoding: chunked\r\n"
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n{length}\r\n".encode())
            chunk = (b"mx: " + b"x" * 16000 + b"\n") if self.mode != "drip" else b"x"
            while not self.stop.is_set():
                data = chunk if self.mode == "announce" else \
                    f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                writer.write(data)
                self.sent += len(chunk)
                await writer.drain()
                if self.mode == "drip":
                    await asyncio.sleep(0.2)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            return  # the client stopped reading and hung up, as it should
        finally:
            writer.close()


@pytest.mark.parametrize(("mode", "why"), [
    ("flood", "policy larger than 64 KB (stopped reading)"),
    ("announce", "policy larger than 64 KB (10000000 bytes announced)"),
    ("drip", "no complete policy within 1 s (stopped waiting)"),
])
async def test_policy_fetch_is_bounded_in_size_and_time(mode: str, why: str) -> None:
    async with PolicyStream(mode) as url:
        # warm up: imports, TLS context
        await asyncio.wait_for(fetch_policy(url, timeout=1.0, allow_http=True), 10)
        tracemalloc.start()
        start = time.monotonic()
        try:
            text, reason = await asyncio.wait_for(
                fetch_policy(url, timeout=1.0, allow_http=True), 10)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        elapsed = time.monotonic() - start
    assert text is None and reason == why
    assert elapsed < 3.0  # the 1 s deadline, not the stream, ends it
    assert peak < 16 * MAX_POLICY_BYTES  # the body is capped, not accumulated (was: 3.95 GB)
