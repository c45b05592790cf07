"""The pure parts of the SMTP checks: what a connection outcome, reply or certificate means."""

from __future__ import annotations

import ssl
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from wizard.model.findings import Reply
from wizard.model.target import Security, Target
from wizard.smtp.auth import auth_category
from wizard.smtp.capabilities import parse_ehlo
from wizard.smtp.certinfo import CertInfo, explain_verify_failure, name_matches
from wizard.smtp.connect import judge_connect

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def attempt(outcome: str, address: str = "192.0.2.1") -> dict:
    return {"address": address, "outcome": outcome, "ms": 5}


def test_timeout_on_port_25_names_the_isp_and_cloud_block():
    finding = judge_connect("mx.example.com", 25, [attempt("timeout")])
    assert finding.category == "connection-timeout"
    assert "Port 25 is blocked" in finding.summary and "587" in finding.summary


def test_timeout_on_587_blames_a_firewall_not_port_25():
    finding = judge_connect("smtp.example.com", 587, [attempt("timeout")])
    assert "Port 25" not in finding.summary and "firewall" in finding.summary


def test_refused_unreachable_and_connected_are_different_findings():
    refused = judge_connect("h", 587, [attempt("refused")])
    unreachable = judge_connect("h", 587, [attempt("unreachable", "2001:db8::1")])
    mixed = judge_connect("h", 587, [attempt("refused"), attempt("connected", "192.0.2.2")])
    assert refused.category == "connection-refused" and "refused" in refused.title
    assert "unreachable" in unreachable.title and unreachable.category == "connection-timeout"
    assert mixed.status.value == "pass" and "192.0.2.1: refused" in mixed.summary


@pytest.mark.parametrize(("reply", "category"), [
    (Reply(535, "5.7.8", "Username and Password not accepted"), "auth-failed"),
    (Reply(534, "5.7.9", "Application-specific password required"), "auth-app-password"),
    (Reply(530, "5.7.0", "Authentication required"), "auth-required"),
    (Reply(530, "5.7.0", "Must issue a STARTTLS command first"), "tls-required"),
    (Reply(538, "5.7.11", "Encryption required for requested authentication mechanism"),
     "auth-mechanism"),
    (Reply(504, "5.5.4", "Unrecognized authentication type"), "auth-mechanism"),
    (Reply(535, "5.7.139", "Authentication unsuccessful, SmtpClientAuthentication is disabled"
                           " for the Tenant"), "auth-disabled"),
    (Reply(454, "4.7.0", "Temporary authentication failure"), "auth-failed"),
    # The code alone is read through rules.toml's [[basic]] rows (one home): a bare 534 is
    # auth-mechanism there (the old code table said auth-app-password), whatever the words.
    (Reply(534, None, "Go away"), "auth-mechanism"),
    (Reply(534, None, "Too many messages, slow down"), "auth-mechanism"),
    (Reply(535, None, "Too many messages, slow down"), "auth-failed"),
    (Reply(550, None, "Go away"), "auth-failed"),
])
def test_auth_replies_are_interpreted(reply, category):
    assert auth_category(reply) == category


def cert(**changes: Any) -> CertInfo:
    """A valid certificate for mail.example.com, with ``changes``."""
    valid = CertInfo(subject="mail.example.com", issuer="Example CA", names=["mail.example.com"],
                     not_before=NOW - timedelta(days=30), not_after=NOW + timedelta(days=60),
                     self_signed=False, serial="1")
    return replace(valid, **changes)


def verify_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, message)
    error.verify_code = code
    error.verify_message = message
    return error


@pytest.mark.parametrize(("info", "code", "reason"), [
    (cert(not_after=NOW - timedelta(days=2)), 10, "expired"),
    (cert(not_before=NOW + timedelta(days=2)), 9, "not-yet-valid"),
    (cert(names=["other.example.net"]), 62, "wrong-name"),
    (cert(self_signed=True, issuer="mail.example.com"), 18, "self-signed"),
    (cert(), 20, "unknown-issuer"),
    (None, 10, "expired"),
])
def test_verify_failures_say_exactly_why(info, code, reason):
    got = explain_verify_failure(verify_error(code, "x"), info, "mail.example.com", NOW)
    assert got.reason == reason
    assert got.title and got.summary and got.next.next_step


def test_expired_title_carries_the_date():
    got = explain_verify_failure(verify_error(10, "expired"),
                                 cert(not_after=datetime(2026, 3, 3, tzinfo=UTC)),
                                 "mail.example.com", NOW)
    assert "2026-03-03" in got.title


def test_a_company_ca_in_the_chain_is_untrusted_not_self_signed():
    # OpenSSL's code 19 ("self-signed certificate in certificate chain"): the server sent its
    # private root along. The leaf is not self-signed: its issuer is named, with the fix.
    got = explain_verify_failure(verify_error(19, "self-signed certificate in certificate chain"),
                                 cert(issuer="Company CA"), "mail.example.com", NOW)
    assert got.reasons == ("unknown-issuer",)
    assert "'Company CA', which this computer does not trust" in got.title
    assert got.next.action.to_dict() == {"kind": "rerun", "ask": ["ca_file"]}


def test_wrong_name_and_untrusted_issuer_are_both_reported():
    got = explain_verify_failure(verify_error(20, "unable to get local issuer certificate"),
                                 cert(names=["mx.other.example"], issuer="Company CA"),
                                 "mail.example.com", NOW)
    assert got.reasons == ("wrong-name", "unknown-issuer")
    assert "mx.other.example" in got.title and "Company CA" in got.title
    # the name alone would not be enough: trust the CA too
    assert got.next.action.to_dict() == {"kind": "rerun", "set": {"host": "mx.other.example"},
                               "ask": ["ca_file"]}


@pytest.mark.parametrize(("host", "names", "ok"), [
    ("mail.example.com", ["mail.example.com"], True),
    ("MAIL.example.com.", ["mail.example.com"], True),
    ("mail.example.com", ["*.example.com"], True),
    ("a.mail.example.com", ["*.example.com"], False),
    ("example.com", ["*.example.com"], False),
    ("127.0.0.1", ["127.0.0.1"], True),
    ("127.0.0.1", ["localhost"], False),
])
def test_certificate_name_matching(host, names, ok):
    assert name_matches(host, names) is ok


def test_ehlo_capabilities_are_read_with_auth_equals_and_size():
    caps = parse_ehlo("mx.example.com Hello\nPIPELINING\nSIZE 35882577\nAUTH=LOGIN PLAIN\n"
                      "STARTTLS\nENHANCEDSTATUSCODES\n8BITMIME\nSMTPUTF8\nCHUNKING")
    assert caps.has("STARTTLS") and caps.has("CHUNKING") and caps.has("SMTPUTF8")
    assert caps.size_limit == 35882577
    assert set(caps.auth_mechanisms) == {"LOGIN", "PLAIN"}


def test_auto_security_means_implicit_tls_on_465_only():
    assert Target(host="h", port=465).implicit_tls
    assert not Target(host="h", port=587).implicit_tls
    assert Target(host="h", port=2525, security=Security.TLS).implicit_tls
    assert not Target(host="h", port=465, security=Security.STARTTLS).implicit_tls
