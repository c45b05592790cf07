"""Reach the server: TCP connect to each address, read the greeting, spot a TLS-mode mismatch.

The greeting is watched on the raw socket before aiosmtplib takes over, so the wizard can tell
"nothing was said" (a server waiting for a TLS ClientHello: wrong port for plaintext) from "TLS
bytes were said" from "220 ...". When nothing arrives, a TLS probe on a second connection runs
while the first keeps waiting, so an implicit-TLS port is recognised long before the timeout.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from typing import TYPE_CHECKING, Any

from wizard.model.findings import Finding, NextStep, Reply, Status, Step
from wizard.model.target import IMPLICIT_TLS_PORTS, Security, Target
from wizard.model.transcript import Transcript
from wizard.smtp.ehlo import ehlo_finding
from wizard.smtp.interpret import interpret
from wizard.smtp.session import SmtpIOError, SmtpSession, elapsed_ms
from wizard.smtp.slow_reply import io_finding, slow_reply_finding
from wizard.smtp.tls import client_context, connect_socket, failure_findings, probe_context
from wizard.walk.context import CheckContext

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService

SLOW_GREETING_S = 3.0
# Greeting refusals whose words say more than "service unavailable".
_GREETING_REFINED = {"too-many-connections", "blocklisted", "rate-limited", "bad-reputation",
                     "policy-rejected", "ptr-missing"}
MAX_ADDRESSES = 4
_MISMATCH_SSL_REASONS = {
    "WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG",
    "HTTP_REQUEST", "UNEXPECTED_RECORD", "UNEXPECTED_EOF_WHILE_READING",
}


def _ms(start: float) -> int:
    return elapsed_ms(start)


def _outcome(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH,
                                                  errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return "unreachable"
    return "error"


def judge_connect(host: str, port: int, attempts: list[dict[str, Any]]) -> Finding:
    """One finding for the TCP connection attempts (pure)."""
    tried = "; ".join(f"{a['address']}: {a['outcome']} after {a['ms']} ms" for a in attempts)
    details = {"host": host, "port": port, "attempts": attempts}
    won = [a for a in attempts if a["outcome"] == "connected"]
    if won:
        a = won[0]
        return Finding("connect.tcp", Step.CONNECT, Status.PASS,
                       f"Connected to {a['address']} port {port} in {a['ms']} ms",
                       f"Tried: {tried}.", details)
    outcomes = {a["outcome"] for a in attempts}
    if "timeout" in outcomes:
        extra = (" Port 25 is blocked for outgoing connections by most home ISPs and cloud "
                 "providers (AWS, Azure, Google Cloud): use the submission port 587 or 465, or "
                 "ask the provider to lift the block." if port == 25 else
                 " A firewall (here, on the way, or at the server) is silently dropping the "
                 "connection.")
        return Finding("connect.tcp", Step.CONNECT, Status.FAIL,
                       f"Connecting to {host} port {port} timed out",
                       f"No answer at all, which usually means a firewall drops the packets."
                       f"{extra} Tried: {tried}.", details, category="connection-timeout")
    if outcomes == {"refused"}:
        return Finding("connect.tcp", Step.CONNECT, Status.FAIL,
                       f"{host} refused the connection on port {port}",
                       f"The computer answered but nothing listens on port {port} (or a firewall "
                       f"rejects it). Check the port number. Tried: {tried}.", details,
                       category="connection-refused")
    if "unreachable" in outcomes:
        return Finding("connect.tcp", Step.CONNECT, Status.FAIL, f"{host} is unreachable",
                       f"This computer has no network route to the server (no network, VPN "
                       f"down, or IPv6 not available). Tried: {tried}.", details,
                       category="connection-timeout")
    return Finding("connect.tcp", Step.CONNECT, Status.FAIL, f"Could not connect to {host}",
                   f"Tried: {tried}.", details, category="connection-refused")


async def _peek(sock: socket.socket, timeout: float) -> bytes | None:
    """The first bytes waiting on the socket without consuming them; None on timeout."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    fd = sock.fileno()
    loop.add_reader(fd, wake)
    try:
        await asyncio.wait_for(ready, timeout)
    except TimeoutError:
        return None
    finally:
        loop.remove_reader(fd)
    try:
        return sock.recv(16, socket.MSG_PEEK)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _looks_like_tls(data: bytes) -> bool:
    return len(data) >= 2 and data[0] in (0x15, 0x16, 0x17) and data[1] == 0x03


