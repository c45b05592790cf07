"""Scriptable lab SMTP servers on loopback: aiosmtpd for real dialogues, raw asyncio for
pathological ones.

:class:`SmtpBehaviour` says how a server behaves (TLS mode, certificate, greeting, EHLO keywords,
AUTH outcome, replies to MAIL/RCPT/DATA, limits); :class:`LabSmtpServer` runs aiosmtpd with it.
:class:`RawSmtpServer` covers what aiosmtpd cannot be made to do: a 421 greeting, no greeting at
all, dropping the connection at a given command, or answering with bytes that are not SMTP.

Every server listens with a deep accept queue (``LISTEN_BACKLOG``): a classroom opens
hundreds of connections at once, and asyncio's default of 100 leaves the rest waiting for SYN
retries. Scenario files are read elsewhere (:mod:`wizard.lab.scenario_file`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import logging
import secrets
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard, get_args

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword

from wizard.lab.loopback import LISTEN_BACKLOG, LoopbackServer

# aiosmtpd logs warnings about its own deprecated attribute on every AUTH and about the lab's
# deliberately odd clients; they would only clutter the learner's terminal.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)

ALL_MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2")
LAB_USER = "alice@lab.test"
LAB_PASSWORD = "correct-horse-battery-staple"
LAB_HOSTNAME = "mail.lab.test"

TlsMode = Literal["starttls", "implicit", "none"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (bound and released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class SmtpBehaviour:
    """How a lab server behaves. Replies are full reply lines, e.g. ``"550 5.1.1 No such user"``."""

    tls: TlsMode = "starttls"
    cert: str = "valid"
    require_starttls: bool = False
    offer_auth: bool = True
    auth_require_tls: bool = True
    users: dict[str, str] = field(default_factory=lambda: {LAB_USER: LAB_PASSWORD})
    auth_reply: str | None = None  # answer every AUTH attempt with this (e.g. 534 5.7.9)
    auth_required: bool = False  # MAIL before AUTH gets 530 5.7.0
    relay_domains: tuple[str, ...] = ("lab.test",)  # accepted for unauthenticated clients
    mailboxes: tuple[str, ...] | None = None  # known local recipients (None: all)
    mail_reply: str | None = None
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    size_limit: int | None = 10_485_760
    greylist: bool = False  # first RCPT per (sender, recipient) gets 450 4.2.0
    greylist_retry_s: float = 0.0  # a retry sooner than this after the first try is refused too
    rate_limit_after: int | None = None  # messages accepted before 451 4.7.0
    pipelining: bool = True
    latency_ms: int = 0
    auth_delay_ms: int = 0  # before the answer to AUTH (Dovecot's penalty after failed logins)
    extra_ehlo: tuple[str, ...] = ()
    auth_mechanisms: tuple[str, ...] | None = None  # None: all (PLAIN LOGIN CRAM-MD5 XOAUTH2)
    greeting: str | None = None  # the 220 line (None: "220 mail.lab.test smtp-wizard lab ESMTP")
    ehlo: tuple[str, ...] | None = None  # EHLO keywords as announced (None: aiosmtpd's own)
    rcpt_reply: str | None = None  # answer every RCPT with this ({rcpt} and {sender} filled in)


def fill_reply(template: str, sender: str | None = None, rcpt: str | None = None) -> str:
    """A scripted reply with ``{sender}`` and ``{rcpt}`` filled in (other braces stay)."""
    return template.replace("{sender}", sender or "").replace("{rcpt}", rcpt or "")


class _LabSMTP(SMTP):
    """aiosmtpd's SMTP with lab latency and RFC 3207's enhanced code on the 530 reply."""

    def __init__(
        self, *args: Any, latency_ms: int = 0, users: dict[str, str] | None = None,
        greeting: str | None = None, auth_delay_ms: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lab_users = users or {}
        self._latency = latency_ms / 1000
        self._greeting = greeting
        self._auth_delay = auth_delay_ms / 1000

    async def smtp_AUTH(self, arg: str) -> None:
        """AUTH, answered late when the scenario says so (a server's failed-login penalty)."""
        if self._auth_delay:
            await asyncio.sleep(self._auth_delay)
        await super().smtp_AUTH(arg)

    def _more_pipelined(self) -> bool:
        """Commands already waiting (pipelined): their replies travel back together with the
        last one, so only the last reply of a batch pays the latency, as on a real network."""
        reader = getattr(self, "_reader", None)
        return bool(getattr(reader, "_buffer", b""))

    async def auth_CRAM__MD5(self, _: Any, args: list[str]) -> AuthResult:
        """CRAM-MD5 (RFC 2195): aiosmtpd has no built-in one."""
        challenge = f"<{secrets.token_hex(8)}@{LAB_HOSTNAME}>".encode()
        answer = await self.challenge_auth(challenge)
        if answer is MISSING or not isinstance(answer, bytes):
            return AuthResult(success=False, handled=False)
        user, _, digest = answer.decode(errors="replace").rpartition(" ")
        password = self.lab_users.get(user)
        if password is None:
            return AuthResult(success=False, handled=False)
        expected = hmac.new(password.encode(), challenge, hashlib.md5).hexdigest()
        return AuthResult(success=hmac.compare_digest(expected, digest), auth_data=user,
                          handled=False)

    async def auth_XOAUTH2(self, _: Any, args: list[str]) -> AuthResult:
        """XOAUTH2 (Google/Microsoft): ``user=U^Aauth=Bearer TOKEN^A^A``; tokens = passwords."""
        if len(args) < 2:
            return AuthResult(success=False, handled=False)
        try:
            fields = base64.b64decode(args[1], validate=True).decode().split("\x01")
        except ValueError:
            return AuthResult(success=False, handled=False)
        values = dict(f.split("=", 1) for f in fields if "=" in f)
        user, token = values.get("user"), values.get("auth", "").removeprefix("Bearer ")
        ok = user is not None and self.lab_users.get(user) == token
        return AuthResult(success=ok, auth_data=user, handled=False)

    async def push(self, status: Any) -> None:
        if isinstance(status, str) and status == "530 Must issue a STARTTLS command first":
            status = "530 5.7.0 Must issue a STARTTLS command first"
        if self._greeting is not None and isinstance(status, str) and status.startswith("220 "):
            status, self._greeting = self._greeting, None  # the first 220 is the greeting
        text = status.decode() if isinstance(status, bytes) else status
        if self._latency and text[3:4] != "-" and not self._more_pipelined():
            await asyncio.sleep(self._latency)
        await super().push(status)


class _Handler:
    """aiosmtpd hooks implementing :class:`SmtpBehaviour`."""

    def __init__(self, behaviour: SmtpBehaviour, state: LabState) -> None:
        self.b = behaviour
        self.state = state

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        if self.b.ehlo is not None:
            return self._scripted_ehlo(responses)
        out = [r for r in responses if self.b.offer_auth or not r[4:].startswith("AUTH")]
        last = out.pop()  # "250 HELP"
        extras = ["250-ENHANCEDSTATUSCODES"]
        if self.b.pipelining:
            extras.append("250-PIPELINING")
        extras += [f"250-{e}" for e in self.b.extra_ehlo]
        return [*out, *extras, last]

    def _scripted_ehlo(self, responses: list[str]) -> list[str]:
        """The file's keywords; STARTTLS and AUTH only where aiosmtpd would announce them (STARTTLS
        before TLS, AUTH once TLS is up when AUTH needs it)."""
        announced = {r[4:].split(" ", 1)[0].upper() for r in responses}
        lines = [responses[0][4:]]
        if "STARTTLS" in announced:
            lines.append("STARTTLS")
        for keyword in self.b.ehlo or ():
            if keyword.upper().startswith("AUTH") and "AUTH" not in announced:
                continue
            lines.append(keyword)
        return [f"250-{line}" for line in lines[:-1]] + [f"250 {lines[-1]}"]

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:
        if self.b.auth_required and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if self.b.mail_reply:
            if self.b.mail_reply.startswith("2"):  # scripted acceptance: the dialogue goes on
                envelope.mail_from = address
                envelope.mail_options.extend(mail_options)
            return fill_reply(self.b.mail_reply, sender=address)
        if (
            self.b.rate_limit_after is not None
            and self.state.messages >= self.b.rate_limit_after
        ):
            return "451 4.7.0 Rate limit exceeded: too many messages, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        key = address.lower()
        if key in self.b.rcpt_replies:
            reply = self.b.rcpt_replies[key]
            if reply.startswith("2"):
                envelope.rcpt_tos.append(address)
            return fill_reply(reply, envelope.mail_from, address)
        if self.b.rcpt_reply:
            if self.b.rcpt_reply.startswith("2"):
                envelope.rcpt_tos.append(address)
            return fill_reply(self.b.rcpt_reply, envelope.mail_from, address)
        domain = key.rpartition("@")[2]
        if not session.authenticated and domain not in self.b.relay_domains:
            return f"554 5.7.1 <{address}>: Relay access denied"
        known = self.b.mailboxes
        if known is not None and domain in self.b.relay_domains and key not in known:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if self.b.greylist:
            triple = (session.peer[0], envelope.mail_from, key)
            now = time.monotonic()
            first = self.state.greylist_seen.setdefault(triple, now)
            wait = self.b.greylist_retry_s
            if first == now or now - first < wait:
                return (f"450 4.2.0 <{address}>: Recipient address rejected: Greylisted, "
                        f"try again in {int(wait) or 60} seconds")
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.b.data_reply:
            rcpt = envelope.rcpt_tos[0] if envelope.rcpt_tos else None
            return fill_reply(self.b.data_reply, envelope.mail_from, rcpt)
        self.state.messages += 1
        self.state.delivered.append(envelope.content)
        return f"250 2.0.0 OK: queued as LAB{self.state.messages:06d}"


@dataclass
class LabState:
    """What a lab server saw, for tests and the learner."""

    messages: int = 0
    delivered: list[Any] = field(default_factory=list)
    greylist_seen: dict[tuple[Any, ...], float] = field(default_factory=dict)  # first try
    connections: int = 0


class LabSmtpServer:
    """An aiosmtpd server on 127.0.0.1 in the running event loop."""

    def __init__(
        self,
        behaviour: SmtpBehaviour,
        tls_context: ssl.SSLContext | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.behaviour = behaviour
        self.tls_context = tls_context
        self.host = host
        self.port = port
        self.state = LabState()
        self._server: asyncio.base_events.Server | None = None

    def _authenticator(self, server: Any, session: Any, envelope: Any, mechanism: str,
                       auth_data: Any) -> Any:
        if self.behaviour.auth_reply:
            return AuthResult(success=False, handled=False, message=self.behaviour.auth_reply)
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode(errors="replace")
            password = auth_data.password.decode(errors="replace")
            if self.behaviour.users.get(user) == password:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def _factory(self) -> SMTP:
        self.state.connections += 1
        b = self.behaviour
        starttls_ctx = self.tls_context if b.tls == "starttls" else None
        return _LabSMTP(
            _Handler(b, self.state),
            hostname=LAB_HOSTNAME,
            ident="smtp-wizard lab ESMTP",
            tls_context=starttls_ctx,
            require_starttls=b.require_starttls,
            authenticator=self._authenticator,
            # aiosmtpd cannot see implicit TLS (it only tracks its own STARTTLS)
            auth_require_tls=b.auth_require_tls and b.tls == "starttls",
            data_size_limit=b.size_limit,
            latency_ms=b.latency_ms,
            auth_delay_ms=b.auth_delay_ms,
            users=b.users,
            greeting=b.greeting,
            enable_SMTPUTF8=True,
            auth_exclude_mechanism=[m for m in ALL_MECHANISMS
                                    if b.auth_mechanisms is not None
                                    and m not in b.auth_mechanisms],
        )

    async def start(self) -> LabSmtpServer:
        loop = asyncio.get_running_loop()
        ssl_ctx = self.tls_context if self.behaviour.tls == "implicit" else None
        self._server = await loop.create_server(self._factory, self.host, self.port, ssl=ssl_ctx,
                                                backlog=LISTEN_BACKLOG)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def __aenter__(self) -> LabSmtpServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


RawMode = Literal[
    "greet-421", "greet-554", "never-greet", "drop-after-banner", "drop-after-ehlo",
    "tls-bytes", "slow-greeting", "greet-text", "helo-only",
]
RAW_MODES: tuple[RawMode, ...] = get_args(RawMode)


def is_raw_mode(name: str) -> TypeGuard[RawMode]:
    return name in RAW_MODES


class RawSmtpServer(LoopbackServer):
    """A hand-rolled server for behaviour no real SMTP library will produce."""

    def __init__(
        self, mode: RawMode, host: str = "127.0.0.1", delay: float = 0.0, banner: str = "",
        port: int = 0,
    ) -> None:
        super().__init__(host, port)
        self.mode = mode
        self.banner = banner
        self.delay = delay

    async def _script(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self.mode
        if mode == "never-greet":
            await reader.read()  # hold the line open until the client gives up
            return
        if mode == "tls-bytes":
            writer.write(b"\x15\x03\x03\x00\x02\x02\x46")  # a TLS alert record, not a banner
            await writer.drain()
            return
        if mode == "greet-text":  # a one-line refusal at the greeting, e.g. 421 too many
            writer.write(self.banner.encode() + b"\r\n")
            await writer.drain()
            return
        if mode in ("greet-421", "greet-554"):
            code = mode[-3:]
            writer.write(f"{code} 4.3.2 {LAB_HOSTNAME} Service not available, closing transmission channel\r\n".encode())  # noqa: E501
            await writer.drain()
            return
        if mode == "slow-greeting":
            await asyncio.sleep(self.delay)
        writer.write(f"220 {LAB_HOSTNAME} ESMTP lab\r\n".encode())
        await writer.drain()
        if mode == "drop-after-banner":
            return
        while True:
            line = await reader.readline()
            if not line:
                return
            verb = line.split(b" ", 1)[0].strip().upper()
            if mode == "helo-only" and verb == b"EHLO":  # an old server: RFC 821 only
                writer.write(b"502 5.5.1 Command not implemented\r\n")
                await writer.drain()
                continue
            if mode == "drop-after-ehlo" and verb in (b"EHLO", b"HELO"):
                writer.write(f"250-{LAB_HOSTNAME}\r\n250-PIPELINING\r\n250 8BITMIME\r\n".encode())
                await writer.drain()
                # a server that crashes on the next command: close right after EHLO's reply
                return
            if verb == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                return
            if verb in (b"EHLO", b"HELO"):
                writer.write(f"250-{LAB_HOSTNAME}\r\n250 8BITMIME\r\n".encode())
            else:
                writer.write(b"250 2.0.0 OK\r\n")
            await writer.drain()
