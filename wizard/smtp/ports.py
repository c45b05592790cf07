"""When connecting fails: probe the usual submission ports at once, like a mail client's setup.

Each port is tried with a short timeout: does it accept TCP, greet in plain text (and offer
STARTTLS), or speak implicit TLS? The finding names the settings that would work.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from wizard.context import CheckContext
from wizard.findings import Finding, Status, Step
from wizard.smtp.session import SmtpIOError, SmtpSession, elapsed_ms
from wizard.smtp.tls import connect_socket, probe_context
from wizard.target import SUBMISSION_PORTS, Target
from wizard.transcript import Transcript

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


def _advice(result: dict[str, Any]) -> str:
    port = result["port"]
    if result["mode"] == "implicit-tls":
        return f"port {port} with implicit TLS (--port {port} --security tls)"
    if result["mode"] == "starttls":
        return f"port {port} with STARTTLS (--port {port} --security starttls)"
    return f"port {port} without encryption (plain text)"


async def check_ports(target: Target, ctx: CheckContext) -> list[Finding]:
    """Probe the usual ports on the first address; which answer and how."""
    addresses: list[str] = ctx.state.get("addresses") or []
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
    return [Finding("connect.ports", Step.CONNECT, Status.WARN,
                    f"Other ports answer: {ways.split(' (')[0]}" + (" ..." if len(working) > 1
                                                                    else ""),
                    f"These settings reach a mail server on {address}: {ways}.", details,
                    duration_ms=elapsed)]


def target_ports(target: Target) -> tuple[int, ...]:
    """The ports to probe: the target's own list (the lab's) or the usual four."""
    return target.probe_ports or SUBMISSION_PORTS
