"""replies.classify: the category from all evidence together; text outranks a generic code."""

import pytest

from tests.explain.explaintools import all_rules, classify
from wizard.catalog.categories import CATEGORIES
from wizard.explain.parse import parse

CASES = [
    # (reply, command, category)
    ("535 5.7.8 Username and Password not accepted.", "AUTH", "auth-failed"),
    ("534-5.7.9 Application-specific password required. - gsmtp", "AUTH", "auth-app-password"),
    ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
     "Tenant.", "AUTH", "auth-disabled"),
    ("530 5.7.0 Must issue a STARTTLS command first", "MAIL", "tls-required"),
    ("530 5.7.0 Authentication required", "MAIL", "auth-required"),
    ("504 5.7.4 Unrecognized authentication type", "AUTH", "auth-mechanism"),
    ("538 5.7.11 Encryption required for requested authentication mechanism", "AUTH",
     "auth-mechanism"),
    ("454 4.7.0 TLS not available due to local problem", "STARTTLS", "tls-handshake"),
    ("421 4.3.2 Service not available, closing transmission channel", "CONNECT",
     "service-unavailable"),
    ("421 4.7.0 Too many concurrent connections from this IP", "CONNECT",
     "too-many-connections"),
    ("450 4.2.0 <a@example.com>: Recipient address rejected: Greylisted, see "
     "http://postgrey.schweikert.ch/help/example.com.html", "RCPT", "greylisted"),
    ("451 4.7.1 Please try again later", "RCPT", "greylisted"),
    ("452 4.5.3 Too many recipients", "RCPT", "rate-limited"),
    ("552 5.3.4 Message size exceeds fixed limit", "DATA", "message-too-large"),
    ("552 5.2.2 The email account that you tried to reach is over quota.", "RCPT",
     "mailbox-full"),
    ("554 5.7.1 Message rejected as spam by Content Filtering.", "DATA", "content-rejected"),
    ("550 5.7.1 Relaying denied", "RCPT", "relay-denied"),
    ("550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using "
     "zen.spamhaus.org", "RCPT", "blocklisted"),
    ("550 5.7.26 This mail is unauthenticated, which poses a security risk", "DATA",
     "sender-unauthenticated"),
    ("550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC "
     "policy.", "DATA", "dmarc-fail"),
    ("550 5.7.23 The message was rejected because of Sender Policy Framework violation",
     "DATA", "spf-fail"),
    ("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred", "MAIL", "rate-limited"),
    ("550 5.1.1 <a@example.com>: Recipient address rejected: User unknown", "RCPT",
     "recipient-unknown"),
    ("250 2.1.5 Ok", "RCPT", "success"),
]


@pytest.mark.parametrize(("text", "command", "category"), CASES, ids=[c[2] for c in CASES])
def test_reply_is_classified_into_its_category(text, command, category):
    assert classify(parse(text), command).category == category


def test_a_bare_550_to_rcpt_is_unknown_not_a_guess():
    assert classify(parse("550 Requested action not taken"), "RCPT").category == "unknown"


def test_unknown_still_names_the_registry_meaning():
    result = classify(parse("550 5.3.3 Something odd"))
    assert result.category == "unknown"
    assert "System not capable of selected features" in result.reason


def test_text_outranks_a_generic_550_5_7_1():
    spam = classify(parse("550 5.7.1 Message content rejected, UBE")).category
    relay = classify(parse("550 5.7.1 Relaying denied")).category
    assert (spam, relay) == ("content-rejected", "relay-denied")


def test_articles_start_with_the_category():
    result = classify(parse("550 5.1.1 User unknown"))
    assert result.articles[0] == result.category


def test_reason_quotes_the_evidence():
    assert '"User unknown"' in classify(parse("550 5.1.1 User unknown")).reason


def test_provider_is_carried_into_the_classification():
    assert classify(parse("550 5.1.1 no such user - gsmtp")).provider == "gmail"


def test_every_rule_names_a_known_category():
    assert {rule.category for rule in all_rules()} <= set(CATEGORIES)
