"""A sealed exercise: nothing reveals the verdict before scoring, and the target stays on the lab.

Real lab servers on loopback, the real TUI under Pilot; the rules themselves are in
:mod:`wizard.lab.seal` and are checked directly too.
"""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from tests.tui.tuikit import finish_walk, texts
from wizard.lab.runner import Lab
from wizard.lab.scenarios import SCENARIOS, get
from wizard.lab.seal import SEALED_ACTIONS, Seal
from wizard.model.target import Security

SIZE = (80, 24)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_WIZARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMTP_WIZARD_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "data"


async def test_the_seal_refuses_every_revealing_action_until_scored():
    scenario = get("wrong-password")
    assert scenario is not None
    async with Lab(scenario) as lab:
        seal = Seal.for_lab(lab, exercise=True)
        for action in SEALED_ACTIONS:
            assert seal.refusal(action), action
        assert seal.refusal("rerun") is None
        seal.score()
        assert all(seal.refusal(action) is None for action in SEALED_ACTIONS)
        plain = Seal.for_lab(lab)
        assert plain.refusal("apply") is None and not plain.asks()


async def test_the_target_cannot_leave_the_lab_server():
    scenario = get("closed-port")
    assert scenario is not None
    async with Lab(scenario) as lab:
        seal = Seal.for_lab(lab, exercise=True)
        home = seal.home
        away, note = seal.keep_on_lab(home.with_changes(port=587, security=Security.TLS))
        assert note and away.host == home.host and away.port == home.port
        assert away.security is Security.TLS  # the other change is kept
        elsewhere, note = seal.keep_on_lab(home.with_changes(host="192.0.2.1"))
        assert note and elsewhere.host == home.host
        assert lab.helper is not None  # the working server of this scenario is the lab too
        helper, note = seal.keep_on_lab(home.with_changes(port=lab.helper.port))
        assert note is None and helper.port == lab.helper.port


async def test_your_setup_names_the_address_user_and_password_given():
    scenario = get("wrong-password")
    assert scenario is not None
    async with Lab(scenario) as lab:
        rows = dict(Seal.for_lab(lab, exercise=True).setup())
    assert rows["Address"] == "alice@lab.test" and rows["User"] == "alice@lab.test"
    assert rows["Password"] == "correct-horse-battery-stapel"  # what the trainee was given


def asked(messages: list[object]) -> list[str]:
    """The questions the walk put to the person, from the messages the app saw."""
    from screens.messages import WalkEvent
    from wizard.walk.tree import QuestionAsked

    return [m.event.question.id for m in messages
            if isinstance(m, WalkEvent) and isinstance(m.event, QuestionAsked)]


def _exercise(name: str) -> int:
    return next(i for i, s in enumerate(SCENARIOS, start=1) if s.name == name)


async def test_pilot_no_key_or_palette_entry_reveals_the_answer_before_scoring(data_dir):
    from screens.commands import ActionCommands, ArticleCommands
    from screens.exercise_screen import DiagnosisScreen, ExerciseRunScreen
    from screens.lab_app import LabApp

    app = LabApp(scenarios=SCENARIOS, exercise=True, trainee="ann")
    seen: list[object] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await pilot.pause()
        await pilot.press(*["down"] * (_exercise("wrong-password") - 1), "enter")
        run = await finish_walk(pilot, answers={})
        assert isinstance(run, ExerciseRunScreen) and run.seal is not None
        home = run.seal.home
        footer_keys = {b.binding.action for b in app.active_bindings.values()
                       if b.node is run and b.enabled}
        assert not footer_keys & {"apply", "article", "report", "edit"}
        for key in ("x", "a", "r", "e", "f2", "f3", "f4"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is run, key
        run.action_apply()  # even called directly (a button, the palette)
        run.action_report()
        run.action_article()
        await pilot.pause()
        assert app.screen is run
        assert "Your setup" in "\n".join(texts(run, "Static"))
        assert "correct-horse-battery-stapel" in "\n".join(texts(run, "Static"))

        actions = ActionCommands(run)
        names = [hit.text for hit in [h async for h in actions.discover()]]
        assert "Re-run the checks" in names
        assert not {"Do the next step", "Export the report", "Explain an error",
                    "Session history", "Open the lab"} & set(names)
        articles = ArticleCommands(run)
        assert [h async for h in articles.search("535 authentication")] == []

        await pilot.press("ctrl+r")
        run = await finish_walk(pilot)
        assert isinstance(run, ExerciseRunScreen) and run.target is not None
        assert (run.target.host, run.target.port) == (home.host, home.port)

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
        assert app.screen is run and run.attempt is not None and run.seal is not None
        assert run.seal.refusal("apply") is None
        names = [hit.text for hit in [h async for h in ActionCommands(run).discover()]]
        assert "Do the next step" in names and "Export the report" in names
        await pilot.press("r")  # after scoring everything opens
        await pilot.pause()
        assert app.screen is not run
    assert asked(seen) == []  # the lab never asks which provider


async def test_pilot_a_passing_exercise_asks_no_question_meant_for_a_real_user(data_dir):
    from screens.lab_app import LabApp

    app = LabApp(scenarios=SCENARIOS, exercise=True, trainee="ann")
    seen: list[object] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await pilot.pause()
        await pilot.press(*["down"] * (_exercise("healthy") - 1), "enter")
        run = await finish_walk(pilot)
        assert run.session is not None and run.session.verdict.category == "success"
    assert asked(seen) == []
