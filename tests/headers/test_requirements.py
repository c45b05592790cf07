"""Gmail/Yahoo sender requirements seen in the message: one-click unsubscribe (signed),
Message-ID, Date, TLS on the way in, and which of them become warnings."""

from __future__ import annotations

from tests.headers.mailkit import SIGNED, SUBMISSION, deliver, message, prepend, sign
from wizard.dns.resolver import Resolver
from wizard.headers.analyse import analyse_message

UNSUBSCRIBE = ["List-Unsubscribe: <https://example.com/u/123>, <mailto:unsub@example.com>",
               "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
WITH_UNSUBSCRIBE = [*SIGNED, b"list-unsubscribe", b"list-unsubscribe-post"]


def rows(analysis) -> dict[str, tuple[str, str]]:
    return {r["id"]: (r["status"], r["evidence"]) for r in analysis.requirements}


async def test_signed_one_click_unsubscribe_passes(resolver: Resolver) -> None:
    news = prepend(message(extra=UNSUBSCRIBE), SUBMISSION)
    a = await analyse_message(deliver(sign(news, headers=WITH_UNSUBSCRIBE)), resolver)
    assert a.verdict is not None
    got = rows(a)
    assert got["one-click-unsubscribe"] == ("pass", "signed by d=example.com")
    assert got["spf-and-dkim"][0] == "pass" and got["from-aligned"][0] == "pass"
    assert got["tls"][0] == "pass" and got["message-id"][0] == "pass"
    assert a.verdict.status.value == "pass"


async def test_unsigned_unsubscribe_fields_do_not_count(resolver: Resolver) -> None:
    news = prepend(message(extra=UNSUBSCRIBE), SUBMISSION)
    a = await analyse_message(deliver(sign(news)), resolver)
    assert a.verdict is not None
    status, evidence = rows(a)["one-click-unsubscribe"]
    assert status == "fail" and "not covered by a passing DKIM signature" in evidence
    finding = next(f for f in a.findings if f.id == "headers.requirement.one-click-unsubscribe")
    assert finding.status.value == "warn" and finding.articles == ["bulk-sender-requirements"]
    assert a.verdict.status.value == "warn"


async def test_mailto_only_is_not_one_click(resolver: Resolver) -> None:
    news = prepend(message(extra=["List-Unsubscribe: <mailto:unsub@example.com>"]), SUBMISSION)
    a = await analyse_message(deliver(sign(news)), resolver)
    assert rows(a)["one-click-unsubscribe"] == (
        "fail", "List-Unsubscribe has no https URL (one-click needs one)")


async def test_personal_mail_is_not_judged_by_bulk_rules(resolver: Resolver) -> None:
    a = await analyse_message(deliver(sign(prepend(message(), SUBMISSION))), resolver)
    assert rows(a)["one-click-unsubscribe"][0] == "fail"
    assert not [f for f in a.findings if f.id.startswith("headers.requirement.")]


async def test_bad_message_id_missing_date_and_no_tls(resolver: Resolver) -> None:
    raw = message().replace(b"Message-ID: <20240101100000.1234@example.com>",
                            b"Message-ID: not-an-id").replace(
        b"Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n", b"")
    a = await analyse_message(deliver(sign(prepend(raw, SUBMISSION),
                                           headers=[b"from", b"to", b"subject"])).replace(
        b"with ESMTPS", b"with ESMTP"), resolver)
    got = rows(a)
    assert got["message-id"] == ("fail", "Message-ID 'not-an-id' is not <left@right>")
    assert got["date"] == ("fail", "no Date field")
    assert got["tls"][0] == "fail" and "not encrypted" in got["tls"][1]
    ids = {f.id for f in a.findings if f.status.value == "warn"}
    assert {"headers.requirement.message-id", "headers.requirement.date",
            "headers.requirement.tls"} <= ids


async def test_two_from_fields_make_a_malformed_message(resolver: Resolver) -> None:
    raw = message(extra=["From: Mallory <mallory@evil.test>"])
    a = await analyse_message(deliver(prepend(raw, SUBMISSION)), resolver)
    assert a.verdict is not None
    assert a.verdict.category == "message-format" and a.verdict.status.value == "fail"
    assert a.dmarc.result == "permerror"
