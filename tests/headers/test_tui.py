"""The Headers screen (Pilot): paste or load a message, get the same results as the CLI; reach
it from the Explain screen; bounces and non-messages handled."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from screens.app import WizardApp
from screens.explain_screen import ExplainScreen
from screens.headers_screen import HeadersScreen
from tests.headers.mailkit import DSN, stories
from wizard.lab.dns_server import DnsServer
from wizard.model.target import Target

STORIES = stories()
SIZE = (120, 40)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Own data/config dirs and cwd per test, as the tests in tests/tui do."""
    monkeypatch.setenv("SMTP_WIZARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SMTP_WIZARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def app_for(dns: DnsServer) -> WizardApp:
    return WizardApp(target=Target(nameservers=(dns.nameserver,), timeout=2.0))


def plain(screen: HeadersScreen, selector: str) -> str:
    visual = screen.query_one(selector).render()
    return str(getattr(visual, "plain", visual))


async def test_every_message_gets_its_results_on_the_screen(dns: DnsServer,
                                                            tmp_path: Path) -> None:
    """One app, every test message loaded in turn (as a person checks several in a row)."""
    app = app_for(dns)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, HeadersScreen)
        for name, story in STORIES.items():
            path = tmp_path / f"{name}.eml"
            path.write_bytes(story.data)
            screen.query_one("#headers-path", Input).value = str(path)
            await pilot.press("ctrl+o")
            await app.workers.wait_for_complete()
            await pilot.pause()
            a = screen.analysis
            assert a is not None and a.source == str(path), (name, screen.error)
            assert a.verdict is not None
            got = ([(c.result, c.problem or "") for c in a.dkim], a.arc.result, a.spf.result,
                   a.dmarc.result, a.verdict.status.value, a.verdict.category)
            assert got == (story.dkim, story.arc, story.spf, story.dmarc, story.status,
                           story.category), name
            assert a.verdict.headline in plain(screen, "#headers-verdict"), name
            assert plain(screen, "#headers-report").startswith(f"smtp-wizard headers: {path}")


async def test_a_pasted_message_is_analysed_and_its_article_opens(dns: DnsServer) -> None:
    app = app_for(dns)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, HeadersScreen)
        screen.query_one("#headers-input", TextArea).text = STORIES["valid"].data.decode()
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.analysis is not None
        assert [c.result for c in screen.analysis.dkim] == ["pass"]  # pasting kept it intact
        screen.query_one("#headers-input", TextArea).text = STORIES["arc-list"].data.decode()
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.analysis is not None and screen.analysis.verdict is not None
        assert screen.analysis.verdict.category == "dmarc-fail"
        assert "lists.example.org" in plain(screen, "#headers-verdict")
        assert "rewrote the subject after signing" in plain(screen, "#headers-verdict")
        await pilot.click(".article-button")
        await pilot.pause()
        assert app.screen.sub_title == "Forwarding, mailing lists and DKIM: why forwarded mail " \
                                       "fails DMARC"


async def test_explain_screen_hands_a_pasted_message_over(dns: DnsServer) -> None:
    app = app_for(dns)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        assert isinstance(app.screen, ExplainScreen)
        app.screen.query_one("#explain-input", TextArea).text = STORIES["spf-fail"].data.decode()
        await pilot.click("#explain-headers")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HeadersScreen)
        assert screen.query_one("#headers-input", TextArea).text.startswith("Return-Path:")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.analysis is not None and screen.analysis.verdict is not None
        assert screen.analysis.verdict.category == "dmarc-fail"
        assert screen.analysis.spf.ip == "198.51.100.7"


async def test_a_bounce_is_explained_and_garbage_is_refused(dns: DnsServer,
                                                          tmp_path: Path) -> None:
    app = app_for(dns)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, HeadersScreen)
        screen.query_one("#headers-input", TextArea).text = DSN.decode()
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.analysis is None and screen.bounce is not None
        assert screen.bounce[0].category == "recipient-unknown"
        assert "This is a bounce" in plain(screen, "#headers-verdict")
        screen.query_one("#headers-input", TextArea).text = "[b]not[/b] a message \x1b[31m"
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.analysis is None
        assert screen.error is not None and "not an e-mail message" in screen.error
        screen.query_one("#headers-path", Input).value = str(tmp_path / "missing.eml")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert screen.analysis is None


async def test_ctrl_o_goes_to_the_path_field_and_the_title_names_the_message(
        dns: DnsServer, tmp_path: Path) -> None:
    app = app_for(dns)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, HeadersScreen)
        await pilot.press("ctrl+o")
        await pilot.pause()
        path_field = screen.query_one("#headers-path", Input)
        assert path_field.has_focus
        story = next(iter(STORIES.values()))
        path = tmp_path / "one.eml"
        path.write_bytes(story.data)
        await pilot.press(*str(path), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.analysis is not None
        title = str(screen.sub_title)
        assert title.startswith("Message") and " ms" not in title
