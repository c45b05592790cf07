"""Each test message (signed here with dkimpy, keys served by the loopback DNS responder) gets
the right DKIM, ARC, SPF and DMARC results and verdict from the analysis."""

from __future__ import annotations

import pytest

from tests.headers.mailkit import (
    APPENDED,
    LIST_IP,
    SENDER_IP,
    SUBMISSION,
    deliver,
    message,
    prepend,
    sign,
    stories,
)
from wizard.dns.resolver import Resolver
from wizard.headers.analyse import analyse_message

STORIES = stories()


def signed_message() -> bytes:
    return sign(prepend(message(), SUBMISSION))


@pytest.mark.parametrize("name", list(STORIES))
async def test_each_message_gets_its_results_and_verdict(name: str, resolver: Resolver) -> None:
    story = STORIES[name]
    a = await analyse_message(story.data, resolver, name)
    assert [(c.result, c.problem or "") for c in a.dkim] == story.dkim
    assert a.arc.result == story.arc
    assert a.spf.result == story.spf
    assert (a.spf_receiver.result if a.spf_receiver else None) == story.spf_receiver
    assert a.dmarc.result == story.dmarc
    if story.dmarc_aligned is not None:
        assert (a.dmarc.spf_aligned, a.dmarc.dkim_aligned) == story.dmarc_aligned
    assert a.verdict is not None
    assert (a.verdict.status.value, a.verdict.category) == (story.status, story.category)
    assert a.verdict.next.next_step and a.verdict.next.who
    assert a.verdict.articles


async def test_a_valid_signature_passes_for_the_right_key_and_ip(resolver: Resolver) -> None:
    a = await analyse_message(STORIES["valid"].data, resolver)
    check = a.dkim[0]
    assert (check.domain, check.selector, check.algorithm) == ("example.com", "s1", "rsa-sha256")
    assert (check.header_signature, check.body_hash) == ("pass", "pass")
    assert check.key["bits"] == 2048
    assert (a.spf.ip, a.spf.hop, a.spf.mail_from) == (SENDER_IP, 2, "alice@example.com")
    assert a.spf.trace and "example.com" in a.spf.trace[0]
    assert a.dmarc.policy == "reject"


async def test_keys_are_fetched_through_the_projects_resolver(dns, resolver: Resolver) -> None:
    await analyse_message(STORIES["ed25519"].data, resolver)
    asked = {(q.name, q.rdtype) for q in dns.log}
    assert ("ed._domainkey.example.com", "TXT") in asked
    assert ("_dmarc.example.com", "TXT") in asked


async def test_body_and_header_changes_are_told_apart(resolver: Resolver) -> None:
    body = (await analyse_message(STORIES["body-changed"].data, resolver)).dkim[0]
    header = (await analyse_message(STORIES["header-changed"].data, resolver)).dkim[0]
    assert (body.body_hash, body.header_signature) == ("fail", "pass")
    assert "body hash did not verify" in body.reason and "headers are intact" in body.reason
    assert (header.body_hash, header.header_signature) == ("pass", "fail")
    assert "signed header field was changed" in header.reason


async def test_an_expired_signature_is_named_with_its_date(resolver: Resolver) -> None:
    check = (await analyse_message(STORIES["expired"].data, resolver)).dkim[0]
    assert check.problem == "expired" and "expired at" in check.reason
    assert "days ago" in check.reason and "still verifies" in check.reason


async def test_l_tag_reports_the_bytes_added_after_signing(resolver: Resolver) -> None:
    a = await analyse_message(STORIES["length-appended"].data, resolver)
    check = a.dkim[0]
    assert check.passed and check.unsigned_bytes == len(APPENDED)
    warning = next(f for f in a.findings if f.id == "headers.dkim.1")
    assert warning.status.value == "warn" and "not signed (l=)" in warning.title


