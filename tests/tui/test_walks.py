"""Whole walks in the TUI against real loopback lab servers (wizard.lab), asserted on screen."""

from __future__ import annotations

import json

from textual.widgets import Button, DataTable, Input, TabbedContent

from screens.article_screen import ArticleScreen
from screens.history_screen import HistoryScreen
from screens.messages import WalkDone, WalkEvent
from screens.report_screen import ReportScreen
from screens.run_screen import RunScreen
from screens.widgets import FindingCard, StepItem
from tests.tui.tuikit import SIZE, finish_walk, make_app, texts
from wizard.walk.tree import FindingAdded, WalkFinished


def card_ids(run: RunScreen) -> list[str]:
    return [card.finding.id for card in run.query(FindingCard)]


async def test_healthy_lab_passes_every_step() -> None:
    messages: list[object] = []
    app = make_app(lab=True, scenario="healthy")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        run = await finish_walk(pilot)
        assert run.session is not None
        states = {item.step: item.state for item in run.query(StepItem)}
        assert states["connect"] == states["tls"] == states["auth"] == states["send"] == "pass"
        assert run.session.verdict.category == "success"
        headline = texts(run, "#verdict-headline")[0]
        assert "Everything checked works" in headline
        assert any(isinstance(m, WalkEvent) and isinstance(m.event, WalkFinished)
                   for m in messages)
        assert any(isinstance(m, WalkDone) and not m.cancelled for m in messages)
        # the live transcript: hidden at first, client and server lines marked, no password
        log = run.query_one("#run-transcript")
        assert not log.display
        await pilot.press("t")
        assert log.display
        lines = [strip.text for strip in log.lines]
        assert any(line.startswith("C:") and "EHLO" in line for line in lines)
        assert any(line.startswith("S:") and "250" in line for line in lines)
        assert not any("correct-horse-battery-staple" in line for line in lines)


async def test_relay_denied_shows_verdict_and_article() -> None:
    app = make_app(lab=True, scenario="relay-denied")
    async with app.run_test(size=SIZE) as pilot:
        run = await finish_walk(pilot)
        assert run.session is not None
        assert run.session.verdict.category == "relay-denied"
        assert run.query_one("#step-send", StepItem).state == "fail"
        assert "send.relay_hint" in card_ids(run)  # the diagnostic sub-step is shown
        assert "Relay access denied" in str(run.query_one("#verdict-article", Button).label)
        await pilot.click("#verdict-article")
        await pilot.pause()
        article = app.screen
        assert isinstance(article, ArticleScreen)
        assert article.article_id == "relay-denied"
        assert article.sub_title == "Relay access denied"


async def test_wrong_password_reaches_auth_failed_and_its_article() -> None:
    app = make_app(lab=True, scenario="wrong-password")
    async with app.run_test(size=SIZE) as pilot:
        run = await finish_walk(pilot)
        assert run.session is not None
        verdict = run.session.verdict
        assert verdict.category == "auth-failed"
        assert run.shown_step == "auth"
        assert "auth.login" in card_ids(run)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.article_id == "auth-failed"
        assert app.screen.sub_title == "The login was refused"


async def test_the_provider_answer_changes_the_verdict_visibly() -> None:
    # Not through the lab app: the lab is the provider and never asks (wizard.lab.seal).
    from wizard.lab.runner import Lab
    from wizard.lab.scenarios import get

    scenario = get("wrong-password")
    assert scenario is not None
    async with Lab(scenario) as lab:
        app = make_app(target=lab.target(), run_now=True)
        async with app.run_test(size=SIZE) as pilot:
            run = await finish_walk(pilot, answers={"question.provider": "gmail"})
            _provider_changed_the_verdict(run)


async def test_the_lab_never_asks_which_provider() -> None:
    from screens.messages import WalkEvent
    from wizard.walk.tree import QuestionAsked

    messages: list[object] = []
    app = make_app(lab=True, scenario="wrong-password")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        run = await finish_walk(pilot)
        assert run.session is not None and run.session.verdict.category == "auth-failed"
    assert not [m for m in messages
                if isinstance(m, WalkEvent) and isinstance(m.event, QuestionAsked)]


def _provider_changed_the_verdict(run: RunScreen) -> None:
    assert run.session is not None
    verdict = run.session.verdict
    assert verdict.category == "auth-failed"
    # Gmail + 535: the app-password article and Gmail's own next step replace the defaults
    assert verdict.articles[0] == "gmail-app-passwords"
    assert "app password" in verdict.next.next_step
    card = next(c for c in run.query(FindingCard) if c.finding.id == "auth.login")
    assert "Gmail" in card.finding.summary


async def test_closed_port_shows_the_port_probe() -> None:
    messages: list[object] = []
    app = make_app(lab=True, scenario="closed-port")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        run = await finish_walk(pilot)
        assert run.session is not None
        assert run.session.verdict.category == "connection-refused"
        assert run.shown_step == "connect"
        assert "connect.ports" in card_ids(run)
        found = [m.event.finding.id for m in messages
                 if isinstance(m, WalkEvent) and isinstance(m.event, FindingAdded)]
        assert "connect.ports" in found
        assert {run.query_one(f"#step-{s}", StepItem).state
                for s in ("tls", "auth", "send")} == {"skip"}


async def test_report_saves_copies_and_history_reopens_it(isolated) -> None:
    app = make_app(lab=True, scenario="relay-denied")
    async with app.run_test(size=SIZE) as pilot:
        await finish_walk(pilot)
        await pilot.press("r")
        await pilot.pause()
        report = app.screen
        assert isinstance(report, ReportScreen)
        target = isolated / "out"
        target.mkdir()
        report.query_one("#report-path", Input).value = str(target / "report.md")
        await pilot.press("ctrl+s")
        saved = target / "report.md"
        assert saved.read_text().startswith("# smtp-wizard report")
        assert saved.stat().st_mode & 0o777 == 0o600
        await pilot.press("ctrl+t")
        assert app.clipboard.startswith("# smtp-wizard report")
        report.query_one("#report-tabs", TabbedContent).active = "report-js"
        await pilot.pause()
        await pilot.press("ctrl+t")
        assert '"schema": 1' in app.clipboard
        assert "relay-denied" in app.clipboard
        # the session is in History; opening it shows the stored report
        await pilot.press("escape", "f3")
        await pilot.pause()
        history = app.screen
        assert isinstance(history, HistoryScreen)
        table = history.query_one("#history-table", DataTable)
        assert table.row_count == 1
        shown = str(table.get_row_at(0)[2])  # the verdict in words, not its ids
        assert shown.startswith("Problem: ") and "relay-denied" not in shown
        await pilot.press("enter")
        await pilot.pause()
        stored = app.screen
        assert isinstance(stored, ReportScreen)
        assert json.loads(stored.json)["verdict"]["category"] == "relay-denied"
        assert "relay-denied" in stored.markdown
