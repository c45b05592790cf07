"""Every screen and dialog at 80x24, reached by its keys: nothing cut, no widget off the screen,
every key hint in the footer, lists showing rows (the region check of ``fit.py``).

A second part replays the recorded verdict of every lab scenario (tests/lab/data/golden) on the
Run screen with the real articles, so long article titles and next steps are covered too; a
third walks a real exercise (lab servers on 127.0.0.1) through the diagnosis dialog.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Collapsible, Footer, Input, TextArea

from tests.tui.fit import cuts
from tests.tui.tuikit import finish_walk, make_app
from wizard.model.target import Security, Target

SIZE = (80, 24)
GOLDEN = Path(__file__).resolve().parents[1] / "lab" / "data" / "golden"
FORM = Target(host="smtp.example.com", port=587, security=Security.STARTTLS,
              user="alice@example.com", mail_from="alice@example.com",
              rcpt_to="bob@example.org")
BOUNCE = """\
From: MAILER-DAEMON@mx.example.org
To: alice@example.com
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="b"
MIME-Version: 1.0

--b
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; bob@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown
--b--
"""


async def fits(pilot, what: str) -> None:
    await pilot.pause()
    problems = cuts(pilot.app.screen)
    assert problems == [], f"{what} at 80x24:\n" + "\n".join(problems)


# ------------------------------------------------------------------ the checker can fail


class TooWide(App[None]):
    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Button("A button label far too long for a terminal of eighty columns, "
                         "so it has to be cut at the side of the screen", compact=True)
        yield Footer()


async def test_the_region_check_finds_a_button_cut_at_the_side():
    async with TooWide().run_test(size=SIZE) as pilot:
        await pilot.pause()
        problems = cuts(pilot.app.screen)
    assert len(problems) == 1 and "cut at the side" in problems[0]


# ------------------------------------------------------------------ every screen by its keys


async def test_the_first_screen_and_what_its_keys_open_fit():
    """The target form (plain, More options, errors), then F1..F5 from it, each closed by
    escape back to the form."""
    from screens.target_screen import TargetScreen

    async with make_app(target=FORM).run_test(size=SIZE) as pilot:
        await fits(pilot, "the target form")
        form = pilot.app.screen
        form.query_one("#target-more", Collapsible).collapsed = False
        await fits(pilot, "the target form with More options")
        form.query_one("#f-port", Input).value = "99999"
        await pilot.press("ctrl+r")
        await fits(pilot, "the target form with an error")
        form.query_one("#f-port", Input).value = "587"
        for key, what in (("f1", "Help"), ("f2", "Explain"), ("f3", "History"),
                          ("f4", "Lab picker"), ("f5", "Headers")):
            await pilot.press(key)
            await pilot.pause()
            assert pilot.app.screen is not form, what
            await fits(pilot, what)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(pilot.app.screen, TargetScreen), what


async def test_explain_with_its_result_fits():
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        pilot.app.screen.query_one("#explain-input", TextArea).text = (
            "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown")
        await pilot.press("ctrl+r")
        await pilot.app.workers.wait_for_complete()
        await fits(pilot, "Explain with a result")


async def test_headers_with_a_bounce_explained_fits():
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        pilot.app.screen.query_one("#headers-input", TextArea).text = BOUNCE
        await pilot.press("ctrl+r")
        await pilot.app.workers.wait_for_complete()
        await fits(pilot, "Headers with a bounce")


async def test_history_with_sessions_and_its_report_fit(isolated):
    from screens.report_screen import ReportScreen
    from tests.tui.screens_fixture import write_history

    write_history(isolated / "data" / "sessions")
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await fits(pilot, "History")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReportScreen)
        await fits(pilot, "a report opened from History")
        await pilot.press("escape", "delete")
        await fits(pilot, "History's delete question")


async def test_the_lab_picker_with_answers_shown_fits():
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("f4", "v")
        await fits(pilot, "the lab picker with the expected verdicts")


async def test_the_run_screen_and_what_its_keys_open_fit():
    from screens.article_screen import ArticleScreen
    from screens.report_screen import ReportScreen
    from screens.run_screen import RunScreen
    from screens.target_screen import TargetScreen
    from tests.tui.screens_fixture import failing_session, passing_session

    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.app.push_screen(RunScreen(replay=passing_session()))
        await fits(pilot, "a passing run")
        await pilot.press("escape")
        await pilot.app.push_screen(RunScreen(replay=failing_session()))
        await fits(pilot, "a failing run")
        run = pilot.app.screen
        await pilot.press("t")
        await fits(pilot, "a failing run with its transcript")
        for key, screen in (("r", ReportScreen), ("e", TargetScreen), ("a", ArticleScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(pilot.app.screen, screen), key
            await fits(pilot, screen.__name__)
            await pilot.press("escape")
            await pilot.pause()
            assert pilot.app.screen is run


async def test_every_question_and_small_dialog_fits():
    from screens.ask_screen import AskScreen
    from screens.confirm_screen import ConfirmScreen
    from screens.question_screen import QuestionScreen
    from wizard.walk.tree import QUESTIONS

    async with make_app(target=FORM).run_test(size=SIZE) as pilot:
        for question in QUESTIONS.values():
            await pilot.app.push_screen(QuestionScreen(question))
            await fits(pilot, question.id)
            await pilot.press("escape")
        await pilot.app.push_screen(AskScreen(
            ["user", "password"], "Fill in, then the checks run again:", FORM))
        await fits(pilot, "the ask dialog")
        await pilot.press("escape")
        await pilot.app.push_screen(ConfirmScreen(
            "Send one real test message from alice@example.com to bob@example.org?",
            "Send it", "Test without sending"))
        await fits(pilot, "the send question")


# ------------------------------------------------------------------ every lab verdict


async def test_every_lab_verdict_fits_on_the_run_screen(monkeypatch):
    """The recorded session of each lab scenario, with the real articles' titles."""
    import wizard.catalog.knowledge
    from screens.app import WizardApp
    from screens.run_screen import RunScreen
    from wizard.records.history import session_from_report

    monkeypatch.undo()  # the real articles: their long titles are what must fit
    goldens = sorted(GOLDEN.glob("*.json"))
    assert len(goldens) >= 40
    assert wizard.catalog.knowledge.builtin_articles()
    problems: list[str] = []
    async with WizardApp().run_test(size=SIZE) as pilot:
        for path in goldens:
            session = session_from_report(json.loads(path.read_text(encoding="utf-8")))
            run = RunScreen(replay=session)
            await pilot.app.push_screen(run)
            for _ in range(100):  # the replay renders after the first refresh
                await pilot.pause(0.02)
                if run.session is not None and run.query_one("#run-verdict").display:
                    break
            await pilot.pause()
            problems += [f"{path.stem}: {p}" for p in cuts(pilot.app.screen)]
            await pilot.app.pop_screen()
    assert problems == [], "\n".join(problems)