async def test_a_revoked_key_is_a_key_problem_with_its_fix(resolver: Resolver) -> None:
    a = await analyse_message(STORIES["revoked-key"].data, resolver)
    assert a.verdict is not None
    assert "revoked (empty p=)" in a.dkim[0].reason
    assert "revoked._domainkey.example.com" in a.verdict.next.next_step
    assert a.verdict.next.who == "your-mail-admin"
    assert a.verdict.next.action.to_dict() == {"kind": "check-dns", "domain": "example.com",
                                     "dkim_selector": "revoked"}


async def test_the_list_that_rewrote_the_subject_is_named(resolver: Resolver) -> None:
    a = await analyse_message(STORIES["arc-list"].data, resolver)
    assert a.verdict is not None
    assert [i.seal_domain for i in a.arc.instances] == ["lists.example.org"]
    assert a.arc.instances[0].seal_valid and a.arc.instances[0].signature_valid
    first = {r.method: r.result for r in a.arc.instances[0].results}
    assert first == {"dkim": "pass", "spf": "pass"}
    change = next(c for c in a.changes if c.method == "dkim")
    assert (change.kind, change.suspect, change.suspect_hop) == (
        "changed-in-transit", "lists.example.org", 2)
    assert any("rewrote the subject" in h for h in change.hints)
    assert "lists.example.org" in a.verdict.next.next_step
    assert "rewrote the subject after signing" in a.verdict.next.next_step
    assert a.verdict.next.who == "recipient-admin"
    assert a.verdict.articles[0] == "forwarding-and-dkim" and "arc-sealing" in a.verdict.articles
    assert (a.spf.ip, a.spf.mail_from) == (LIST_IP, "team-bounces@lists.example.org")


async def test_a_forward_breaks_spf_at_the_receiver_only(resolver: Resolver) -> None:
    a = await analyse_message(STORIES["forwarded"].data, resolver)
    assert a.verdict is not None
    assert a.spf.ip == SENDER_IP and a.spf_receiver is not None
    assert a.spf_receiver.ip != SENDER_IP
    forwarded = next(c for c in a.changes if c.kind == "forwarded")
    assert forwarded.suspect == "mx.forward.example.net"
    assert a.verdict.finding_id is not None
    assert a.verdict.finding_id.startswith("headers.change")


async def test_misalignment_names_the_domains_that_passed(resolver: Resolver) -> None:
    a = await analyse_message(STORIES["not-aligned-esp"].data, resolver)
    assert a.verdict is not None
    assert a.dmarc.dkim_domains == ["esp.test"] and a.dmarc.spf_domain == "esp.test"
    assert "only for esp.test, not for example.com" in a.verdict.next.next_step


async def test_strict_alignment_refuses_a_subdomain(resolver: Resolver) -> None:
    strict = await analyse_message(STORIES["strict-not-aligned"].data, resolver)
    relaxed = await analyse_message(STORIES["relaxed-subdomain"].data, resolver)
    assert (strict.dmarc.adkim, strict.dmarc.aspf) == ("s", "s")
    assert strict.dmarc.dkim_domains == ["mail.strict.test"] and not strict.dmarc.dkim_aligned
    assert not strict.dmarc.spf_aligned and strict.dmarc.spf_domain_aligned is False
    assert strict.dmarc.policy == "quarantine"
    assert relaxed.dmarc.dkim_aligned_domains == ["mail.example.com"]
    assert relaxed.dmarc.spf_domain == "mail.example.com" and relaxed.dmarc.spf_aligned


async def test_spf_fail_names_the_ip_to_add(resolver: Resolver) -> None:
    a = await analyse_message(STORIES["spf-fail"].data, resolver)
    assert a.verdict is not None
    assert a.spf.ip == "198.51.100.7" and a.spf.result == "fail"
    assert a.verdict.next.action.to_dict() == {"kind": "check-dns", "domain": "example.com",
                                     "sending_ip": "198.51.100.7"}


async def test_a_dns_failure_is_inconclusive_never_a_failure(dns, resolver: Resolver) -> None:
    dns.set_behaviour("s1._domainkey.example.com", "servfail")
    dns.set_behaviour("_dmarc.example.com", "servfail")
    a = await analyse_message(STORIES["valid"].data, resolver)
    assert a.verdict is not None
    assert a.dkim[0].result == "temperror" and "SERVFAIL" in a.dkim[0].reason
    assert a.dmarc.result == "temperror"
    assert a.verdict.status.value == "error" and a.verdict.category is None
    assert "headers.dkim.1" in a.verdict.inconclusive


