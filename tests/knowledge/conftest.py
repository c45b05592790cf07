"""Fixtures for the knowledge tests; helpers live in ``tests.knowledge.kbtools``."""

from __future__ import annotations

import pytest

from wizard.catalog.knowledge import KnowledgeBase, load_knowledge


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()
