"""Bounce or received message? Real bounces (the shared corpus) stay on explain's bounce path;
ordinary received messages go to the headers analysis."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.headers.mailkit import stories
from tests.headers.samples import EXIM, GMAIL, MICROSOFT_365
from wizard.headers.route import is_received_message, message_kind

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "bounces" / "eml"


@pytest.mark.skipif(not CORPUS.exists(),
                    reason="needs ../shared/corpora/bounces/eml (the shared bounce corpus)")
def test_no_real_bounce_is_taken_for_a_received_message() -> None:
    files = sorted(CORPUS.glob("*.eml"))
    assert len(files) > 600
    received = [p.name for p in files if is_received_message(p.read_bytes())]
    assert received == []


def test_received_messages_are_received() -> None:
    for story in stories().values():
        assert message_kind(story.data) == "received"
    for sample in (MICROSOFT_365, GMAIL, EXIM):
        assert message_kind(sample.encode()) == "received"


def test_kinds_of_non_received_messages() -> None:
    daemon = b"From: MAILER-DAEMON@mx.example.net\nSubject: failure notice\n\nHi. This is qmail\n"
    assert message_kind(daemon) == "bounce"
    auto = b"From: bob@example.net\nSubject: Out of Office: Report\nAuto-Submitted: auto-replied\n"
    assert message_kind(auto) == "auto-reply"
    worded = b"From: bob@example.net\nSubject: Undeliverable: Report\n\nsee below\n"
    assert message_kind(worded) == "maybe-bounce"
