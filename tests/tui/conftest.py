"""Pilot-test fixtures: isolated config/data dirs and cwd, and only the test articles."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Own data/config dirs and cwd per test; only the test articles (deterministic)."""
    import wizard.catalog.knowledge

    monkeypatch.setenv("SMTP_WIZARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMTP_WIZARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(wizard.catalog.knowledge, "builtin_articles", lambda: [])
    return tmp_path


@pytest.fixture(autouse=True)
def never_hang():
    """A test that runs past 60 s dumps its stacks and exits instead of hanging the suite."""
    import faulthandler

    faulthandler.dump_traceback_later(60, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
