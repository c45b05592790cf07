"""Each DNS check's bullets, through the loopback responder: id, status and category."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from wizard.lab.dns_zones import dkim_record
from wizard.model.findings import Status

from .conftest import lab_zone, run_step

MX = "dns.mx.recipient"


# --------------------------------------------------------------------------- MX
@pytest.mark.parametrize(("mx", "extra", "status", "category", "words"), [
    ("10 mail.lab.test", {}, Status.PASS, None, "all with addresses"),
    (["10 mail.lab.test", "10 mail2.lab.test"], {"mail2.lab.test": {"A": "127.0.0.3"}},
     Status.PASS, None, "2 host"),  # duplicate priorities are fine
    ("10 alias.lab.test", {"alias.lab.test": {"CNAME": "mail.lab.test"}}, Status.WARN, "dns-mx",
     "CNAME"),
    ("10 192.0.2.1", {}, Status.FAIL, "recipient-domain", "IP address"),
    ("0 .", {}, Status.FAIL, "recipient-domain", "null MX"),
    ("10 gone.lab.test", {}, Status.FAIL, "recipient-domain", "no address"),
])
async def test_mx_shapes(mx, extra, status, category, words) -> None:
    zone = lab_zone()
    zone["lab.test"]["MX"] = mx
    zone.update(extra)
    f = (await run_step(zone))[MX]
    assert (f.status, f.category) == (status, category), f.summary
    assert words in f.title + f.summary


async def test_mx_missing_falls_back_to_a() -> None:
    zone = lab_zone()
    del zone["lab.test"]["MX"]
    f = (await run_step(zone))[MX]
    assert f.status is Status.WARN and f.category == "dns-mx" and f.details["implicit_mx"]


async def test_mx_missing_and_no_address() -> None:
    zone = lab_zone()
    del zone["lab.test"]["MX"], zone["lab.test"]["A"]
    f = (await run_step(zone))[MX]
    assert f.status is Status.FAIL and f.category == "recipient-domain"


async def test_recipient_domain_nxdomain() -> None:
    run = await run_step(rcpt_to="someone@nowhere.test")
    f = run[MX]
    assert f.status is Status.FAIL and f.category == "recipient-domain"
    assert "does not exist" in f.title


async def test_mx_host_servfail_is_error() -> None:
    run = await run_step(behaviours={"mail.lab.test": "servfail"})
    assert run[MX].status is Status.ERROR and run[MX].category is None


# --------------------------------------------------------------------------- SPF
def spf_zone(record: str | list[str], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    zone = lab_zone(extra=extra)
    zone["lab.test"]["TXT"] = record if isinstance(record, list) else [record]
    return zone


@pytest.mark.parametrize(("record", "status", "words"), [
    ("v=spf1 ip4:127.0.0.1 +all", Status.WARN, "+all"),
    ("v=spf1 ip4:127.0.0.1 ?all", Status.WARN, "?all"),
    ("v=spf1 ip4:127.0.0.1", Status.WARN, "-all"),
    ("v=spf1 ptr ip4:127.0.0.1 -all", Status.WARN, "deprecated"),
    ("v=spf1 ip4:127.0.0.1 ~all", Status.PASS, "valid"),
    ("v=spf1 ip4:127.0.0.1/33 -all", Status.FAIL, "syntax"),
    ("v=spf1 foo:bar -all", Status.FAIL, "syntax"),
])
async def test_spf_record_health(record: str, status: Status, words: str) -> None:
    f = (await run_step(spf_zone(record)))["dns.spf.record"]
    assert f.status is status and words in f.title + f.summary
    assert f.category == (None if status is Status.PASS else "dns-spf")


async def test_spf_two_records_says_which() -> None:
    f = (await run_step(spf_zone(["v=spf1 -all", "v=spf1 mx -all"])))["dns.spf.record"]
    assert f.status is Status.FAIL
    assert sorted(f.details["records"]) == ["v=spf1 -all", "v=spf1 mx -all"]


async def test_spf_include_loop() -> None:
    zone = spf_zone("v=spf1 include:a.lab.test -all",
                    extra={"a.lab.test": {"TXT": ["v=spf1 include:lab.test -all"]}})
    run = await run_step(zone)
    assert run["dns.spf.lookups"].status is Status.FAIL
    assert run["dns.spf.lookups"].category == "dns-spf"
    assert "loop" in run["dns.spf.lookups"].summary
    f = run["dns.spf.eval"]  # evaluation: the loop runs into the 10-lookup limit
    assert f.status is Status.FAIL and f.category == "dns-spf"
    assert f.details["result"] == "permerror"


async def test_spf_redirect_loop() -> None:
    zone = spf_zone("v=spf1 ip4:192.0.2.1 redirect=b.lab.test",
                    extra={"b.lab.test": {"TXT": ["v=spf1 redirect=lab.test"]}})
    run = await run_step(zone)
    assert run["dns.spf.eval"].details["result"] == "permerror"
    assert run["dns.spf.lookups"].status is Status.FAIL


async def test_spf_too_many_lookups_names_the_include() -> None:
    run = await run_step(lab_zone("spf-too-many-lookups"))
    f = run["dns.spf.lookups"]
    assert f.details["lookups"] == 12 and f.details["limit_exceeded_at"][-2] == "spf4.lab.test"
    assert [i["lookups"] for i in f.details["includes"]] == [3, 3, 3, 3]
    assert "spf4.lab.test" in f.summary


async def test_spf_void_lookup_limit() -> None:
    zone = spf_zone("v=spf1 a:v1.lab.test a:v2.lab.test a:v3.lab.test ip4:127.0.0.1 -all")
    run = await run_step(zone)
    assert run["dns.spf.eval"].details["result"] == "permerror"
    assert "void" in run["dns.spf.eval"].summary


@pytest.mark.parametrize(("record", "result", "status", "category"), [
    ("v=spf1 ip4:192.0.2.0/24 ~all", "softfail", Status.WARN, "spf-fail"),
    ("v=spf1 ip4:192.0.2.0/24 ?all", "neutral", Status.WARN, "spf-fail"),
    ("v=spf1 include:esp.lab.test -all", "pass", Status.PASS, None),
    ("v=spf1 exists:%{i}.ok.lab.test -all", "pass", Status.PASS, None),
    ("v=spf1 include:slow.lab.test -all", "temperror", Status.ERROR, None),
])
async def test_spf_eval_results(record, result, status, category) -> None:
    zone = spf_zone(record, extra={"esp.lab.test": {"TXT": ["v=spf1 ip4:127.0.0.0/8 -all"]},
                               "127.0.0.1.ok.lab.test": {"A": "127.0.0.2"}})
    run = await run_step(zone, behaviours={"slow.lab.test": "timeout"}, dns_timeout=0.3)
    f = run["dns.spf.eval"]
    assert (f.details["result"], f.status, f.category) == (result, status, category)
    if record.startswith("v=spf1 include:esp"):
        assert f.details["matched"]["via"]["term"] == "ip4:127.0.0.0/8"


async def test_spf_fail_with_explanation() -> None:
    zone = spf_zone("v=spf1 -all exp=why.lab.test",
                    extra={"why.lab.test": {"TXT": ["%{i} may not send for %{d}"]}})
    f = (await run_step(zone))["dns.spf.eval"]
    assert f.status is Status.FAIL and f.category == "spf-fail"
    assert f.details["explanation"] == "127.0.0.1 may not send for lab.test"


async def test_spf_without_ip_is_skipped() -> None:
    run = await run_step(sending_ip=None)
    assert run["dns.spf.eval"].status is Status.SKIP
    assert run["dns.ptr"].status is Status.SKIP and run["dns.dnsbl.ip"].status is Status.SKIP


async def test_spf_helo_checked() -> None:
    zone = lab_zone(extra={"mail.lab.test": {"A": "127.0.0.1", "TXT": ["v=spf1 -all"]}})
    f = (await run_step(zone))["dns.spf.helo"]
    assert f.status is Status.WARN and f.details["result"] == "fail"


# --------------------------------------------------------------------------- DKIM
def _rsa_record(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def _ed_record() -> str:
    raw = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "v=DKIM1; k=ed25519; p=" + base64.b64encode(raw).decode()


@pytest.mark.parametrize(("record", "status", "words"), [
    (_rsa_record(1024), Status.WARN, "1024"),
    (dkim_record(), Status.PASS, "2048"),
    (_ed_record(), Status.PASS, "ED25519"),
    ("v=DKIM1; k=rsa; p=", Status.FAIL, "revoked"),
    (dkim_record() + "; t=y", Status.WARN, "testing"),
    ("v=DKIM1; k=rsa; p=!!notbase64", Status.FAIL, "malformed"),
    ("v=DKIM1; k=dsa; p=AAAA", Status.FAIL, "malformed"),
])
async def test_dkim_keys(record: str, status: Status, words: str) -> None:
    zone = lab_zone(extra={"lab._domainkey.lab.test": {"TXT": [record]}})
    f = (await run_step(zone))["dns.dkim.lab"]
    assert f.status is status and words in f.title, f.title
    assert f.category == (None if status is Status.PASS else "dns-dkim")


async def test_dkim_cname_delegation() -> None:
    zone = lab_zone(extra={"lab._domainkey.lab.test": {"CNAME": "lab.dkim.esp.test"},
                       "lab.dkim.esp.test": {"TXT": [dkim_record()]}})
    f = (await run_step(zone))["dns.dkim.lab"]
    assert f.status is Status.PASS and f.details["delegated_to"] == "lab.dkim.esp.test"


async def test_dkim_selectors_from_headers() -> None:
    headers = ("From: Alice <alice@lab.test>\r\nDKIM-Signature: v=1; a=rsa-sha256; d=lab.test;\r\n"
               " s=hdr; h=from; bh=abc=; b=def=\r\nSubject: hi\r\n\r\nbody\r\n")
    zone = lab_zone(extra={"hdr._domainkey.lab.test": {"TXT": [dkim_record()]}})
    run = await run_step(zone, dkim_selectors=(), message_headers=headers)
    assert run["dns.dkim.hdr"].status is Status.PASS
    assert run["dns.dmarc.alignment"].details["dkim_aligned"] == ["lab.test"]


async def test_dkim_probe_finds_common_selector() -> None:
    zone = lab_zone(extra={"selector1._domainkey.lab.test": {"TXT": [dkim_record()]}})
    run = await run_step(zone, dkim_selectors=())
    f = run["dns.dkim.selector1"]
    assert f.status is Status.PASS and f.details["probed"]


async def test_dkim_probe_finds_nothing_warns() -> None:
    run = await run_step(dkim_selectors=())
    f = run["dns.dkim"]
    assert f.status is Status.WARN and f.category == "dns-dkim" and "custom" in f.summary


# --------------------------------------------------------------------------- DMARC
def dmarc_zone(*records: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    zone = lab_zone(extra=extra)
    zone["_dmarc.lab.test"] = {"TXT": list(records)}
    return zone


@pytest.mark.parametrize(("record", "status", "words"), [
    ("v=DMARC1; p=none; rua=mailto:d@lab.test", Status.WARN, "monitoring"),
    ("v=DMARC1; p=quarantine; pct=50; rua=mailto:d@lab.test", Status.WARN, "50%"),
    ("v=DMARC1; p=reject; adkim=x", Status.FAIL, "invalid"),
    ("v=DMARC1; rua=mailto:d@lab.test", Status.FAIL, "invalid"),
    ("v=DMARC1; p=reject; sp=quarantine; np=reject; fo=1:d; ri=3600; aspf=s",
     Status.PASS, "p=reject"),
])
async def test_dmarc_policies(record: str, status: Status, words: str) -> None:
    f = (await run_step(dmarc_zone(record)))["dns.dmarc"]
    assert f.status is status and words in f.title, f.title
    assert f.category == (None if status is Status.PASS else "dns-dmarc")


async def test_dmarc_two_records() -> None:
    f = (await run_step(dmarc_zone("v=DMARC1; p=none", "v=DMARC1; p=reject")))["dns.dmarc"]
    assert f.status is Status.FAIL and f.category == "dns-dmarc"


async def test_dmarc_org_domain_fallback() -> None:
    zone = lab_zone(extra={"sub.lab.test": {"MX": "10 mail.lab.test",
                                        "TXT": ["v=spf1 ip4:127.0.0.1 -all"]}})
    run = await run_step(zone, domain="sub.lab.test", mail_from="a@sub.lab.test")
    f = run["dns.dmarc"]
    assert f.status is Status.PASS and f.details["policy_domain"] == "lab.test"
    assert "inherited" in f.title


async def test_dmarc_external_report_authorization() -> None:
    rec = "v=DMARC1; p=reject; rua=mailto:a@reports.example,mailto:b@other.example"
    zone = dmarc_zone(rec, extra={"lab.test._report._dmarc.reports.example": {"TXT": ["v=DMARC1"]}})
    f = (await run_step(zone))["dns.dmarc.reports"]
    assert f.status is Status.WARN and f.category == "dns-dmarc"
    assert "other.example" in f.title and "reports.example" not in f.title


async def test_dmarc_alignment_fails_for_foreign_mail_from() -> None:
    zone = lab_zone(extra={"bounce.example": {"TXT": ["v=spf1 ip4:127.0.0.1 -all"]}})
    run = await run_step(zone, mail_from="bounce@bounce.example")
    f = run["dns.dmarc.alignment"]
    assert f.status is Status.FAIL and f.category == "dmarc-fail"
    assert f.details["spf_result"] == "pass" and not f.details["spf_aligned"]


# --------------------------------------------------------------------------- PTR
async def test_ptr_not_forward_confirmed() -> None:
    zone = lab_zone(extra={"1.0.0.127.in-addr.arpa": {"PTR": "other.lab.test."},
                       "other.lab.test": {"A": "192.0.2.7"}})
    f = (await run_step(zone))["dns.ptr"]
    assert f.status is Status.FAIL and f.category == "dns-ptr" and "forward" in f.title


async def test_ptr_helo_mismatch_warns() -> None:
    f = (await run_step(helo_name="smtp.lab.test"))["dns.ptr"]
    assert f.status is Status.WARN and f.category == "dns-ptr" and not f.details["helo_matches"]


async def test_ptr_servfail_is_error() -> None:
    f = (await run_step(behaviours={"1.0.0.127.in-addr.arpa": "servfail"}))["dns.ptr"]
    assert f.status is Status.ERROR and f.category is None


# --------------------------------------------------------------------------- blocklists
async def test_public_resolver_code_is_error_not_listed() -> None:
    zone = lab_zone(extra={"1.0.0.127.zen.lab.test": {"A": "127.255.255.254"}})
    f = (await run_step(zone, ip_blocklists=("zen.lab.test", "bl.lab.test")))["dns.dnsbl.ip"]
    assert f.status is Status.ERROR and f.category is None
    assert f.details["listed_on"] == [] and f.details["errors"] == ["zen.lab.test"]


async def test_blocklist_timeout_is_error() -> None:
    f = (await run_step(behaviours={"1.0.0.127.bl.lab.test": "timeout"},
                        dns_timeout=0.3))["dns.dnsbl.ip"]
    assert f.status is Status.ERROR


async def test_listed_with_reason_and_domain_list() -> None:
    zone = lab_zone("ip-blocklisted", extra={"lab.test.dbl.lab.test": {"A": "127.0.1.2"}})
    run = await run_step(zone)
    f = run["dns.dnsbl.ip"]
    assert f.status is Status.FAIL and f.category == "blocklisted" and "sent spam" in f.summary
    d = run["dns.dnsbl.domain"]
    assert d.status is Status.FAIL and d.category == "blocklisted"


async def test_default_blocklists_when_none_given() -> None:
    # 1.2.3.4 is only data here: every query goes to the loopback responder (NXDOMAIN)
    f = (await run_step(ip_blocklists=(), sending_ip="1.2.3.4"))["dns.dnsbl.ip"]
    assert f.status is Status.PASS and not f.details["lists_named_by_user"]
    assert {x["zone"] for x in f.details["lists"]} >= {"zen.spamhaus.org", "bl.spamcop.net",
                                                        "b.barracudacentral.org"}


# --------------------------------------------------------------------------- MTA-STS etc.
class PolicyServer:
    """A tiny HTTP server on 127.0.0.1 serving one MTA-STS policy (or a status code)."""

    def __init__(self, body: str, status: int = 200) -> None:
        self.body, self.status = body, status

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        body = self.body.encode()
        writer.write(f"HTTP/1.1 {self.status} X\r\nContent-Type: text/plain\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()
        writer.close()


STS = lab_zone(extra={"_mta-sts.lab.test": {"TXT": ["v=STSv1; id=1"]}})


@pytest.mark.parametrize(("policy", "http", "status"), [
    ("version: STSv1\nmode: enforce\nmx: mail.lab.test\nmax_age: 86400\n", 200, Status.PASS),
    ("version: STSv1\nmode: enforce\nmx: *.lab.test\nmax_age: 86400\n", 200, Status.PASS),
    ("version: STSv1\nmode: enforce\nmx: mx.other.test\nmax_age: 86400\n", 200, Status.FAIL),
    ("version: STSv1\nmode: testing\nmx: mx.other.test\nmax_age: 86400\n", 200, Status.WARN),
    ("version: STSv1\nmode: sometimes\n", 200, Status.FAIL),
    ("not found", 404, Status.FAIL),
])
async def test_mta_sts(policy: str, http: int, status: Status) -> None:
    async with PolicyServer(policy, http) as url:
        f = (await run_step(STS, mta_sts_base_url=url))["dns.mta_sts"]
    assert f.status is status, f.summary
    assert f.category == (None if status is Status.PASS else "dns-mta-sts")


async def test_mta_sts_absent_is_not_a_failure() -> None:
    f = (await run_step())["dns.mta_sts"]
    assert f.status is Status.PASS and f.details["published"] is False


@pytest.mark.parametrize(("record", "status"), [
    (None, Status.PASS), ("v=TLSRPTv1; rua=https://r.lab.test/x", Status.PASS),
    ("v=TLSRPTv1; rua=ftp://x", Status.WARN),
])
async def test_tlsrpt(record, status) -> None:
    zone = lab_zone()
    if record is None:
        del zone["_smtp._tls.lab.test"]
    else:
        zone["_smtp._tls.lab.test"] = {"TXT": [record]}
    f = (await run_step(zone))["dns.tlsrpt"]
    assert f.status is status
    assert f.category == (None if status is Status.PASS else "dns-tlsrpt")


@pytest.mark.parametrize(("tlsa", "status"), [
    ("3 1 1 " + "ab" * 32, Status.PASS), ("1 0 1 " + "cd" * 32, Status.WARN)])
async def test_dane(tlsa: str, status: Status) -> None:
    zone = lab_zone(extra={"_25._tcp.mail.lab.test": {"TLSA": tlsa}})
    f = (await run_step(zone))["dns.dane"]
    assert f.status is status and f.details["dnssec_validated"] is False
    assert "NOT DNSSEC-validated" in f.summary


async def test_dane_servfail_is_error() -> None:
    f = (await run_step(behaviours={"_25._tcp.mail.lab.test": "servfail"}))["dns.dane"]
    assert f.status is Status.ERROR and f.category is None
