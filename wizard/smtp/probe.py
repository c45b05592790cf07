"""Probe a host's mail ports at once: what each answers, its security mode and the AUTH it offers.

For every port (587, 465, 25 and 2525 unless told otherwise) one short connection, each bounded
by its own timeout: does it accept TCP, greet in plain text (with STARTTLS or without) or speak
implicit TLS, and which AUTH mechanisms does EHLO list before and after TLS (EHLO is sent again
after STARTTLS, since servers often offer AUTH only then). The planner ranks ports from this.

It sends EHLO, STARTTLS and QUIT only: never AUTH, never a user name or password, never MAIL.
Certificates are not verified here (the TLS step does that); this is only "what answers".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from wizard.model.transcript import Transcript
from wizard.smtp.session import SmtpIOError, SmtpSession, elapsed_ms
from wizard.smtp.tls import connect_socket, probe_context

PortMode = Literal["closed", "timeout", "silent", "plain", "starttls", "implicit-tls"]
DEFAULT_PORTS: tuple[int, ...] = (587, 465, 25, 2525)
DEFAULT_TIMEOUT_S = 3.0
PROBE_HELO = "smtp-wizard.localhost"
# Modes in which a mail server answered (the others: nothing usable on that port).
ANSWERING: frozenset[str] = frozenset({"plain", "starttls", "implicit-tls"})
# The security setting a mail client needs for a mode.
SECURITY_OF_MODE: dict[str, str] = {"implicit-tls": "tls", "starttls": "starttls", "plain": "none"}


@dataclass(frozen=True)
class PortProbe:
    """What one port answered. ``auth_after_tls`` is empty when TLS was not reached."""

    port: int
    mode: PortMode
    greeting: str | None = None
    auth_before_tls: tuple[str, ...] = ()
    auth_after_tls: tuple[str, ...] = ()
    tls_error: str | None = None
    ms: int = 0

    @property
    def answers(self) -> bool:
        """A mail server greeted on this port."""
        return self.mode in ANSWERING

    @property
    def encrypted(self) -> bool:
        """TLS was reached on this port (implicit, or STARTTLS that succeeded)."""
        return self.mode == "implicit-tls" or (self.mode == "starttls" and self.tls_error is None)

    @property
    def login_offered(self) -> bool:
        """AUTH offered where a password could safely be sent (after TLS)."""
        return bool(self.auth_after_tls)

    @property
    def security(self) -> str | None:
        """The client security setting for this port (tls, starttls, none) if it answers."""
        return SECURITY_OF_MODE.get(self.mode)

    def to_dict(self) -> dict[str, Any]:
        return {
            "port": self.port, "mode": self.mode, "greeting": self.greeting,
            "auth_before_tls": list(self.auth_before_tls),
            "auth_after_tls": list(self.auth_after_tls),
            "login_offered": self.login_offered, "tls_error": self.tls_error, "ms": self.ms,
        }


@dataclass(frozen=True)
class ProbeResult:
    """Every probed port of one address, in the order given."""

    host: str
    address: str
    ports: tuple[PortProbe, ...]

    def port(self, number: int) -> PortProbe | None:
        return next((p for p in self.ports if p.port == number), None)

    @property
    def answering(self) -> tuple[PortProbe, ...]:
        return tuple(p for p in self.ports if p.answers)

    @property
    def offering_login(self) -> tuple[PortProbe, ...]:
        return tuple(p for p in self.ports if p.login_offered)

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "address": self.address,
                "ports": [p.to_dict() for p in self.ports]}


async def _attempt(address: str, port: int, implicit: bool, timeout: float, server_name: str,
                   helo_name: str) -> PortProbe:
    """One connection in one mode; SmtpIOError when the port does not speak that mode."""
    start = time.monotonic()
    try:
        sock = await connect_socket(address, port, timeout)
    except TimeoutError:
        return PortProbe(port, "timeout", ms=elapsed_ms(start))
    except OSError:
        return PortProbe(port, "closed", ms=elapsed_ms(start))
    session = SmtpSession(server_name, Transcript(), timeout, helo_name)
    try:
        greeting = await session.open(sock, implicit, probe_context() if implicit else None)
        said = str(greeting)
        if greeting.code != 220:
            return PortProbe(port, "implicit-tls" if implicit else "plain", said,
                             ms=elapsed_ms(start))
        mode: PortMode = "implicit-tls" if implicit else "plain"
        try:
            reply, caps = await session.ehlo()
        except SmtpIOError:  # it greeted, then broke off: the mode is known all the same
            return PortProbe(port, mode, said, ms=elapsed_ms(start))
        mechanisms = tuple(caps.auth_mechanisms) if reply.code == 250 else ()
        if implicit:
            return PortProbe(port, "implicit-tls", said, auth_after_tls=mechanisms,
                             ms=elapsed_ms(start))
        if not caps.has("STARTTLS"):
            return PortProbe(port, "plain", said, auth_before_tls=mechanisms,
                             ms=elapsed_ms(start))
        tls_error: str | None = None
        after: tuple[str, ...] = ()
        try:
            answer = await session.starttls(probe_context())
            if answer.code == 220:
                reply, caps = await session.ehlo()
                after = tuple(caps.auth_mechanisms) if reply.code == 250 else ()
            else:
                tls_error = f"STARTTLS refused: {answer}"
        except SmtpIOError as exc:
            tls_error = str(exc) or exc.kind
        return PortProbe(port, "starttls", said, auth_before_tls=mechanisms,
                         auth_after_tls=after, tls_error=tls_error, ms=elapsed_ms(start))
    finally:
        await session.quit()


async def probe_port(address: str, port: int, *, timeout: float = DEFAULT_TIMEOUT_S,
                     server_name: str | None = None, helo_name: str = PROBE_HELO) -> PortProbe:
    """What answers on ``port``; 465 is tried as implicit TLS first, the others as plain text."""
    start = time.monotonic()
    name = server_name or address
    first_implicit = port == 465
    for implicit in (first_implicit, not first_implicit):
        try:
            return await _attempt(address, port, implicit, timeout, name, helo_name)
        except SmtpIOError:
            continue  # silent in this mode (or TLS bytes to a plain reader): try the other
    return PortProbe(port, "silent", ms=elapsed_ms(start))


async def probe_ports(address: str, ports: Sequence[int] = DEFAULT_PORTS, *,
                      host: str | None = None, timeout: float = DEFAULT_TIMEOUT_S,
                      helo_name: str = PROBE_HELO) -> ProbeResult:
    """Probe ``ports`` on ``address`` concurrently, each bounded by ``timeout`` per attempt.

    ``host`` is the name the user gave (sent as TLS SNI, kept in the result); it defaults to
    the address. Never raises for network trouble: a port that fails is ``closed``,
    ``timeout`` or ``silent``.
    """
    name = host or address
    found = await asyncio.gather(*(probe_port(address, p, timeout=timeout, server_name=name,
                                              helo_name=helo_name) for p in ports))
    return ProbeResult(name, address, tuple(found))
