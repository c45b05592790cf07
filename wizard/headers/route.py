"""Is this .eml a bounce (for ``explain``) or a received message (for ``headers``)?

Pure and cheap: reads only the header block and the MIME content types. A delivery status
notification, a non-standard bounce, a complaint (ARF) report or an automatic reply go to the
bounce path (``wizard.explain.dsn``); anything else that parses as a message is a received message.
``explain --file`` errs towards the bounce path (only ``received`` goes to the headers analysis);
``headers`` sends only definite bounces (``dsn``, ``feedback``, ``bounce``) there, since a person
who asks for the header analysis of a message whose subject merely says "error" means it.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message

BOUNCE_SENDER = re.compile(
    r"^(?:mailer-daemon|postmaster|post_master|mail-daemon|mailerdaemon)@", re.I)
BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery status notification|returned mail|failure notice|"
    r"mail delivery (?:failed|failure|system|subsystem)|delivery (?:has )?fail|"
    r"non[- ]?delivery|not (?:be )?delivered|could not be delivered|nondeliverable|"
    r"unzustellbar|nicht zustellbar|non remis|delivery notification|warning: message|"
    r"message (?:delayed|not delivered)|returned to sender|mail system error|"
    r"delivery report|rejected:|bounced|\berror\b|\balert\b|complaint|not (?:a )?member|"
    r"AWS Notification Message", re.I)
# Text that introduces a returned message, or a bounce in words (first text part only).
RETURNED_TEXT = re.compile(
    r"original (?:mail|message) (?:as follows|follows)|below this line is a copy|"
    r"this is a copy of|-+ ?original message|\"notificationType\"\s*:\s*\"(?:bounce|complaint)|"
    r"requested action not taken|could not be delivered|delivery to the following recipient|"
    r"user unknown|mailbox (?:is )?full|error message below", re.I)
AUTO_SUBJECT = re.compile(
    r"auto(?:matic)?[ -]?(?:reply|respon)|out of (?:the )?office|\bvacation\b", re.I)
RETURNED_PARTS = ("message/delivery-status", "message/global-delivery-status",
                  "message/feedback-report", "text/rfc822-headers", "message/rfc822-headers",
                  "message/rfc822")


def _address(value: str | None) -> str:
    if not value:
        return ""
    found = re.search(r"<([^>]*)>", value)
    return (found.group(1) if found else value).strip().lower()


def message_kind(data: bytes) -> str:
    """``dsn``, ``feedback``, ``bounce`` (sent by a mailer daemon, or returning a message),
    ``maybe-bounce`` (its subject or first words read like one), ``auto-reply`` or
    ``received``."""
    msg: Message = email.message_from_bytes(data[:4 * 1024 * 1024],
                                            policy=email.policy.compat32)
    types = {part.get_content_type() for part in msg.walk()}
    report = str(msg.get_param("report-type") or "").lower() if msg.is_multipart() else ""
    if report == "feedback-report" or "message/feedback-report" in types:
        return "feedback"
    if report == "delivery-status" or types & {"message/delivery-status",
                                               "message/global-delivery-status"}:
        return "dsn"
    sender = _address(str(msg.get("From", "")))
    subject = _subject(msg)
    if BOUNCE_SENDER.match(sender) or types & set(RETURNED_PARTS) \
            or msg.get_content_type() == "multipart/report":
        return "bounce"
    if BOUNCE_SUBJECT.search(subject):
        return "maybe-bounce"
    auto = str(msg.get("Auto-Submitted", "")).lower().startswith("auto-replied")
    if auto or msg.get("X-Autoreply") or msg.get("X-Autorespond") or AUTO_SUBJECT.search(
            subject):
        return "auto-reply"
    if RETURNED_TEXT.search(_first_text(msg)):
        return "maybe-bounce"
    return "received"


def _subject(msg: Message) -> str:
    raw = str(msg.get("Subject", ""))
    try:
        return str(make_header(decode_header(raw)))
    except (HeaderParseError, UnicodeError, LookupError, ValueError, AssertionError):
        return raw


def _first_text(msg: Message) -> str:
    """The first 4 KB of the first text part (decoded leniently)."""
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                return data[:4096].decode("utf-8", errors="replace")
            return ""
    return ""


def is_received_message(data: bytes) -> bool:
    """Whether ``explain --file`` should hand ``data`` to the headers analysis."""
    return message_kind(data) == "received"
