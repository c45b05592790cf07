"""The other screens: target form validation and profiles, explain, history, help, palette."""

from __future__ import annotations

import asyncio
import tomllib

import pytest
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Button, DataTable, Input, Select, Static, TextArea

from screens.article_screen import ArticleScreen
from screens.explain_screen import ExplainScreen
from screens.help_screen import HelpScreen
from screens.lab_screen import LabPickerScreen
from screens.target_screen import TargetScreen
from tests.tui.tuikit import SIZE, finish_walk, make_app, texts
from wizard.model.target import Target


async def test_without_a_host_the_target_form_opens() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TargetScreen)


async def test_lab_without_scenario_opens_the_picker() -> None:
    app = make_app(lab=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LabPickerScreen)
        table = app.screen.query_one("#lab-table", DataTable)
        assert table.row_count >= 20
        assert "healthy" in str(table.get_row_at(0)[0])


async def test_lab_picker_starts_the_chosen_scenario_and_back_stops_it(isolated) -> None:
    app = make_app(lab=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the first row: healthy
        run = await finish_walk(pilot)
        assert run.session is not None
        assert run.scenario.name == "healthy"
        assert run.session.verdict.category == "success"
        assert run._lab is not None
        port = run._lab.port
        await pilot.press("ctrl+r")  # re-run against the same lab servers
        run = await finish_walk(pilot)
        assert run._lab.port == port
        assert len(list((isolated / "data" / "sessions").glob("*.jsonl"))) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert run._lab is None
        assert isinstance(app.screen, LabPickerScreen)
        with pytest.raises(OSError):  # the lab's servers are stopped
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()


async def test_field_errors_are_shown_under_each_field() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#f-host", Input).value = "bad host!"
        screen.query_one("#f-port", Input).value = "99999"
        screen.query_one("#f-mail_from", Input).value = "no-at-sign"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, TargetScreen)  # not started
        errors = {w.id: str(w.content) for w in screen.query(".target-error").results(Static)
                  if w.display}
        assert "invalid host name" in errors["e-host"]
        assert "out of range" in errors["e-port"]
        assert "expected name@domain" in errors["e-mail_from"]
        assert "e-rcpt_to" not in errors


async def test_profiles_are_saved_without_the_password(isolated) -> None:
    app = make_app(target=Target(host="smtp.example.com", port=587))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#f-user", Input).value = "me@example.com"
        screen.query_one("#f-password", Input).value = "hunter2-secret"
        screen.query_one("#profile-name", Input).value = "work"
        await pilot.press("ctrl+s")
        await pilot.pause()
    path = isolated / "config" / "profiles.toml"
    text = path.read_text()
    assert "hunter2" not in text
    assert path.stat().st_mode & 0o777 == 0o600
    assert tomllib.loads(text)["profiles"]["work"]["host"] == "smtp.example.com"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#profile-select", Select).value = "work"
        await pilot.pause()
        assert screen.query_one("#f-host", Input).value == "smtp.example.com"
        assert screen.query_one("#f-user", Input).value == "me@example.com"
        assert screen.query_one("#f-password", Input).value == ""


async def test_explain_a_pasted_error_shows_category_and_article() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        screen = app.screen
        assert isinstance(screen, ExplainScreen)
        screen.query_one("#explain-input", TextArea).text = "550 5.1.1 User unknown"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert screen.category == "recipient-unknown"
        shown = texts(screen, "#explain-category")[0]
        assert "The recipient mailbox does not exist" in shown
        assert "recipient-unknown" not in shown  # words, not the id
        assert "permanent" in texts(screen, "#explain-class")[0]
        await pilot.click(".article-button")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.sub_title == "The recipient does not exist"


async def test_explain_shows_markup_literally() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        screen = app.screen
        screen.query_one("#explain-input", TextArea).text = \
            "550 5.7.1 [b]relay[/b] denied [link=x]y\x1b[2J"
        await pilot.press("ctrl+r")
        await pilot.pause()
        reason = texts(screen, "#explain-reason")[0]
        assert "\x1b" not in reason


async def test_article_links_back_and_forward() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_article("relay-denied")
        await pilot.pause()
        article = app.screen
        assert isinstance(article, ArticleScreen)
        await article.go("choosing-the-port")
        assert article.sub_title == "Choosing the port"
        await pilot.press("b")
        assert article.article_id == "relay-denied"
        await pilot.press("f")
        assert article.article_id == "choosing-the-port"


async def test_help_lists_the_screen_keys_with_tooltips() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = texts(app.screen, "#help-keys")[0]
        assert "Run checks" in keys and "never the password" in keys
        assert "Explain" in keys  # the app's keys too
        await pilot.press("escape")
        assert isinstance(app.screen, TargetScreen)


