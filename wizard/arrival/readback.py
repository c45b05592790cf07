"""Wait (bounded) for a sent test message in INBOX and the Junk folder, by Message-ID.

One IMAP login (IMAPS, or STARTTLS; plaintext LOGIN only when the user allows it), LIST to find
INBOX and the ``\\Junk`` folder, then every ``poll_s`` a ``UID SEARCH HEADER Message-ID`` in
each, until the message shows or ``wait_s`` runs out. Found: FETCH only ``RFC822.SIZE`` and
``BODY.PEEK[HEADER]``, then delete it (``\\Deleted`` and ``UID EXPUNGE``) unless ``keep``. The
session runs in a worker thread; the whole of it is bounded by ``wait_s`` plus the login and
fetch time, and a server that overruns has its socket shut down.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wizard.arrival.imap import (
    BoundedIMAP4,
    BoundedIMAP4_SSL,
    Folder,
    ImapError,
    check,
    find_junk,
    parse_list,
    quoted,
)
from wizard.arrival.result import Arrival
from wizard.model.secret import Secret
from wizard.model.transcript import Transcript

SECURITIES = ("auto", "starttls", "tls", "none")
SETUP_S = 30.0  # login, LIST, FETCH and delete on top of the wait


@dataclass
class ImapSettings:
    host: str
    user: str
    password: Secret
    port: int | None = None
    security: str = "auto"  # auto: implicit TLS on 993, else STARTTLS
    ca_file: str | None = None
    verify_tls: bool = True
    allow_plaintext: bool = False
    timeout: float = 10.0  # per read

    @property
    def mode(self) -> str:
        if self.security != "auto":
            return self.security
        return "tls" if self.effective_port == 993 else "starttls"

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return 993 if self.security == "tls" else 143

    def context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.ca_file)
        if not self.verify_tls:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx


Progress = Callable[[str], None]


class _Watch:
    """The client of the running session, so the event loop can shut its socket on overrun."""

    def __init__(self) -> None:
        self.client: Any = None
        self.lock = threading.Lock()

    def kill(self) -> None:
        with self.lock:
            sock = getattr(self.client, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: the worker ends on its own
                sock.shutdown(socket.SHUT_RDWR)


def _connect(s: ImapSettings, deadline: float, watch: _Watch) -> Any:
    if s.mode == "none" and not s.allow_plaintext:
        raise ImapError("refusing to send the IMAP password without TLS: use "
                        "--imap-security tls or starttls, or add --allow-plaintext-auth")
    try:
        if s.mode == "tls":
            client: Any = BoundedIMAP4_SSL(s.host, s.effective_port, deadline, s.timeout,
                                           s.context())
        else:
            client = BoundedIMAP4(s.host, s.effective_port, deadline, s.timeout)
    except ssl.SSLError as exc:
        raise ImapError(f"TLS with {s.host} port {s.effective_port} failed: "
                        f"{exc.reason or exc}") from None
    with watch.lock:
        watch.client = client
    if s.mode == "starttls":
        if "STARTTLS" not in client.capabilities:
            raise ImapError("the IMAP server does not offer STARTTLS: use --imap-security tls "
                            "(port 993) or, on a trusted network, --imap-security none with "
                            "--allow-plaintext-auth")
        try:
            client.starttls(ssl_context=s.context())
        except ssl.SSLError as exc:
            raise ImapError(f"STARTTLS with {s.host} failed: {exc.reason or exc}") from None
    if "LOGINDISABLED" in client.capabilities:
        raise ImapError("the IMAP server refuses LOGIN here (LOGINDISABLED)")
    return client


def _search(client: Any, folder: Folder, message_id: str) -> str | None:
    check(client.select(quoted(folder.name)), f"SELECT {folder.name}")
    data = check(client.uid("SEARCH", "HEADER", "Message-ID", quoted(message_id)), "SEARCH")
    uids = b" ".join(d for d in data if isinstance(d, bytes)).split()
    return uids[-1].decode("ascii") if uids else None


_SIZE = re.compile(rb"RFC822\.SIZE (\d+)", re.I)


def _fetch(client: Any, uid: str) -> tuple[bytes, int | None]:
    data = check(client.uid("FETCH", uid, "(RFC822.SIZE BODY.PEEK[HEADER])"), "FETCH")
    header, size = b"", None
    for item in data:
        if isinstance(item, tuple):
            found = _SIZE.search(item[0])
            size = int(found.group(1)) if found else size
            header = item[1]
        elif isinstance(item, bytes) and size is None:
            found = _SIZE.search(item)
            size = int(found.group(1)) if found else None
    return header, size


def _delete(client: Any, uid: str) -> bool:
    check(client.uid("STORE", uid, "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
    if "UIDPLUS" in client.capabilities:
        check(client.uid("EXPUNGE", uid), "UID EXPUNGE")
    else:  # without UIDPLUS, EXPUNGE is the only way (it also removes other \Deleted mail)
        check(client.expunge(), "EXPUNGE")
    return True


def _session(s: ImapSettings, message_id: str, wait_s: float, poll_s: float, keep: bool,
             started: float, deadline: float, watch: _Watch, progress: Progress | None,
             result: Arrival) -> None:
    client = _connect(s, deadline, watch)
    try:
        try:
            check(client.login(s.user, s.password.reveal()), "LOGIN")
        except imaplib_error() as exc:
            said = exc.args[0] if exc.args else ""
            if isinstance(said, bytes):
                said = said.decode("utf-8", "replace")
            raise ImapError(f"the IMAP login as {s.user} was refused: {said}") from None
        folders = parse_list(check(client.list(), "LIST"))
        inbox = next((f for f in folders if f.name.upper() == "INBOX"), Folder("INBOX", ()))
        junk = find_junk(folders)
        targets = [("inbox", inbox)] + ([("junk", junk)] if junk else [])
        result.searched = [f.name for _, f in targets]
        end_wait = started + wait_s
        while True:
            result.polls += 1
            for kind, folder in targets:
                uid = _search(client, folder, message_id)
                if uid is None:
                    continue
                result.status, result.folder, result.mailbox = "arrived", kind, folder.name
                found_at = time.monotonic()
                result.found_at = utc_now()
                header, result.size = _fetch(client, uid)
                result.headers = header.decode("utf-8", "replace")
                result.waited_s = found_at - started
                if not keep:
                    result.deleted = _delete(client, uid)
                return
            now = time.monotonic()
            if progress is not None:
                progress(f"waiting for the test message: {now - started:.0f} of {wait_s:.0f} s "
                         f"({', '.join(result.searched)})")
            if now + poll_s > end_wait:
                result.status, result.waited_s = "not-arrived", now - started
                return
            time.sleep(poll_s)
    finally:
        try:
            client.logout()
        except (OSError, ImapError, imaplib_error()):
            pass  # the server went away first: nothing left to close politely


def imaplib_error() -> type[Exception]:
    import imaplib

    return imaplib.IMAP4.error


async def read_back(s: ImapSettings, message_id: str, wait_s: float = 120.0,
                    poll_s: float = 2.0, keep: bool = False,
                    progress: Progress | None = None, setup_s: float = SETUP_S) -> Arrival:
    """Wait for ``message_id`` in INBOX and Junk; never raises for what the server does.
    Everything ends within ``wait_s + setup_s + timeout + 1`` seconds."""
    result = Arrival("error", message_id)
    if not re.fullmatch(r"<[^<>\"\\\s]{3,500}>", message_id):
        result.error = "the Message-ID is not one the wizard can search for"
        return result
    started = time.monotonic()
    deadline = started + wait_s + setup_s + s.timeout
    watch = _Watch()
    scrubber = Transcript([s.password], s.user)
    task = asyncio.ensure_future(asyncio.to_thread(
        _session, s, message_id, wait_s, poll_s, keep, started, deadline, watch, progress,
        result))
    done, _ = await asyncio.wait({task}, timeout=deadline - started + 1)
    if not done:  # a server dribbling bytes: shut its socket so the worker ends
        watch.kill()
        result.status, result.error = "error", "the IMAP server did not finish in time"
        task.add_done_callback(lambda t: t.exception())  # collected, never reported twice
    else:
        try:
            task.result()
        except (ImapError, OSError, imaplib_error()) as exc:
            text = str(exc) or type(exc).__name__
            if isinstance(exc, TimeoutError):
                text = "the IMAP server did not answer in time"
            elif isinstance(exc, ConnectionRefusedError):
                text = f"nothing listens on {s.host} port {s.effective_port} (connection refused)"
            if result.status != "arrived":
                result.status = "error"
            result.error = scrubber.scrub_typed(text)[:300]
    result.waited_s = result.waited_s or time.monotonic() - started
    return result


def utc_now() -> datetime:
    return datetime.now(UTC)
