"""A timed SMTP transcript that redacts secrets as lines are recorded.

Redaction happens in :meth:`Transcript.record`, before a line is stored, so no later rendering
(text, JSON, Markdown, TUI, session file) can leak what was never kept:

* ``AUTH PLAIN <blob>`` / ``AUTH LOGIN <blob>`` / ``AUTH XOAUTH2 <blob>``: the blob is replaced;
* client lines answering a ``334`` challenge (LOGIN user/password, CRAM-MD5 response): replaced;
* any registered secret, and every base64 form of it, anywhere in any line: replaced.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from wizard.model.secret import Secret, secret_forms

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


class Transcript:
    """Append-only list of :class:`Line`; ``on_line`` observers see each line as it lands."""

    def __init__(self, secrets: list[Secret] | None = None, user: str | None = None) -> None:
        self._start = time.monotonic()
        self.lines: list[Line] = []
        self._forms: list[str] = []
        self._awaiting_challenge_answer = False
        self.listeners: list[Callable[[Line], None]] = []
        self.dropped = 0
        for secret in secrets or []:
            self.add_secret(secret, user)

    def add_secret(self, secret: Secret, user: str | None = None) -> None:
        forms = secret_forms(secret.reveal(), user)
        self._forms = sorted(set(self._forms) | forms, key=len, reverse=True)

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
        """Record a (possibly multi-line) reply as the server sent it, one line each."""
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
                text = REDACTED
            else:
                match = _AUTH_WITH_BLOB.match(text)
                if match:
                    text = f"{match.group(1)} {REDACTED}"
        elif direction is Direction.SERVER:
            self._awaiting_challenge_answer = text.startswith("334")
        return self.scrub(text)

    def scrub(self, text: str) -> str:
        """``text`` with every registered secret form replaced. The SMTP session passes every
        string it gets from the network through this before anything stores it (replies,
        error messages), so a server that echoes what it received cannot leak the password."""
        for form in self._forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def to_list(self) -> list[dict[str, Any]]:
        return [line.to_dict() for line in self.lines]