# ------------------------------------------------------------------ an exercise, for real


@pytest.mark.parametrize("scenario", ["wrong-password", "cert-wrong-name"])
async def test_an_exercise_its_diagnosis_and_the_reveal_fit(scenario):
    from textual.widgets import OptionList

    from screens.exercise_screen import DiagnosisScreen, ExerciseRunScreen
    from screens.lab_app import LabApp
    from wizard.lab.scenarios import SCENARIOS

    number = [s.name for s in SCENARIOS].index(scenario) + 1
    app = LabApp(scenarios=SCENARIOS, exercise=True, trainee="ann")
    async with app.run_test(size=SIZE) as pilot:
        await fits(pilot, "the exercise picker")
        await pilot.press(*["down"] * (number - 1), "enter")
        run = await finish_walk(pilot)
        await fits(pilot, "an exercise before the diagnosis")
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DiagnosisScreen)
        await fits(pilot, "the diagnosis dialog")
        rows = dialog.query_one("#diagnosis-category", OptionList)
        assert rows.scrollable_content_region.height >= 3
        await pilot.press("enter")
        await fits(pilot, "the diagnosis dialog with a category picked")
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen is run and isinstance(run, ExerciseRunScreen)
        assert run.attempt is not None
        await fits(pilot, "an exercise after scoring")


# ------------------------------------------------------------------ leaving


async def test_q_quits_the_first_screen_and_escape_asks_first():
    from screens.confirm_screen import ConfirmScreen
    from screens.lab_screen import LabPickerScreen

    async with make_app(lab=True).run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await fits(pilot, "the quit question")
        await pilot.press("escape")  # no: stay
        await pilot.pause()
        assert isinstance(pilot.app.screen, LabPickerScreen)
        footer = {b.binding.key for b in pilot.app.active_bindings.values()
                  if b.binding.show and b.enabled}
        assert "q" in footer
        await pilot.press("q")
        await pilot.pause()
        assert pilot.app.return_code is not None or not pilot.app.is_running


async def test_q_types_in_the_target_form_and_ctrl_q_is_shown():
    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert pilot.app.is_running
        assert pilot.app.screen.query_one("#f-host", Input).value == "q"
        shown = {b.binding.key for b in pilot.app.active_bindings.values() if b.binding.show}
        assert "ctrl+q" in shown


async def test_q_does_not_quit_a_screen_opened_on_top():
    from screens.lab_screen import LabPickerScreen

    async with make_app().run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(pilot.app.screen, LabPickerScreen)
        await pilot.press("q")
        await pilot.pause()
        assert pilot.app.is_running and isinstance(pilot.app.screen, LabPickerScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, LabPickerScreen)
