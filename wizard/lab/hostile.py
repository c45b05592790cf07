"""Hostile and broken SMTP peers, for proving the wizard holds (raw asyncio; no library would
produce these on purpose).

Each mode is one misbehaviour: oversized or endless replies, a one-byte-per-second drip, invalid
UTF-8 and NUL bytes, replies without codes, unsolicited replies, a hang-up at a given step,
garbage or silence after STARTTLS, and terminal escapes or Rich markup in the text.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Literal, TypeGuard, get_args
from urllib.parse import quote

from wizard.lab.loopback import LoopbackServer

HostileMode = Literal[
    "huge-banner", "endless-continuation", "slow-drip", "binary-garbage", "no-code",
    "out-of-range-code", "unsolicited-reply", "garbage-after-starttls", "tls-never-completes",
    "markup-and-escapes",
    "close-after-banner", "close-after-ehlo", "close-after-starttls", "close-after-auth",
    "close-after-mail", "close-after-rcpt", "close-after-data",
]

HOSTILE_MODES: tuple[HostileMode, ...] = get_args(HostileMode)


def is_hostile_mode(name: str) -> TypeGuard[HostileMode]:
    return name in HOSTILE_MODES

# What a terminal would obey if it were printed raw: colour, cursor move, title, OSC 52 clipboard.
ESCAPES = "\x1b[31mred\x1b[0m \x1b[2J\x1b[H \x1b]0;pwned-title\x07 \x1b]52;c;ZXZpbA==\x07"
MARKUP = "[b]bold[/b] [link=https://evil.example]click[/link] [@click=app.quit]x[/]"

_EHLO = b"250-hostile.lab.test\r\n250-AUTH PLAIN LOGIN\r\n250-STARTTLS\r\n250 8BITMIME\r\n"


class HostileSmtpServer(LoopbackServer):
    """One misbehaving SMTP server on 127.0.0.1, port chosen by the system."""

    def __init__(self, mode: HostileMode, host: str = "127.0.0.1", port: int = 0) -> None:
        if mode not in HOSTILE_MODES:
            raise ValueError(f"unknown hostile mode {mode!r}")
        super().__init__(host, port)
        self.mode = mode

    async def _send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        await writer.drain()

    async def _script(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self.mode
        if mode == "huge-banner":
            await self._send(writer, b"220 " + b"A" * 1_048_576 + b"\r\n")
            await reader.read(1024)
            return
        if mode == "endless-continuation":
            line = b"220-still going " + b"x" * 60 + b"\r\n"
            for _ in range(200_000):  # ~15 MB at most, until the client hangs up
                await self._send(writer, line * 64)
            return
        if mode == "slow-drip":
            for byte in b"220 hostile.lab.test slow\r\n":
                await self._send(writer, bytes([byte]))
                await asyncio.sleep(1.0)
            return
        if mode == "no-code":
            await self._send(writer, b"hello, I am not an SMTP server\r\n")
            await reader.read(1024)
            return
        if mode == "out-of-range-code":
            await self._send(writer, b"999 what is this\r\n")
            await reader.read(1024)
            return
        if mode == "close-after-banner":
            await self._send(writer, b"220 hostile.lab.test ESMTP\r\n")
            return
        if mode == "binary-garbage":
            await self._send(writer, b"220 hostile \xff\xfe\x00\x01 \xc3\x28 banner\r\n")
        elif mode == "markup-and-escapes":
            await self._send(writer, f"220 {MARKUP} {ESCAPES}\r\n".encode())
        else:
            await self._send(writer, b"220 hostile.lab.test ESMTP\r\n")
        if mode == "unsolicited-reply":
            await self._send(writer, b"250 nobody asked for this\r\n")
        await self._dialogue(reader, writer)

    async def _dialogue(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self.mode
        while True:
            line = await asyncio.wait_for(reader.readline(), 30)
            if not line:
                return
            verb = line.split(b" ", 1)[0].split(b":", 1)[0].strip().upper()
            if verb in (b"EHLO", b"HELO"):
                if mode == "close-after-ehlo":
                    return
                if mode == "binary-garbage":
                    await self._send(writer, b"250-hostile\x00\xff\r\n250 AUTH PLAIN\r\n")
                elif mode == "markup-and-escapes":
                    await self._send(writer, f"250-{MARKUP}\r\n250 {ESCAPES}\r\n".encode())
                else:
                    await self._send(writer, _EHLO)
            elif verb == b"STARTTLS":
                if mode == "close-after-starttls":
                    return
                await self._send(writer, b"220 2.0.0 go ahead\r\n")
                if mode == "garbage-after-starttls":
                    await self._send(writer, b"this is not TLS at all\r\n" * 4)
                    await reader.read(4096)
                    return
                if mode == "tls-never-completes":
                    await reader.read()  # hold the line open, say nothing
                    return
                return
            elif verb == b"AUTH":
                if mode == "close-after-auth":
                    return
                await self._send(writer, b"235 2.7.0 ok\r\n")
            elif verb == b"MAIL":
                if mode == "close-after-mail":
                    return
                await self._send(writer, b"250 2.1.0 ok\r\n")
            elif verb == b"RCPT":
                if mode == "close-after-rcpt":
                    return
                await self._send(writer, b"250 2.1.5 ok\r\n")
            elif verb == b"DATA":
                if mode == "close-after-data":
                    return
                await self._send(writer, b"354 go ahead\r\n")
                line = b""
                while line not in (b".\r\n", b""):  # read the message up to the final dot
                    line = await reader.readline()
                await self._send(writer, b"250 2.0.0 queued\r\n")
            elif verb == b"QUIT":
                await self._send(writer, b"221 2.0.0 bye\r\n")
                return
            else:
                await self._send(writer, b"250 2.0.0 ok\r\n")


AUTH_MISBEHAVIOURS = ("echo", "drop", "stall", "garbage")
AUTH_MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2")
# ``echo-<encoding>``: the server decodes the secret it received and quotes it back re-encoded.
ECHO_ENCODINGS = ("hex", "url", "json", "c-escape", "prefix", "split", "wrapped-base64")


def _secret_in(mechanism: str, decoded: bytes) -> bytes:
    """The password or token inside a decoded PLAIN / LOGIN / XOAUTH2 blob."""
    if mechanism == "PLAIN":
        return decoded.split(b"\0")[-1]
    if mechanism == "XOAUTH2":
        return decoded.partition(b"auth=Bearer ")[2].split(b"\x01")[0]
    return decoded


def echo_reencoded(encoding: str, secret: bytes, blob: bytes) -> bytes:
    """A 535 reply quoting ``secret`` (or the whole ``blob``) in ``encoding``, CRLF-ended."""
    text = secret.decode("utf-8", "replace")
    half = len(secret) // 2
    lines = {
        "hex": [b"5.7.8 bad password (hex " + secret.hex().encode() + b")"],
        "url": [b"5.7.8 bad password=" + quote(text, safe="").encode()],
        "json": [b'5.7.8 {"password": ' + json.dumps(text).encode() + b"}"],
        "c-escape": [b'5.7.8 password "' + text.encode("unicode_escape") + b'" refused'],
        "prefix": [b"5.7.8 bad password " + secret[: len(secret) * 3 // 4] + b"..."],
        "split": [b"5.7.8 bad password " + secret[:half], b"5.7.8 " + secret[half:]],
        "wrapped-base64": [b"5.7.8 " + blob[i:i + 12] for i in range(0, len(blob), 12)],
    }[encoding]
    return b"".join(b"535-" + line + b"\r\n" for line in lines[:-1]) + b"535 " + lines[-1] + b"\r\n"


class SecretProbeServer(LoopbackServer):
    """A plaintext server that offers one AUTH mechanism and misbehaves right after the secret.

    ``echo`` answers 535 quoting what it received, raw and base64-decoded (as some debug-minded
    servers do); ``drop`` hangs up; ``stall`` never answers; ``garbage`` answers a line with no
    reply code that quotes the blob. Whatever it does, no output of the wizard may carry the
    password or any encoding of it.
    """

    def __init__(self, mechanism: str, misbehaviour: str, host: str = "127.0.0.1",
                 greeting: str = "secret-probe.lab.test ESMTP") -> None:
        known = (*AUTH_MISBEHAVIOURS, *(f"echo-{e}" for e in ECHO_ENCODINGS))
        if mechanism not in AUTH_MECHANISMS or misbehaviour not in known:
            raise ValueError(f"unknown AUTH probe {mechanism}/{misbehaviour}")
        super().__init__(host)
        self.mechanism = mechanism
        self.misbehaviour = misbehaviour
        self.greeting = greeting

    async def _script(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 " + self.greeting.encode() + b"\r\n")
        await writer.drain()
        while True:
            line = await asyncio.wait_for(reader.readline(), 30)
            if not line:
                return
            words = line.strip().split(b" ")
            verb = words[0].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250-secret-probe.lab.test\r\n250 AUTH "
                             + self.mechanism.encode() + b"\r\n")
            elif verb == b"AUTH":
                secret_line = words[2] if len(words) > 2 else b""
                if self.mechanism == "LOGIN":
                    writer.write(b"334 VXNlcm5hbWU6\r\n")
                    await writer.drain()
                    await reader.readline()
                    writer.write(b"334 UGFzc3dvcmQ6\r\n")
                    await writer.drain()
                    secret_line = (await reader.readline()).strip()
                elif self.mechanism == "CRAM-MD5":
                    writer.write(b"334 " + base64.b64encode(b"<1.2@secret-probe>") + b"\r\n")
                    await writer.drain()
                    secret_line = (await reader.readline()).strip()
                await self._misbehave(reader, writer, secret_line)
                return
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                return
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()

    async def _misbehave(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                         blob: bytes) -> None:
        try:
            decoded = base64.b64decode(blob + b"==", validate=False)
        except ValueError:
            decoded = b""
        shown = decoded.replace(b"\0", b"|").replace(b"\x01", b"|")
        if self.misbehaviour == "drop":
            return
        if self.misbehaviour == "stall":
            await reader.read()  # hold the line open until the client gives up
            return
        if self.misbehaviour.startswith("echo-"):
            writer.write(echo_reencoded(self.misbehaviour[5:],
                                        _secret_in(self.mechanism, decoded), blob))
        elif self.misbehaviour == "echo":
            writer.write(b"535-5.7.8 failed for blob " + blob + b"\r\n535 5.7.8 decoded |"
                         + shown + b"|\r\n")
        else:
            writer.write(b"what is " + blob + b" |" + shown + b"|\r\n")
        await writer.drain()
        await reader.read(4096)
