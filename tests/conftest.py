"""Shared test helpers: run the real CLI in a subprocess, serve a lab scenario from a thread."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from wizard.lab.runner import Lab
    from wizard.lab.scenarios import Scenario

# Property tests: a quick profile by default, tens of thousands of examples on demand:
#   HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/hostile -k props
settings.register_profile("default", max_examples=400, deadline=None)
settings.register_profile("thorough", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parents[1]
CLI_TIMEOUT_S = 90
# The CLI records `check` runs in the History: keep the tests' away from the user's own.
CLI_DATA_DIR = tempfile.mkdtemp(prefix="smtp-wizard-test-data-")


def as_from_a_terminal() -> None:
    """``preexec_fn`` for a child that a test stops with SIGINT or SIGHUP: a shell's background
    job inherits SIGINT ignored and nohup leaves SIGHUP ignored, and the lab rightly keeps an
    inherited "ignore"; give the child the defaults a terminal session has."""
    import signal

    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m wizard ARGS` as a user would run it (never hangs: a hard timeout)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1",
                "SMTP_WIZARD_DATA_DIR": CLI_DATA_DIR, "SMTP_WIZARD_CONFIG_DIR": CLI_DATA_DIR,
                **(env or {})}
    full_env.pop("SMTP_WIZARD_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "wizard", *args], input=stdin, capture_output=True, text=True,
        env=full_env, timeout=CLI_TIMEOUT_S, cwd=cwd or REPO,
    )


EnteredT = TypeVar("EnteredT")


@contextmanager
def serve_in_thread(server: AbstractAsyncContextManager[EnteredT]) -> Iterator[EnteredT]:
    """Run an async context manager (a lab or loopback server) in a background event loop;
    yields what it entered as, for a subprocess (the real CLI) to be pointed at."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, Any] = {}
    stop = asyncio.Event()

    async def main() -> None:
        async with server as entered:
            holder["entered"] = entered
            ready.set()
            await stop.wait()

    def runner() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # surfaced to the test below
            holder["error"] = exc
            ready.set()

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    assert ready.wait(20), "server did not start"
    if "error" in holder:
        raise holder["error"]
    try:
        yield holder["entered"]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(20)
        loop.close()


def builtin_scenario(name: str) -> Scenario:
    """The built-in lab scenario ``name``; a test naming one that does not exist fails here."""
    from wizard.lab.scenarios import get

    scenario = get(name)
    assert scenario is not None, f"no built-in lab scenario {name!r}"
    return scenario


@contextmanager
def serve_scenario(name: str) -> Iterator[Lab]:
    """Run a lab scenario's servers in a background event loop; yields the running Lab."""
    from wizard.lab.runner import Lab

    with serve_in_thread(Lab(builtin_scenario(name))) as lab:
        yield lab


@pytest.fixture
def cli():
    return run_cli
