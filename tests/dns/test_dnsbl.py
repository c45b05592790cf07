"""Blocklists by RFC 5782 and each list's documented codes: listed, clear, refused (never a
listing), skipped for special-use addresses, turned off. Answers come from the loopback
responder; the zone names are the real lists' (queries never leave loopback)."""

from __future__ import annotations

import pytest

from wizard.dns.blocklist_catalog import catalog, known
from wizard.dns.dnsbl import (
    DEFAULT_DOMAIN_LISTS,
    DEFAULT_IP_LISTS,
    interpret,
    special_address,
    special_domain,
)
from wizard.dns.resolver import Lookup, LookupStatus
from wizard.model.findings import Status

from .conftest import lab_zone, run_step

PUBLIC_IP = "1.2.3.4"  # data only: every query goes to the loopback responder
REV = "4.3.2.1"


def answer(*codes: str, status: LookupStatus = LookupStatus.OK) -> Lookup:
    return Lookup("x", "A", status, list(codes))


def test_catalogue_documents_every_default_list() -> None:
    assert set(DEFAULT_IP_LISTS) == {"zen.spamhaus.org", "bl.spamcop.net",
                                     "b.barracudacentral.org", "psbl.surriel.com",
                                     "bl.mailspike.net", "dnsbl-1.uceprotect.net"}
    assert DEFAULT_DOMAIN_LISTS == ("dbl.spamhaus.org",)
    for entry in catalog():
        assert entry.source and entry.delist and entry.when_refused, entry.zone
        assert entry.public and entry.codes and entry.kind in ("ip", "domain")
        assert "127.0.0.2" in entry.codes or entry.kind == "domain"  # RFC 5782 test point


@pytest.mark.parametrize(("zone", "codes", "state", "words"), [
    ("zen.spamhaus.org", ["127.0.0.2"], "listed", "SBL"),
    ("zen.spamhaus.org", ["127.0.0.4", "127.0.0.10"], "listed", "PBL"),
    ("zen.spamhaus.org", ["127.255.255.254"], "refused", "public/open resolvers"),
    ("zen.spamhaus.org", ["127.255.255.255"], "refused", "too many queries"),
    ("zen.spamhaus.org", ["127.255.255.252"], "refused", "typing error"),
    ("mykey.zen.dq.spamhaus.net", ["127.0.0.3"], "listed", "snowshoe"),
    ("dbl.spamhaus.org", ["127.0.1.2"], "listed", "low-reputation"),
    ("dbl.spamhaus.org", ["127.0.1.255"], "refused", "IP address was asked"),
    ("bl.mailspike.net", ["127.0.0.10"], "listed", "L5"),
    ("b.barracudacentral.org", ["127.0.0.2"], "listed", "poor reputation"),
    ("zen.spamhaus.org", ["127.0.0.77"], "listed", "does not document"),
    ("zen.spamhaus.org", ["198.51.100.7"], "error", "outside 127.0.0.0/8"),
    ("zen.spamhaus.org", ["127.0.0.1"], "error", "never listed"),
    ("bl.example.test", ["127.0.0.2"], "listed", "listed (127.0.0.2)"),
    ("bl.example.test", ["127.255.255.254"], "refused", "query-error code"),
])
def test_interpret(zone: str, codes: list[str], state: str, words: str) -> None:
    a = interpret(zone, answer(*codes))
    assert a.state == state and words in a.meaning, a.meaning
    assert (a.name is not None) == (known(zone) is not None)


@pytest.mark.parametrize(("ip", "why"), [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.1.5", "private"),
    ("192.0.2.10", "documentation"), ("2001:db8::1", "documentation"), ("fe80::1", "link-local"),
    ("100.64.1.1", "carrier-grade"), ("::ffff:10.0.0.1", "private"), ("1.2.3.4", None),
])
def test_special_addresses(ip: str, why: str | None) -> None:
    got = special_address(ip)
    assert (got is None) if why is None else (got is not None and why in got)


