"""Fixtures for the explain tests (helpers live in ``tests.explain.explaintools``)."""

from __future__ import annotations

from collections.abc import Callable
from subprocess import CompletedProcess

import pytest

from tests.explain.explaintools import run_explain


@pytest.fixture
def explain_cli() -> Callable[..., CompletedProcess[str]]:
    return run_explain
