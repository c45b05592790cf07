"""Authentication-Results (RFC 8601), ARC-Authentication-Results and Received-SPF: parsed per
authserv-id, tolerant of real variants, and attributed to the hop that wrote them."""

from __future__ import annotations

from tests.headers.samples import GMAIL, MICROSOFT_365, POSTFIX
from wizard.headers.authres import client_ip, parse_authres, parse_received_spf, read_recorded
from wizard.headers.changes import attribute, final_hop
from wizard.headers.hops import read_hops
from wizard.headers.parse import parse_message


def recorded_of(text: str):
    message = parse_message(text.encode())
    hops = read_hops(message)
    recorded = read_recorded(message)
    attribute(recorded, hops)
    return recorded, hops


def test_rfc8601_resinfo_with_reason_comments_and_properties() -> None:
    results = parse_authres(
        'mx.example.net 1; dkim=fail reason="body hash did not verify" (2048-bit key; '
        'unprotected) header.d=example.com header.s=s1; spf=softfail (domain of a@example.com '
        'does not designate 198.51.100.7) smtp.mailfrom=a@example.com; dmarc=fail '
        'header.from=example.com')
    assert [(r.authserv_id, r.method, r.result) for r in results] == [
        ("mx.example.net", "dkim", "fail"), ("mx.example.net", "spf", "softfail"),
        ("mx.example.net", "dmarc", "fail")]
    dkim, spf, _ = results
    assert dkim.reason == "body hash did not verify"
    assert dkim.comment == "2048-bit key; unprotected"  # a ; inside a comment is no separator
    assert dkim.properties == {"header.d": "example.com", "header.s": "s1"}
    assert client_ip(spf) == "198.51.100.7"


def test_no_result_and_method_versions() -> None:
    assert parse_authres("mx.example.net; none") == []
    (entry,) = parse_authres("mx.example.net; dkim/1=pass header.d=example.com")
    assert (entry.method, entry.result) == ("dkim", "pass")


def test_microsoft_form_without_authserv_id() -> None:
    recorded, hops = recorded_of(MICROSOFT_365)
    ar = [r for r in recorded if r.header == "Authentication-Results"]
    assert [(r.method, r.result) for r in ar] == [("spf", "pass"), ("dkim", "pass"),
                                                  ("dmarc", "pass"), ("compauth", "pass")]
    assert all(r.authserv_id is None for r in ar)
    assert ar[2].properties == {"action": "none", "header.from": "example.com"}
    assert ar[3].reason == "100"
    assert all(r.hop == 2 for r in recorded)  # written where the message entered Microsoft
    assert final_hop(hops, recorded) == 2
    spf = next(r for r in recorded if r.header == "Received-SPF")
    assert (spf.authserv_id, spf.result, client_ip(spf)) == (
        "protection.outlook.com", "pass", "192.0.2.10")


def test_gmail_results_belong_to_the_mx_google_com_hop_by_name() -> None:
    recorded, _ = recorded_of(GMAIL)
    ar = [r for r in recorded if r.header == "Authentication-Results"]
    assert {r.authserv_id for r in ar} == {"mx.google.com"}
    assert {r.hop for r in ar} == {2}  # below its own Received field, named by authserv-id
    assert ar[0].properties["header.i"] == "@example.com"
    assert next(r for r in ar if r.method == "dmarc").comment == "p=REJECT sp=REJECT dis=NONE"


def test_postfix_authentication_results_spanning_folded_lines() -> None:
    recorded, _ = recorded_of(POSTFIX)
    dkim = next(r for r in recorded if r.method == "dkim")
    assert (dkim.result, dkim.reason) == ("fail", "signature verification failed")
    assert dkim.properties["header.a"] == "rsa-sha256" and dkim.hop == 1


def test_arc_authentication_results_carry_their_instance() -> None:
    results = parse_authres("i=2; lists.example.org; dkim=pass header.d=example.com",
                            "ARC-Authentication-Results")
    assert [(r.instance, r.authserv_id, r.method) for r in results] == [
        (2, "lists.example.org", "dkim")]


def test_received_spf_with_and_without_receiver() -> None:
    entry = parse_received_spf("softfail (google.com: domain of transitioning a@example.com "
                               "does not designate 198.51.100.7 as permitted sender) "
                               "client-ip=198.51.100.7; envelope-from=a@example.com;")
    assert entry is not None
    assert (entry.authserv_id, entry.result) == ("google.com", "softfail")
    assert entry.properties == {"smtp.client-ip": "198.51.100.7",
                                "smtp.mailfrom": "a@example.com"}
    assert parse_received_spf("whatever this is") is None


def test_garbage_never_raises() -> None:
    for text in ("", ";;;", "(((", '"unterminated', "a=b=c; =; ==", "x" * 10_000):
        parse_authres(text)
        parse_received_spf(text)
