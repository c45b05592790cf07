"""Read a received message (a whole .eml, or only its header block) into header fields.

Pure: bytes in, a :class:`Message` out, or :class:`NotAMessage` with a one-line reason. Handles
what people paste and what mail systems save: CRLF or LF, a leading mbox ``From `` line or blank
lines, folded fields (kept byte-exact for DKIM), duplicated fields, raw 8-bit (non-UTF-8) header
bytes, RFC 2047 encoded words, and a pasted body that follows the headers without the blank line.
Huge input is bounded: at most :data:`MAX_FIELDS` fields are analysed.

It deliberately does not parse MIME bodies (nothing here needs them) and keeps the exact bytes
DKIM needs in :attr:`Message.dkim_input`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.utils import getaddresses

from wizard.model.errors import WizardError

MAX_INPUT_BYTES = 32 * 1024 * 1024
MAX_FIELDS = 5000
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_SPACE = re.compile(r"[ \t\r\n]+")
# Headers a mail system writes: at least one must be present for the input to be a message.
MESSAGE_HEADERS = frozenset((
    "from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
    "dkim-signature", "authentication-results", "arc-seal", "arc-authentication-results",
    "received-spf", "mime-version", "content-type", "reply-to", "sender", "delivered-to",
    "x-forefront-antispam-report", "x-ms-exchange-organization-scl", "x-spam-status",
    "list-unsubscribe", "in-reply-to", "references",
))
# RFC 5322 3.6: fields that may appear at most once.
SINGLETONS = ("from", "sender", "reply-to", "to", "cc", "bcc", "message-id", "in-reply-to",
              "references", "subject", "date")


class NotAMessage(WizardError):
    """The input is not an e-mail message; the text is a one-line reason."""


@dataclass(frozen=True, slots=True)
class HeaderField:
    """One header field: its name, exact bytes (folding kept), and unfolded text."""

    name: str
    raw: bytes
    value: str
    index: int  # position in the header block, 0 = top (the newest)

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass
class Message:
    """The header fields of a message, its body (None when only headers were given)."""

    fields: list[HeaderField]
    body: bytes | None
    dkim_input: bytes
    size: int
    notes: list[str] = field(default_factory=list)

    @property
    def headers_only(self) -> bool:
        return self.body is None

    def all(self, name: str) -> list[HeaderField]:
        key = name.lower()
        return [f for f in self.fields if f.key == key]

    def first(self, name: str) -> HeaderField | None:
        key = name.lower()
        return next((f for f in self.fields if f.key == key), None)

    def value(self, name: str) -> str | None:
        found = self.first(name)
        return found.value if found else None

    def text(self, name: str) -> str | None:
        """The first ``name`` field with RFC 2047 encoded words decoded."""
        raw = self.value(name)
        return decode_words(raw) if raw is not None else None

    def addresses(self, name: str) -> list[str]:
        """The mail addresses of every ``name`` field (lower-cased domain part)."""
        values = [f.value for f in self.all(name)]
        out = []
        for _display, addr in getaddresses(values):
            if "@" in addr:
                local, _, domain = addr.rpartition("@")
                out.append(f"{local}@{domain.lower().rstrip('.')}")
        return out

    def duplicated(self) -> list[str]:
        """Singleton fields (RFC 5322 3.6) that appear more than once."""
        return [name for name in SINGLETONS if len(self.all(name)) > 1]


def decode_words(value: str) -> str:
    """``value`` with RFC 2047 encoded words decoded; undecodable text is kept as it is."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (HeaderParseError, UnicodeError, LookupError, ValueError, AssertionError):
        return value


def _text(raw: bytes, notes: list[str], name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        note = f"{name}: raw 8-bit bytes that are not UTF-8 (shown as Windows-1252)"
        if note not in notes:
            notes.append(note)
        return raw.decode("cp1252", errors="replace")


def _lines(data: bytes, pos: int) -> Iterator[tuple[int, int, int]]:
    """(start, end without the line ending, start of the next line) from ``pos`` on."""
    size = len(data)
    while pos < size:
        end = data.find(b"\n", pos)
        nxt = size if end < 0 else end + 1
        stop = size if end < 0 else end
        if stop > pos and data[stop - 1:stop] == b"\r":
            stop -= 1
        yield pos, stop, nxt
        pos = nxt


def parse_message(data: bytes) -> Message:
    """Split ``data`` into header fields and body. Raises :class:`NotAMessage`."""
    if len(data) > MAX_INPUT_BYTES:
        raise NotAMessage(f"the input is {len(data):,} bytes; the limit is "
                          f"{MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    if not data.strip():
        raise NotAMessage("the input is empty")
    notes: list[str] = []
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    for start, stop, nxt in _lines(data, pos):
        if data[start:stop].strip():
            pos = start
            break
        pos = nxt
    first_end = data.find(b"\n", pos)
    first = data[pos:first_end if first_end >= 0 else len(data)]
    if first.startswith(b"From ") and not _FIELD.match(first):
        notes.append("an mbox 'From ' line before the headers was skipped")
        pos = len(data) if first_end < 0 else first_end + 1
    header_start = pos
    spans: list[tuple[int, int]] = []  # (start, end) of each field, line ending excluded
    header_end = len(data)
    body_start: int | None = None
    joined = True  # the body (if any) follows a blank line
    for start, stop, nxt in _lines(data, header_start):
        line = data[start:stop]
        if not line:
            header_end, body_start = start, nxt
            break
        if line[:1] in (b" ", b"\t"):
            if not spans:
                raise NotAMessage("not an e-mail message: it starts with an indented line, "
                                  "not a 'Name: value' header field")
            spans[-1] = (spans[-1][0], stop)
            continue
        if _FIELD.match(line):
            spans.append((start, stop))
            continue
        if not spans:
            raise NotAMessage("not an e-mail message: the first line is not a 'Name: value' "
                              "header field")
        header_end, body_start, joined = start, start, False
        line_no = data.count(b"\n", header_start, start) + 1
        notes.append("no blank line after the headers: the text from line "
                     f"{line_no} on is read as the body")
        break
    if not spans:
        raise NotAMessage("not an e-mail message: no header fields found")
    if b"\x00" in data[header_start:header_end]:
        raise NotAMessage("not an e-mail message: the header block holds binary data (NUL bytes)")
    if len(spans) > MAX_FIELDS:
        notes.append(f"{len(spans):,} header fields: only the first {MAX_FIELDS:,} are analysed")
        spans = spans[:MAX_FIELDS]
    fields = []
    for index, (start, stop) in enumerate(spans):
        raw = data[start:stop]
        match = _FIELD.match(raw)
        assert match is not None
        name = match.group(1).decode("ascii")
        text = _text(raw[match.end():], notes, name)
        value = _SPACE.sub(" ", _FOLD.sub("", text)).strip()
        fields.append(HeaderField(name, raw, value, index))
    if not any(f.key in MESSAGE_HEADERS for f in fields):
        raise NotAMessage("not an e-mail message: none of From, To, Subject, Date, Message-ID or "
                          "Received is present")
    head = data[header_start:header_end]
    if body_start is None:
        body = None
        dkim_input = head + (b"" if head.endswith(b"\n") else b"\r\n") + b"\r\n"
        notes.append("headers only: the body was not given, so DKIM body hashes cannot be "
                     "checked")
    elif joined:
        body = data[body_start:]
        dkim_input = data[header_start:]
    else:
        body = data[body_start:]
        dkim_input = head + b"\r\n" + body
    return Message(fields, body, dkim_input, len(data), notes)
