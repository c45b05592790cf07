"""No command-line flag in any text the TUI shows (issue 14): every finding and verdict of every
lab scenario, rendered by the TUI's own widgets, is searched for ``--``."""

from __future__ import annotations

import re
from typing import Any

from textual.app import App, ComposeResult

from screens.widgets import FindingCard, VerdictBox
from tests.tui.tuikit import make_app
from wizard.lab.runner import Lab
from wizard.lab.scenarios import SCENARIOS
from wizard.walk.tree import run_check

FLAG = re.compile(r"(?<![\w-])--[a-z]")


class Cards(App[None]):
    def __init__(self, findings, verdict) -> None:
        super().__init__()
        self.findings = findings
        self.verdict = verdict

    def compose(self) -> ComposeResult:
        yield VerdictBox(id="verdict")
        for finding in self.findings:
            yield FindingCard(finding)


def shown_text(app: App[Any]) -> str:
    out = []
    for widget in app.screen.query("Static, Button, Label"):
        visual = widget.render()
        out.append(str(getattr(visual, "plain", visual)))
    return "\n".join(out)


async def test_no_finding_or_verdict_of_any_scenario_shows_a_flag():
    checked = 0
    for scenario in SCENARIOS:
        async with Lab(scenario) as lab:
            session = await run_check(lab.target())
        verdict = session.verdict
        app = Cards(session.findings, verdict)
        async with app.run_test(size=(120, 200)) as pilot:
            by_id = {f.id: f for f in session.findings}
            await app.query_one(VerdictBox).show(
                verdict, {}, [by_id[i].title for i in verdict.inconclusive if i in by_id])
            await pilot.pause()
            text = shown_text(app)
        # every scenario's verdict ends with one next step: a sentence, who, an action
        from wizard.catalog.categories import ACTION_KINDS, WHO

        assert verdict.next.next_step.strip(), scenario.name
        assert verdict.next.who in WHO and verdict.next.action.kind in ACTION_KINDS
        flags = FLAG.findall(text)
        assert not flags, (scenario.name, [line for line in text.splitlines()
                                           if FLAG.search(line)][:5])
        checked += 1
    assert checked == len(SCENARIOS)


async def test_the_run_screen_status_and_buttons_show_no_flag():
    app = make_app(lab=True, scenario="relay-denied")
    from tests.tui.tuikit import finish_walk

    async with app.run_test(size=(80, 24)) as pilot:
        run = await finish_walk(pilot)
        text = shown_text(app)
        assert run.session is not None
    assert not FLAG.findall(text), text
