"""Each SMTP check against real loopback servers: the finding id, status and category."""

from __future__ import annotations

import pytest

from tests.conftest import builtin_scenario
from wizard.lab.runner import Lab
from wizard.lab.smtp_server import LabSmtpServer
from wizard.model.findings import Finding, Status
from wizard.walk.session import Session
from wizard.walk.tree import run_check


async def walk(name: str, **changes) -> Session:
    scenario = builtin_scenario(name)
    assert scenario is not None
    async with Lab(scenario) as lab:
        return await run_check(lab.target(dns=False, **changes))


def find(session: Session, finding_id: str) -> Finding:
    for finding in session.findings:
        if finding.id == finding_id:
            return finding
    raise AssertionError(f"{finding_id} not in {[f.id for f in session.findings]}")


EXPECTED = [
    # scenario, finding id, status, category
    ("healthy", "auth.login", Status.PASS, None),
    ("implicit-tls", "tls.negotiated", Status.PASS, None),
    ("tls-to-plaintext-port", "connect.security_mode", Status.FAIL, "tls-mode-mismatch"),
    ("plaintext-to-tls-port", "connect.security_mode", Status.FAIL, "tls-mode-mismatch"),
    ("tls-bytes-instead-of-banner", "connect.security_mode", Status.FAIL, "tls-mode-mismatch"),
    ("starttls-not-offered", "tls.starttls", Status.FAIL, "tls-not-offered"),
    ("tls-required", "send.mail_from", Status.FAIL, "tls-required"),
    ("cert-expired", "tls.certificate", Status.FAIL, "tls-certificate"),
    ("cert-wrong-name", "tls.certificate", Status.FAIL, "tls-certificate"),
    ("cert-self-signed", "tls.certificate", Status.FAIL, "tls-certificate"),
    ("cert-expiring-soon", "tls.certificate", Status.WARN, "tls-certificate"),
    ("wrong-password", "auth.login", Status.FAIL, "auth-failed"),
    ("app-password-required", "auth.login", Status.FAIL, "auth-app-password"),
    ("smtp-auth-disabled", "auth.login", Status.FAIL, "auth-disabled"),
    ("auth-not-offered", "auth.offered", Status.FAIL, "auth-not-offered"),
    ("relay-denied", "send.rcpt_to", Status.FAIL, "relay-denied"),
    ("unknown-recipient", "send.rcpt_to", Status.FAIL, "recipient-unknown"),
    ("mailbox-full", "send.rcpt_to", Status.FAIL, "mailbox-full"),
    ("message-too-large", "send.mail_from", Status.FAIL, "message-too-large"),
    ("sender-rejected", "send.mail_from", Status.FAIL, "sender-rejected"),
    ("greylisting", "send.rcpt_to", Status.FAIL, "greylisted"),
    ("rate-limited", "send.mail_from", Status.FAIL, "rate-limited"),
    ("too-many-connections", "connect.greeting", Status.FAIL, "too-many-connections"),
    ("greeting-421", "connect.greeting", Status.FAIL, "service-unavailable"),
    ("never-greets", "connect.greeting", Status.FAIL, "reply-timeout"),
    ("closed-port", "connect.tcp", Status.FAIL, "connection-refused"),
    ("dropped-after-ehlo", "smtp.ehlo", Status.FAIL, "connection-dropped"),
    ("spam-rejected", "send.data", Status.FAIL, "content-rejected"),
    ("gmail-unauthenticated", "send.data", Status.FAIL, "sender-unauthenticated"),
]


@pytest.mark.parametrize(("name", "finding_id", "status", "category"), EXPECTED,
                         ids=[row[0] for row in EXPECTED])
async def test_scenario_gives_the_expected_finding(name, finding_id, status, category):
    session = await walk(name)
    finding = find(session, finding_id)
    assert finding.status is status, finding.to_dict()
    assert finding.category == category
    expected_verdict = builtin_scenario(name).expected
    assert session.verdict.category == expected_verdict


async def test_healthy_session_reports_tls_details_and_sends_nothing():
    session = await walk("healthy")
    tls = find(session, "tls.negotiated")
    assert tls.details["version"] in ("TLSv1.2", "TLSv1.3")
    cert = find(session, "tls.certificate")
    assert cert.details["issuer"] == "smtp-wizard lab CA"
    data = find(session, "send.data")
    assert data.details == {"delivered": False}
    sent = [line.text for line in session.transcript if line.dir.value == "client"]
    assert "DATA" not in sent
    assert sent[-1] == "QUIT"


