"""The parallel port probe against real loopback servers: modes, AUTH before and after TLS."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from wizard.lab.certs import LabCertificates
from wizard.lab.smtp_server import LabSmtpServer, RawSmtpServer, SmtpBehaviour, free_port
from wizard.smtp.probe import PortProbe, ProbeResult, probe_port, probe_ports


@pytest.fixture
def certs() -> Iterator[LabCertificates]:
    issued = LabCertificates.generate()
    yield issued
    issued.cleanup()


async def test_starttls_port_offers_auth_only_after_tls(certs: LabCertificates) -> None:
    behaviour = SmtpBehaviour(tls="starttls", auth_require_tls=True)
    async with LabSmtpServer(behaviour, certs.server_context("valid")) as server:
        found = await probe_port("127.0.0.1", server.port, timeout=5.0)
    assert found.mode == "starttls"
    assert found.greeting is not None and found.greeting.startswith("220")
    assert found.auth_before_tls == ()
    assert "PLAIN" in found.auth_after_tls
    assert found.login_offered and found.encrypted and found.security == "starttls"


async def test_implicit_tls_port_found_on_a_non_465_port(certs: LabCertificates) -> None:
    async with LabSmtpServer(SmtpBehaviour(tls="implicit"),
                             certs.server_context("valid")) as server:
        found = await probe_port("127.0.0.1", server.port, timeout=2.0)
    assert found.mode == "implicit-tls"
    assert found.login_offered
    assert found.security == "tls"


async def test_plain_port_without_auth_is_not_a_login_port() -> None:
    async with LabSmtpServer(SmtpBehaviour(tls="none", offer_auth=False)) as server:
        found = await probe_port("127.0.0.1", server.port, timeout=5.0)
    assert found.mode == "plain"
    assert found.auth_before_tls == () and found.auth_after_tls == ()
    assert not found.login_offered


async def test_plaintext_auth_is_recorded_but_not_counted_as_login() -> None:
    behaviour = SmtpBehaviour(tls="none", auth_require_tls=False)
    async with LabSmtpServer(behaviour) as server:
        found = await probe_port("127.0.0.1", server.port, timeout=5.0)
    assert found.mode == "plain"
    assert "PLAIN" in found.auth_before_tls
    assert not found.login_offered  # a password is never sent in plain text


async def test_closed_port() -> None:
    found = await probe_port("127.0.0.1", free_port(), timeout=2.0)
    assert found == PortProbe(found.port, "closed", ms=found.ms)
    assert not found.answers


async def test_silent_port() -> None:
    async with RawSmtpServer("never-greet") as server:
        found = await probe_port("127.0.0.1", server.port, timeout=0.5)
    assert found.mode == "silent"


async def test_all_ports_at_once_in_given_order(certs: LabCertificates) -> None:
    closed = free_port()
    async with LabSmtpServer(SmtpBehaviour(), certs.server_context("valid")) as sub, \
            LabSmtpServer(SmtpBehaviour(tls="none", offer_auth=False)) as relay:
        result = await probe_ports("127.0.0.1", (closed, sub.port, relay.port),
                                   host="mail.lab.test", timeout=3.0)
    assert isinstance(result, ProbeResult)
    assert [p.port for p in result.ports] == [closed, sub.port, relay.port]
    assert [p.mode for p in result.ports] == ["closed", "starttls", "plain"]
    assert [p.port for p in result.offering_login] == [sub.port]
    assert result.port(relay.port) is not None
    as_dict = result.to_dict()
    assert as_dict["host"] == "mail.lab.test"
    assert as_dict["ports"][1]["login_offered"] is True
    assert as_dict["ports"][0]["auth_after_tls"] == []


async def test_probe_sends_only_ehlo_and_quit() -> None:
    """A plain port that offers AUTH in clear text: the probe still never tries to log in."""
    heard: list[str] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 peer.test ESMTP\r\n")
        while line := await asyncio.wait_for(reader.readline(), 5.0):
            heard.append(line.decode().strip())
            if line.upper().startswith(b"EHLO"):
                writer.write(b"250-peer.test\r\n250 AUTH PLAIN LOGIN\r\n")
            elif line.upper().startswith(b"QUIT"):
                writer.write(b"221 bye\r\n")
                break
            else:
                writer.write(b"502 no\r\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        found = await probe_port("127.0.0.1", port, timeout=3.0)
    assert found.auth_before_tls == ("PLAIN", "LOGIN")
    assert [line.split()[0].upper() for line in heard] == ["EHLO", "QUIT"]
