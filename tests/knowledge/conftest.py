"""Fixtures for the knowledge tests; helpers live in ``kbtools`` (importable by name)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for path in (str(HERE.parents[1]), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

from wizard.knowledge import KnowledgeBase, load_knowledge  # noqa: E402


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()
