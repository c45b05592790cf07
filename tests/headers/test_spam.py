"""Spam headers decoded: Microsoft 365 (SCL, SFV, CAT, BCL, compauth), SpamAssassin, rspamd."""

from __future__ import annotations

from tests.headers.samples import EXIM, GMAIL, MICROSOFT_365, MICROSOFT_BULK
from wizard.headers.authres import read_recorded
from wizard.headers.parse import parse_message
from wizard.headers.spam import read_spam


def spam_of(text: str):
    message = parse_message(text.encode())
    return read_spam(message, read_recorded(message))


def test_microsoft_365_spam_verdict_decoded() -> None:
    spam = spam_of(MICROSOFT_365)
    assert spam["verdict"] == "spam"
    ms = spam["microsoft"]
    assert ms["scl"]["value"] == 5 and ms["scl"]["source"] == "X-MS-Exchange-Organization-SCL"
    assert "Junk Email folder" in ms["scl"]["meaning"]
    assert ms["fields"]["SFV"]["meaning"] == "spam filtering marked it as spam"
    assert ms["fields"]["CAT"]["meaning"] == "spam"
    assert ms["fields"]["IPV"]["meaning"] == "the IP is on no IP reputation list"
    assert ms["fields"]["CIP"]["value"] == "192.0.2.10"
    assert ms["fields"]["DIR"]["meaning"] == "inbound"
    assert ms["bcl"]["value"] == 0 and not ms["bcl"]["over_threshold"]
    assert ms["compauth"] == {"result": "pass", "reason": "100",
                              "meaning": "passed composite authentication"}
    assert ms["bulk"] is False
    assert spam["reasons"][0].startswith("Microsoft: SCL 5")


def test_microsoft_bulk_mail_is_recognised() -> None:
    ms = spam_of(MICROSOFT_BULK)["microsoft"]
    assert ms["bulk"] and ms["bcl"]["over_threshold"] and ms["bcl"]["value"] == 8
    assert ms["fields"]["SRV"]["meaning"].startswith("identified as bulk mail")


def test_spamassassin_score_threshold_and_rules() -> None:
    spam = spam_of(EXIM)
    sa = spam["spamassassin"]
    assert (sa["spam"], sa["score"], sa["required"], sa["version"]) == (True, 7.4, 5.0, "3.4.6")
    names = [t["name"] for t in sa["tests"]]
    assert names == ["BAYES_99", "BAYES_999", "DKIM_INVALID", "DKIM_SIGNED", "RDNS_NONE",
                     "SPF_HELO_NONE", "SPF_PASS", "URIBL_DBL_SPAM"]
    meanings = {t["name"]: t["meaning"] for t in sa["tests"]}
    assert meanings["DKIM_INVALID"] == "the DKIM signature did not verify"
    assert spam["verdict"] == "spam" and "SpamAssassin: score 7.4" in spam["reasons"][0]


def test_rspamd_and_not_spam() -> None:
    text = ("X-Spamd-Result: default: False [1.20 / 15.00]; R_SPF_ALLOW(-0.20)[+ip4:192.0.2.10]; "
            "R_DKIM_ALLOW(-0.20)[example.com:s=s1]\nFrom: a@example.com\n")
    spam = spam_of(text)
    assert spam["verdict"] == "not-spam"
    assert spam["rspamd"]["score"] == 1.2 and spam["rspamd"]["symbols"][0]["name"] == "R_SPF_ALLOW"


def test_no_spam_headers_means_unknown() -> None:
    assert spam_of(GMAIL)["verdict"] == "unknown"


def test_only_the_topmost_stamp_counts() -> None:
    forged_below = ("X-Spam-Status: Yes, score=9.0 required=5.0 tests=BAYES_99\n"
                    "X-Spam-Status: No, score=-5.0 required=5.0 tests=NONE\n"
                    "From: a@example.com\n")
    assert spam_of(forged_below)["spamassassin"]["spam"] is True
