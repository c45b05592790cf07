"""Benchmark: `smtp-wizard headers` on a typical message (a 40 KB message signed with RSA and
ed25519 that went through an ARC-sealing mailing list; keys, SPF and DMARC served by the loopback
DNS responder). Run: pytest -m bench -s tests/bench/test_headers_speed.py"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli, serve_in_thread
from tests.headers.mailkit import SUBMISSION, message, prepend, sign, via_list, zone
from wizard.dns.resolver import Resolver
from wizard.lab.dns_server import DnsServer

pytestmark = pytest.mark.bench


def typical() -> bytes:
    body = "".join(f"Line {i}: the quarterly figures, in plain words and numbers.\r\n"
                   for i in range(650))
    signed = sign(sign(prepend(message(body=body), SUBMISSION)), "ed",
                  algorithm="ed25519-sha256")
    return via_list(signed)


def test_cli_run_on_a_typical_message(tmp_path: Path) -> None:
    data = typical()
    path = tmp_path / "typical.eml"
    path.write_bytes(data)
    with serve_in_thread(DnsServer(zone())) as server:
        ns = f"{server.host}:{server.port}"
        times = []
        for _ in range(5):
            start = time.monotonic()
            proc = run_cli("headers", str(path), "--nameserver", ns, "--format", "json")
            times.append((time.monotonic() - start) * 1000)
            assert proc.returncode == 1 and '"dmarc-fail"' in proc.stdout, proc.stderr
    median = statistics.median(times)
    print(f"\nheaders CLI, {len(data) // 1024} KB message (process start to exit, median of 5):"
          f" {median:.0f} ms (min {min(times):.0f}, max {max(times):.0f})")
    assert median < 3000


def test_analysis_in_process() -> None:
    from wizard.headers.analyse import analyse_message

    data = typical()
    big = via_list(sign(prepend(message(body="x" * 76 + "\r\n") , SUBMISSION)))
    big = big + b"".join(b"%076d\r\n" % i for i in range(130_000))  # ~10 MB appended body

    async def main() -> tuple[list[float], float, int]:
        async with DnsServer(zone()) as server:
            runs = []
            for _ in range(20):
                resolver = Resolver([server.nameserver], timeout=1)
                start = time.monotonic()
                a = await analyse_message(data, resolver)
                runs.append((time.monotonic() - start) * 1000)
                assert a.verdict is not None and a.verdict.category == "dmarc-fail"
            start = time.monotonic()
            a = await analyse_message(big, Resolver([server.nameserver], timeout=1))
            return runs, (time.monotonic() - start) * 1000, a.message.size

    runs, big_ms, size = asyncio.run(main())
    print(f"\nheaders analysis in process, typical message (fresh resolver each time, median of "
          f"20): {statistics.median(runs):.1f} ms; a {size / 1e6:.1f} MB message: {big_ms:.0f} ms")
    assert statistics.median(runs) < 500
