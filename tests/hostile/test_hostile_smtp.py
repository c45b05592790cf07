"""Hostile and broken SMTP peers: a clear finding within the timeout, never a traceback or hang."""

from __future__ import annotations

import asyncio

import pytest

from wizard.lab.hostile import ESCAPES, HOSTILE_MODES, HostileMode, HostileSmtpServer
from wizard.model.secret import Secret
from wizard.model.target import Security, Target
from wizard.output.report import render
from wizard.walk.session import Session
from wizard.walk.tree import check_budget, run_check

TIMEOUT_S = 2.0

EXPECTED = {
    "huge-banner": "protocol-error",
    "endless-continuation": "protocol-error",
    "slow-drip": "reply-timeout",  # the connection stood; the greeting came too slowly
    "binary-garbage": "success",
    "no-code": "protocol-error",
    "out-of-range-code": "protocol-error",
    "unsolicited-reply": None,  # misaligned replies: any honest finding, no crash
    "garbage-after-starttls": "connection-dropped",
    "tls-never-completes": "tls-handshake",
    "markup-and-escapes": None,
    "close-after-banner": "connection-dropped",
    "close-after-ehlo": "connection-dropped",
    "close-after-starttls": "connection-dropped",
    "close-after-auth": "connection-dropped",
    "close-after-mail": "connection-dropped",
    "close-after-rcpt": "connection-dropped",
    "close-after-data": "connection-dropped",
}


async def walk(mode: HostileMode) -> Session:
    async with HostileSmtpServer(mode) as server:
        target = Target(
            host="127.0.0.1", port=server.port,
            security=Security.STARTTLS if "tls" in mode else Security.NONE,
            user="u@hostile.test", password=Secret("hostile-test-password"),
            mail_from="a@hostile.test", rcpt_to="b@hostile.test", timeout=TIMEOUT_S,
            allow_plaintext_auth=True, send=True, dns=False, probe_ports=(server.port,))
        # a safety net against hangs, far above the check budgets
        return await asyncio.wait_for(run_check(target), 20 * check_budget(target))


def test_every_mode_has_an_expectation():
    assert set(EXPECTED) == set(HOSTILE_MODES)


@pytest.mark.parametrize("mode", HOSTILE_MODES)
async def test_hostile_server_gives_a_clear_finding(mode):
    session = await walk(mode)
    expected = EXPECTED[mode]
    if expected is not None:
        assert session.verdict.category == expected, session.verdict
    for fmt in ("text", "markdown", "json"):
        text = render(session, fmt)
        assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
    assert all(len(line.text) <= 2100 for line in session.transcript)


async def test_escapes_and_markup_are_kept_as_visible_text():
    session = await walk("markup-and-escapes")
    text = render(session, "text")
    assert "[b]bold[/b]" in text
    assert "\\x1b[31mred" in text  # shown, not obeyed
    assert ESCAPES not in text


async def test_connection_closed_at_each_step_names_the_step():
    cases: list[tuple[HostileMode, str]] = [
        ("close-after-auth", "authentication"), ("close-after-mail", "sending"),
        ("close-after-starttls", "STARTTLS")]
    for mode, words in cases:
        session = await walk(mode)
        assert words in session.verdict.headline
