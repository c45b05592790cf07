"""Benchmarks side by side with the tools people use today (issue 17): swaks for the SMTP
dialogue, swaks + checkdmarc for the whole job, against the same lab server and DNS, at 0 and
50 ms per reply. Run: ``pytest -m bench -s tests/bench/test_vs_peers.py``.

swaks (Debian ``swaks``) and checkdmarc (PyPI ``checkdmarc``; its directory may be given in
``CHECKDMARC_BIN``) are not installed by the project; without them this skips and says so.
checkdmarc asks port 53 only, so the lab zone is also served on 127.0.0.1:53 (root, or a free
port 53; else it skips). Wall times are medians of 5 process runs; "minus start" subtracts each
interpreter's own start-up (``python -c ''``, ``perl -e 1``), so the ratio compares the work.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, builtin_scenario, serve_in_thread
from wizard.lab.dns_server import DnsServer
from wizard.lab.runner import Lab
from wizard.lab.smtp_server import LAB_PASSWORD, LAB_USER

pytestmark = pytest.mark.bench
RUNS = 5


def tool(name: str) -> str:
    extra = os.environ.get("CHECKDMARC_BIN", "")
    found = shutil.which(name) or shutil.which(name, path=extra or None)
    if found is None:
        pytest.skip(f"{name} is not installed: apt-get install swaks / pip install checkdmarc "
                    "(the project does not install them; only this benchmark uses them)")
    return found


def median_ms(args: list[str], env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(RUNS):
        start = time.monotonic()
        done = subprocess.run(args, capture_output=True, timeout=120, cwd=REPO,
                              env={**os.environ, **(env or {})})
        times.append((time.monotonic() - start) * 1000)
        assert done.returncode in (0, 1), (args[:3], done.stderr[-500:])
    return statistics.median(times)


@pytest.mark.parametrize("latency_ms", [0, 50])
def test_check_against_swaks_and_checkdmarc(latency_ms, tmp_path):
    swaks = tool("swaks")
    checkdmarc = tool("checkdmarc")
    with serve_in_thread(Lab(builtin_scenario("healthy"), latency_ms=latency_ms)) as lab:
        try:
            port53 = serve_in_thread(DnsServer(lab.dns.zone, latency_ms=latency_ms, port=53))
            port53.__enter__()
        except (OSError, AssertionError) as exc:
            pytest.skip(f"the lab zone cannot be served on 127.0.0.1:53 for checkdmarc: {exc}")
        try:
            assert lab.certs is not None, "a running lab has its certificates"
            ca = lab.certs.ca_file
            env = {"PW": LAB_PASSWORD, "SMTP_WIZARD_DATA_DIR": str(tmp_path)}
            smtp = ["--host", "127.0.0.1", "--port", str(lab.port), "--ca-file", ca,
                    "--user", LAB_USER, "--password-env", "PW", "--mail-from",
                    "alice@lab.test", "--rcpt-to", "bob@lab.test", "--no-history"]
            wizard_smtp = [sys.executable, "-m", "wizard", "check", *smtp, "--no-dns"]
            wizard_all = [sys.executable, "-m", "wizard", "check", *smtp, "--nameserver",
                          "127.0.0.1:53", "--sending-ip", "127.0.0.1", "--dkim-selector", "lab"]
            swaks_smtp = [swaks, "--server", f"127.0.0.1:{lab.port}", "--tls", "--tls-verify",
                          "--tls-ca-path", ca, "--auth", "PLAIN", "--auth-user", LAB_USER,
                          "--auth-password", LAB_PASSWORD, "--from", "alice@lab.test", "--to",
                          "bob@lab.test", "--quit-after", "RCPT", "--silent", "3"]
            dmarc = [checkdmarc, "lab.test", "-n", "127.0.0.1", "-t", "3"]
            python_start = median_ms([sys.executable, "-c", ""])
            perl_start = median_ms(["perl", "-e", "1"])
            ours = median_ms(wizard_smtp, env)
            theirs = median_ms(swaks_smtp)
            ours_all = median_ms(wizard_all, env)
            theirs_all = theirs + median_ms(dmarc)
        finally:
            port53.__exit__(None, None, None)
    smtp_ratio = (ours - python_start) / max(1.0, theirs - perl_start)
    all_ratio = ours_all / theirs_all
    print(f"\nat {latency_ms} ms per reply: check --no-dns {ours:.0f} ms vs swaks {theirs:.0f} ms"
          f" (minus interpreter start: {ours - python_start:.0f} vs {theirs - perl_start:.0f} ms,"
          f" ratio {smtp_ratio:.2f}); whole check {ours_all:.0f} ms vs swaks + checkdmarc "
          f"{theirs_all:.0f} ms (ratio {all_ratio:.2f})")
    Path(tmp_path / "ratios.txt").write_text(f"{smtp_ratio:.2f} {all_ratio:.2f}\n")
    assert all_ratio <= 0.6 or (latency_ms == 0 and all_ratio <= 1.0)
