"""The TUI as a guided conversation (issue 14): it asks for what is missing, offers every option,
and ends with one action a key carries out. Real lab servers throughout."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Button, Checkbox, DataTable, Input, Select

from screens.ask_screen import AskScreen
from screens.confirm_screen import ConfirmScreen
from screens.history_screen import HistoryScreen
from screens.report_screen import ReportScreen
from screens.run_screen import RunScreen
from screens.target_screen import TargetScreen
from tests.conftest import builtin_scenario
from tests.tui.screens_fixture import failing_session, write_history
from tests.tui.tuikit import SIZE, finish_walk, make_app
from wizard.lab.runner import Lab
from wizard.lab.smtp_server import LAB_PASSWORD
from wizard.model.findings import Status


async def wait_for_screen(pilot, kind, timeout: float = 10.0):
    async def loop():
        while not isinstance(pilot.app.screen, kind):
            await pilot.pause(0.02)
        return pilot.app.screen

    return await asyncio.wait_for(loop(), timeout)


async def test_a_profile_without_its_password_asks_for_it_and_logs_in() -> None:
    async with Lab(builtin_scenario("healthy")) as lab:
        target = lab.target(dns=False).with_changes(password=None)  # as a profile loads it
        app = make_app(target=target, run_now=True)
        async with app.run_test(size=SIZE) as pilot:
            ask = await wait_for_screen(pilot, AskScreen)
            assert ask.fields == ["password"]
            ask.query_one("#ask-password", Input).value = LAB_PASSWORD
            await pilot.click("#ask-ok")
            run = await finish_walk(pilot)
            assert run.session is not None
            login = next(f for f in run.session.findings if f.id == "auth.login")
            assert login.status is Status.PASS


async def test_relay_denied_x_asks_for_the_login_and_the_rerun_passes() -> None:
    app = make_app(lab=True, scenario="relay-denied")
    async with app.run_test(size=SIZE) as pilot:
        run = await finish_walk(pilot)
        assert run.session is not None and run.session.verdict.category == "relay-denied"
        await pilot.press("x")
        ask = await wait_for_screen(pilot, AskScreen)
        assert ask.fields == ["user", "password"]
        ask.query_one("#ask-user", Input).value = "alice@lab.test"
        ask.query_one("#ask-password", Input).value = LAB_PASSWORD
        await pilot.click("#ask-ok")
        await pilot.pause()
        run = await finish_walk(pilot)
        assert run.session is not None
        assert run.session.verdict.status is Status.PASS, run.session.verdict


async def test_sending_not_tested_is_offered_and_x_adds_the_addresses() -> None:
    async with Lab(builtin_scenario("healthy")) as lab:
        target = lab.target(dns=False, mail_from=None, rcpt_to=None)
        app = make_app(target=target, run_now=True)
        async with app.run_test(size=SIZE) as pilot:
            run = await finish_walk(pilot)
            assert run.session is not None
            verdict = run.session.verdict
            assert any(u.startswith("sending") for u in verdict.untested)
            await pilot.press("x")
            ask = await wait_for_screen(pilot, AskScreen)
            ask.query_one("#ask-mail_from", Input).value = "alice@lab.test"
            ask.query_one("#ask-rcpt_to", Input).value = "bob@lab.test"
            await pilot.click("#ask-ok")
            await pilot.pause()
            run = await finish_walk(pilot)
            assert run.session is not None
            assert any(f.id == "send.rcpt_to" and f.status is Status.PASS
                       for f in run.session.findings)


async def test_sending_a_real_message_asks_first_and_no_means_no() -> None:
    async with Lab(builtin_scenario("healthy")) as lab:
        app = make_app(target=lab.target(dns=False, send=True), run_now=True)
        async with app.run_test(size=SIZE) as pilot:
            confirm = await wait_for_screen(pilot, ConfirmScreen)
            assert "Send one real test message" in confirm.question
            await pilot.click("#confirm-no")
            run = await finish_walk(pilot)
            assert run.target is not None and run.target.send is False
            assert lab.smtp is not None and not getattr(lab.smtp, "delivered", [])


async def test_a_preset_fills_host_port_and_security() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TargetScreen)
        select = screen.query_one("#f-preset", Select)
        gmail = next(value for label, value in screen_presets() if label.startswith("Gmail"))
        select.value = gmail
        await pilot.pause()
        assert screen.query_one("#f-host", Input).value == "smtp.gmail.com"
        assert screen.query_one("#f-port", Input).value == "587"
        assert screen.query_one("#f-security", Select).value == "starttls"
        assert "Gmail" in screen.query_one("#f-user", Input).placeholder


def screen_presets() -> list[tuple[str, str]]:
    from screens.target_screen import preset_options

    return preset_options()


async def test_every_cli_option_is_in_the_form() -> None:
    from wizard.model.target import TARGET_FIELDS

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        for spec in TARGET_FIELDS:
            if spec.form and spec.flag is not None:
                assert screen.query(f"#f-{spec.name}"), f"{spec.flag} has no field in the form"


async def test_dns_only_mode_checks_a_domain_without_a_server() -> None:
    async with Lab(builtin_scenario("healthy")) as lab:
        nameserver = "{}:{}".format(*lab.target().nameservers[0])
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            screen.query_one("#f-dns-only", Checkbox).value = True
            screen.query_one("#f-domain", Input).value = "lab.test"
            screen.query_one("#f-nameservers", Input).value = nameserver
            screen.query_one("#f-blocklists", Checkbox).value = False
            await pilot.click("#target-run")
            run = await finish_walk(pilot)
            assert run.target is not None and run.target.host is None
            assert run.sub_title == "DNS of lab.test"
            assert run.session is not None
            steps = {f.step.value for f in run.session.findings}
            assert steps == {"dns"}


async def test_saving_the_report_never_overwrites_without_a_yes(isolated: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_report(failing_session())
        await pilot.pause()
        report = app.screen
        assert isinstance(report, ReportScreen)
        existing = isolated / "ticket.md"
        existing.write_text("keep me")
        report.query_one("#report-path", Input).value = str(existing)
        await pilot.click("#report-save")
        confirm = await wait_for_screen(pilot, ConfirmScreen)
        assert "Replace it?" in confirm.question
        await pilot.click("#confirm-no")
        await pilot.pause()
        assert existing.read_text() == "keep me"
        await pilot.click("#report-save")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#confirm-yes")
        await pilot.pause()
        assert existing.read_text().startswith("# smtp-wizard report")
        assert "**Tell the caller:**" in existing.read_text()


async def test_copying_the_report_also_writes_a_file(isolated: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_report(failing_session())
        await pilot.pause()
        await pilot.click("#report-copy")
        await pilot.pause()
    copies = list((isolated / "data" / "copies").glob("*report.md"))
    assert len(copies) == 1 and "Next step (you)" in copies[0].read_text()


async def test_history_searches_deletes_and_runs_again(isolated: Path) -> None:
    folder = isolated / "data" / "sessions"
    write_history(folder)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        history = await wait_for_screen(pilot, HistoryScreen)
        table = history.query_one("#history-table", DataTable)
        assert table.row_count == 2
        history.query_one("#history-search", Input).value = "tls-mode-mismatch"
        await pilot.pause()
        assert table.row_count == 1
        detail = str(history.query_one("#history-verdict").render())
        assert "Set your mail client's security" in detail  # the next step, in full
        await pilot.press("delete")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#confirm-yes")
        await pilot.pause()
        assert len(list(folder.glob("*.jsonl"))) == 1
        history.query_one("#history-search", Input).value = ""
        await pilot.pause()
        history.query_one("#history-table", DataTable).focus()
        await pilot.press("ctrl+r")  # run the remaining session's target again
        ask = await wait_for_screen(pilot, AskScreen)  # the password is asked again
        assert ask.fields == ["password"]
        await pilot.press("escape")


async def test_the_article_links_are_buttons_reached_with_tab() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.open_article("relay-denied")
        await pilot.pause()
        links = [b for b in app.screen.query(Button) if "article-link" in b.classes]
        assert links, "no link buttons under the article"
        for _ in range(12):
            if app.focused in links:
                break
            await pilot.press("tab")
        assert app.focused in links


async def test_the_run_screen_replays_a_finished_session_with_its_action() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(RunScreen(replay=failing_session()))
        await pilot.pause()
        await pilot.pause()
        button = app.screen.query_one("#verdict-action", Button)
        assert "security SSL/TLS" in str(button.label)


async def test_no_key_means_two_things_on_one_screen() -> None:
    from textual.binding import Binding

    import screens
    from screens.app import WizardApp

    app_keys = {b.key for b in WizardApp.BINDINGS if isinstance(b, Binding)}

    for path in Path(screens.__file__).parent.glob("*_screen.py"):
        module = __import__(f"screens.{path.stem}", fromlist=["x"])
        for value in vars(module).values():
            bindings = getattr(value, "BINDINGS", None)
            if not isinstance(value, type) or bindings is None or value.__module__ != \
                    module.__name__:
                continue
            assert all(isinstance(b, Binding) for b in bindings), value.__name__
            keys = [k for b in bindings for k in b.key.split(",")]
            assert len(keys) == len(set(keys)), (value.__name__, keys)
            # an app key may only be reused to close the screen it opened (f1 toggles Help)
            reused = {k for b in bindings for k in b.key.split(",")
                      if k in app_keys and b.action != "close"}
            assert not reused, (value.__name__, reused)


async def test_explain_says_what_to_do_now_and_does_it(isolated: Path) -> None:
    from textual.widgets import TextArea

    from screens.explain_screen import ExplainScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        screen = await wait_for_screen(pilot, ExplainScreen)
        screen.query_one("#explain-input", TextArea).text = (
            "550 5.7.26 Unauthenticated email from example.org is not accepted due to "
            "domain's DMARC policy. gsmtp")
        await pilot.press("ctrl+r")
        await pilot.pause()
        shown = str(screen.query_one("#explain-next").render())
        assert shown.startswith("Do now (")
        assert "--" not in shown  # no command-line flag in the TUI
        await pilot.click("#explain-copy")
        await pilot.pause()
        copies = list((isolated / "data" / "copies").glob("*explanation.txt"))
        assert copies and "smtp-wizard kb show" not in copies[0].read_text()
        await pilot.click("#explain-action")  # check the DNS of example.org
        run = await wait_for_screen(pilot, RunScreen)
        assert run.target is not None and run.target.domain == "example.org"
        assert run.target.host is None
        await pilot.press("escape")


async def test_explain_loads_a_bounce_file(isolated: Path) -> None:
    from screens.explain_screen import ExplainScreen
    from tests.explain.test_dsn import DSN

    path = isolated / "bounce.eml"
    path.write_bytes(DSN)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        screen = await wait_for_screen(pilot, ExplainScreen)
        screen.query_one("#explain-file", Input).value = str(path)
        await pilot.click("#explain-load")
        await pilot.pause()
        assert screen.results and screen.results[0].category == "recipient-unknown"
