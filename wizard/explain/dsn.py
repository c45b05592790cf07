"""Read a bounce message (.eml): the DSN fields of RFC 3464, or the text of a non-standard bounce.

Pure: takes bytes, returns data. A ``message/delivery-status`` part gives per-recipient Status,
Diagnostic-Code, Remote-MTA, Final-Recipient and Action; otherwise (qmail, old sendmail, Exchange
and vendor notices) the human-readable text before the returned message is the evidence.
A non-standard bounce that names several recipients is cut into one part per recipient
(:func:`split_recipients`). Complaint (ARF) reports and auto-replies are recognised as "not a
bounce". Classifying is left to ``wizard.explain``.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message

_RETURNED = re.compile(
    r"^(?:-+\s*)?(?:Below this line is a copy|This is a copy of|Original message|"
    r"Returned message|The (?:original )?(?:message|header)s? (?:of the original|follow)|"
    r"Content-Type: message/rfc822)"
    r"|^(?:Received|Return-Path|DKIM-Signature|Message-I[dD]|X-Mailer):\s",
    re.IGNORECASE | re.MULTILINE,
)
_TYPE_PREFIX = re.compile(r"^\s*([\w-]+)\s*;\s*")
_ADDR_PREFIX = re.compile(r"^\s*[\w-]+\s*;\s*")
_SPACE = re.compile(r"\s+")
_MAX_TEXT = 4000
# A line that starts a recipient's part of a non-standard bounce: the address alone on it (qmail
# "<a@b>:", Exim "  a@b", GMX '"a@b":'), followed by its reason (OpenSMTPD "a@b: 550 ...", Zoho
# "a@b Invalid Address ..."), or after a code (old Sendmail "550 <a@b>... User unknown").
_RCPT_LINE = re.compile(
    r'^[ \t]*(?:[245]\d\d[ \t]+)?[<"]?([^\s<>"@:;,()]+@[\w-]+(?:\.[\w-]+)+)[>"]?'
    r'(?:\.\.\.|[ \t]*:|[ \t]+(?=[A-Z]))?[ \t]*(.*)$',
    re.MULTILINE,
)


@dataclass(frozen=True)
class Recipient:
    """One recipient's fields from a delivery-status part (any may be missing)."""

    address: str | None = None
    action: str | None = None
    status: str | None = None
    diagnostic: str | None = None
    remote_mta: str | None = None


@dataclass(frozen=True)
class Bounce:
    """What a message says about delivery: its kind, recipients and human-readable text."""

    kind: str  # "dsn", "bounce" (no delivery-status part), "feedback", "auto-reply"
    recipients: list[Recipient] = field(default_factory=list)
    text: str = ""
    subject: str = ""


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = _SPACE.sub(" ", str(value)).strip()
    return text or None


def _fields(block: Message) -> Recipient | None:
    address = _clean(block.get("Final-Recipient") or block.get("Original-Recipient"))
    action = _clean(block.get("Action"))
    status = _clean(block.get("Status"))
    if not (address or action or status):
        return None
    diagnostic = _clean(block.get("Diagnostic-Code"))
    remote = _clean(block.get("Remote-MTA"))
    return Recipient(
        address=_ADDR_PREFIX.sub("", address) if address else None,
        action=action.lower() if action else None,
        status=status.split()[0] if status else None,
        diagnostic=_smtp_diagnostic(diagnostic),
        remote_mta=_ADDR_PREFIX.sub("", remote) if remote else None,
    )


def _smtp_diagnostic(value: str | None) -> str | None:
    """The Diagnostic-Code text when it is an SMTP reply (not an X-Unix exit status)."""
    if not value:
        return None
    match = _TYPE_PREFIX.match(value)
    if not match:
        return value
    if match.group(1).lower() not in ("smtp", "x-postfix", "x-local", "x-ses", "dns"):
        return None
    return value[match.end():].strip() or None


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    raw = payload if isinstance(payload, str) else ""
    return [email.message_from_string(b.strip() + "\n") for b in re.split(r"\n\s*\n", raw)]


