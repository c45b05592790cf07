"""Benchmarks: a full `check` against the lab at 100 ms latency (wall time / latency, next to
the protocol's minimum), and start-up time of the light commands. Run: pytest -m bench -s."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, builtin_scenario
from wizard.cli.lab import check_scenario

pytestmark = pytest.mark.bench

LATENCY_MS = 100
MAX_STARTUP_MS = 200


def round_trips(session) -> int:
    """Sequential waits for the server: the greeting, then one per burst of client lines."""
    trips, previous = 1, None
    for line in session.transcript:
        direction = line.dir.value
        if direction == "client" and previous != "client":
            trips += 1
        if direction in ("client", "server"):
            previous = direction
    return trips


MINIMUM_TRIPS = 6  # greeting, EHLO, STARTTLS, EHLO, AUTH, MAIL+RCPT+QUIT pipelined


async def test_full_check_round_trips_at_100ms_latency():
    scenario = builtin_scenario("healthy")
    session = await check_scenario(scenario, latency_ms=LATENCY_MS)
    wall_ms = session.duration_ms  # the walk itself, not the lab's start-up
    replies = round_trips(session)
    smtp_ms = max(line.t_ms for line in session.transcript)
    ratio = wall_ms / LATENCY_MS
    dns_ms = max((f.duration_ms for f in session.findings if f.step.value == "dns"), default=0)
    print(f"\nfull check at {LATENCY_MS} ms latency: wall {wall_ms} ms = {ratio:.1f} x latency;"
          f" SMTP dialogue {smtp_ms} ms in {replies} sequential round trips (protocol minimum"
          f" {MINIMUM_TRIPS} with PIPELINING, plus the TLS handshake); DNS step ran"
          f" concurrently (slowest DNS finding {dns_ms} ms);"
          f" {len(session.findings)} findings, verdict {session.verdict.category}")
    assert session.verdict.category == "success"
    # close to the minimum: the SMTP replies plus at most a few round trips of slack
    assert ratio < replies + 4


def _startup_ms(*args: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, cwd=REPO,
                       timeout=60, check=False)
        times.append((time.monotonic() - start) * 1000)
    return statistics.median(times)


def test_startup_of_help_and_explain():
    help_ms = _startup_ms("--help")
    explain_ms = _startup_ms("explain", "550 5.1.1 User unknown")
    print(f"\nstart-up (median of 5): --help {help_ms:.0f} ms, explain {explain_ms:.0f} ms")
    assert help_ms < MAX_STARTUP_MS and explain_ms < MAX_STARTUP_MS