async def _tls_probe(target: Target, address: str) -> Reply | None:
    """Does this port speak implicit TLS? The greeting after a handshake, or None."""
    session = SmtpSession(target.host or address, Transcript(), target.timeout, target.helo_name)
    try:
        sock = await connect_socket(address, target.effective_port, target.timeout)
        return await session.open(sock, True, probe_context())
    except (OSError, TimeoutError, SmtpIOError):
        return None
    finally:
        session.close()


async def _plain_probe(target: Target, address: str, wait: float) -> str | None:
    """Does this port greet in plain text? The first line it sends, or None."""
    try:
        sock = await connect_socket(address, target.effective_port, target.timeout)
    except (OSError, TimeoutError):
        return None
    loop = asyncio.get_running_loop()
    try:
        data = await asyncio.wait_for(loop.sock_recv(sock, 512), wait)
    except (OSError, TimeoutError):
        return None
    finally:
        sock.close()
    line = data.split(b"\r\n", 1)[0].decode("utf-8", "replace")
    return line if line[:3].isdigit() else None


MODE_WORDS = {True: "SSL/TLS (implicit TLS)", False: "STARTTLS (plain text first)"}


def _mismatch(target: Target, spoke: str, heard: str, details: dict[str, Any]) -> Finding:
    """The security mode chosen by hand does not match what the port speaks."""
    port = target.effective_port
    wants = "starttls" if spoke == "tls" else "tls"
    if spoke == "tls":
        title = f"Port {port} expects STARTTLS, but implicit TLS (SSL/TLS) was used"
    else:
        title = f"Port {port} expects implicit TLS (SSL/TLS), but plain text was used"
    said = MODE_WORDS[wants == "tls"]
    return Finding("connect.security_mode", Step.CONNECT, Status.FAIL, title,
                   f"{heard} Set the security to {said} for port {port}, or let the wizard "
                   "detect it (Auto).", details | {"spoke": spoke, "port": port},
                   category="tls-mode-mismatch",
                   next=NextStep(f"Set your mail client's security to {said} for port {port} "
                                 "and run the check again.", "you",
                                 {"kind": "rerun", "set": {"security": wants}}))


def _detected(target: Target, implicit: bool, evidence: Finding) -> Finding:
    """Auto mode found out what the port speaks: a fact for the user's client settings."""
    port = target.effective_port
    said = MODE_WORDS[implicit]
    return Finding("connect.security_mode", Step.CONNECT, Status.PASS,
                   f"Port {port} uses {said}: detected",
                   f"{evidence.summary.split(' Set the security')[0]} The wizard continued with "
                   f"{said}. In a mail client, set port {port} to "
                   f"{'SSL/TLS' if implicit else 'STARTTLS'}.",
                   {"port": port, "detected": "tls" if implicit else "starttls",
                    **{k: v for k, v in evidence.details.items() if k != "spoke"}})


def _greeting_finding(reply: Reply, elapsed_ms: int,
                      service: ExplainService | None = None) -> Finding:
    details = {"ms": elapsed_ms}
    if reply.code == 220:
        if elapsed_ms > SLOW_GREETING_S * 1000:
            return Finding("connect.greeting", Step.CONNECT, Status.WARN,
                           f"The greeting took {elapsed_ms / 1000:.1f} s",
                           "The server answered, but slowly. Busy servers, reverse-DNS lookups "
                           "of your address or deliberate delays against spammers (tarpitting) "
                           "cause this; clients with short timeouts give up.", details,
                           reply=reply, duration_ms=elapsed_ms)
        return Finding("connect.greeting", Step.CONNECT, Status.PASS,
                       f"The server greeted in {elapsed_ms} ms", f"{reply}", details,
                       reply=reply, duration_ms=elapsed_ms)
    if reply.code in (421, 554):
        refined = interpret(reply, "CONNECT", service)[0]
        category = refined if refined in _GREETING_REFINED else "service-unavailable"
        return Finding("connect.greeting", Step.CONNECT, Status.FAIL,
                       f"The server refused the session at the greeting ({reply.code})",
                       "It says it will not talk to this client now: it is shutting down, "
                       "overloaded, or it refuses your address (a blocklist or policy). The "
                       "reply text says which.", details, reply=reply,
                       category=category, duration_ms=elapsed_ms)
    return Finding("connect.greeting", Step.CONNECT, Status.FAIL,
                   f"The server's greeting is not 220 ({reply.code})",
                   "An SMTP server greets with 220; this one did not.", details, reply=reply,
                   category="protocol-error", duration_ms=elapsed_ms)


