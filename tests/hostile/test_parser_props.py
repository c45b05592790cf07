"""Property tests over everything that reads untrusted text: no exception, ever, and no control
character survives into what is shown. Run with HYPOTHESIS_PROFILE=thorough for 20,000 each."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from tests.explain.explaintools import classify
from wizard.explain.dsn import parse_message
from wizard.explain.parse import parse
from wizard.model.secret import Secret, secret_forms
from wizard.model.transcript import Transcript
from wizard.output.safetext import markdown_inline, printable
from wizard.smtp.capabilities import parse_ehlo
from wizard.smtp.reply import to_reply

SMTP_BITS = st.sampled_from([
    "550", "5.7.1", "550-", "421 ", "4.7.0", "#5.1.1", "smtp;", "said:", "(in reply to RCPT TO",
    "command)", "\r\n", "\n", " ", "gsmtp", "[TSS04]", "relay", "spamhaus", "\x1b[31m", "\x00",
    "[b]", "é", "\udcff"[:0], "999", "2.0.0", "<a@b>"])
reply_text = st.lists(SMTP_BITS, max_size=40).map("".join) | st.text(max_size=500)


@given(reply_text, st.sampled_from([None, "MAIL", "RCPT", "DATA", "AUTH", "CONNECT"]))
def test_reply_parser_and_classifier_accept_anything(text, command):
    parsed = parse(text, command)
    result = classify(parsed, command)
    assert result.category and result.articles
    assert parsed.reply_class in ("success", "temporary", "permanent", "unknown")


@given(st.binary(max_size=3000))
def test_dsn_parser_accepts_any_bytes(data):
    bounce = parse_message(data)
    assert bounce is not None


@given(st.integers(min_value=-5, max_value=1200), st.text(max_size=300))
def test_live_reply_conversion_accepts_any_code_and_text(code, message):
    reply = to_reply(code, message)
    assert reply.code is None or 0 < reply.code < 1000


@given(st.text(max_size=600))
def test_ehlo_parser_accepts_anything(message):
    caps = parse_ehlo(message)
    assert isinstance(caps.auth_mechanisms, list)
    caps.to_dict()


@given(st.text(max_size=300))
def test_nothing_a_terminal_would_obey_survives_printable(text):
    shown = printable(text)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in shown)
    assert "|" not in markdown_inline(text).replace("\\|", "")


@given(st.text(min_size=4, max_size=40).filter(lambda s: s.strip() == s and "\n" not in s),
       st.sampled_from(["alice@lab.test", "bob", "u"]))
def test_transcript_never_records_a_password_form(password, user):
    transcript = Transcript([Secret(password)], user)
    blob = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    transcript.client(f"AUTH PLAIN {blob}")
    transcript.server(334, "UGFzc3dvcmQ6")
    transcript.client(base64.b64encode(password.encode()).decode())
    transcript.client(f"MAIL FROM:<x@y> {password}")
    recorded = "\n".join(line.text for line in transcript.lines)
    assert not [form for form in secret_forms(password, user) if form in recorded]
