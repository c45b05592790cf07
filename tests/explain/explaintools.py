"""Helpers for the explain tests: the repo path and a way to run the explain command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from wizard.catalog.rules import Rule
from wizard.explain.engine import Classification, default_engine
from wizard.explain.parse import ParsedReply

REPO = Path(__file__).resolve().parents[2]

# The explain subcommand through the real entry point (which maps input errors to exit 2).
EXPLAIN_MAIN = (
    "import sys\n"
    "from wizard.__main__ import main\n"
    "sys.exit(main(['explain', *sys.argv[1:]]))\n"
)


def run_explain(*args: str, stdin: str | None = None,
                code: str = EXPLAIN_MAIN) -> subprocess.CompletedProcess[str]:
    """The explain subcommand (or ``code``) with ``args`` in a subprocess, output captured."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True,
        env=env, timeout=60, cwd=REPO,
    )



def classify(reply: ParsedReply, command: str | None = None) -> Classification:
    """The built-in engine's best category for ``reply`` (rules, providers, articles)."""
    return default_engine().classify(reply, command)


def all_rules() -> tuple[Rule, ...]:
    """Every rule of the built-in engine, in tier order."""
    return tuple(default_engine().rules)