async def test_send_delivers_one_marked_message_and_reports_the_queue_id():
    scenario = builtin_scenario("healthy")
    async with Lab(scenario) as lab:
        session = await run_check(lab.target(dns=False, send=True))
        assert isinstance(lab.smtp, LabSmtpServer)  # the healthy scenario's scripted server
        delivered = lab.smtp.state.delivered
    data = find(session, "send.data")
    assert data.status is Status.PASS
    assert data.reply is not None
    assert "queued as LAB000001" in data.reply.text
    assert len(delivered) == 1
    body = delivered[0].decode() if isinstance(delivered[0], bytes) else delivered[0]
    for header in ("Date:", "Message-ID:", "From: <alice@lab.test>", "To: <bob@lab.test>",
                   "Subject: smtp-wizard test message"):
        assert header in body


async def test_expired_certificate_names_the_date():
    session = await walk("cert-expired")
    cert = find(session, "tls.certificate")
    assert cert.details["reason"] == "expired"
    assert cert.details["certificate"]["not_after"][:10] in cert.title


async def test_wrong_name_certificate_lists_the_names_it_covers():
    session = await walk("cert-wrong-name")
    cert = find(session, "tls.certificate")
    assert cert.details["reason"] == "wrong-name"
    assert "wrong-name.example.net" in cert.details["certificate"]["names"]


async def test_self_signed_certificate_is_called_self_signed():
    session = await walk("cert-self-signed")
    assert find(session, "tls.certificate").details["reason"] == "self-signed"


async def test_untrusted_ca_is_named_as_unknown_issuer():
    session = await walk("healthy", ca_file=None)
    cert = find(session, "tls.certificate")
    assert cert.status is Status.FAIL
    assert cert.details["reason"] == "unknown-issuer"
    assert "smtp-wizard lab CA" in cert.title


async def test_no_verify_connects_but_warns_loudly():
    session = await walk("cert-self-signed", verify_tls=False)
    cert = find(session, "tls.certificate")
    assert cert.status is Status.WARN
    assert "NOT verified" in cert.title
    assert find(session, "auth.login").status is Status.PASS


async def test_closed_port_runs_the_port_probe_and_finds_the_working_port():
    scenario = builtin_scenario("closed-port")
    async with Lab(scenario) as lab:
        session = await run_check(lab.target(dns=False))
        assert lab.helper is not None  # closed-port runs a working server for the probe
        working = lab.helper.port
    probe = find(session, "connect.ports")
    modes = {row["port"]: row["mode"] for row in probe.details["ports"]}
    assert modes[working] == "starttls"
    assert modes[lab.port] == "closed"
    assert f"port {working} with STARTTLS" in probe.summary
    # the probe's finding decides the verdict's next step: rerun on the port that answers
    assert session.verdict.next.action.to_dict() == {"kind": "rerun",
                                           "set": {"port": working, "security": "starttls"}}
    assert session.verdict.category == "connection-refused"


async def test_plaintext_auth_is_refused_without_tls():
    session = await walk("starttls-not-offered", security="none")
    refused = find(session, "auth.plaintext")
    assert refused.status is Status.FAIL and refused.category == "tls-not-offered"
    assert not any(line.text.startswith("AUTH") for line in session.transcript)


async def test_allow_plaintext_auth_logs_in_over_plain_text():
    session = await walk("starttls-not-offered", security="none", allow_plaintext_auth=True)
    assert find(session, "auth.login").status is Status.PASS


async def test_login_mechanism_works_when_plain_is_not_offered():
    from wizard.smtp.auth import choose_mechanism

    assert choose_mechanism(["LOGIN", "CRAM-MD5"], oauth=False) == "LOGIN"
    assert choose_mechanism(["PLAIN", "XOAUTH2"], oauth=True) == "XOAUTH2"
    assert choose_mechanism(["PLAIN"], oauth=True) is None


