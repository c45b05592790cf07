"""Benchmark: parsing every built-in article once, and the cached second load.
Run: pytest -m bench -s tests/bench/test_knowledge_load.py"""

from __future__ import annotations

import time

import pytest

from wizard.catalog import knowledge
from wizard.catalog.knowledge import load_knowledge

pytestmark = pytest.mark.bench


def test_builtin_load_speed() -> None:
    knowledge._BUILTIN = None
    start = time.perf_counter()
    first = load_knowledge()
    cold_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    load_knowledge()
    warm_ms = (time.perf_counter() - start) * 1000
    print(f"\n{len(first)} articles: first load {cold_ms:.1f} ms, cached {warm_ms:.2f} ms")
    assert cold_ms < 30 and warm_ms < 5
