"""Property tests: the record parsers raise only their documented errors, whatever the input."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.dns.dkim import DkimSyntaxError, parse_key_record
from wizard.dns.dmarc import DmarcSyntaxError, parse_dmarc
from wizard.dns.mta_sts import PolicyError, parse_policy
from wizard.dns.spf import PermError, parse_record
from wizard.dns.tlsrpt import TlsRptSyntaxError, parse_tlsrpt

SPF_WORDS = st.sampled_from([
    "a", "mx", "ptr", "all", "-all", "~all", "?all", "+a", "include:", "exists:", "ip4:", "ip6:",
    "redirect=", "exp=", "/24", "//64", "%{i}", "%{ir}", "%{d2}", "%%", "%", "example.com", ".",
    "1.2.3.4", "::1", ":", "=", "x", "%{l-}", "{", "}", " ", "\x00", "é"])
text = st.text(max_size=200)


def _joined(parts: list[str]) -> str:
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(st.lists(SPF_WORDS, max_size=30).map(_joined) | text)
def test_spf_parser(body: str) -> None:
    for record in (body, "v=spf1 " + body):
        try:
            parsed = parse_record(record)
        except PermError:
            continue
        assert parsed.raw == record


DMARC_WORDS = st.sampled_from(["v=DMARC1", "p=", "none", "reject", "quarantine", "sp=", ";",
                               "pct=", "100", "150", "rua=", "mailto:a@b.c", ",", "adkim=s",
                               "fo=1:d", "ri=", "x", "=", " ", "np=reject"])


@settings(max_examples=300, deadline=None)
@given(st.lists(DMARC_WORDS, max_size=20).map(_joined) | text)
def test_dmarc_parser(record: str) -> None:
    try:
        parsed = parse_dmarc(record)
    except DmarcSyntaxError:
        return
    assert parsed.policy in ("none", "quarantine", "reject") and 0 <= parsed.pct <= 100


DKIM_WORDS = st.sampled_from(["v=DKIM1", "k=rsa", "k=ed25519", "p=", "MIIB", "AAAA", "==", ";",
                              "t=y", "t=s:y", "h=sha256", "h=md5", "s=*", "=", " ", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(DKIM_WORDS, max_size=20).map(_joined) | text)
def test_dkim_parser(record: str) -> None:
    try:
        key = parse_key_record(record)
    except DkimSyntaxError:
        return
    assert key.revoked or key.bits is not None


@settings(max_examples=200, deadline=None)
@given(text)
def test_policy_and_tlsrpt_parsers(body: str) -> None:
    for fn, err in ((parse_policy, PolicyError), (parse_tlsrpt, TlsRptSyntaxError)):
        with contextlib.suppress(err):
            fn(body)
