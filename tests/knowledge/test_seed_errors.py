"""A person who pastes an error from the seed topics gets the right article."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.explain.explaintools import classify
from tests.knowledge.kbtools import REPO
from wizard.explain.parse import parse

SEED_ERRORS = [
    ("535-5.7.8 Username and Password not accepted. For more information, go to"
     " https://support.google.com/mail/?p=BadCredentials", "gmail-app-passwords"),
    ("535-5.7.8 Username and Password not accepted", "auth-failed"),
    ("534-5.7.9 Application-specific password required", "gmail-app-passwords"),
    ("534-5.7.14 Please log in via your web browser and then try again", "gmail-app-passwords"),
    ("550 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled",
     "microsoft-smtp-auth-disabled"),
    ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the"
     " Tenant. Visit https://aka.ms/smtp_auth_disabled", "auth-disabled"),
    ("530 5.7.57 Client not authenticated to send mail", "microsoft-smtp-auth-disabled"),
    ("421 4.7.0 [TSS04] Messages from x temporarily deferred", "yahoo-deferrals"),
    ("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume"
     " or user complaints - 4.16.55.1", "rate-limited"),
    ("550 5.7.26 This mail has been blocked because the sender is unauthenticated",
     "gmail-sender-requirements"),
    ("550-5.7.26 This mail has been blocked because the sender is unauthenticated.\n"
     "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\n"
     "550 5.7.26 gsmtp", "sender-unauthenticated"),
    ("421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from"
     " your IP address", "gmail-sender-requirements"),
    ("4.7.500 Server busy", "microsoft-throttling"),
    ("451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719)",
     "microsoft-throttling"),
    ("550 5.7.606 Access denied, banned sending IP", "microsoft-blocklist"),
    ("550 5.7.606 Access denied, banned sending IP [192.0.2.1]", "blocklisted"),
    ("550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your"
     " Internet service provider since part of their network is on our block list (S3140).",
     "microsoft-blocklist"),
    ("554 Message rejected: Email address is not verified", "amazon-ses"),
    ("554 Message rejected: Email address is not verified", "relay-denied"),
    ("454 Throttling failure: Maximum sending rate exceeded.", "amazon-ses"),
    ("452 4.2.2 mailbox full", "mailbox-full"),
    ("554 5.7.1 <bob@example.org>: Relay access denied", "relay-denied"),
    ("550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown",
     "recipient-unknown"),
    ("530 5.7.0 Must issue a STARTTLS command first", "tls-required"),
    ("450 4.2.0 <bob@example.org>: Recipient address rejected: Greylisted", "greylisted"),
    ("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
     "blocklisted"),
    ("552 5.3.4 Message size exceeds fixed maximum message size", "message-too-large"),
    ("550 5.7.25 The IP address sending this message does not have a PTR record setup",
     "ptr-missing"),
]


def articles_for(text: str, kb) -> list[str]:
    """What explain shows: the classifier's articles, then the knowledge base's matches."""
    reply = parse(text)
    ids = list(classify(reply).articles)
    ids += [a.id for a in kb.match(reply.code, reply.enhanced, reply.text) if a.id not in ids]
    return ids


@pytest.mark.parametrize(("text", "article"), SEED_ERRORS, ids=[t[:40] for t, _ in SEED_ERRORS])
def test_classifier_and_knowledge_base_find_the_article(kb, text, article):
    found = articles_for(text, kb)
    assert article in found[:3], found
    assert all(kb.get(a) is not None for a in found)


def test_explain_shows_the_article_for_every_seed_error(tmp_path):
    batch = tmp_path / "seed.txt"
    batch.write_text("".join(text.replace("\n", " ") + "\n" for text, _ in SEED_ERRORS))
    result = subprocess.run(
        [sys.executable, "-m", "wizard", "explain", "--batch", str(batch)],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == len(SEED_ERRORS)
    for row, (_, article) in zip(rows, SEED_ERRORS, strict=True):
        shown = [a["id"] for a in row["articles"]]
        assert article in shown, (row["input"], shown)
        assert all(a["title"] != a["id"] for a in row["articles"]), "titles come from the kb"
