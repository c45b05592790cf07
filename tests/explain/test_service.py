"""The explain service's answer: who acts, the next step and action, the next command built from
what the text revealed, and text output that neither cuts words nor lets escapes through."""

from __future__ import annotations

import json

import pytest

from tests.explain.explaintools import run_explain
from wizard.explain.render import render_text, shorten
from wizard.explain.service import ExplainService

GMAIL_5726 = (
    "550-5.7.26 This mail has been blocked because the sender is unauthenticated.\n"
    "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\n"
    "550-5.7.26 Authentication results: DKIM = did not pass SPF [example.org] with ip:"
    " [198.51.100.7] = did not pass\n"
    "550 5.7.26 For instructions go to https://support.google.com/mail/answer/81126 - gsmtp")


@pytest.fixture(scope="module")
def service():
    return ExplainService()


def test_the_next_command_reuses_the_domain_and_ip_the_reply_revealed(service):
    result = service.explain(GMAIL_5726)
    assert result.category == "sender-unauthenticated"
    assert result.next.who == "your-mail-admin"
    assert result.next.action.to_dict() == {"kind": "check-dns", "domain": "example.org",
                                  "sending_ip": "198.51.100.7"}
    assert result.next_command == "smtp-wizard dns example.org --sending-ip 198.51.100.7"


def test_the_servers_own_ip_is_not_the_sending_ip(service):
    result = service.explain("host mx.example.org[192.0.2.1] said: 550 5.7.1 Service unavailable;"
                             " Client host [198.51.100.7] blocked using zen.spamhaus.org")
    assert result.facts["sending_ip"] == "198.51.100.7"
    assert result.facts["host"] == "mx.example.org"


def test_provider_advice_replaces_the_category_default(service):
    result = service.explain("535-5.7.8 Username and Password not accepted. Learn more at"
                             " https://support.google.com/mail/?p=BadCredentials - gsmtp")
    assert "app password" in result.next.next_step
    assert result.next.action.to_dict() == {"kind": "read", "article": "gmail-app-passwords"}
    assert result.next_command == "smtp-wizard kb show gmail-app-passwords"


def test_a_rerun_command_never_carries_a_password(service):
    result = service.explain("535 5.7.8 Error: authentication failed")
    assert result.next.action.kind == "rerun"
    assert "password" not in (result.next_command or "")


def test_json_keeps_the_design_fields_and_adds_who_next_step_action():
    data = json.loads(run_explain("--format", "json", GMAIL_5726).stdout)
    assert {"input", "code", "enhanced", "class", "category", "provider", "summary",
            "articles"} <= set(data)
    assert {"who", "next_step", "action", "next_command"} <= set(data)


def test_text_output_shows_a_multi_line_paste_as_lines_without_escape_noise():
    out = run_explain(GMAIL_5726).stdout
    assert "\\x0a" not in out
    assert "Gmail requires all senders" in out.splitlines()[1]
    assert "Run:       smtp-wizard dns example.org --sending-ip 198.51.100.7" in out
    assert "Who:" in out and "Do now:" in out


def test_shorten_never_cuts_a_word():
    text = "alpha beta gamma delta"
    cut, rest = shorten(text, 13)
    assert (cut, rest) == ("alpha beta", len(text) - len("alpha beta"))
    assert shorten("short", 10) == ("short", 0)


def test_long_values_wrap_at_word_boundaries(service):
    out = render_text(service.explain("550 5.1.1 " + "verylongword " * 30))
    for line in out.splitlines():
        assert len(line) <= 100
        assert not line.rstrip().endswith("verylongwo")


def test_escapes_in_a_teams_article_titles_never_reach_the_terminal(tmp_path):
    from tests.knowledge.kbtools import write_article

    write_article(tmp_path, "evil", title="Evil \x1b]0;pwned\x07 \x1b]52;c;ZXZpbA==\x07 title",
                  categories="[relay-denied]", patterns='["our relay says no"]')
    out = run_explain("--knowledge", str(tmp_path), "550 our relay says no").stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b" in out


def test_a_reply_longer_than_the_cap_is_cut_and_says_so():
    out = run_explain("-", stdin="550 5.1.1 user unknown " + "x" * 30_000)
    assert out.returncode == 0
    assert "the reply was cut to its first 20,000 characters" in out.stdout
