"""DNS findings say what was seen without contradicting themselves, and report the right record
(a subdomain's own broken _dmarc, not only its parent's)."""

from __future__ import annotations

from wizard.lab.dns_zones import dkim_record
from wizard.model.findings import Status

from .conftest import lab_zone, run_step

CONTRADICTIONS = ("has no SPF verdict", "Neither _dmarc.lab.test does", "no DKIM d= known",
                  "MAIL FROM -", "top lab.test", "lookup(s), neutral", "Not listed on the others")


def text_of(run) -> str:
    return "\n".join(f"{f.title} {f.summary} {' '.join(f.details.get('trace_text', []))}"
                     for f in run.findings)


async def test_healthy_report_has_no_contradiction() -> None:
    run = await run_step()
    words = text_of(run)
    for phrase in CONTRADICTIONS:
        assert phrase not in words, phrase
    helo = run["dns.spf.helo"]
    assert helo.status is Status.PASS and "no SPF record (optional)" in helo.title
    assert "cannot authenticate" not in helo.summary
    lookups = run["dns.spf.lookups"]
    assert lookups.details["trace_text"] == ["lab.test: 1 DNS lookup"]  # no IP: no result
    assert run["dns.spf.eval"].details["trace_text"] == ["lab.test: 0 DNS lookups; result pass"]
    align = run["dns.dmarc.alignment"].summary
    assert "MAIL FROM domain lab.test aligns" in align and "no signature known" in align


async def test_include_trace_counts_the_include_itself() -> None:
    run = await run_step(lab_zone("spf-too-many-lookups"))
    trace = run["dns.spf.lookups"].details["trace_text"]
    assert trace[0] == "lab.test: 12 DNS lookups"
    assert trace[1] == "  include:spf1.lab.test: 3 DNS lookups"


async def test_alignment_with_dkim_only_names_no_empty_mail_from() -> None:
    headers = ("From: a@lab.test\r\nDKIM-Signature: v=1; d=other.test; s=lab; b=x\r\n\r\n")
    zone = lab_zone(extra={"lab._domainkey.other.test": {"TXT": [dkim_record()]}})
    run = await run_step(zone, mail_from=None, dkim_selectors=(), message_headers=headers)
    f = run["dns.dmarc.alignment"]
    assert "no MAIL FROM address given" in f.summary and "MAIL FROM -" not in f.summary
    assert "d=other.test does not align with lab.test" in f.summary


async def test_missing_dmarc_wording_for_a_domain_and_a_subdomain() -> None:
    zone = lab_zone()
    del zone["_dmarc.lab.test"]
    zone["sub.lab.test"] = {"MX": "10 mail.lab.test", "TXT": ["v=spf1 ip4:127.0.0.1 -all"]}
    top = (await run_step(zone))["dns.dmarc"]
    assert top.summary.startswith("_dmarc.lab.test does not exist.")
    sub = (await run_step(zone, domain="sub.lab.test", mail_from="a@sub.lab.test"))["dns.dmarc"]
    assert sub.summary.startswith("Neither _dmarc.sub.lab.test nor _dmarc.lab.test has a DMARC")


async def test_subdomain_own_malformed_dmarc_is_reported() -> None:
    zone = lab_zone(extra={"sub.lab.test": {"MX": "10 mail.lab.test",
                                        "TXT": ["v=spf1 ip4:127.0.0.1 -all"]},
                       "_dmarc.sub.lab.test": {"TXT": ["v=DMARC1 p=none"]}})
    f = (await run_step(zone, domain="sub.lab.test", mail_from="a@sub.lab.test"))["dns.dmarc"]
    assert f.status is Status.FAIL and f.category == "dns-dmarc"
    assert "DMARC record of sub.lab.test is malformed" in f.title
    assert f.details["own_record"] == "v=DMARC1 p=none" and "semicolons" in f.summary
    assert "lab.test's policy instead (p=reject" in f.summary  # what receivers apply


async def test_a_failed_lookup_carries_its_next_step() -> None:
    run = await run_step(behaviours={"_dmarc.lab.test": "refused"}, dns_timeout=0.3)
    f = run["dns.dmarc"]
    assert f.status is Status.ERROR and f.category is None and f.next is not None
    assert f.to_dict()["next"] == {
        "next_step": f.next.next_step, "who": "you",
        "action": {"kind": "rerun", "ask": ["nameserver"]}}
    assert "refused" in f.next.next_step  # the action asks for another nameserver (above)
