"""When connecting fails: probe the usual submission ports at once, like a mail client's setup.

Each port is tried with a short timeout: does it accept TCP, greet in plain text (and offer
STARTTLS), or speak implicit TLS? The finding names the settings that would work.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from wizard.model.findings import Finding, NextStep, Status, Step
from wizard.model.target import SUBMISSION_PORTS, Target
from wizard.model.transcript import Transcript
from wizard.smtp.session import SmtpIOError, SmtpSession, elapsed_ms
from wizard.smtp.tls import connect_socket, probe_context
from wizard.walk.context import CheckContext

PROBE_TIMEOUT_S = 3.0


async def probe_port(target: Target, address: str, port: int, timeout: float) -> dict[str, Any]:
    """What answers on ``port``: closed, silent, plain (with/without STARTTLS) or implicit TLS."""
    start = time.monotonic()
    result: dict[str, Any] = {"port": port, "mode": "closed", "banner": None}
    for implicit in (port == 465, port != 465):
        session = SmtpSession(target.host or address, Transcript(), timeout, target.helo_name)
        try:
            sock = await connect_socket(address, port, timeout)
        except (OSError, TimeoutError) as exc:
            result["mode"] = "timeout" if isinstance(exc, TimeoutError) else "closed"
            break
        try:
            greeting = await session.open(sock, implicit, probe_context() if implicit else None)
            result["banner"] = str(greeting)
            if implicit:
                result["mode"] = "implicit-tls"
            else:
                _, caps = await session.ehlo()
                result["mode"] = "starttls" if caps.has("STARTTLS") else "plain"
                result["auth"] = caps.auth_mechanisms
            break
        except SmtpIOError:
            result["mode"] = "silent"
        finally:
            await session.quit()
    result["ms"] = elapsed_ms(start)
    return result


SECURITY_OF_MODE = {"implicit-tls": "tls", "starttls": "starttls", "plain": "none"}
MODE_WORDS = {"implicit-tls": "SSL/TLS", "starttls": "STARTTLS", "plain": "no encryption"}
# Which working port to suggest first: encrypted before plain, submission before relay.
_PREFERENCE = {"starttls": 0, "implicit-tls": 1, "plain": 2}


def _advice(result: dict[str, Any]) -> str:
    return f"port {result['port']} with {MODE_WORDS[result['mode']]}"


def best_port(results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The working port a mail client should use (encrypted first, in the probe order)."""
    working = [r for r in results if r["mode"] in _PREFERENCE]
    return min(working, key=lambda r: _PREFERENCE[r["mode"]]) if working else None


async def check_ports(target: Target, ctx: CheckContext) -> list[Finding]:
    """Probe the usual ports on the first address; which answer and how."""
    addresses = ctx.addresses
    if not addresses:
        return []
    address = addresses[0]
    ports = list(target_ports(target))
    timeout = min(PROBE_TIMEOUT_S, target.timeout)
    start = time.monotonic()
    results = await asyncio.gather(*(probe_port(target, address, p, timeout) for p in ports))
    working = [r for r in results if r["mode"] in ("implicit-tls", "starttls", "plain")]
    details = {"address": address, "ports": results}
    elapsed = elapsed_ms(start)
    if not working:
        return [Finding("connect.ports", Step.CONNECT, Status.WARN,
                        "No usual mail port answers on this server",
                        f"Ports {', '.join(map(str, ports))} were tried on {address}: none "
                        "greets like a mail server. Check the server name, or whether a "
                        "firewall on this network blocks outgoing mail ports.", details,
                        duration_ms=elapsed)]
    ways = "; ".join(_advice(r) for r in working)
    best = best_port(working)
    assert best is not None
    said = _advice(best)
    return [Finding("connect.ports", Step.CONNECT, Status.WARN,
                    f"Another port answers: {said}" + (" (and more)" if len(working) > 1
                                                       else ""),
                    f"These settings reach a mail server on {address}: {ways}.", details,
                    duration_ms=elapsed,
                    next=NextStep(f"Set your mail client to {said} and run the check again.",
                                  "you", {"kind": "rerun", "set": {
                                      "port": best["port"],
                                      "security": SECURITY_OF_MODE[best["mode"]]}}))]


def target_ports(target: Target) -> tuple[int, ...]:
    """The ports to probe: the target's own list (the lab's) or the usual four."""
    return target.probe_ports or SUBMISSION_PORTS
