"""Issue 22's provider batch: replies attributed to their provider by the reply alone (a tag or a
responder host, no domain given), the tables' documented codes, and Exchange Online's next-hop
codes (4.4.31x, 4.7.320) read from the detail when there is one, else from the code.

The held-out measure of the same batch is a benchmark (tests/bench/test_explain_holdout.py).
"""

from __future__ import annotations

import pytest

from tests.explain.explaintools import classify
from tests.explain.holdout import batch_rows
from wizard.catalog.providers import catalog, recognise
from wizard.explain.parse import parse

NETEASE_TAIL = ("163 mx14,Y8CowABHDZS0MLtb+QOjRQ--.39199S3 1538994358 "
                "http://mail.163.com/help/help_spam_16.htm?ip=192.0.2.1&hostid=mx14")


@pytest.mark.parametrize(("text", "provider"), [
    ("554 DT:SPM 163 smtp10,DsCowAA3D+JApVpd78gMKg--.16104S2 1566221632", "netease"),
    ("450 4.7.1 HL:ICC too many connections", "netease"),
    ("host 163mx03.mxmail.netease.com[220.181.14.164] said: 550 User not found", "netease"),
    ("554 cmsmtp blocked. Refer to Error Codes section for more information. AUP#CXBL", "cox"),
    ("550 192.0.2.1 blocked by ldap:ou=rblmx,dc=bellsouth,dc=net", "att"),
    ("host mx1.bellsouth.net[192.0.2.9] said: 550 5.1.1 user unknown", "att"),
    ("550 Client host [192.0.2.1] blocked using Trend Micro RBL+", "trendmicro"),
    ("This is the mail delivery agent at messagelabs.com.", "symantec"),
    ("5.1.1 szn; User hasn't got the service mapped", "seznam"),
    ("host mx1.free.fr[212.27.48.6] said: 550 spam detected", "free"),
    ("host mx.poczta.interia.pl[192.0.2.5] said: 550 5.1.1 Account not found", "interia"),
    # "(Ask your postmaster" is no Microsoft AS(nnnn) trailer.
    ("554 IP=192.0.2.1 - A problem occurred. (Ask your postmaster for help or to contact "
     "tosa@rx.t-online.de to clarify.) (BL)", "t-online"),
    ("450 4.2.1 <user@example.com>: Mailbox received too much email in a short period of time "
     "(G30)", "rackspace"),
    ("550 5.7.1 [ESA] sender blocked", "mailchannels"),
])
def test_reply_names_its_provider_without_a_domain(text, provider):
    assert recognise(text) == provider


@pytest.mark.parametrize("text", [
    "550 5.1.1 <user@example.com>: Recipient address rejected: User unknown",
    "421 4.7.0 Try again later, closing connection.",
    "550 mi:ssing words are not a NetEase tag",
])
def test_plain_replies_name_no_batch_provider(text):
    assert recognise(text) not in {"netease", "cox", "att", "trendmicro", "symantec", "seznam",
                                   "free", "interia"}


@pytest.mark.parametrize(("text", "category", "klass"), [
    ("554 DT:SPM " + NETEASE_TAIL, "content-rejected", "permanent"),
    ("451 DT:SPM " + NETEASE_TAIL, "content-rejected", "temporary"),
    ("550 MI:SPF " + NETEASE_TAIL, "spf-fail", "permanent"),
    ("421 HL:ICC " + NETEASE_TAIL, "too-many-connections", "temporary"),
    ("451 MI:SFQ " + NETEASE_TAIL, "rate-limited", "temporary"),
    ("554 cmsmtp blocked. AUP#IPBL1010", "blocklisted", "permanent"),
    ("554 cmsmtp message rejected. AUP#URLBL011", "content-rejected", "permanent"),
    ("421 cmsmtp blocked. AUP#CXCNCT", "too-many-connections", "temporary"),
    ("554 message rejected. AUP#CXSNDR", "sender-unauthenticated", "permanent"),
    ("550 [suspend] Mailbox currently suspended--Please contact correspondent directly.",
     "mailbox-disabled", "permanent"),
    ("421-failure in DNS look-up.", "ptr-missing", "temporary"),
    ("550 Mail from 192.0.2.1 refused by rbl-plus.mail-abuse.org.", "blocklisted", "permanent"),
    ("550 5.7.0 [SPF] host 192.0.2.1 is not allowed to send mail from domain example.pl",
     "spf-fail", "permanent"),
])
def test_documented_codes(text, category, klass):
    reply = parse(text)
    assert (classify(reply).category, reply.reply_class) == (category, klass)


EOP = "[BN3NAM01FT008.eop-nam01.prod.protection.outlook.com]"


@pytest.mark.parametrize(("text", "category"), [
    (f"450 4.4.316 Connection refused [Message=Socket error code 10061] {EOP}",
     "connection-refused"),
    (f"450 4.4.315 Connection timed out {EOP}", "connection-timeout"),
    (f"451 4.4.317 Cannot connect to remote server {EOP}", "tls-handshake"),
    (f"451 4.4.317 Cannot connect to remote server [Message=SubjectMismatch] {EOP}",
     "tls-certificate"),
    (f"451 4.4.317 Cannot connect to remote server [Message=TlsNegotiationFailure] {EOP}",
     "tls-handshake"),
    ("451 4.4.317 Cannot connect to remote server [Message=451 5.7.3 STARTTLS is required to "
     f"send mail] {EOP}", "tls-required"),
    (f"451 4.4.317 Cannot connect to remote server [Message=421 4.3.2 Service not available] "
     f"{EOP}", "service-unavailable"),
    (f"450 4.4.318 Connection was closed abruptly {EOP}", "connection-dropped"),
    (f"450 4.7.320 Certificate validation failed [Message=CertificateExpired] {EOP}",
     "tls-certificate"),
])
def test_exchange_online_next_hop_codes(text, category):
    reply = parse(text)
    assert reply.provider == "microsoft"
    assert classify(reply).category == category


def test_a_busy_server_that_says_refused_is_not_a_refused_connection():
    """Only Microsoft's documented next-hop code may report a refused connection in a reply."""
    assert classify(parse("421 4.4.5 Connection refused. Server is busy")).category \
        != "connection-refused"


def test_batch_table_is_well_formed():
    rows = batch_rows()
    known = set(catalog())
    assert len(rows) >= 60
    for row in rows:
        assert row["source"].startswith(("https://", "http://")), row
        assert row["class"] in {"temporary", "permanent"}, row
        assert row["held_out"] in {"", "hash", "no-docs"}, row
        # A provider without pages of its own has no table; a tuned one has its file (those
        # held out by hash got theirs only after their held-out figure was recorded).
        if row["held_out"] == "no-docs":
            assert row["provider"] not in known, row
    tuned = {r["provider"] for r in rows if not r["held_out"]}
    assert tuned <= known | {"orange", "tencent"}
