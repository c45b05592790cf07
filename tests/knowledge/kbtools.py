"""Helpers for the knowledge tests: article files and running the kb command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def article_text(article_id: str, title: str = "A local article", body: str | None = None,
                 **fields: str) -> str:
    """A valid article file's text; ``fields`` replace or add front matter lines verbatim."""
    front = {
        "id": article_id,
        "title": f'"{title}"',
        "categories": "[relay-denied]",
        "codes": "[550]",
        "enhanced": '["5.7.1"]',
        "patterns": '["our relay says no"]',
        "steps": "[send]",
        **fields,
    }
    lines = ["---", *(f"{key}: {value}" for key, value in front.items()), "---"]
    sections = body or (
        "## What it means\n\nOur relay refused it.\n\n## Why it happens\n\n1. Reasons.\n\n"
        "## How to fix it\n\n1. Open a ticket with the mail team.\n\n"
        "## How to check the fix\n\nRun `smtp-wizard check --host smtp.corp --port 587`.\n\n"
        "## References\n\n- Internal wiki.\n"
    )
    return "\n".join(lines) + "\n" + sections


def write_article(directory: Path, article_id: str, **kwargs: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{article_id}.md"
    path.write_text(article_text(article_id, **kwargs), encoding="utf-8")
    return path


def run_kb(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m wizard kb ARGS`` in a subprocess (not a terminal, so never coloured)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "wizard", "kb", *args], capture_output=True, text=True,
        env=full_env, cwd=REPO, timeout=60,
    )
