"""Benchmark: the TUI's first screen (a fresh process importing Textual and mounting the target
form), goal under one second. Run: pytest -m bench -s tests/bench/test_tui_startup.py"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.bench

FIRST_SCREEN = """
import asyncio
from screens.app import WizardApp
async def main():
    app = WizardApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TargetScreen", app.screen
asyncio.run(main())
"""


def test_first_screen_under_a_second(tmp_path):
    env = {**os.environ, "SMTP_WIZARD_DATA_DIR": str(tmp_path / "d"),
           "SMTP_WIZARD_CONFIG_DIR": str(tmp_path / "c")}
    times = []
    for _ in range(3):
        start = time.monotonic()
        result = subprocess.run([sys.executable, "-c", FIRST_SCREEN], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=60)
        times.append((time.monotonic() - start) * 1000)
        assert result.returncode == 0, result.stderr
    median = statistics.median(times)
    print(f"\nTUI first screen (process start to target form mounted, median of 3):"
          f" {median:.0f} ms")
    assert median < 1000
