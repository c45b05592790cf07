"""A bounded IMAP client: imaplib with a deadline on every read and caps on what a server sends.

imaplib does the protocol; the subclasses here refuse a literal larger than ``max_literal`` (an
"endless literal" or a 1 GB header ends at once), stop reading after ``max_total`` bytes, and
give every socket read the time left before ``deadline`` (capped at ``io_timeout``). The caller
runs the whole session in a worker thread and shuts the socket down if it overruns, so even a
server dribbling one byte a second ends within the bound.
"""

from __future__ import annotations

import imaplib
import re
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any

MAX_LITERAL = 1_000_000  # bytes: a header block (or any literal) larger than this is refused
MAX_TOTAL = 8_000_000  # bytes read in one session


class ImapError(Exception):
    """A problem talking to the IMAP server, in one line (never holds the password)."""


class _Bounded:
    """Mixin over imaplib.IMAP4: deadline and size caps on every read."""

    deadline: float
    io_timeout: float
    max_literal: int
    budget: int
    sock: socket.socket

    def _arm(self) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise ImapError("the IMAP server did not answer in time")
        sock = getattr(self, "sock", None)
        if sock is not None:
            sock.settimeout(min(self.io_timeout, remaining))

    def _spend(self, size: int) -> None:
        self.budget -= size
        if self.budget < 0:
            raise ImapError(f"the IMAP server sent more than {MAX_TOTAL:,} bytes: stopped reading")

    def read(self, size: int) -> bytes:
        if size > self.max_literal:
            raise ImapError(f"the IMAP server announced {size:,} bytes at once (the limit is "
                            f"{self.max_literal:,}): stopped reading")
        self._arm()
        data: bytes = super().read(size)  # type: ignore[misc]
        self._spend(len(data))
        if len(data) < size:
            raise ImapError("the IMAP server closed the connection in the middle of a reply")
        return data

    def readline(self) -> bytes:
        self._arm()
        line: bytes = super().readline()  # type: ignore[misc]
        self._spend(len(line))
        if not line:
            raise ImapError("the IMAP server closed the connection")
        return line


class BoundedIMAP4(_Bounded, imaplib.IMAP4):
    def __init__(self, host: str, port: int, deadline: float, io_timeout: float,
                 max_literal: int = MAX_LITERAL) -> None:
        self.deadline, self.io_timeout = deadline, io_timeout
        self.max_literal, self.budget = max_literal, MAX_TOTAL
        super().__init__(host, port,
                         timeout=min(io_timeout, max(0.01, deadline - time.monotonic())))


class BoundedIMAP4_SSL(_Bounded, imaplib.IMAP4_SSL):
    def __init__(self, host: str, port: int, deadline: float, io_timeout: float,
                 context: ssl.SSLContext, max_literal: int = MAX_LITERAL) -> None:
        self.deadline, self.io_timeout = deadline, io_timeout
        self.max_literal, self.budget = max_literal, MAX_TOTAL
        super().__init__(host, port, ssl_context=context,
                         timeout=min(io_timeout, max(0.01, deadline - time.monotonic())))


@dataclass(frozen=True)
class Folder:
    name: str  # as the server spells it (modified UTF-7), quoted again when selected
    flags: tuple[str, ...]

    @property
    def junk(self) -> bool:
        return any(f.lower() == "\\junk" for f in self.flags)


_LIST = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<delim>"(?:[^"\\]|\\.)*"|NIL) (?P<name>.*)$', re.I)
JUNK_NAMES = ("junk", "spam", "junk e-mail", "junk email", "bulk mail", "junk mail")


def _unquote(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def parse_list(data: list[Any]) -> list[Folder]:
    """LIST replies as folders (a name sent as a literal is read from its tuple)."""
    folders = []
    for item in data:
        if isinstance(item, tuple):
            head, name_raw = item[0], item[1]
            match = _LIST.match(head.rsplit(b"{", 1)[0].rstrip() + b" x")
            name = name_raw.decode("utf-8", "replace")
        elif isinstance(item, bytes):
            match = _LIST.match(item)
            name = _unquote(match.group("name")) if match else ""
        else:
            continue
        if match and name:
            folders.append(Folder(name, tuple(match.group("flags").decode("ascii", "replace")
                                              .split())))
    return folders


def find_junk(folders: list[Folder]) -> Folder | None:
    """The RFC 6154 ``\\Junk`` folder, else one with a usual name (Junk, Spam, Junk E-Mail)."""
    marked = [f for f in folders if f.junk]
    if marked:
        return marked[0]
    for wanted in JUNK_NAMES:
        for folder in folders:
            leaf = re.split(r"[./]", folder.name)[-1].lower()
            if leaf == wanted:
                return folder
    return None


def quoted(name: str) -> str:
    """An IMAP quoted string (refuses CR/LF, which a quoted string cannot hold)."""
    if "\r" in name or "\n" in name:
        raise ImapError("a folder name or Message-ID holds a line break")
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check(reply: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = reply
    if status != "OK":
        said = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise ImapError(f"{what} refused: {status} {said[:200]}".rstrip())
    return data
