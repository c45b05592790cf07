"""When connecting fails: probe the usual submission ports at once, like a mail client's setup.

Each port is tried with a short timeout: does it accept TCP, greet in plain text (and offer
STARTTLS), or speak implicit TLS? The finding names the settings that would work.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from wizard.catalog.words import words
from wizard.model.findings import Finding, NextStep, Status, Step
from wizard.model.target import SUBMISSION_PORTS, Target
from wizard.smtp.probe import SECURITY_OF_MODE, PortProbe, probe_ports
from wizard.smtp.session import elapsed_ms
from wizard.walk.context import CheckContext

PROBE_TIMEOUT_S = 3.0


MODE_WORDS = words().probe_mode  # wizard/catalog/data/words.toml
# Which working port to suggest first: encrypted before plain, submission before relay.
_PREFERENCE = {"starttls": 0, "implicit-tls": 1, "plain": 2}


def _advice(result: PortProbe) -> str:
    return f"port {result.port} with {MODE_WORDS[result.mode]}"


def best_port(results: Sequence[PortProbe], need_login: bool = False) -> PortProbe | None:
    """The working port a mail client should use (encrypted first, in the probe order).

    With ``need_login`` only a port that offered AUTH after TLS qualifies.
    """
    working = [r for r in results if r.mode in _PREFERENCE
               and (r.login_offered or not need_login)]
    return min(working, key=lambda r: _PREFERENCE[r.mode]) if working else None


async def check_ports(target: Target, ctx: CheckContext) -> list[Finding]:
    """Probe the usual ports on the first address; which answer and how."""
    addresses = ctx.addresses
    if not addresses:
        return []
    address = addresses[0]
    ports = list(target_ports(target))
    timeout = min(PROBE_TIMEOUT_S, target.timeout)
    start = time.monotonic()
    probe = await probe_ports(address, ports, host=target.host or address, timeout=timeout,
                              helo_name=target.helo_name)
    ctx.probe = probe
    working = list(probe.answering)
    details: dict[str, Any] = {"address": address, "ports": [p.to_dict() for p in probe.ports]}
    elapsed = elapsed_ms(start)
    if not working:
        return [Finding("connect.ports", Step.CONNECT, Status.WARN,
                        "No usual mail port answers on this server",
                        f"Ports {', '.join(map(str, ports))} were tried on {address}: none "
                        "greets like a mail server. Check the server name, or whether a "
                        "firewall on this network blocks outgoing mail ports.", details,
                        duration_ms=elapsed)]
    ways = "; ".join(_advice(r) for r in working)
    best = best_port(working, need_login=bool(target.user)) or best_port(working)
    assert best is not None
    said = _advice(best)
    return [Finding("connect.ports", Step.CONNECT, Status.WARN,
                    f"Another port answers: {said}" + (" (and more)" if len(working) > 1
                                                       else ""),
                    f"These settings reach a mail server on {address}: {ways}.", details,
                    duration_ms=elapsed,
                    next=NextStep(f"Set your mail client to {said} and run the check again.",
                                  "you", {"kind": "rerun", "set": {
                                      "port": best.port,
                                      "security": SECURITY_OF_MODE[best.mode]}}))]


def target_ports(target: Target) -> tuple[int, ...]:
    """The ports to probe: the target's own list (the lab's) or the usual four."""
    return target.probe_ports or SUBMISSION_PORTS
