"""Fixtures for the discovery tests: the loopback web/DNS world and lab certificates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.discover.webworld import WebWorld


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[WebWorld]:
    w = await WebWorld(tmp_path).start()
    try:
        yield w
    finally:
        await w.stop()
