"""Snapshots of every screen at 80x24 (the main ones at 120x40 too), deterministic content only.

The Run, Report and History screens show a fixed session (``screens_fixture``): a live walk's
findings carry ports and timings, which test_walks.py asserts instead.

Regenerate after an intended change: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from tests.tui.tuikit import make_app
from wizard.model.target import Security, Target

SIZES = [(80, 24), (120, 40)]


async def steady(pilot) -> None:
    """Stop cursors blinking and drop timed notices: a slow machine must see the same."""
    await pilot.pause()
    pilot.app.clear_notifications()
    for screen in pilot.app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False
    await pilot.pause()
FORM = Target(host="smtp.example.com", port=587, security=Security.STARTTLS,
              user="alice@example.com", mail_from="alice@example.com",
              rcpt_to="bob@example.org")


@pytest.mark.parametrize("size", SIZES)
def test_target_form(snap_compare, size) -> None:
    assert snap_compare(make_app(target=FORM), terminal_size=size, run_before=steady)


def test_target_form_with_errors(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#f-port").value = "99999"
        screen.query_one("#f-rcpt_to").value = "bob"
        await pilot.press("ctrl+r")
        await steady(pilot)

    assert snap_compare(make_app(target=FORM), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_lab_picker(snap_compare, size) -> None:
    assert snap_compare(make_app(lab=True), terminal_size=size, run_before=steady)


@pytest.mark.parametrize("size", SIZES)
def test_explain(snap_compare, size) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("f2")
        pilot.app.screen.query_one("#explain-input").text = "550 5.1.1 <bbo@lab.test>: User unknown"
        await pilot.press("ctrl+r")
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_article(snap_compare, size) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.open_article("relay-denied")
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_help(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["f1"], run_before=steady)


@pytest.mark.parametrize("size", SIZES)
def test_run_with_verdict_and_next_step(snap_compare, size) -> None:
    from tests.tui.screens_fixture import failing_session

    async def run_before(pilot) -> None:
        from screens.run_screen import RunScreen

        await pilot.app.push_screen(RunScreen(replay=failing_session()))
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_report_as_a_ticket(snap_compare) -> None:
    from tests.tui.screens_fixture import failing_session

    async def run_before(pilot) -> None:
        pilot.app.open_report(failing_session())
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_history(snap_compare, isolated, monkeypatch) -> None:
    import time

    from tests.tui.screens_fixture import write_history

    monkeypatch.setenv("TZ", "UTC")  # History shows local time: pin the zone
    time.tzset()

    write_history(isolated / "data" / "sessions")
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["f3"], run_before=steady)


def test_question_provider(snap_compare) -> None:
    async def run_before(pilot) -> None:
        from screens.question_screen import QuestionScreen
        from wizard.walk.tree import QUESTIONS

        await pilot.app.push_screen(QuestionScreen(QUESTIONS["question.provider"]))
        await steady(pilot)

    assert snap_compare(make_app(target=FORM), terminal_size=(80, 24), run_before=run_before)


def test_ask_for_the_password(snap_compare) -> None:
    async def run_before(pilot) -> None:
        from screens.ask_screen import AskScreen

        await pilot.app.push_screen(AskScreen(
            ["password"], "Password of alice@example.com (never saved, never shown):", FORM))
        await steady(pilot)

    assert snap_compare(make_app(target=FORM), terminal_size=(80, 24), run_before=run_before)


def test_confirm_before_sending(snap_compare) -> None:
    async def run_before(pilot) -> None:
        from screens.confirm_screen import ConfirmScreen

        await pilot.app.push_screen(ConfirmScreen(
            "Send one real test message from alice@example.com to bob@example.org?",
            "Send it", "Test without sending"))
        await steady(pilot)

    assert snap_compare(make_app(target=FORM), terminal_size=(80, 24), run_before=run_before)


def test_headers_screen(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["f5"], run_before=steady)


def test_target_more_options(snap_compare) -> None:
    async def run_before(pilot) -> None:
        from textual.widgets import Collapsible

        await pilot.pause()
        pilot.app.screen.query_one("#target-more", Collapsible).collapsed = False
        await steady(pilot)

    assert snap_compare(make_app(target=FORM), terminal_size=(80, 24), run_before=run_before)


def test_exercise_picker(snap_compare) -> None:
    from pathlib import Path

    from screens.lab_app import LabApp
    from tests.tui.tuikit import ARTICLES
    from wizard.lab.scenarios import SCENARIOS

    app = LabApp(scenarios=SCENARIOS[:6], exercise=True, trainee="sam",
                 knowledge_dirs=[str(ARTICLES)], score_folder=Path("scores"))  # shown: fixed
    assert snap_compare(app, terminal_size=(80, 24), run_before=steady)



def test_diagnosis_dialog(snap_compare) -> None:
    """The exercise's diagnosis at 80x24: rows of both lists and the buttons visible."""
    async def run_before(pilot) -> None:
        from screens.exercise_screen import DiagnosisScreen
        from wizard.lab.exercise import category_choices, fix_choices

        fixes = fix_choices("auth-failed", {}, seed="sam/12")
        await pilot.app.push_screen(DiagnosisScreen("Exercise 12", category_choices(), fixes))
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_escape_on_the_first_screen_asks_to_quit(snap_compare) -> None:
    assert snap_compare(make_app(lab=True), terminal_size=(80, 24), press=["escape"],
                        run_before=steady)
