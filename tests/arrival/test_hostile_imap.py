"""Hostile IMAP servers (raw asyncio on 127.0.0.1): the read-back ends within its bounds with an
error or a finding, never a hang, and never prints the password a server echoes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from wizard.arrival.explain import conclude
from wizard.arrival.imap import MAX_LITERAL, Folder, find_junk, parse_list
from wizard.arrival.readback import ImapSettings, read_back
from wizard.arrival.result import Arrival
from wizard.model.secret import Secret

PASSWORD = "hostile-pass-9183"
MSGID = "<1.2.3@smtp-wizard.test>"
Handler = Callable[[str, str, asyncio.StreamWriter], Awaitable[bool]]


async def _serve(handler: Handler, wait_s: float = 3.0, timeout: float = 1.0,
                 setup_s: float = 30.0, seen: list[str] | None = None) -> Arrival:
    """Run ``read_back`` against a server whose answers ``handler(tag, command, writer)`` writes
    (returns False to stop answering); plaintext is allowed (loopback, test server)."""

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"* OK [CAPABILITY IMAP4rev1 UIDPLUS] hostile ready\r\n")
        try:
            while line := await reader.readline():
                tag, _, command = line.decode().rstrip("\r\n").partition(" ")
                if not await handler(tag, command, writer):
                    await reader.read()  # say nothing more until the client goes
                    break
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass  # the client hung up: the point of the test
        finally:
            writer.close()

    server = await asyncio.start_server(client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = ImapSettings("127.0.0.1", "u@x.test", Secret(PASSWORD), port=port,
                            security="none", allow_plaintext=True, timeout=timeout)
    try:
        return await asyncio.wait_for(read_back(
            settings, MSGID, wait_s, poll_s=0.2, setup_s=setup_s,
            progress=None if seen is None else seen.append), 60)
    finally:
        server.close()


async def _mailbox(tag: str, command: str, w: asyncio.StreamWriter) -> bool:
    """A well-behaved server with an INBOX and a \\Junk folder, the message in neither."""
    verb = command.split()[0].upper() if command else ""
    if verb == "LIST":
        w.write(b'* LIST (\\HasNoChildren) "." INBOX\r\n'
                b'* LIST (\\HasNoChildren \\Junk) "." "Spam folder"\r\n')
    elif verb == "SELECT":
        w.write(b"* 0 EXISTS\r\n")
    elif verb == "UID" and "SEARCH" in command.upper():
        w.write(b"* SEARCH\r\n")
    w.write(f"{tag} OK done\r\n".encode())
    return True


def test_no_tagged_reply_ends_with_an_error() -> None:
    async def silent(tag: str, command: str, w: asyncio.StreamWriter) -> bool:
        return False

    result = asyncio.run(_serve(silent))
    assert result.status == "error"
    assert result.error is not None and "did not answer in time" in result.error


def test_a_server_dribbling_bytes_is_cut_off_at_the_overall_bound() -> None:
    async def dribble(tag: str, command: str, w: asyncio.StreamWriter) -> bool:
        w.write(b"* CAPABILITY IMAP4rev1")  # never a line end: each byte resets a read timeout
        for _ in range(100):
            w.write(b" X")
            await w.drain()
            await asyncio.sleep(0.2)
        return False

    result = asyncio.run(_serve(dribble, wait_s=1.0, timeout=1.0, setup_s=0.5))
    assert result.status == "error"
    assert result.error == "the IMAP server did not finish in time"


def test_endless_literal_is_refused_at_once() -> None:
    async def endless(tag: str, command: str, w: asyncio.StreamWriter) -> bool:
        w.write(b"* LIST () \".\" {99999999999}\r\n" + b"x" * 65536)
        for _ in range(200):
            w.write(b"x" * 65536)
            await w.drain()
        return False

    result = asyncio.run(_serve(endless))
    assert result.status == "error"
    assert result.error is not None and "99,999,999,999 bytes" in result.error


def test_huge_header_is_refused_and_the_arrival_still_named() -> None:
    async def huge(tag: str, command: str, w: asyncio.StreamWriter) -> bool:
        if "SEARCH" in command.upper():
            w.write(b"* SEARCH 7\r\n" + f"{tag} OK done\r\n".encode())
            return True
        if "FETCH" in command.upper():
            w.write(b"* 1 FETCH (UID 7 RFC822.SIZE 1073741824 BODY[HEADER] {1073741824}\r\n")
            w.write(b"Received: " + b"a" * 65536)
            return False
        return await _mailbox(tag, command, w)

    result = asyncio.run(_serve(huge))
    assert (result.status, result.folder) == ("arrived", "inbox")
    assert result.headers is None and not result.deleted
    assert result.error is not None and f"{MAX_LITERAL:,}" in result.error


def test_not_arrived_after_the_wait_is_a_finding() -> None:
    seen: list[str] = []
    result = asyncio.run(_serve(_mailbox, wait_s=1.0, seen=seen))
    assert seen and "of 1 s (INBOX, Spam folder)" in seen[-1]
    assert result.status == "not-arrived" and result.folder is None
    assert result.searched == ["INBOX", "Spam folder"] and result.polls >= 2
    result.queue_id, result.accepted_at = "ABC123", "2026-12-08T01:02:00+00:00"
    text = conclude(result, 1.0).finding
    assert "at 01:02 UTC, not in the inbox or junk after 1 s" in text and "ABC123" in text


def test_a_password_echoed_in_a_refusal_is_redacted() -> None:
    async def echo(tag: str, command: str, w: asyncio.StreamWriter) -> bool:
        if not command.upper().startswith("LOGIN"):
            return await _mailbox(tag, command, w)
        w.write(f"{tag} NO [AUTHENTICATIONFAILED] you sent {command}\r\n".encode())
        return True

    result = asyncio.run(_serve(echo))
    assert result.status == "error" and result.error is not None
    assert "login as u@x.test was refused" in result.error
    assert PASSWORD not in str(result.to_dict()) and PASSWORD[:9] not in result.error


def test_junk_folder_by_flag_then_by_name() -> None:
    folders = parse_list([b'(\\HasNoChildren) "/" INBOX', b'(\\Junk) "/" "Bulk"',
                          (b'(\\HasNoChildren) "/" {4}', b"Spam")])
    assert find_junk(folders) == Folder("Bulk", ("\\Junk",))
    assert find_junk([f for f in folders if f.name != "Bulk"]) == Folder("Spam",
                                                                        ("\\HasNoChildren",))
    assert find_junk(parse_list([b'() "." INBOX'])) is None


def test_a_message_id_that_cannot_be_searched_is_refused() -> None:
    settings = ImapSettings("127.0.0.1", "u", Secret("p"), port=9)
    result = asyncio.run(read_back(settings, '<a"b\r\nX OK@c>', 1.0))
    assert result.status == "error" and re.search("not one the wizard can search", result.error
                                                  or "")