async def test_every_binding_has_an_id_and_a_tooltip() -> None:
    import screens.app as app_module
    from screens import (
        article_screen,
        explain_screen,
        help_screen,
        history_screen,
        lab_screen,
        question_screen,
        report_screen,
        run_screen,
        target_screen,
    )

    classes: list[type[DOMNode]] = [
        app_module.WizardApp, article_screen.ArticleScreen, explain_screen.ExplainScreen,
        help_screen.HelpScreen, history_screen.HistoryScreen, lab_screen.LabPickerScreen,
        question_screen.QuestionScreen, report_screen.ReportScreen, run_screen.RunScreen,
        target_screen.TargetScreen]
    for cls in classes:
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding), (cls.__name__, binding)
            assert binding.id and binding.tooltip, (cls.__name__, binding)


async def test_palette_finds_articles_and_actions() -> None:
    from screens.commands import ActionCommands, ArticleCommands

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        provider = ArticleCommands(app.screen)
        hits = [hit async for hit in provider.search("relay")]
        assert any("Relay access denied" in str(hit.prompt) for hit in hits)
        body_hits = [hit async for hit in provider.search("typos")]
        assert any("recipient does not exist" in str(hit.prompt) for hit in body_hits)
        actions = [hit async for hit in ActionCommands(app.screen).search("explain")]
        assert actions
        actions[0].command()
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen)


async def test_run_now_opens_the_run_screen_directly() -> None:
    target = Target(host="127.0.0.1", port=1, timeout=1.0, dns=False, probe_ports=(1,))
    app = make_app(target=target, run_now=True)
    async with app.run_test(size=SIZE) as pilot:
        run = await finish_walk(pilot)
        assert run.session is not None
        assert run.session.verdict.status.failed
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TargetScreen)
        assert app.screen.query_one("#f-host", Input).value == "127.0.0.1"


async def test_edit_target_from_run_reruns_with_the_change() -> None:
    target = Target(host="127.0.0.1", port=1, timeout=1.0, dns=False, probe_ports=(1,))
    app = make_app(target=target, run_now=True)
    async with app.run_test(size=SIZE) as pilot:
        run = await finish_walk(pilot)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TargetScreen) and form.edit
        form.query_one("#f-port", Input).value = "2"
        await pilot.press("ctrl+r")
        run = await finish_walk(pilot)
        assert run.session is not None
        assert app.screen is run
        assert run.target is not None and run.target.port == 2
        assert run.session.target.port == 2
        assert run.sub_title == "127.0.0.1:2"


async def test_a_crashing_walk_becomes_a_notice(monkeypatch) -> None:
    import screens.run_screen

    async def broken_walk(*args, **kwargs):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    monkeypatch.setattr(screens.run_screen, "walk", broken_walk)
    target = Target(host="127.0.0.1", port=1, dns=False)
    app = make_app(target=target, run_now=True)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("boom" in str(n.message) for n in app._notifications)
        assert "internal error" in texts(app.screen, "#run-status")[0]


def test_the_built_in_knowledge_base_loads_for_the_screens(monkeypatch) -> None:
    from screens.kb import Knowledge

    monkeypatch.undo()  # the real built-in articles, not the test ones
    knowledge = Knowledge()
    assert knowledge.error is None
    if not knowledge.all():
        pytest.skip("no built-in articles yet")
    for category in ("relay-denied", "auth-failed", "connection-refused", "recipient-unknown"):
        assert knowledge.get(category) is not None, category


async def test_hostile_server_text_is_shown_literally() -> None:
    from textual.app import App

    from screens.widgets import FindingCard
    from wizard.model.findings import Finding, Reply, Status, Step

    finding = Finding("send.rcpt_to", Step.SEND, Status.FAIL, "[b]bold[/b] [link=x]click[/link]",
                      "[red]not red\x1b]52;c;ZXZpbA==\x07", reply=Reply(550, "5.7.1", "[/]\x1b[2J"),
                      category="relay-denied")

    class One(App[None]):
        def compose(self):
            yield FindingCard(finding, "[i]title")

    async with One().run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        text = texts(pilot.app.screen, ".finding-text")[0]
        assert "[b]bold[/b] [link=x]click[/link]" in text
        assert "[red]not red\\x1b]52;c;ZXZpbA==\\x07" in text
        assert "\x1b" not in text
        assert "[i]title" in str(pilot.app.screen.query_one(".article-button", Button).label)


async def test_keys_can_be_remapped_by_binding_id(isolated) -> None:
    (isolated / "config").mkdir()
    (isolated / "config" / "keymap.toml").write_text('[keymap]\n"app.explain" = "f9"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, ExplainScreen)
