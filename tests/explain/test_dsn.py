"""dsn.parse_message: DSN fields, non-standard bounce text, and messages that are not bounces."""

from wizard.explain.dsn import parse_message

DSN = b"""From: MAILER-DAEMON@mx.example.net
To: alice@example.net
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; bob@example.org
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 550 5.1.1 <bob@example.org>: Recipient address
    rejected: User unknown

--B
Content-Type: message/rfc822

From: alice@example.net
Subject: hello

hi
--B--
"""

QMAIL = b"""From: MAILER-DAEMON@mx.example.jp
Subject: failure notice

Hi. This is the qmail-send program at mx.example.jp.
<bob@example.org>:
Sorry, no mailbox here by that name. (#5.1.1)
--- Below this line is a copy of the message.
Return-Path: <alice@example.jp>
Subject: secret words user unknown
"""

ARF = b"""From: feedback@example.com
Subject: complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="B"

--B
Content-Type: message/feedback-report

Feedback-Type: abuse
--B--
"""

VACATION = b"""From: bob@example.org
Subject: Out of office
Auto-Submitted: auto-replied

I am away until Monday.
"""


def test_dsn_recipient_fields_are_read():
    rcpt = parse_message(DSN).recipients[0]
    assert (rcpt.address, rcpt.action, rcpt.status, rcpt.remote_mta) == (
        "bob@example.org", "failed", "5.1.1", "mx.example.org")


def test_folded_diagnostic_code_is_unfolded_without_its_type():
    diagnostic = parse_message(DSN).recipients[0].diagnostic
    assert diagnostic == "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"


def test_dsn_is_recognised_as_a_dsn():
    assert parse_message(DSN).kind == "dsn"


def test_non_standard_bounce_text_stops_before_the_returned_message():
    bounce = parse_message(QMAIL)
    assert bounce.kind == "bounce"
    assert "(#5.1.1)" in bounce.text and "secret words" not in bounce.text


def test_complaint_report_is_feedback_not_a_bounce():
    assert parse_message(ARF).kind == "feedback"


def test_out_of_office_reply_is_an_auto_reply():
    assert parse_message(VACATION).kind == "auto-reply"


def test_garbage_bytes_do_not_raise():
    assert parse_message(b"\xff\xfe\x00 not a message").kind == "bounce"
