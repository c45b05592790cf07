"""A timed SMTP transcript that redacts secrets as lines are recorded.

Redaction happens in :meth:`Transcript.record`, before a line is stored, so no later rendering
(text, JSON, Markdown, TUI, session file) can leak what was never kept:

* ``AUTH PLAIN <blob>`` / ``AUTH LOGIN <blob>`` / ``AUTH XOAUTH2 <blob>``: the blob is replaced;
* client lines answering a ``334`` challenge (LOGIN user/password, CRAM-MD5 response): replaced;
* once the secret has gone out, everything received is searched for it in every form a server
  could echo: base64 (PLAIN/LOGIN/XOAUTH2 blobs, any alignment, wrapped over lines), hex, URL,
  JSON and C escapes, long prefixes and suffixes, a value split over two lines. Text received
  before the secret was sent is kept as it came: the server could not know the secret then, and
  marking a match (a password ``ESMTP`` in the greeting) would tell what the password is.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from wizard.model.secret import (
    MIN_PIECE,
    Secret,
    decoded_views,
    echo_forms,
    secret_forms,
)

REDACTED = "[redacted]"
MAX_LINE_CHARS = 2000
MAX_ENTRIES = 5000


class Direction(StrEnum):
    CONNECT = "connect"
    CLIENT = "client"
    SERVER = "server"
    TLS = "tls"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Line:
    t_ms: int
    dir: Direction
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"t_ms": self.t_ms, "dir": self.dir.value, "text": self.text}


_AUTH_WITH_BLOB = re.compile(r"^(AUTH\s+\S+)\s+\S.*$", re.IGNORECASE)
_TOKEN = re.compile(r"\S+")
_CODE = re.compile(r"^(?:\d{3}[- ]?)?(?:[245]\.\d{1,3}\.\d{1,3})?$")
_ENCODED = re.compile(r"^[A-Za-z0-9+/=_%-]+$")


class _Needles:
    """What to look for of one secret: its exact forms, and the shortest pieces (a prefix and a
    suffix of half its length) that any longer piece contains."""

    def __init__(self, value: str, user: str | None) -> None:
        self.forms = sorted((secret_forms(value, user) | echo_forms(value)) - {""},
                            key=len, reverse=True)
        least = max(MIN_PIECE, (len(value) + 1) // 2)
        self.short = {value} if len(value) <= least else {value[:least], value[-least:]}
        self.value = value

    def seen_in(self, chunk: str, whole: bool = False) -> bool:
        """Whether ``chunk`` holds a long piece of the secret (``whole``: all of it), in any
        decoded view."""
        needles = {self.value} if whole else self.short
        return any(needle in view for view in decoded_views(chunk) for needle in needles)


class Transcript:
    """Append-only list of :class:`Line`; ``on_line`` observers see each line as it lands."""

    def __init__(self, secrets: list[Secret] | None = None, user: str | None = None) -> None:
        self._start = time.monotonic()
        self.lines: list[Line] = []
        self._forms: list[str] = []
        self._needles: list[_Needles] = []
        self._awaiting_challenge_answer = False
        self.secret_sent = False
        self.listeners: list[Callable[[Line], None]] = []
        self.dropped = 0
        for secret in secrets or []:
            self.add_secret(secret, user)

    def add_secret(self, secret: Secret, user: str | None = None) -> None:
        value = secret.reveal()
        if not value:
            return
        needles = _Needles(value, user)
        self._needles.append(needles)
        self._forms = sorted(set(self._forms) | set(needles.forms), key=len, reverse=True)

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self._start) * 1000)

    def record(self, direction: Direction | str, text: str) -> Line:
        direction = Direction(direction)
        text = self._redact(direction, text)
        if len(text) > MAX_LINE_CHARS:
            text = text[:MAX_LINE_CHARS] + f"... [{len(text) - MAX_LINE_CHARS} more characters]"
        line = Line(self.elapsed_ms(), direction, text)
        if len(self.lines) < MAX_ENTRIES:
            self.lines.append(line)
        else:
            self.dropped += 1
        for listener in self.listeners:
            listener(line)
        return line

    def client(self, text: str) -> Line:
        return self.record(Direction.CLIENT, text)

    def server(self, code: int, message: str) -> None:
        """Record a (possibly multi-line) reply as the server sent it, one line each (scrubbed
        as a whole first, so a secret split or wrapped over lines is found)."""
        message = self.scrub(message)
        parts = message.split("\n") if message else [""]
        for index, part in enumerate(parts):
            sep = " " if index == len(parts) - 1 else "-"
            self.record(Direction.SERVER, f"{code}{sep}{part}".rstrip())

    def note(self, text: str) -> Line:
        return self.record(Direction.NOTE, text)

    def _redact(self, direction: Direction, text: str) -> str:
        if direction is Direction.CLIENT:
            if self._awaiting_challenge_answer:
                self._awaiting_challenge_answer = False
                self.secret_sent = True
                return REDACTED
            match = _AUTH_WITH_BLOB.match(text)
            if match:
                self.secret_sent = True
                return f"{match.group(1)} {REDACTED}"
            return self.scrub(text)
        if direction is Direction.SERVER:
            self._awaiting_challenge_answer = text.startswith("334")
        return self.scrub(text)

    def scrub(self, text: str) -> str:
        """``text`` with the secret hidden in every form, once the secret has been sent. The SMTP
        session passes every string it gets from the network through this before anything
        stores it (replies, error messages), so a server that echoes what it received, however
        re-encoded, cannot leak the password. Before the secret was sent, ``text`` is returned
        unchanged (nothing the server said then can hold it)."""
        return self.scrub_typed(text) if self.secret_sent else text

    def scrub_typed(self, text: str) -> str:
        """``text`` with the secret hidden in every form, sent or not: for what the person typed
        or pasted (an error message copied from their mail client)."""
        if not self._needles or not text:
            return text
        for form in self._forms:
            if form in text:
                text = text.replace(form, REDACTED)
        tokens = [m for m in _TOKEN.finditer(text) if not _CODE.match(m.group())]
        alone = [self._seen(m.group()) for m in tokens]
        hits = {m.span() for m, seen in zip(tokens, alone, strict=True) if seen}
        for index in range(len(tokens) - 1):  # a value split over two words or lines
            left, right = tokens[index].group(), tokens[index + 1].group()
            if alone[index] and alone[index + 1]:
                continue
            if (not (alone[index] or alone[index + 1]) and self._seen(left + right)) or (
                    self._seen(left + right, whole=True)
                    and not self._seen(left, whole=True) and not self._seen(right, whole=True)):
                hits |= {tokens[index].span(), tokens[index + 1].span()}
        run: list[re.Match[str]] = []  # consecutive encoded words: base64 wrapped over lines
        for match in [*tokens, None]:
            if match is not None and _ENCODED.match(match.group()):
                run.append(match)
                continue
            if len(run) > 2 and self._seen("".join(m.group() for m in run)):
                hits |= {m.span() for m in run}
            run = []
        for begin, finish in sorted(hits, reverse=True):
            text = text[:begin] + REDACTED + text[finish:]
        return text

    def _seen(self, chunk: str, whole: bool = False) -> bool:
        return any(needles.seen_in(chunk, whole) for needles in self._needles)

    def to_list(self) -> list[dict[str, Any]]:
        return [line.to_dict() for line in self.lines]