async def test_without_dns_the_receivers_record_still_decides(dns, resolver: Resolver) -> None:
    dns.set_behaviour("_dmarc.example.com", "servfail")
    a = await analyse_message(STORIES["arc-list"].data, resolver)
    assert a.verdict is not None
    finding = next(f for f in a.findings if f.id == "headers.dmarc")
    assert finding.status.value == "fail" and "as mx.receiver.test recorded it" in finding.title
    assert a.verdict.category == "dmarc-fail"


async def test_a_key_removed_since_delivery_is_not_a_change(resolver: Resolver) -> None:
    signed = sign(prepend(message(), SUBMISSION), "gone")  # no key published for "gone"
    data = deliver(signed, ip="198.51.100.7", origin="relay.other.test",
                   recorded="dkim=pass header.d=example.com header.s=gone")
    a = await analyse_message(data, resolver)
    assert a.verdict is not None
    assert a.dkim[0].problem == "key" and "was removed or never published" in a.dkim[0].reason
    (change,) = [c for c in a.changes if c.method == "dkim"]
    assert change.kind == "key-changed" and "did not change" in change.summary
    # SPF fails for this relay: DMARC rests on the signature as the receiver verified it then
    assert a.spf.result == "fail"
    assert a.dmarc.result == "pass" and "when it was delivered" in a.dmarc.basis
    assert a.verdict.status.value == "warn"
    assert a.verdict.finding_id == "headers.dkim.1"
    assert a.verdict.next.action.to_dict() == {"kind": "none"}


async def test_a_copy_changed_after_the_receiver_verified_it(resolver: Resolver) -> None:
    data = deliver(signed_message(), recorded="dkim=pass header.d=example.com")
    data = data.replace(b"figures are attached", b"figures were attached")
    a = await analyse_message(data, resolver)
    assert a.verdict is not None
    (change,) = [c for c in a.changes if c.method == "dkim"]
    assert change.kind == "changed-after-delivery" and change.suspect is None
    assert a.verdict.status.value == "warn"  # DMARC still passes on SPF


async def test_message_text_cannot_inject_terminal_escapes(resolver: Resolver) -> None:
    from wizard.headers.report import render

    evil = message(subject="\x1b]52;c;ZXZpbA==\x07[b]bold[/b]\x1b[31mred",
                   sender="\x1b[2J Mallory <alice@example.com>")
    a = await analyse_message(deliver(prepend(evil, SUBMISSION)), resolver)
    for fmt in ("text", "markdown"):
        out = render(a, fmt)
        assert "\x1b" not in out and "\x07" not in out
        assert "\\x1b]52;c;" in out


async def test_a_subdomain_falls_back_to_the_organizational_policy(resolver: Resolver) -> None:
    sub = prepend(message(sender="Alice <alice@news.strict.test>"), SUBMISSION)
    a = await analyse_message(deliver(sign(sub, "s1", "strict.test"),
                                      return_path="bounce@mail.strict.test"), resolver)
    assert (a.dmarc.domain, a.dmarc.policy_domain) == ("news.strict.test", "strict.test")
    assert a.dmarc.policy == "quarantine" and a.dmarc.adkim == "s"
    assert a.dmarc.dkim_domains == ["strict.test"] and not a.dmarc.dkim_aligned  # strict
    assert a.dmarc.result == "fail"


async def test_the_subdomain_policy_sp_applies_after_fallback(resolver: Resolver) -> None:
    sub = prepend(message(sender="News <news@news.lenient.test>"), SUBMISSION)
    a = await analyse_message(deliver(sub, return_path="news@news.lenient.test"), resolver)
    assert a.verdict is not None
    assert a.dmarc.policy_domain == "lenient.test" and a.dmarc.policy == "none"
    assert a.dmarc.result == "fail" and a.spf.result == "fail"
    assert a.verdict.category == "dmarc-fail"
