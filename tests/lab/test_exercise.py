"""Exercises: numbered without names, the answer held back until a diagnosis, scored, kept."""

from __future__ import annotations

import json
import stat

import pytest
from textual.widgets import DataTable, OptionList

from tests.tui.tuikit import finish_walk, texts
from wizard.lab.exercise import (
    MAX_POINTS,
    Fix,
    ScoreSheet,
    exercises,
    fix_choices,
    score,
    trainee_slug,
)
from wizard.lab.scenarios import SCENARIOS, at_level

SIZE = (120, 40)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_WIZARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMTP_WIZARD_CONFIG_DIR", str(tmp_path / "config"))
    import wizard.catalog.knowledge

    monkeypatch.setattr(wizard.catalog.knowledge, "builtin_articles", lambda: [])
    return tmp_path / "data"


def test_exercises_are_numbered_per_level_and_anonymous():
    beginners = exercises(SCENARIOS, "beginner")
    assert [e.number for e in beginners] == list(range(1, len(beginners) + 1))
    assert [e.scenario for e in beginners] == list(at_level(SCENARIOS, "beginner"))
    hidden = beginners[0].anonymous()
    assert hidden.name == "exercise-1" and hidden.title == "Exercise 1"
    assert hidden.hints == () and beginners[0].scenario.name not in hidden.learn
    assert hidden.smtp == beginners[0].scenario.smtp  # the same servers run


def test_fix_choices_hold_the_right_fix_once_in_an_order_fixed_per_trainee():
    one = fix_choices("relay-denied", {"host": "h"}, seed="bob/3")
    assert len(one) == 4 and len({f.text for f in one}) == 4
    assert [f.category for f in one].count("relay-denied") == 1
    assert fix_choices("relay-denied", {"host": "h"}, seed="bob/3") == one
    orders = {tuple(f.category for f in fix_choices("relay-denied", seed=f"t{i}"))
              for i in range(10)}
    assert len(orders) > 1  # another trainee gets another order


@pytest.mark.parametrize(("category_right", "fix_right", "hints", "points"), [
    (True, True, 0, MAX_POINTS), (True, False, 0, 3), (False, True, 0, 2), (False, False, 0, 0),
    (True, True, 2, MAX_POINTS - 2), (False, True, 5, 0),
])
def test_score_counts_category_fix_and_hints(category_right, fix_right, hints, points):
    exercise = exercises(SCENARIOS)[11]
    expected = exercise.scenario.expected
    fix = Fix("x", "you", expected if fix_right else "success")
    attempt = score(exercise, expected if category_right else "success", fix, hints)
    assert (attempt.category_right, attempt.fix_right, attempt.points) == (
        category_right, fix_right, points)