def _decoded(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return str(part.get_payload())
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _human_parts(msg: Message) -> list[Message]:
    """text/* parts of the notice itself, not of the returned original message."""
    if msg.get_content_type().startswith("text/"):
        return [msg]
    found: list[Message] = []
    if msg.is_multipart():
        for part in msg.get_payload():
            if not isinstance(part, Message):
                continue
            ctype = part.get_content_type()
            if ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
                continue
            if ctype == "text/plain" or part.is_multipart():
                found.extend(_human_parts(part))
    return found


def _human_text(msg: Message) -> str:
    texts = []
    for part in _human_parts(msg):
        text = _decoded(part)
        if part.get_content_type() == "text/html":
            text = re.sub(r"<[^>]+>", " ", text)
        cut = _RETURNED.search(text)
        texts.append(text[: cut.start()] if cut else text)
        if not cut and len(texts) > 1:
            break
    joined = "\n".join(t.strip() for t in texts if t.strip())
    return joined[:_MAX_TEXT]


_AUTO_SUBJECT = re.compile(
    r"auto(?:matic)?[ -]?(?:reply|respon)|out of (?:the )?office|\baway\b|vacation", re.I
)
_FAILURE = re.compile(
    r"mailer-daemon|postmaster|mail delivery|fail|undeliver|undelivered|returned|delivery|"
    r"bounce|error|notice|notification|rejected", re.I
)


def _kind(msg: Message, has_status: bool, subject: str) -> str:
    report = (msg.get_param("report-type") or "") if msg.is_multipart() else ""
    types = {p.get_content_type() for p in msg.walk()}
    if str(report).lower() == "feedback-report" or "message/feedback-report" in types:
        return "feedback"
    if has_status:
        return "dsn"
    sender = str(msg.get("From", ""))
    if _FAILURE.search(sender) or _FAILURE.search(subject):
        return "bounce"
    auto = str(msg.get("Auto-Submitted", "")).lower().startswith("auto-replied")
    if auto or msg.get("X-Autoreply") or msg.get("X-Autorespond") or _AUTO_SUBJECT.search(
        subject
    ):
        return "auto-reply"
    return "bounce"


def _subject(msg: Message) -> str:
    raw = msg.get("Subject")
    if raw is None:
        return ""
    try:
        return _clean(str(make_header(decode_header(str(raw))))) or ""
    except (UnicodeError, LookupError, ValueError, email.errors.MessageError):
        return _clean(raw) or ""  # a broken encoded word: show it as written


def _raw_body(data: bytes) -> str:
    """The body after the headers, for messages whose MIME structure does not parse."""
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    _, _, body = text.partition("\n\n")
    cut = _RETURNED.search(body)
    return (body[: cut.start()] if cut else body).strip()[:_MAX_TEXT]


def split_recipients(text: str, minimum: int = 2) -> list[Recipient]:
    """Per-recipient parts of a bounce's text (one per line that starts with an address).

    Each part runs from an address line to the next; an address named twice keeps its first
    part. Fewer than ``minimum`` address lines give nothing: the whole text is the evidence.
    """
    starts = list(_RCPT_LINE.finditer(text))
    if len(starts) < minimum:
        return []
    out: list[Recipient] = []
    seen: set[str] = set()
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        address = match.group(1)
        part = _clean(text[match.start():end])
        if address.lower() in seen or not part:
            continue
        seen.add(address.lower())
        out.append(Recipient(address=address, diagnostic=part))
    return out if len(out) >= minimum else []


def parse_message(data: bytes) -> Bounce:
    """Read a bounce from the raw bytes of an .eml file."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    recipients: list[Recipient] = []
    has_status = False
    for part in msg.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            has_status = True
            for block in _status_blocks(part):
                found = _fields(block)
                if found and (found.address or found.status):
                    recipients.append(found)
    subject = _subject(msg)
    text = _human_text(msg) or _raw_body(data)
    kind = _kind(msg, has_status, subject)
    if not recipients and kind == "bounce":
        recipients = split_recipients(text)
    return Bounce(kind=kind, recipients=recipients, text=text, subject=subject)