@pytest.mark.parametrize(("domain", "special"), [
    ("lab.test", True), ("example.com", True), ("mail.example.org", True), ("foo.invalid", True),
    ("localhost", True), ("example.de", False), ("gmail.com", False)])
def test_special_domains(domain: str, special: bool) -> None:
    assert (special_domain(domain) is not None) is special


async def test_loopback_is_not_asked_of_public_lists() -> None:
    run = await run_step(ip_blocklists=())  # the lab's sending IP is 127.0.0.1
    f = run["dns.dnsbl.ip"]
    assert f.status is Status.SKIP and f.category is None and "loopback" in f.title
    assert "listed" not in f.title.lower()
    assert not [q for q in run.server.log if "spamhaus" in q.name or "spamcop" in q.name]


async def test_own_list_is_asked_about_loopback_public_ones_are_not() -> None:
    run = await run_step(ip_blocklists=("bl.lab.test", "zen.spamhaus.org"))
    f = run["dns.dnsbl.ip"]
    assert f.status is Status.PASS and f.details["not_asked"] == ["zen.spamhaus.org"]
    assert "Not asked, as 127.0.0.1 is a loopback address: zen.spamhaus.org" in f.summary


async def test_public_resolver_answer_is_inconclusive_with_the_fix() -> None:
    zone = lab_zone(extra={f"{REV}.zen.spamhaus.org": {"A": "127.255.255.254"}})  # SpamCop: NX
    run = await run_step(zone, sending_ip=PUBLIC_IP,
                         ip_blocklists=("zen.spamhaus.org", "bl.spamcop.net"))
    f = run["dns.dnsbl.ip"]
    assert f.status is Status.ERROR and f.category is None
    assert f.details["errors"] == ["zen.spamhaus.org"] and f.details["listed_on"] == []
    assert "This is not a listing" in f.summary and "Data Query Service" in f.summary
    assert f.summary.endswith("Not listed on bl.spamcop.net.")  # the one list that answered
    assert f.next is not None
    assert f.next.action.to_dict() == {"kind": "rerun", "ask": ["nameserver"]}
    assert "own recursive resolver" in f.next.next_step


async def test_no_claim_about_lists_that_were_not_checked() -> None:
    zone = lab_zone(extra={f"{REV}.zen.spamhaus.org": {"A": "127.255.255.254"}})
    run = await run_step(zone, sending_ip=PUBLIC_IP, ip_blocklists=("zen.spamhaus.org",),
                         behaviours={f"{REV}.bl.spamcop.net": "timeout"})
    f = run["dns.dnsbl.ip"]
    assert f.status is Status.ERROR and "Not listed" not in f.summary


async def test_listed_names_the_others_it_could_not_check() -> None:
    zone = lab_zone("ip-blocklisted")
    zone["1.0.0.127.bl2.lab.test"] = {"A": "127.255.255.254"}
    run = await run_step(zone, ip_blocklists=("bl.lab.test", "bl2.lab.test"))
    f = run["dns.dnsbl.ip"]
    assert f.status is Status.FAIL and f.category == "blocklisted"
    assert "on 1 of 2 IP blocklist(s)" in f.title
    assert "Could not check bl2.lab.test" in f.summary


async def test_domain_list_code_is_listed_and_reserved_names_are_not_asked() -> None:
    zone = lab_zone(extra={"lab.test.dbl.lab.test": {"A": "127.0.1.2"}})
    run = await run_step(zone)
    assert run["dns.dnsbl.domain"].status is Status.FAIL
    skipped = (await run_step(domain_blocklists=()))["dns.dnsbl.domain"]
    assert skipped.status is Status.SKIP and "reserved for testing" in skipped.title


async def test_blocklists_turned_off() -> None:
    run = await run_step(blocklists=False)
    for fid in ("dns.dnsbl.ip", "dns.dnsbl.domain"):
        f = run[fid]
        assert f.status is Status.SKIP and "turned off" in f.title and f.details["turned_off"]
    assert not [q for q in run.server.log if q.name.endswith(("bl.lab.test", "dbl.lab.test"))]
