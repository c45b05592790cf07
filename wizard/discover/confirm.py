"""Probe the candidates: which answer, in which mode, with AUTH after TLS, and whether the
certificate is valid for the name the source gave.

The port probe is the planner's (:mod:`wizard.smtp.probe`); this module adds only the
verified handshake that probe deliberately skips (system trust store or ``--ca-file``, the
candidate's host name as SNI and for the name check). No credentials are ever sent.
"""

from __future__ import annotations

import asyncio
import ssl

from wizard.discover.model import Candidate
from wizard.dns.fetch import FetchError, addresses_of
from wizard.dns.resolver import Resolver
from wizard.model.transcript import Transcript
from wizard.smtp.probe import PortProbe, probe_ports
from wizard.smtp.session import SmtpIOError, SmtpSession
from wizard.smtp.tls import connect_socket

MAX_HOSTS = 8


async def certificate_check(address: str, host: str, port: int, implicit: bool,
                            ca_file: str | None, timeout: float, helo_name: str
                            ) -> tuple[bool, str | None]:
    """(valid for ``host``, why not). A verifying TLS handshake, implicit or after STARTTLS."""
    context = ssl.create_default_context(cafile=ca_file)
    session = SmtpSession(host, Transcript(), timeout, helo_name)
    try:
        sock = await connect_socket(address, port, timeout)
        if implicit:
            await session.open(sock, True, context)
        else:
            await session.open(sock, False, None)
            await session.ehlo()
            reply = await session.starttls(context)
            if reply.code != 220:
                return False, f"STARTTLS refused: {reply}"
        return True, None
    except (OSError, TimeoutError) as exc:
        return False, f"could not connect: {exc or type(exc).__name__}"
    except SmtpIOError as exc:
        found = exc.ssl_error
        if isinstance(found, ssl.SSLCertVerificationError):
            return False, str(found.verify_message or found.reason)
        return False, str(exc)
    finally:
        await session.quit()


def _apply(candidate: Candidate, probe: PortProbe | None, address: str) -> None:
    if probe is None:
        return
    facts = probe.to_dict()
    facts["address"] = address
    facts["security_published"] = candidate.security
    candidate.probe = facts
    if probe.answers and probe.security:
        candidate.confirmed = True
        if candidate.security != probe.security:
            facts["note"] = (f"published as {candidate.security}, but the port speaks "
                             f"{probe.security}")
            candidate.security = probe.security


async def probe_candidates(candidates: list[Candidate], resolver: Resolver, *, timeout: float,
                           ca_file: str | None, helo_name: str) -> None:
    """Probe every candidate host once on all its ports (concurrently); fill ``probe`` and
    ``confirmed``; then check the certificate of each encrypted answer."""
    hosts = list(dict.fromkeys(c.host for c in candidates))[:MAX_HOSTS]

    async def one(host: str) -> None:
        mine = [c for c in candidates if c.host == host]
        try:
            address = (await addresses_of(host, resolver))[0]
        except FetchError as exc:
            for c in mine:
                c.probe = {"error": str(exc)}
            return
        ports = list(dict.fromkeys(c.port for c in mine))
        result = await probe_ports(address, ports, host=host, timeout=timeout,
                                   helo_name=helo_name)
        for c in mine:
            _apply(c, result.port(c.port), address)
        encrypted = [c for c in mine if c.confirmed and c.security in ("tls", "starttls")]
        checks = await asyncio.gather(*(certificate_check(
            address, host, c.port, c.security == "tls", ca_file, timeout, helo_name)
            for c in encrypted))
        for c, (valid, why) in zip(encrypted, checks, strict=True):
            assert c.probe is not None, "a confirmed candidate was probed"
            c.probe["certificate_valid"] = valid
            c.probe["certificate_error"] = why

    await asyncio.gather(*(one(h) for h in hosts))
    for c in candidates:
        if c.host not in hosts and c.probe is None:
            c.probe = {"error": f"not probed (more than {MAX_HOSTS} hosts)"}
