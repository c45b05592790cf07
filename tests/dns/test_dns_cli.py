"""`smtp-wizard dns` end to end: a subprocess against a loopback DnsServer in a thread."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wizard.lab.dns_server import DnsServer
from wizard.lab.dns_zones import zone_for

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def served(zone: dict) -> Iterator[str]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict = {}

    async def main() -> None:
        async with DnsServer(zone) as server:
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


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "wizard", "dns", *args], capture_output=True,
                          text=True, env=env, timeout=60, cwd=REPO)


LAB = ("--sending-ip", "127.0.0.1", "--dkim-selector", "lab", "--blocklist", "bl.lab.test",
       "--domain-blocklist", "dbl.lab.test", "--helo", "mail.lab.test", "--timeout", "1")


def test_healthy_json_exit_0(tmp_path: Path) -> None:
    with served(zone_for("healthy")) as ns:
        out = tmp_path / "report.json"
        proc = cli("lab.test", "--nameserver", ns, *LAB, "--format", "json", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["schema"] == 1 and doc["tool"]["command"] == "dns"
    assert doc["verdict"]["category"] == "success"
    ids = {c["id"] for c in doc["checks"]}
    assert {"dns.spf.eval", "dns.dkim.lab", "dns.dmarc", "dns.ptr"} <= ids


def test_failing_text_exit_1() -> None:
    with served(zone_for("spf-fail-ip")) as ns:
        proc = cli("lab.test", "--nameserver", ns, *LAB)
    assert proc.returncode == 1, proc.stderr
    assert "SPF fails" in proc.stdout and "category: spf-fail" in proc.stdout


def test_markdown_and_headers_file(tmp_path: Path) -> None:
    headers = tmp_path / "h.eml"
    headers.write_text("From: a@lab.test\nDKIM-Signature: v=1; d=lab.test; s=lab; b=x\n\nbody\n")
    with served(zone_for("healthy")) as ns:
        proc = cli("lab.test", "--nameserver", ns, "--headers", str(headers), "--sending-ip",
                   "127.0.0.1", "--blocklist", "bl.lab.test", "--domain-blocklist",
                   "dbl.lab.test", "--format", "markdown", "--timeout", "1")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.startswith("# smtp-wizard report") and "dns.dkim" not in proc.stderr


def test_bad_input_exit_2() -> None:
    for args in (["not a domain"], ["lab.test", "--sending-ip", "999.1.1.1"],
                 ["lab.test", "--nameserver", "nope"], ["lab.test", "--headers", "/nonexistent"],
                 ["lab.test", "--timeout", "0"]):
        proc = cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and "error" in proc.stderr


def test_no_blocklists_turns_them_off() -> None:
    with served(zone_for("ip-blocklisted")) as ns:
        proc = cli("lab.test", "--nameserver", ns, *LAB, "--no-blocklists", "--format", "json")
    assert proc.returncode == 0, proc.stdout  # the listing is not asked about, so not seen
    doc = json.loads(proc.stdout)
    checks = {c["id"]: c for c in doc["checks"]}
    assert doc["target"]["blocklists"] is False
    for fid in ("dns.dnsbl.ip", "dns.dnsbl.domain"):
        assert checks[fid]["status"] == "skip" and "turned off" in checks[fid]["title"]