def test_the_score_sheet_is_json_and_markdown_readable_by_the_trainee_only(tmp_path):
    sheet = ScoreSheet.load("Ann Lee", tmp_path)
    exercise = exercises(SCENARIOS)[0]
    sheet.record(score(exercise, "success", Fix("x", "you", "success")))
    sheet.record(score(exercise, "unknown", Fix("x", "you", "unknown")))
    assert sheet.json_path == tmp_path / "Ann-Lee.json"
    again = ScoreSheet.load("Ann Lee", tmp_path)
    assert again.attempts == sheet.attempts and again.best()[1].points == MAX_POINTS
    data = json.loads(sheet.json_path.read_text())
    assert data["total"] == MAX_POINTS and len(data["attempts"]) == 2
    markdown = sheet.markdown_path.read_text()
    assert "| 1 | healthy | beginner | success |" in markdown
    for path in (sheet.json_path, sheet.markdown_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_unreadable_sheet_is_kept_aside_not_overwritten(tmp_path):
    (tmp_path / "ann.json").write_text("{not json")
    sheet = ScoreSheet.load("ann", tmp_path)
    assert sheet.attempts == [] and sheet.note and "kept as" in sheet.note
    assert [p.name[:21] for p in tmp_path.iterdir()] == ["ann.json.unreadable-2"]


def test_trainee_names_become_safe_file_names():
    assert trainee_slug("../../etc/passwd") == "etc-passwd"
    with pytest.raises(ValueError):
        trainee_slug("../..")


def visible_text(screen) -> str:
    """Everything the trainee can read on the screen (widgets' rendered text)."""
    return "\n".join(texts(screen, "Static") + texts(screen, "Label"))


async def test_pilot_the_answer_is_hidden_until_given_and_the_score_is_recorded(data_dir):
    from screens.exercise_screen import DiagnosisScreen, ExercisePickerScreen, ExerciseRunScreen
    from screens.lab_app import LabApp

    chosen = at_level(SCENARIOS, "beginner")
    number = next(i for i, s in enumerate(chosen, start=1) if s.name == "wrong-password")
    app = LabApp(scenarios=chosen, exercise=True, trainee="ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ExercisePickerScreen)
        table = picker.query_one("#exercise-table", DataTable)
        rows = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert rows == [f"Exercise {i}" for i in range(1, len(chosen) + 1)]
        assert "wrong-password" not in visible_text(picker)
        await pilot.press(*["down"] * (number - 1), "enter")
        run = await finish_walk(pilot)
        assert isinstance(run, ExerciseRunScreen) and run.session is not None
        assert run.sub_title == f"Exercise {number}"
        shown = visible_text(run)
        assert run.session.verdict.category == "auth-failed"  # the walk itself ran
        assert "auth-failed" not in shown and "wrong-password" not in shown
        assert not run.query_one("#run-verdict").display
        assert "535" in shown  # the evidence is there
        await pilot.press("a")  # the article waits for the diagnosis
        await pilot.pause()
        assert app.screen is run
        await pilot.press("h")
        await pilot.pause()
        assert "Hint 1" in visible_text(run)
        assert isinstance(run, ExerciseRunScreen) and run.hints_used == 1
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DiagnosisScreen)
        dialog.query_one("#diagnosis-category", OptionList).highlighted = [
            c for c, _ in dialog.categories].index("auth-failed")
        await pilot.press("enter")
        dialog.query_one("#diagnosis-fix", OptionList).highlighted = next(
            i for i, f in enumerate(dialog.fixes) if f.category == "auth-failed")
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen is run and run.attempt is not None
        assert run.query_one("#run-verdict").display
        assert "Score: 4/5" in visible_text(run) and "wrong-password" in visible_text(run)
    sessions = list((data_dir / "sessions").glob("*.jsonl"))
    assert len(sessions) == 1  # one walk, under the exercise's number, not its name
    assert "wrong-password" not in sessions[0].read_text()
    saved = json.loads((data_dir / "exercises" / "ann.json").read_text())
    assert saved["attempts"][0]["scenario"] == "wrong-password"
    assert saved["attempts"][0]["points"] == MAX_POINTS - 1


async def test_pilot_history_and_the_scenario_list_stay_closed_during_exercises(data_dir):
    from screens.exercise_screen import ExercisePickerScreen
    from screens.lab_app import LabApp

    app = LabApp(scenarios=SCENARIOS, exercise=True, trainee="ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("f3", "f4"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ExercisePickerScreen)


async def test_pilot_the_lab_picker_shows_expected_verdicts_only_on_request(data_dir):
    from screens.lab_app import LabApp

    app = LabApp(scenarios=SCENARIOS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        picker = app.screen
        table = picker.query_one("#lab-table", DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert "Expected verdict" not in labels
        assert "success" not in visible_text(picker)
        await pilot.press("v")
        await pilot.pause()
        labels = [str(c.label) for c in table.columns.values()]
        assert "Expected verdict" in labels
        assert str(table.get_row_at(0)[1]) == "success"
        assert "Expected verdict: success" in visible_text(picker)


async def test_pilot_sigterm_removes_the_lab_folder_and_exits_the_tui(data_dir):
    import signal

    from screens.lab_app import LabApp
    from wizard.lab import cleanup

    app = LabApp(scenarios=SCENARIOS, scenario="healthy")
    async with app.run_test(size=SIZE) as pilot:
        run = await finish_walk(pilot)
        folder = run._lab.certs.directory
        assert folder.exists() and folder in cleanup.live_dirs()
        cleanup._on_signal(signal.SIGTERM, None)  # what the installed handler does
        assert not folder.exists()
        await pilot.pause(0.2)
    assert app.return_code == 128 + signal.SIGTERM
