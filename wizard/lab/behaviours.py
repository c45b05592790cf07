"""Server behaviours that need code, by the name a scenario file gives them (``behaviour = ...``).

Everything a scripted aiosmtpd server can do is written as data in the file (replies, EHLO,
certificate, greeting); what no real server library does on purpose is built in here and only
named: a server that never greets, hangs up after EHLO, answers with TLS bytes, or one of the
hostile peers of :mod:`wizard.lab.hostile`. ``closed-port`` means nothing listens at all.

Deliberately not here: parsing scenario files (:mod:`wizard.lab.scenario_file`) and starting
the other servers of a lab (:mod:`wizard.lab.runner`).
"""

from __future__ import annotations

from wizard.lab.hostile import HOSTILE_MODES, HostileSmtpServer, is_hostile_mode
from wizard.lab.loopback import LoopbackServer
from wizard.lab.smtp_server import RawSmtpServer, is_raw_mode

CLOSED_PORT = "closed-port"

# Raw modes of RawSmtpServer, and what each does (for the trainers' README and --list).
RAW_BEHAVIOURS: dict[str, str] = {
    "never-greet": "accepts the connection and never says 220",
    "drop-after-banner": "greets, then hangs up",
    "drop-after-ehlo": "answers EHLO, then hangs up",
    "tls-bytes": "answers with a TLS alert instead of a 220 greeting",
    "slow-greeting": "greets after a long pause",
    "helo-only": "an old server that refuses EHLO and speaks HELO only",
    "greet-421": "greets with 421 service not available",
    "greet-554": "greets with 554 and closes",
}

BEHAVIOURS: tuple[str, ...] = (CLOSED_PORT, *RAW_BEHAVIOURS, *HOSTILE_MODES)


def is_behaviour(name: str) -> bool:
    return name in BEHAVIOURS


def make_server(name: str, banner: str = "", port: int = 0) -> LoopbackServer:
    """The server for behaviour ``name`` (not ``closed-port``, which has none), not started.
    ``greet-text`` (what a file's non-220 ``greeting`` becomes) sends ``banner`` and closes."""
    if name == "greet-text":
        return RawSmtpServer("greet-text", banner=banner, port=port)
    if name in RAW_BEHAVIOURS and is_raw_mode(name):
        return RawSmtpServer(name, banner=banner, port=port, delay=5.0)
    if is_hostile_mode(name):
        return HostileSmtpServer(name, port=port)
    raise ValueError(f"unknown behaviour {name!r}: one of {', '.join(BEHAVIOURS)}")
