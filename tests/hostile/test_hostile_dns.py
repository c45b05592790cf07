"""Hostile DNS data: TXT records carrying terminal escapes and markup are shown, never obeyed."""

from __future__ import annotations

from wizard.context import CheckContext
from wizard.dns.step import run_dns_step
from wizard.lab.dns_server import DnsServer
from wizard.lab.dns_zones import lab_target, zone_for
from wizard.lab.hostile import ESCAPES, MARKUP
from wizard.report import render
from wizard.session import Session


async def test_escapes_in_spf_and_dmarc_records_are_rendered_inert():
    zone = zone_for("healthy")
    zone["lab.test"] = {**zone["lab.test"], "TXT": [f"v=spf1 {MARKUP} {ESCAPES} -all"]}
    zone["_dmarc.lab.test"] = {"TXT": [f"v=DMARC1; p=reject; x={ESCAPES}"]}
    async with DnsServer(zone) as dns:
        target = lab_target(dns.nameserver)
        ctx = CheckContext.for_target(target)
        findings = await run_dns_step(target, ctx)
    session = Session(target=target, findings=findings, command="dns")
    spf = next(f for f in findings if f.id == "dns.spf.record")
    assert any(isinstance(v, str) and "\x1b" in v for v in spf.details.values())  # really there
    for fmt in ("text", "markdown", "json"):
        shown = render(session, fmt)
        assert "\x1b" not in shown and "\x07" not in shown