async def _plain_greeting(
    target: Target, ctx: CheckContext, sock: socket.socket, address: str
) -> list[Finding]:
    start = time.monotonic()
    probe_after = min(SLOW_GREETING_S, target.timeout / 4)
    first = await _peek(sock, probe_after)
    tls_reply: Reply | None = None
    if first is None:
        probe = asyncio.create_task(_tls_probe(target, address))
        waiter = asyncio.create_task(_peek(sock, max(0.1, target.timeout - probe_after)))
        done, _ = await asyncio.wait({probe, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if probe in done and probe.result() is not None:
            tls_reply = probe.result()
            waiter.cancel()
            await asyncio.gather(waiter, return_exceptions=True)
        else:
            first = await waiter
            if first is None and not probe.done():
                probe.cancel()
                await asyncio.gather(probe, return_exceptions=True)
            elif probe.done():
                tls_reply = probe.result()
    elapsed = elapsed_ms(start)
    details: dict[str, Any] = {"address": address, "waited_ms": elapsed}
    if first is None:
        sock.close()
        if tls_reply is not None:
            ctx.transcript.note(f"TLS probe on a second connection got: {tls_reply}")
            return [_mismatch(target, "plain", "The server said nothing in plain text but "
                              f"answered a TLS handshake and then greeted ({tls_reply}).",
                              details | {"tls_greeting": str(tls_reply)})]
        return [slow_reply_finding("connect.greeting", Step.CONNECT, "the greeting",
                                   target.timeout, elapsed, details)]
    if first == b"":
        sock.close()
        return [Finding("connect.greeting", Step.CONNECT, Status.FAIL,
                        "The server closed the connection before greeting",
                        "It accepted the connection and hung up at once: it refuses this "
                        "client's address, is overloaded, or a firewall cuts the session.",
                        details, category="connection-dropped", duration_ms=elapsed)]
    if _looks_like_tls(first):
        sock.close()
        ctx.transcript.note(f"received TLS bytes instead of a greeting: {first[:5].hex(' ')}")
        return [_mismatch(target, "plain", "The server answered with TLS bytes instead of a "
                          "220 greeting.", details | {"first_bytes": first[:5].hex(" ")})]
    session = SmtpSession(target.host or address, ctx.transcript, target.timeout,
                          target.helo_name)
    ctx.smtp = session
    try:
        reply = await session.open(sock, False, None)
    except SmtpIOError as exc:
        if exc.reply is not None:
            return [_greeting_finding(exc.reply, elapsed_ms(start), ctx.explain)]
        return [io_finding("connect.greeting", Step.CONNECT, exc, target.timeout,
                           "The greeting could not be read", elapsed_ms(start), details)]
    finding = _greeting_finding(reply, elapsed_ms(start), ctx.explain)
    if finding.status.failed:
        await session.quit()
    return [finding]


async def _implicit_greeting(
    target: Target, ctx: CheckContext, sock: socket.socket, address: str
) -> list[Finding]:
    start = time.monotonic()
    session = SmtpSession(target.host or address, ctx.transcript, target.timeout,
                          target.helo_name)
    ctx.smtp = session
    ctx.transcript.record("tls", "TLS handshake (implicit TLS)")
    try:
        reply = await session.open(sock, True, client_context(target))
    except SmtpIOError as exc:
        elapsed = elapsed_ms(start)
        if exc.reply is not None:
            return [_greeting_finding(exc.reply, elapsed, ctx.explain)]
        reason = getattr(exc.ssl_error, "reason", None) if exc.ssl_error else None
        if exc.kind == "tls" and reason in _MISMATCH_SSL_REASONS:
            banner = await _plain_probe(target, address, min(target.timeout, 5.0))
            heard = (f"The server greeted in plain text ({banner})." if banner else
                     f"The TLS handshake failed with '{exc.ssl_error}'.")
            return [_mismatch(target, "tls", heard,
                              {"address": address, "ssl_error": str(exc.ssl_error),
                               "plain_banner": banner})]
        if exc.kind == "tls" or (exc.kind == "timeout" and session.greeting is None):
            return await failure_findings(target, address, True, exc, elapsed)
        return [Finding("connect.greeting", Step.CONNECT, Status.FAIL,
                        "The greeting could not be read", str(exc), {"address": address},
                        category=exc.category, duration_ms=elapsed)]
    ctx.transcript.record("tls", f"TLS established: {session.tls_info().get('version')}")
    finding = _greeting_finding(reply, elapsed_ms(start), ctx.explain)
    if finding.status.failed:
        await session.quit()
    return [finding]


async def check_connect(target: Target, ctx: CheckContext) -> list[Finding]:
    """TCP connect to the resolved addresses in turn, then the greeting and EHLO.

    In ``auto`` mode a port that turns out to speak the other security mode (implicit TLS on a
    STARTTLS guess, or plain text on 465) is not a failure: the wizard reconnects in that mode
    and says what the mail client must be set to. A mode chosen by hand that does not match
    fails with ``tls-mode-mismatch``.
    """
    port = target.effective_port
    attempts: list[dict[str, Any]] = []
    sock: socket.socket | None = None
    for address in ctx.addresses[:MAX_ADDRESSES]:
        start = time.monotonic()
        ctx.transcript.record("connect", f"connecting to {address} port {port}")
        try:
            sock = await connect_socket(address, port, target.timeout)
        except (OSError, TimeoutError) as exc:
            outcome = _outcome(exc)
            attempts.append({"address": address, "outcome": outcome, "ms": elapsed_ms(start),
                             "error": str(exc) or type(exc).__name__})
            ctx.transcript.record("connect", f"{address}: {outcome}")
            continue
        attempts.append({"address": address, "outcome": "connected", "ms": elapsed_ms(start)})
        ctx.transcript.record("connect", f"connected to {address} port {port}")
        ctx.address = address
        break
    finding = judge_connect(target.host or "", port, attempts)
    finding.duration_ms = sum(a["ms"] for a in attempts)
    if sock is None or ctx.address is None:
        return [finding]
    address = ctx.address
    implicit = target.security is Security.TLS or (
        target.security is Security.AUTO and port in IMPLICIT_TLS_PORTS)
    greeting = await _greet(target, ctx, sock, address, implicit)
    mismatch = next((f for f in greeting if f.id == "connect.security_mode"
                     and f.status is Status.FAIL), None)
    if mismatch is not None and target.security is Security.AUTO:
        implicit = not implicit
        ctx.transcript.note(f"auto: port {port} speaks {MODE_WORDS[implicit]}; reconnecting")
        try:
            sock = await connect_socket(address, port, target.timeout)
        except (OSError, TimeoutError) as exc:
            return [finding, mismatch, Finding(
                "connect.greeting", Step.CONNECT, Status.FAIL,
                "Could not reconnect in the detected security mode",
                f"{exc or type(exc).__name__}", {"address": address},
                category="connection-dropped")]
        greeting = [_detected(target, implicit, mismatch),
                    *await _greet(target, ctx, sock, address, implicit)]
    findings = [finding, *greeting]
    if any(f.status.failed for f in greeting):
        return findings
    ctx.implicit_tls = implicit
    return findings + await ehlo_finding(target, ctx, after_tls=False)


async def _greet(target: Target, ctx: CheckContext, sock: socket.socket, address: str,
                 implicit: bool) -> list[Finding]:
    if implicit:
        return await _implicit_greeting(target, ctx, sock, address)
    return await _plain_greeting(target, ctx, sock, address)
