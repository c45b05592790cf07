"""Resolving the server name through a real loopback DNS responder: four different failures."""

from __future__ import annotations

import pytest

from tests.conftest import builtin_scenario
from wizard.lab.dns_server import DnsServer
from wizard.lab.runner import Lab
from wizard.model.target import Security, Target
from wizard.walk.tree import run_check

ZONE = {
    "mail.lab.test": {"A": "127.0.0.1"},
    "noaddr.lab.test": {"MX": "10 mail.lab.test"},
    "broken.lab.test": ["SERVFAIL"],
    "slow.lab.test": ["TIMEOUT"],
}


@pytest.mark.parametrize(("host", "status", "words"), [
    ("nosuch.lab.test", "fail", "does not exist"),
    ("noaddr.lab.test", "fail", "has no address"),
    ("broken.lab.test", "error", "could not look up"),
    ("slow.lab.test", "error", "did not answer"),
])
async def test_each_resolution_failure_is_its_own_finding(host, status, words):
    async with DnsServer(ZONE) as dns:
        target = Target(host=host, port=587, nameservers=(dns.nameserver,), timeout=1.0,
                        dns=False)
        session = await run_check(target)
    finding = session.findings[0]
    assert finding.id == "connect.resolve"
    assert finding.status.value == status
    # "does not exist" is evidence; "could not look up" is not: an error names no category
    expected = "dns-host-not-found" if status == "fail" else None
    assert finding.category == expected
    assert words in finding.title
    assert session.verdict.category == expected
    assert session.verdict.status.value == status
    assert [f.id for f in session.findings if f.status.value != "skip"] == ["connect.resolve"]


async def test_a_name_that_resolves_is_connected_to_and_its_certificate_matches():
    async with Lab(builtin_scenario("healthy")) as lab, DnsServer(ZONE) as dns:
        target = lab.target(host="mail.lab.test", nameservers=(dns.nameserver,), dns=False,
                            security=Security.STARTTLS)
        session = await run_check(target)
    resolve = session.findings[0]
    assert resolve.status.value == "pass" and resolve.details["addresses"] == ["127.0.0.1"]
    assert session.verdict.category == "success"