async def test_greylisted_recipient_is_accepted_on_a_retry_after_the_window_only():
    import asyncio
    from dataclasses import replace

    scenario = builtin_scenario("greylisting")
    assert scenario.smtp is not None
    assert scenario.smtp.greylist_retry_s >= 60  # a class checking at once is greylisted too
    scenario = replace(scenario, smtp=replace(scenario.smtp, greylist_retry_s=0.5))
    async with Lab(scenario) as lab:
        first = await run_check(lab.target(dns=False))
        too_soon = await run_check(lab.target(dns=False))
        await asyncio.sleep(0.6)
        later = await run_check(lab.target(dns=False))
    assert find(first, "send.rcpt_to").category == "greylisted"
    assert find(too_soon, "send.rcpt_to").category == "greylisted"
    assert find(later, "send.rcpt_to").status is Status.PASS


async def test_skipped_steps_say_why():
    session = await walk("wrong-password")
    skipped = find(session, "send.skipped")
    assert skipped.status is Status.SKIP and "auth" in skipped.title


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "CRAM-MD5"])
async def test_each_password_mechanism_logs_in_and_is_redacted(mechanism):
    from dataclasses import replace

    from wizard.lab.smtp_server import LAB_PASSWORD, SmtpBehaviour
    from wizard.model.secret import secret_forms

    scenario = replace(builtin_scenario("healthy"),
                       smtp=SmtpBehaviour(auth_mechanisms=(mechanism,)))
    async with Lab(scenario) as lab:
        session = await run_check(lab.target(dns=False))
        bad = await run_check(lab.target(dns=False, password="wrong-password-xyz"))
    login = find(session, "auth.login")
    assert login.status is Status.PASS and login.details["mechanism"] == mechanism
    assert find(bad, "auth.login").category == "auth-failed"
    text = " ".join(line.text for line in session.transcript)
    assert not [form for form in secret_forms(LAB_PASSWORD, "alice@lab.test") if form in text]


async def test_xoauth2_token_from_the_environment_logs_in():
    from dataclasses import replace

    from wizard.lab.smtp_server import LAB_PASSWORD, SmtpBehaviour
    from wizard.model.secret import Secret

    scenario = replace(builtin_scenario("healthy"),
                       smtp=SmtpBehaviour(auth_mechanisms=("XOAUTH2",)))
    async with Lab(scenario) as lab:
        session = await run_check(lab.target(dns=False, password=None,
                                             oauth_token=Secret(LAB_PASSWORD)))
    login = find(session, "auth.login")
    assert login.status is Status.PASS and login.details["mechanism"] == "XOAUTH2"
    assert LAB_PASSWORD not in " ".join(line.text for line in session.transcript)


async def test_no_verify_is_loud_in_text_and_markdown_reports():
    from wizard.output.report import NO_VERIFY_WARNING, render

    session = await walk("healthy", verify_tls=False)
    assert NO_VERIFY_WARNING in render(session, "text")
    assert NO_VERIFY_WARNING in render(session, "markdown")
    assert '"verify_tls": false' in render(session, "json")


async def test_helo_fallback_when_ehlo_is_refused():
    from wizard.lab.smtp_server import RawSmtpServer
    from wizard.model.target import Security, Target

    async with RawSmtpServer("helo-only") as server:
        session = await run_check(Target(host="127.0.0.1", port=server.port, dns=False,
                                         security=Security.NONE, timeout=3.0,
                                         mail_from="a@lab.test", rcpt_to="b@lab.test"))
    ehlo = find(session, "smtp.ehlo")
    assert ehlo.status is Status.WARN and "HELO" in ehlo.title
    sent = [line.text for line in session.transcript if line.dir.value == "client"]
    assert sent[:2] == ["EHLO smtp-wizard.localhost", "HELO smtp-wizard.localhost"]
    assert find(session, "send.rcpt_to").status is Status.PASS


async def test_mail_rcpt_and_quit_are_pipelined_when_offered():
    session = await walk("healthy")
    lines = [(line.dir.value, line.text.split(" ")[0]) for line in session.transcript
             if line.dir.value in ("client", "server")]
    start = lines.index(("client", "MAIL"))
    assert lines[start:start + 3] == [("client", "MAIL"), ("client", "RCPT"), ("client", "QUIT")]
    assert [d for d, _ in lines[start + 3:start + 6]] == ["server"] * 3
    assert lines[start + 5][1] == "221"
    assert lines[start + 6:] == []  # one round trip ends the session: no RSET, no second QUIT
