"""Each command imports only what it needs (issue 25): a one-line ``explain`` loads no event
loop, TLS, DNS library or other subcommand, so it starts like a small tool. Checked in a clean
process per command, as the layering test checks Textual."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

PROBE = """
import contextlib, io, json, sys
from wizard.__main__ import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(json.loads(sys.argv[1]))
    except SystemExit as exc:
        code = exc.code
roots = sorted({m.split(".")[0] for m in sys.modules} | {m for m in sys.modules
               if m.startswith("wizard.")})
print(json.dumps({"code": code, "modules": roots}))
"""

HEAVY = ("asyncio", "ssl", "dns", "cryptography", "aiosmtplib", "textual", "publicsuffixlist")
OTHER_COMMANDS = tuple(f"wizard.cli.{c}" for c in ("check", "discover", "dns", "lab", "headers"))


@pytest.mark.parametrize("argv, forbidden", [
    (["explain", "550 5.1.1 user unknown"], HEAVY + OTHER_COMMANDS + ("wizard.smtp",)),
    (["explain", "--format", "json", "421 4.7.0 try again later"], HEAVY + OTHER_COMMANDS),
    (["explain", "--help"], HEAVY + OTHER_COMMANDS),
    (["kb", "list"], HEAVY + OTHER_COMMANDS + ("wizard.explain.engine",)),
    (["--knowledge", "knowledge", "explain", "554 5.7.1 relay denied"], HEAVY + OTHER_COMMANDS),
])
def test_command_imports_only_what_it_needs(argv: list[str], forbidden: tuple[str, ...]) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv)],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["code"] in (0, 1, None), result.stderr
    loaded = set(report["modules"])
    assert not loaded & set(forbidden), sorted(loaded & set(forbidden))
    assert f"wizard.cli.{argv[0] if not argv[0].startswith('-') else argv[2]}" in loaded


def test_full_help_still_lists_every_command() -> None:
    result = subprocess.run([sys.executable, "-m", "wizard", "--help"], capture_output=True,
                            text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0
    for name in ("check", "discover", "dns", "explain", "lab", "kb", "headers"):
        assert f"    {name} " in result.stdout
