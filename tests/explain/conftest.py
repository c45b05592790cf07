"""Fixtures for the explain tests (helpers live in explaintools.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from explaintools import run_explain


@pytest.fixture
def explain_cli():
    return run_explain
