"""Benchmarks: the lab under a class's load on this 2-core machine. Run: pytest -m bench -s.

- 40 `check` processes at once against one `lab --serve` (every trainee on one server);
- 40 `lab --check` processes at once (every trainee with a lab of their own);
- `lab --serve --all` start-up (the whole classroom);
- 500 simultaneous SMTP connections to one lab server, time to the last greeting.

Each asserts that every check reaches the scenario's verdict with no check in error, and
prints the times (the figures in the README come from here).
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, builtin_scenario
from wizard.lab.runner import Lab

pytestmark = pytest.mark.bench

CLASS = 40
SCENARIOS = ["cert-expiring-soon", "healthy", "greylisting", "dns-spf-missing"]


def udp_drops() -> int:
    """Datagrams the kernel dropped for full receive buffers, machine-wide (Linux)."""
    try:
        lines = Path("/proc/net/snmp").read_text().splitlines()
    except OSError:
        return -1
    head, values = [line.split() for line in lines if line.startswith("Udp:")][:2]
    return int(values[head.index("RcvbufErrors")])


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}


def _outcome(procs: list[subprocess.Popen[str]]) -> tuple[collections.Counter, list[str]]:
    verdicts: collections.Counter = collections.Counter()
    errors: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        try:
            report = json.loads(out)
        except ValueError:
            verdicts["no report"] += 1
            errors.append(err[-200:])
            continue
        verdicts[report["verdict"]["category"]] += 1
        errors += [f"{c['id']}: {c['title']}" for c in report["checks"] if c["status"] == "error"]
    return verdicts, errors


def _serve(scenario: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen([sys.executable, "-m", "wizard", "lab", "--scenario", scenario,
                             "--serve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env(), cwd=REPO)
    assert proc.stdout is not None and proc.stderr is not None  # both piped
    info: dict[str, str] = {}
    for line in proc.stdout:
        if line.startswith("Press ctrl+c"):
            return proc, info
        parts = line.split(None, 1)
        if len(parts) == 2:
            info[parts[0]] = parts[1].strip()
    raise AssertionError(proc.stderr.read())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_40_checks_at_once_against_one_served_scenario(scenario):
    expected = builtin_scenario(scenario).expected
    server, info = _serve(scenario)
    try:
        host, port = info["smtp"].rsplit(":", 1)
        command = [sys.executable, "-m", "wizard", "check", "--host", host, "--port", port,
                   "--ca-file", info["ca_file"], "--user", info["user"], "--password-env",
                   "PW", "--mail-from", "alice@lab.test", "--rcpt-to", "bob@lab.test",
                   "--domain", "lab.test", "--dkim-selector", "lab", "--sending-ip",
                   "127.0.0.1", "--nameserver", info["nameserver"], "--format", "json"]
        start, drops = time.monotonic(), udp_drops()
        procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env={**_env(), "PW": info["password"]}, cwd=REPO)
                 for _ in range(CLASS)]
        verdicts, errors = _outcome(procs)
        took, drops = time.monotonic() - start, udp_drops() - drops
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    print(f"\n{CLASS} checks at once against one `lab --serve --scenario {scenario}`: "
          f"{took:.1f} s, verdicts {dict(verdicts)}, {len(errors)} checks in error, "
          f"{drops} UDP datagrams dropped by the kernel (load average "
          f"{os.getloadavg()[0]:.1f})")
    assert verdicts == {expected: CLASS}, errors[:5]
    assert errors == []


@pytest.mark.parametrize("scenario", SCENARIOS[:2])
def test_40_lab_checks_at_once(scenario):
    expected = builtin_scenario(scenario).expected
    start = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "wizard", "lab", "--scenario", scenario,
                               "--check", "--format", "json"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=_env(), cwd=REPO)
             for _ in range(CLASS)]
    verdicts, errors = _outcome(procs)
    took = time.monotonic() - start
    print(f"\n{CLASS} `lab --scenario {scenario} --check` at once: {took:.1f} s, verdicts "
          f"{dict(verdicts)}, {len(errors)} checks in error "
          f"(load average {os.getloadavg()[0]:.1f})")
    assert verdicts == {expected: CLASS}, errors[:5]
    assert errors == []


def test_serve_all_start_up_time():
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "wizard", "lab", "--serve", "--all"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(), cwd=REPO)
    assert proc.stdout is not None  # piped
    first = ""
    try:
        for line in proc.stdout:
            first = first or line
            if line.startswith("Press ctrl+c"):
                break
        took = time.monotonic() - start
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    print(f"\n`lab --serve --all`: process start to 'Press ctrl+c' {took:.2f} s; {first.strip()}")
    assert first.startswith("Classroom: ")


async def test_500_simultaneous_connections_time_to_the_last_greeting():
    async def greeting(port: int) -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.wait_for(reader.readline(), 60)
        held.append(writer)
        return time.monotonic() - start

    held: list[asyncio.StreamWriter] = []
    async with Lab(builtin_scenario("healthy")) as lab:
        start = time.monotonic()
        times = sorted(await asyncio.gather(*(greeting(lab.port) for _ in range(500))))
        for writer in held:
            writer.close()
    print(f"\n500 simultaneous connections to one lab server: all greeted; median "
          f"{times[250]:.3f} s, last {times[-1]:.3f} s")
    assert len(times) == 500
