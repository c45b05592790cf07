"""Benchmark: explain throughput on a large batch, and one reply's start-up from the shell."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
CORPUS = REPO / ".." / "shared" / "corpora" / "bounces" / "sisimai-error-strings.tsv"

pytestmark = pytest.mark.bench

MIN_REPLIES_PER_SECOND = 1_000
MAX_STARTUP_MS = 200


def _lines(n: int) -> list[str]:
    if not CORPUS.exists():
        pytest.skip(f"test corpus not found at {CORPUS.resolve()} (/work/shared/corpora)")
    rows = CORPUS.read_text(encoding="utf-8").splitlines()[1:]
    texts = [row.split("\t")[5] for row in rows if row.count("\t") >= 5]
    return (texts * (n // len(texts) + 1))[:n]


def test_batch_explain_throughput():
    from wizard.cli.explain import _Articles, explain_reply

    lines = _lines(100_000)
    articles = _Articles(())
    start = time.perf_counter()
    for line in lines:
        explain_reply(line, articles)
    rate = len(lines) / (time.perf_counter() - start)
    print(f"explain throughput: {rate:,.0f} replies/s")
    assert rate >= MIN_REPLIES_PER_SECOND


def test_one_reply_starts_up_fast():
    code = (
        "import argparse, sys\nfrom wizard.cli import explain\n"
        "p = argparse.ArgumentParser()\nexplain.add_parser(p.add_subparsers(dest='command'))\n"
        "explain.run(p.parse_args(['explain', '550 5.1.1 User unknown']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    best = min(_timed([sys.executable, "-c", code], env) for _ in range(5))
    print(f"explain start-up: {best:.0f} ms")
    assert best < MAX_STARTUP_MS


def _timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, capture_output=True, check=True, timeout=30)
    return (time.perf_counter() - start) * 1000
