"""One SMTP connection driven through aiosmtplib, with every line in the transcript.

aiosmtplib does the wire work (bounded reply reading, dot-stuffing, STARTTLS upgrade). This
wrapper sends each command itself with ``execute_command`` so that what the transcript shows is
exactly what crossed the wire (minus redacted secrets), and it turns aiosmtplib's exceptions into
one :class:`SmtpIOError` with a ``kind`` the checks can explain.
"""

from __future__ import annotations

import socket
import ssl
import time
from typing import Literal

import aiosmtplib
from aiosmtplib.errors import (
    SMTPConnectResponseError,
    SMTPException,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from wizard.model.findings import Reply
from wizard.model.transcript import Transcript
from wizard.smtp.capabilities import Capabilities, parse_ehlo
from wizard.smtp.reply import to_reply

ErrorKind = Literal["timeout", "disconnected", "tls", "protocol", "rejected"]
# The one mapping from an I/O failure to a category; every check uses ``SmtpIOError.category``.
IO_CATEGORY: dict[str, str] = {
    "timeout": "connection-timeout", "disconnected": "connection-dropped",
    "tls": "tls-handshake", "protocol": "protocol-error", "rejected": "service-unavailable",
}


class SmtpIOError(Exception):
    """A network or protocol failure, with the kind and (if any) the reply or TLS error."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        reply: Reply | None = None,
        ssl_error: ssl.SSLError | None = None,
        waited_for: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.reply = reply
        self.ssl_error = ssl_error
        # What the client was waiting for when a timeout struck, in the user's words ("AUTH",
        # "the greeting"): set only for a timeout on a connection that stood.
        self.waited_for = waited_for if kind == "timeout" else None

    @property
    def category(self) -> str:
        """The connection stood and one reply came too late: ``reply-timeout``, never a
        connection timeout (which means the TCP connection itself got no answer)."""
        if self.waited_for is not None:
            return "reply-timeout"
        return IO_CATEGORY[self.kind]


def find_ssl_error(exc: BaseException | None) -> ssl.SSLError | None:
    """The ssl.SSLError somewhere in an exception's cause/context chain, if any."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ssl.SSLError):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


# Commands whose name may be shown in an error. Any other client line is an AUTH continuation
# (a base64 user name, password or challenge response) and is never quoted, not even in part.
_VERBS = frozenset({"EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT", "RSET",
                    "NOOP", "QUIT", "VRFY", "EXPN", "HELP"})


def command_name(line: str) -> str:
    """The command a client line carries, for messages: never any of its arguments."""
    verb = line.split(" ", 1)[0].split(":", 1)[0].upper()
    return verb if verb in _VERBS else "the authentication exchange"


# What a timeout waited for, as the user would say it (the contract's ``waited_for`` values).
_WAITED_FOR = {"HELO": "EHLO", "MAIL": "MAIL FROM", "RCPT": "RCPT TO",
               "the authentication exchange": "AUTH"}


def waited_for(line: str) -> str:
    """The command whose reply a client line waits for: "AUTH" for a continuation line."""
    name = command_name(line)
    return _WAITED_FOR.get(name, name)


def _convert(exc: BaseException, doing: str, waiting: str | None = None) -> SmtpIOError:
    ssl_error = find_ssl_error(exc)
    if ssl_error is not None:
        return SmtpIOError("tls", f"TLS failed while {doing}: {ssl_error}", ssl_error=ssl_error)
    if isinstance(exc, SMTPTimeoutError | TimeoutError):
        return SmtpIOError("timeout", f"no reply while {doing}", waited_for=waiting)
    if isinstance(exc, SMTPConnectResponseError):
        reply = to_reply(exc.code, exc.message)
        return SmtpIOError("rejected", f"server refused the session: {reply}", reply=reply)
    if isinstance(exc, SMTPServerDisconnected | ConnectionError):
        return SmtpIOError("disconnected", f"the server closed the connection while {doing}")
    if isinstance(exc, SMTPResponseException):
        return SmtpIOError("protocol", f"unreadable reply while {doing}: {exc.message}")
    return SmtpIOError("protocol", f"{doing} failed: {exc}")


class SmtpSession:
    """A connected SMTP dialogue; every method raises SmtpIOError on network trouble."""

    def __init__(
        self, server_name: str, transcript: Transcript, timeout: float, helo_name: str
    ) -> None:
        self.server_name = server_name
        self.transcript = transcript
        self.timeout = timeout
        self.helo_name = helo_name
        self.smtp: aiosmtplib.SMTP | None = None
        self.encrypted = False
        self.capabilities: Capabilities | None = None
        self.greeting: Reply | None = None
        self.last_message = ""

    async def open(
        self, sock: socket.socket, implicit_tls: bool, context: ssl.SSLContext | None
    ) -> Reply:
        """Take over a connected socket, do the TLS handshake if implicit, read the greeting."""
        self.smtp = aiosmtplib.SMTP(
            hostname=self.server_name,
            sock=sock,
            use_tls=implicit_tls,
            start_tls=False,
            tls_context=context if implicit_tls else None,
            timeout=self.timeout,
            local_hostname=self.helo_name,
        )
        try:
            response = await self.smtp.connect()
        except (SMTPException, OSError, TimeoutError) as exc:
            if isinstance(exc, SMTPConnectResponseError):
                self._server(exc.code, exc.message)
            # With implicit TLS a timeout may be the handshake's: only a plain one names the
            # greeting.
            raise self._failed(exc, "waiting for the greeting",
                               None if implicit_tls else "the greeting") from None
        self.encrypted = implicit_tls
        self.greeting = self._server(response.code, response.message)
        return self.greeting

    def _server(self, code: int, message: str) -> Reply:
        """Record a reply and return it, scrubbed of every secret form (a server may echo)."""
        self.transcript.server(code, message)
        return to_reply(code, self.transcript.scrub(message))

    def _failed(self, exc: BaseException, doing: str, waiting: str | None = None) -> SmtpIOError:
        """Close, and convert ``exc``; its message may quote the server, so it is scrubbed.
        ``waiting``: the reply that was awaited (named by a timeout)."""
        self.close()
        error = _convert(exc, doing, waiting)
        reply = error.reply
        if reply is not None:
            reply = Reply(reply.code, reply.enhanced, self.transcript.scrub(reply.text))
        return SmtpIOError(error.kind, self.transcript.scrub(str(error)), reply=reply,
                           ssl_error=error.ssl_error, waited_for=error.waited_for)

    async def command(self, line: str) -> Reply:
        """Send one command line and read its reply."""
        smtp = self._require()
        self.transcript.client(line)
        try:
            response = await smtp.execute_command(*[part.encode() for part in line.split(" ")])
        except (SMTPException, OSError, TimeoutError, ValueError) as exc:
            raise self._failed(exc, f"waiting for the reply to {command_name(line)}",
                               waited_for(line)) from None
        self.last_message = self.transcript.scrub(response.message)
        return self._server(response.code, response.message)

    async def commands(self, lines: list[str]) -> list[Reply]:
        """Several commands, one round trip each."""
        return [await self.command(line) for line in lines]

    async def pipeline(self, lines: list[str]) -> list[Reply]:
        """Several commands in one write, replies read in order (RFC 2920 PIPELINING). A group
        ending with QUIT closes the session; a server that hangs up instead of answering the
        QUIT loses nothing.

        aiosmtplib has no pipelining API. Its protocol parses one reply per wait and drops data
        that arrives while a parsed reply waits to be picked up, which happens when several
        replies come in one read (several TLS records). For the duration of the group its
        ``data_received`` is wrapped to keep such data in the buffer, and buffered replies are
        taken with ``_read_response_from_buffer`` before waiting again. If this aiosmtplib lacks
        those internals, the commands go one by one instead: slower, never wrong.
        """
        smtp = self._require()
        protocol = smtp.protocol
        from_buffer = getattr(protocol, "_read_response_from_buffer", None)
        lock = getattr(protocol, "_command_lock", None)
        if protocol is None or from_buffer is None or lock is None \
                or not hasattr(protocol, "_response_pending") \
                or not isinstance(getattr(protocol, "_buffer", None), bytearray):
            return await self.commands(lines)
        for line in lines:
            self.transcript.client(line)
        replies: list[Reply] = []
        original = protocol.data_received

        def keep_early_data(data: bytes) -> None:
            waiter = getattr(protocol, "_response_waiter", None)
            if waiter is not None and waiter.done():
                protocol._buffer.extend(data)  # the next reply(s): keep them for later
            else:
                original(data)

        # Patched on this one protocol instance and restored below; mypy rightly flags assigning
        # to a method, which is the point here.
        protocol.data_received = keep_early_data  # type: ignore[method-assign]
        try:
            async with lock:
                protocol._response_pending = True
                protocol.write(b"".join(line.encode() + b"\r\n" for line in lines))
                for _ in lines:
                    response = from_buffer()
                    if response is None:
                        response = await protocol.read_response(timeout=self.timeout)
                    protocol._response_pending = True
                    replies.append(self._server(response.code, response.message))
                protocol._response_pending = False
        except (SMTPException, OSError, TimeoutError) as exc:
            if lines[-1] == "QUIT" and len(replies) == len(lines) - 1:
                self.close()  # the server hung up instead of answering QUIT: nothing is lost
                return replies
            raise self._failed(exc, "waiting for pipelined replies",
                               waited_for(lines[min(len(replies), len(lines) - 1)])) from None
        finally:
            protocol.data_received = original  # type: ignore[method-assign]
        if lines[-1] == "QUIT":
            self.close()
        return replies

    async def ehlo(self) -> tuple[Reply, Capabilities]:
        """EHLO, falling back to HELO when EHLO is refused (RFC 5321 4.1.4)."""
        reply = await self.command(f"EHLO {self.helo_name}")
        esmtp = True
        if reply.code != 250:
            helo = await self.command(f"HELO {self.helo_name}")
            if helo.code != 250:
                return helo, Capabilities(esmtp=False)
            reply, esmtp = helo, False
        smtp = self._require()
        message = self.last_message
        if esmtp:
            smtp.last_ehlo_response = aiosmtplib.SMTPResponse(250, message)
        self.capabilities = parse_ehlo(message, esmtp=esmtp)
        return reply, self.capabilities

    async def starttls(self, context: ssl.SSLContext) -> Reply:
        smtp = self._require()
        self.transcript.client("STARTTLS")
        try:
            response = await smtp.starttls(
                tls_context=context, server_hostname=self.server_name, timeout=self.timeout
            )
        except SMTPResponseException as exc:
            if exc.code > 0:
                return self._server(exc.code, exc.message)
            raise self._failed(exc, "starting TLS") from None
        except (SMTPException, OSError, TimeoutError) as exc:
            # aiosmtplib's one timeout covers the reply to STARTTLS and the handshake after
            # it, which cannot be told apart here: not named as a late reply (tls-handshake).
            raise self._failed(exc, "starting TLS") from None
        self.encrypted = True
        self.capabilities = None
        return self._server(response.code, response.message)

    async def data(self, message: bytes) -> Reply:
        """DATA, the message (dot-stuffed by aiosmtplib), and the final reply."""
        smtp = self._require()
        protocol = smtp.protocol
        if protocol is None:
            raise SmtpIOError("disconnected", "the connection is already closed")
        self.transcript.client("DATA")
        try:
            response = await protocol.execute_data_command(message, timeout=self.timeout)
        except SMTPResponseException as exc:
            if exc.code > 0:  # the refusal of DATA itself, or of the message
                return self._server(exc.code, exc.message)
            raise self._failed(exc, "sending the message", "DATA") from None
        except (SMTPException, OSError, TimeoutError) as exc:
            raise self._failed(exc, "waiting for the reply to the message data",
                               "the end of the message") from None
        self.transcript.note(f"354 go ahead; sent the message ({len(message)} bytes) and '.'")
        return self._server(response.code, response.message)

    def tls_info(self) -> dict[str, object]:
        """Protocol version, cipher and the peer certificate (DER) of the TLS layer."""
        smtp = self._require()
        ssl_object = smtp.get_transport_info("ssl_object")
        if ssl_object is None:
            return {}
        cipher = ssl_object.cipher()
        return {
            "version": ssl_object.version(),
            "cipher": cipher[0] if cipher else None,
            "bits": cipher[2] if cipher else None,
            "der": ssl_object.getpeercert(binary_form=True),
        }

    async def quit(self) -> None:
        """Say goodbye politely; a server that hangs up first is not an error here."""
        if self.smtp is None or not self.smtp.is_connected:
            return
        try:
            await self.command("QUIT")
        except SmtpIOError as exc:
            self.transcript.note(f"QUIT: {exc}")
        finally:
            self.close()

    def close(self) -> None:
        if self.smtp is not None:
            self.smtp.close()

    @property
    def connected(self) -> bool:
        return self.smtp is not None and self.smtp.is_connected

    def _require(self) -> aiosmtplib.SMTP:
        if self.smtp is None or not self.smtp.is_connected:
            raise SmtpIOError("disconnected", "the connection is already closed")
        return self.smtp


def elapsed_ms(start: float) -> int:
    return int((time.monotonic() - start) * 1000)
