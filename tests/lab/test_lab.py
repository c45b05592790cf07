"""The lab: every scenario's check reaches its declared verdict, through the real CLI, and its
JSON report is the golden one (tests/lab/data/golden, captured before issue 20's move; see
tests/lab/golden.py for what varies from run to run and is normalised)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import as_from_a_terminal, run_cli
from tests.lab.golden import GOLDEN, dumps, normalise
from wizard.catalog.knowledge import load_knowledge
from wizard.lab.scenarios import SCENARIOS

KB = load_knowledge()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_lab_check_reaches_the_expected_verdict(scenario):
    result = run_cli("lab", "--scenario", scenario.name, "--check", "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"]["category"] == scenario.expected, report["verdict"]
    assert result.returncode == (1 if report["verdict"]["status"] in ("fail", "error") else 0)
    assert result.stderr == ""
    named = set(report["verdict"]["articles"])
    named |= {a for check in report["checks"] for a in check["articles"]}
    assert named and not [a for a in named if KB.get(a) is None]  # every article exists
    golden = (GOLDEN / f"{scenario.name}.json").read_text(encoding="utf-8")
    assert dumps(normalise(report)) == golden, f"{scenario.name}: the report changed"


def test_lab_list_shows_every_scenario_with_its_category():
    result = run_cli("lab", "--list")
    assert result.returncode == 0
    for scenario in SCENARIOS:
        line = next(row for row in result.stdout.splitlines() if row.startswith(scenario.name))
        assert scenario.expected in line


def test_unknown_scenario_is_a_usage_error():
    result = run_cli("lab", "--scenario", "no-such-thing", "--check")
    assert result.returncode == 2
    assert "unknown scenario" in result.stderr and "healthy" in result.stderr


def test_scenario_names_are_unique_and_categories_known():
    from wizard.catalog.categories import is_category

    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names))
    assert all(is_category(s.expected) for s in SCENARIOS)


def test_lab_serve_prints_endpoints_that_work_and_stops_cleanly_on_ctrl_c():
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import REPO

    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "wizard", "lab", "--scenario", "healthy",
                             "--serve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=REPO, preexec_fn=as_from_a_terminal)
    assert proc.stdout is not None and proc.stderr is not None  # both piped
    try:
        lines: list[str] = []
        while not any(line.startswith("Press ctrl+c") for line in lines):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(line.strip())
        info = dict(line.split(None, 1) for line in lines[1:] if line and " " in line
                    and line.split()[0] in ("smtp", "ca_file", "user", "password"))
        host, port = info["smtp"].rsplit(":", 1)
        result = run_cli("check", "--host", host, "--port", port, "--ca-file", info["ca_file"],
                         "--user", info["user"], "--password-env", "PW", "--no-dns",
                         "--format", "json", env={"PW": info["password"]})
        assert json.loads(result.stdout)["verdict"]["category"] == "success"
        assert Path(info["ca_file"]).exists()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "lab stopped" in err and "Traceback" not in err
    assert not Path(info["ca_file"]).exists()  # temporary certificates removed
