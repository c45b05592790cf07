"""A late reply on a connection that stood is named by what was waited for (issue 21, item 4).

Raw asyncio servers on loopback that answer normally until one command, then say nothing until
the client hangs up: a server that delays the AUTH reply (as Dovecot does after failed logins),
one that never greets, one that stalls on MAIL FROM. Each gives ``reply-timeout`` with
``details["waited_for"]`` and a ``retry-later`` next step, never a port change.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from wizard.catalog.categories import guide
from wizard.catalog.waits import waits
from wizard.model.findings import Finding, Status
from wizard.model.secret import Secret
from wizard.model.target import Security, Target
from wizard.walk.session import Session
from wizard.walk.tree import check_budget, run_check

TIMEOUT_S = 1.0
EHLO = b"250-slow.lab.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"


@asynccontextmanager
async def stalling_server(stall_on: bytes) -> AsyncIterator[int]:
    """A plain-text SMTP server that stops answering at the command ``stall_on`` (b"" for the
    greeting) and then waits for the client to hang up; yields its port."""

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if stall_on == b"":
                await reader.read()  # never greets
                return
            writer.write(b"220 slow.lab.test ESMTP\r\n")
            while line := await reader.readline():
                verb = line.split(b" ", 1)[0].strip().upper()
                if verb == stall_on:
                    await reader.read()  # the answer never comes before the client gives up
                    return
                if verb in (b"EHLO", b"HELO"):
                    writer.write(EHLO)
                elif verb == b"AUTH":
                    writer.write(b"235 2.7.0 Authentication successful\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 2.0.0 Bye\r\n")
                    return
                else:
                    writer.write(b"250 2.0.0 OK\r\n")
                await writer.drain()
        except ConnectionError:
            return
        finally:
            writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def check_against(stall_on: bytes) -> Session:
    async with stalling_server(stall_on) as port:
        target = Target(host="127.0.0.1", port=port, security=Security.NONE,
                        user="alice@slow.test", password=Secret("slow-test-password"),
                        mail_from="alice@slow.test", rcpt_to="bob@slow.test",
                        timeout=TIMEOUT_S, allow_plaintext_auth=True, dns=False,
                        probe_ports=(port,))
        return await asyncio.wait_for(run_check(target), 4 * check_budget(target))


def the(session: Session, finding_id: str) -> Finding:
    return next(f for f in session.findings if f.id == finding_id)


@pytest.mark.parametrize(("stall_on", "finding_id", "waited_for"), [
    (b"AUTH", "auth.login", "AUTH"),
    (b"", "connect.greeting", "the greeting"),
    (b"MAIL", "send.mail_from", "MAIL FROM"),
])
async def test_a_late_reply_names_the_command_and_advises_waiting(
        stall_on: bytes, finding_id: str, waited_for: str) -> None:
    session = await check_against(stall_on)
    finding = the(session, finding_id)
    assert finding.status is Status.FAIL and finding.category == "reply-timeout"
    assert finding.details["waited_for"] == waited_for
    verdict = session.verdict
    assert verdict.category == "reply-timeout" and verdict.finding_id == finding_id
    assert verdict.next.action.kind == "retry-later"
    # the connection worked: no port probe, no port (or security) change proposed
    assert not [f for f in session.findings if f.id == "connect.ports"]
    assert "connection-timeout" not in {f.category for f in session.findings}


async def test_the_slow_login_is_worded_as_the_login_and_keeps_the_password_out() -> None:
    session = await check_against(b"AUTH")
    finding = the(session, "auth.login")
    assert finding.title == f"The server took more than {TIMEOUT_S:g} s to answer the login"
    assert "failed logins" in finding.summary
    assert finding.next is not None and "right password" in finding.next.next_step
    assert finding.details["authenticated"] is False
    assert finding.details["password_rejected"] is False
    assert "slow-test-password" not in str(session.to_dict())


def test_every_waited_for_of_the_contract_has_its_own_wording() -> None:
    contract = ("the greeting", "EHLO", "STARTTLS", "AUTH", "MAIL FROM", "RCPT TO", "DATA",
                "the end of the message")
    table = waits()
    assert set(contract) <= set(table)
    assert all(table[w].what and table[w].after_s > 0 for w in contract)
    assert guide("reply-timeout").action["kind"] == "retry-later"
