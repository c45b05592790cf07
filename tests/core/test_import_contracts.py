"""The layering contracts hold: `lint-imports` (import-linter, configured in pyproject.toml under
[tool.importlinter]) reads the static import graph of wizard/ and screens/.

test_layering.py proves the UI rule at run time in a clean process; these contracts also cover
imports no test happens to execute, the layers (screens, cli, walk, explain, catalog, model: each
imports only those below it), and the rules between wizard.dns, wizard.smtp and the CLI.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = 5


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} is missing: install the test extra"
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_every_import_contract_is_kept() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {CONTRACTS} kept, 0 broken." in result.stdout, result.stdout


def test_the_contracts_catch_imports_that_break_the_layers(tmp_path: Path) -> None:
    """The same contracts on a copy of the tree with four bad imports added: each is named."""
    for package in ("wizard", "screens"):
        shutil.copytree(REPO / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    bad = {
        "wizard/model/findings.py": "import textual  # bad: the core imports the UI\n",
        "wizard/lab/runner.py": "from screens.app import WizardApp  # bad: not the one door\n",
        "wizard/smtp/capabilities.py": "from wizard.dns.spf import record  # bad: a DNS internal\n",
        "wizard/catalog/categories.py": "from wizard.explain import engine  # bad: a layer up\n",
    }
    for name, line in bad.items():
        path = tmp_path / name
        path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"Contracts: \d+ kept, 3 broken\.", result.stdout), result.stdout
    for importer, imported in (("wizard.model.findings", "textual"),
                               ("wizard.lab.runner", "screens.app"),
                               ("wizard.smtp.capabilities", "wizard.dns.spf"),
                               ("wizard.catalog.categories", "wizard.explain.engine")):
        assert re.search(rf"{re.escape(importer)} -> {re.escape(imported)}\b", result.stdout), (
            importer, result.stdout)
