"""The core never imports the UI: wizard/ works without Textual (checked in a clean process)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

PROBE = """
import importlib, pkgutil, sys
import wizard
names = [m.name for m in pkgutil.walk_packages(wizard.__path__, "wizard.")]
skipped = []
for name in names:
    if name == "wizard.cli.tui":
        skipped.append(name)  # the lazy door into the UI: imported, not run
    importlib.import_module(name)
bad = sorted(m for m in sys.modules if m == "textual" or m.startswith(("textual.", "screens")))
print(len(names), bad)
sys.exit(1 if bad else 0)
"""


def test_no_module_in_wizard_imports_textual_or_screens():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    count = int(result.stdout.split()[0])
    assert count >= 30  # every module was really imported


def test_help_and_explain_do_not_import_textual():
    code = ("import sys; from wizard.__main__ import build_parser; build_parser(); "
            "from wizard.cli import explain; print('textual' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.stdout.strip() == "False", result.stderr
