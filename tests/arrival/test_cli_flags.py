"""`check --arrival` flags: refused in one line before anything is sent, the IMAP password never
taken from argv, and the report renders an arrival (text and Markdown) without markup."""

from __future__ import annotations

from tests.conftest import run_cli
from wizard.model.target import Target
from wizard.output.report import render_markdown, render_text
from wizard.walk.session import Session


def test_arrival_needs_send() -> None:
    done = run_cli("check", "--host", "127.0.0.1", "--port", "9", "--rcpt-to", "a@b.test",
                   "--arrival", "--imap-host", "127.0.0.1", "--no-history")
    assert done.returncode == 2 and "--arrival needs --send" in done.stderr


def test_arrival_needs_an_imap_host_unless_sending_to_yourself() -> None:
    done = run_cli("check", "--host", "127.0.0.1", "--port", "9", "--mail-from", "a@b.test",
                   "--rcpt-to", "c@d.test", "--send", "--arrival", "--no-history")
    assert done.returncode == 2 and "--imap-host" in done.stderr


def test_both_passwords_on_stdin_are_refused() -> None:
    done = run_cli("check", "--host", "127.0.0.1", "--port", "9", "--user", "a@b.test",
                   "--password-stdin", "--mail-from", "a@b.test", "--rcpt-to", "a@b.test",
                   "--send", "--arrival", "--imap-password-stdin", "--no-history",
                   stdin="pw-one\npw-two\n")
    assert done.returncode == 2 and "cannot share stdin" in done.stderr
    assert "pw-one" not in done.stderr + done.stdout


def test_there_is_no_imap_password_flag() -> None:
    done = run_cli("check", "--host", "127.0.0.1", "--imap-password", "x", "--no-history")
    assert done.returncode == 2 and "unrecognized arguments" in done.stderr


def test_reports_lead_with_the_arrival_and_escape_server_text() -> None:
    session = Session(Target(host="127.0.0.1"))
    session.arrival = {"status": "arrived", "finding": "The test message arrived in the inbox.",
                       "sending_ip": "192.0.2.7", "sending_ip_source": "hop 1",
                       "headers_analysis": {"hops": [{"by": "mx\x1b[31m.test"}],
                                            "spf": {"result": "pass"},
                                            "dmarc": {"result": "pass"}, "dkim": [],
                                            "headline": "ok"}}
    text = render_text(session).splitlines()
    assert text[2] == "ARRIVAL: The test message arrived in the inbox."
    assert "\x1b" not in "\n".join(text) and "SPF pass; DMARC pass; DKIM none" in text[5]
    markdown = render_markdown(session).splitlines()
    assert markdown[3] == "- **Arrival:** The test message arrived in the inbox."
    assert session.to_dict()["arrival"]["sending_ip"] == "192.0.2.7"
