"""The golden reports' normaliser (tests/lab/golden.py) hides only what varies from run to run:
a changed category, status, title or reply still fails the comparison."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.lab.golden import GOLDEN, dumps, normalise
from wizard.lab.scenarios import SCENARIOS


def golden(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def test_there_is_one_golden_report_per_builtin_scenario():
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(s.name for s in SCENARIOS)


def test_normalising_a_golden_report_again_changes_nothing():
    for scenario in SCENARIOS:
        text = (GOLDEN / f"{scenario.name}.json").read_text(encoding="utf-8")
        assert dumps(normalise(json.loads(text))) == text, scenario.name


def change(report: dict[str, Any], where: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(report)
    if where == "verdict.category":
        changed["verdict"]["category"] = value
    elif where == "check.status":
        changed["checks"][0]["status"] = value
    elif where == "check.title":
        changed["checks"][0]["title"] += value
    elif where == "transcript.text":
        changed["transcript"][-1]["text"] += value
    elif where == "target.timeout":
        changed["target"]["timeout"] = value
    return changed


@pytest.mark.parametrize(("where", "value"), [
    ("verdict.category", "auth-failed"),
    ("check.status", "warn"),
    ("check.title", " (changed)"),
    ("transcript.text", " 12345"),
    ("target.timeout", 11.0),
])
def test_a_real_change_survives_the_normaliser(where: str, value: Any):
    report = golden("relay-denied")
    assert dumps(normalise(change(report, where, value))) != dumps(report), where


def test_what_varies_from_run_to_run_is_normalised():
    """A report with other ports, folder, times and keys than the golden run's normalises to it."""
    report = golden("healthy")
    raw = json.loads(json.dumps(report).replace("<smtp-port>", "40001")
                     .replace("<dns-port>", "40002").replace("<lab-dir>", "/tmp/lab-x")
                     .replace("<serial>", "0a1b").replace("<time>", "2031-01-02T03:04:05+00:00"))
    raw["target"]["port"] = 40001
    raw["duration_ms"] = 1234
    assert dumps(normalise(raw)) == dumps(report)
