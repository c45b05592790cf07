"""run_dns_step on the lab zones: every variant's verdict, and honest lookup failures."""

from __future__ import annotations

import time

import pytest

from wizard.dns.step import run_dns_step
from wizard.lab.dns_zones import EXPECTED_CATEGORY, VARIANTS, zone_for
from wizard.model.findings import Status
from wizard.model.target import Target
from wizard.walk.context import CheckContext
from wizard.walk.verdict import verdict_for

from .conftest import run_step

DECIDING = {
    "spf-missing": ("dns.spf.record", Status.FAIL),
    "spf-two-records": ("dns.spf.record", Status.FAIL),
    "spf-too-many-lookups": ("dns.spf.lookups", Status.FAIL),
    "spf-fail-ip": ("dns.spf.eval", Status.FAIL),
    "dmarc-missing": ("dns.dmarc", Status.FAIL),
    "dmarc-syntax": ("dns.dmarc", Status.FAIL),
    "dkim-missing": ("dns.dkim.lab", Status.FAIL),
    "dkim-short-key": ("dns.dkim.lab", Status.FAIL),
    "null-mx": ("dns.mx.recipient", Status.FAIL),
    "mx-no-address": ("dns.mx.recipient", Status.FAIL),
    "ptr-missing": ("dns.ptr", Status.FAIL),
    "ip-blocklisted": ("dns.dnsbl.ip", Status.FAIL),
}


@pytest.mark.parametrize("variant", VARIANTS)
async def test_lab_variant_verdict(variant: str) -> None:
    run = await run_step(zone_for(variant))
    verdict = verdict_for(run.findings)
    assert verdict.category == EXPECTED_CATEGORY[variant], [
        (f.id, f.status.value, f.category) for f in run.findings if f.status is not Status.PASS]
    assert all(f.step.value == "dns" for f in run.findings)
    if variant == "healthy":
        assert verdict.status is Status.PASS
        assert {f.id for f in run.findings} >= {
            "dns.mx.recipient", "dns.spf.record", "dns.spf.lookups",
            "dns.spf.eval", "dns.dkim.lab", "dns.dmarc", "dns.dmarc.alignment", "dns.ptr",
            "dns.dnsbl.ip", "dns.dnsbl.domain", "dns.mta_sts", "dns.tlsrpt", "dns.dane"}
        return
    fid, status = DECIDING[variant]
    assert run[fid].status is status
    assert run[fid].category == EXPECTED_CATEGORY[variant]


async def test_null_mx_as_sender_is_dns_mx() -> None:
    zone = zone_for("null-mx")
    zone["other.test"] = {"MX": "10 mail.lab.test"}
    run = await run_step(zone, rcpt_to="someone@other.test")
    assert run["dns.mx.sender"].status is Status.FAIL
    assert run["dns.mx.sender"].category == "dns-mx"
    assert run["dns.mx.recipient"].status is Status.PASS


async def test_domain_as_sender_and_recipient_is_checked_once() -> None:
    run = await run_step(zone_for("null-mx"))  # sender@lab.test to postmaster@lab.test
    assert "dns.mx.sender" not in run.by_id
    f = run["dns.mx.recipient"]
    assert f.status is Status.FAIL and f.category == "recipient-domain"
    assert f.details["roles"] == "sender and recipient" and "as a sender" in f.summary
    mx_queries = [q for q in run.server.log if q.rdtype == "MX" and q.name == "lab.test"]
    assert len(mx_queries) == 1


async def test_no_domain_gives_one_skip() -> None:
    target = Target(nameservers=(("127.0.0.1", 9),))
    findings = await run_dns_step(target, CheckContext.for_target(target, dns_timeout=0.2))
    assert len(findings) == 1 and findings[0].status is Status.SKIP
    assert "sender address" in findings[0].summary and "--" not in findings[0].summary


@pytest.mark.parametrize("behaviour", ["servfail", "timeout", "refused"])
async def test_dmarc_lookup_failure_is_error_not_missing(behaviour: str) -> None:
    run = await run_step(behaviours={"_dmarc.lab.test": behaviour}, dns_timeout=0.3)
    f = run["dns.dmarc"]
    assert f.status is Status.ERROR and f.category is None
    assert "No DMARC" not in f.title and f.details["lookup"]["status"] == behaviour


async def test_spf_servfail_is_error() -> None:
    run = await run_step(behaviours={"lab.test": "servfail"})
    assert run["dns.spf.record"].status is Status.ERROR
    assert run["dns.mx.recipient"].status is Status.ERROR
    assert run["dns.spf.record"].category is None  # an error carries no problem category


async def test_dead_nameserver_costs_one_timeout() -> None:
    zone = {name: ["TIMEOUT"] for name in ("lab.test", "x.lab.test")}
    target_zone = {**zone}
    start = time.monotonic()
    run = await run_step(target_zone, behaviours={"lab.test": "timeout"}, dns_timeout=0.4)
    elapsed = time.monotonic() - start
    assert run["dns.spf.record"].status is Status.ERROR
    assert run["dns.mx.recipient"].status is Status.ERROR
    assert elapsed < 3 * 0.4 + 0.5, elapsed  # concurrent: not one timeout per query


async def test_details_carry_record_and_trace() -> None:
    run = await run_step()
    assert run["dns.spf.record"].details["record"].startswith("v=spf1")
    lookups = run["dns.spf.lookups"].details
    assert lookups["lookups"] == 1 and lookups["trace"]["domain"] == "lab.test"
    assert run["dns.spf.eval"].details["matched"]["term"] == "ip4:127.0.0.1"
    assert all(f.duration_ms >= 0 for f in run.findings)


async def test_a_bug_in_one_check_is_an_error_for_that_check_alone(monkeypatch) -> None:
    from wizard.dns import tlsrpt

    async def broken(*_args: object) -> None:
        raise ZeroDivisionError("injected")

    monkeypatch.setattr(tlsrpt, "check_tlsrpt", broken)
    run = await run_step()
    f = run["dns.tlsrpt"]
    assert f.status is Status.ERROR and f.category is None and "injected" in f.summary
    assert f.next is not None and "fault in smtp-wizard" in f.next.next_step
    assert run["dns.mx.recipient"].status is Status.PASS
