"""Verdicts never worse than the evidence, each ending with one next step (issue 11).

Real loopback servers throughout: the lab's SMTP servers, and a DNS responder serving the lab
zone with what the case needs (a resolver that refuses foreign names, a blocklist that refuses
public resolvers, a listing).
"""

from __future__ import annotations

import json
import ssl

import pytest

from tests.conftest import builtin_scenario, run_cli, serve_in_thread
from wizard.lab.certs import LabCertificates
from wizard.lab.dns_server import DnsServer
from wizard.lab.dns_zones import zone_for
from wizard.lab.runner import Lab
from wizard.lab.smtp_server import LAB_PASSWORD, LAB_USER, LabSmtpServer, SmtpBehaviour
from wizard.model.findings import Status
from wizard.model.secret import Secret
from wizard.model.target import Security, Target
from wizard.walk.session import Session
from wizard.walk.tree import Question, WalkFinished, run_check, walk

FOREIGN = "elsewhere.test"


def find(session: Session, fid: str):
    return next(f for f in session.findings if f.id == fid)


async def check_healthy_with(zone: dict, behaviours: dict | None = None,
                             **changes) -> Session:
    """The healthy lab server, checked through a DNS responder serving ``zone``."""
    async with Lab(builtin_scenario("healthy")) as lab, \
            DnsServer(zone, behaviours=behaviours) as dns:
        target = lab.target(**changes).with_changes(nameservers=(dns.nameserver,))
        return await run_check(target)


async def test_a_resolver_refusing_foreign_names_leaves_a_working_relay_passing():
    behaviours = {name: "refused" for name in (
        FOREIGN, f"_mta-sts.{FOREIGN}", f"_smtp._tls.{FOREIGN}")}
    session = await check_healthy_with(zone_for("healthy"), behaviours,
                                       rcpt_to=f"friend@{FOREIGN}")
    assert find(session, "send.rcpt_to").status is Status.PASS
    recipient_mx = find(session, "dns.mx.recipient")
    assert recipient_mx.status is Status.ERROR and recipient_mx.category is None
    verdict = session.verdict
    assert verdict.status in (Status.PASS, Status.WARN), verdict
    assert "dns.mx.recipient" in verdict.inconclusive
    assert verdict.category == "success"
    assert verdict.next.next_step


async def test_a_blocklist_refusing_the_resolver_is_inconclusive_not_a_listing():
    zone = zone_for("healthy")
    zone["1.0.0.127.bl.lab.test"] = {"A": "127.255.255.254"}
    session = await check_healthy_with(zone)
    listing = find(session, "dns.dnsbl.ip")
    assert listing.status is Status.ERROR and listing.category is None
    verdict = session.verdict
    assert verdict.status in (Status.PASS, Status.WARN) and verdict.category == "success"
    assert "dns.dnsbl.ip" in verdict.inconclusive
    assert "blocklisted" not in json.dumps(verdict.to_dict())


async def test_a_listed_domain_fails_with_blocklisted():
    zone = zone_for("healthy")
    zone["lab.test.dbl.lab.test"] = {"A": "127.0.1.2"}
    session = await check_healthy_with(zone)
    verdict = session.verdict
    assert verdict.status is Status.FAIL and verdict.category == "blocklisted", verdict
    assert verdict.finding_id == "dns.dnsbl.domain"
    assert verdict.next.action.kind == "check-dns"
    assert verdict.next.who == "your-mail-admin"


def test_cli_exits_0_when_only_side_checks_are_inconclusive():
    behaviours = {name: "refused" for name in (
        FOREIGN, f"_mta-sts.{FOREIGN}", f"_smtp._tls.{FOREIGN}")}
    with serve_in_thread(Lab(builtin_scenario("healthy"))) as lab, \
            serve_in_thread(DnsServer(zone_for("healthy"), behaviours=behaviours)) as dns:
        host, port = dns.nameserver
        assert lab.certs is not None
        result = run_cli(
            "check", "--host", "127.0.0.1", "--port", str(lab.port), "--ca-file",
            lab.certs.ca_file, "--user", LAB_USER, "--password-env", "PW", "--mail-from",
            "alice@lab.test", "--rcpt-to", f"friend@{FOREIGN}", "--nameserver",
            f"{host}:{port}", "--format", "json", env={"PW": LAB_PASSWORD})
    report = json.loads(result.stdout)
    assert result.returncode == 0, report["verdict"]
    assert report["verdict"]["status"] in ("pass", "warn")
    assert report["verdict"]["inconclusive"]
    assert {"next_step", "who", "action"} <= set(report["verdict"])


# ---------------------------------------------------------------- auto means detect


async def implicit_tls_walk(security: Security) -> Session:
    async with Lab(builtin_scenario("implicit-tls")) as lab:  # implicit TLS on a free port, not 465
        assert lab.port != 465
        return await run_check(lab.target(security=security, dns=False))


async def test_auto_detects_implicit_tls_on_any_port_and_names_the_client_setting():
    session = await implicit_tls_walk(Security.AUTO)
    detected = find(session, "connect.security_mode")
    assert detected.status is Status.PASS
    assert "SSL/TLS" in detected.title and detected.details["detected"] == "tls"
    assert find(session, "auth.login").status is Status.PASS
    assert find(session, "send.rcpt_to").status is Status.PASS
    assert session.verdict.status is Status.PASS


async def test_an_explicit_wrong_mode_fails_with_the_rerun_that_fixes_it():
    session = await implicit_tls_walk(Security.STARTTLS)
    verdict = session.verdict
    assert verdict.status is Status.FAIL and verdict.category == "tls-mode-mismatch"
    assert verdict.next.action.to_dict() == {"kind": "rerun", "set": {"security": "tls"}}
    assert verdict.next.who == "you"


async def test_auto_on_465_speaking_plain_text_continues_with_starttls():
    async with Lab(builtin_scenario("healthy")) as lab:
        # the healthy server (STARTTLS) reached as if it were on 465, in auto mode
        target = lab.target(security=Security.AUTO, dns=False)
        import wizard.smtp.connect as connect

        with pytest.MonkeyPatch.context() as patch:  # connect reads it from wizard.model.target
            patch.setattr(connect, "IMPLICIT_TLS_PORTS", frozenset({lab.port}))
            session = await run_check(target)
    detected = find(session, "connect.security_mode")
    assert detected.status is Status.PASS and detected.details["detected"] == "starttls"
    assert find(session, "tls.negotiated").status is Status.PASS
    assert session.verdict.status is Status.PASS


# ---------------------------------------------------------------- certificates


async def test_a_chain_ending_in_a_company_ca_is_untrusted_not_self_signed(tmp_path):
    certs = LabCertificates.generate(tmp_path / "certs")
    try:
        # The server sends its leaf and the (private) root: OpenSSL says "self-signed
        # certificate in certificate chain"; the leaf itself is not self-signed.
        chain = tmp_path / "chain.pem"
        chain.write_bytes((certs.directory / "valid.pem").read_bytes()
                          + (certs.directory / "ca.pem").read_bytes())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain, certs.directory / "valid.key")
        async with LabSmtpServer(SmtpBehaviour(), context) as server:
            session = await run_check(Target(
                host="127.0.0.1", port=server.port, security=Security.STARTTLS, timeout=3,
                dns=False))
    finally:
        certs.cleanup()
    cert = find(session, "tls.certificate")
    assert cert.details["reason"] == "unknown-issuer", cert.details
    assert "self-signed" not in cert.title
    assert "smtp-wizard lab CA" in cert.title and "does not trust" in cert.title
    assert session.verdict.next.action.to_dict() == {"kind": "rerun", "ask": ["ca_file"]}


async def test_wrong_name_and_untrusted_issuer_are_reported_together():
    async with Lab(builtin_scenario("cert-wrong-name")) as lab:
        session = await run_check(lab.target(ca_file=None, dns=False))
    cert = find(session, "tls.certificate")
    assert cert.details["problems"] == ["wrong-name", "unknown-issuer"], cert.details
    assert "wrong-name.example.net" in cert.title and "does not trust" in cert.title


# ---------------------------------------------------------------- headlines and next steps


@pytest.mark.parametrize(("scenario", "words", "category", "who", "kind"), [
    ("greylisting", "Greylisted: the server asks you to try again", "greylisted", "you",
     "retry-later"),
    ("tls-required", "requires encryption (STARTTLS)", "tls-required", "you", "rerun"),
    ("relay-denied", "will not pass mail on for you (relay denied)", "relay-denied", "you",
     "rerun"),
    ("gmail-unauthenticated", "neither SPF nor DKIM passed", "sender-unauthenticated",
     "your-mail-admin", "check-dns"),
    ("mailbox-full", "mailbox is full", "mailbox-full", "recipient-admin", "contact"),
])
async def test_headlines_name_the_cause_and_end_with_one_next_step(scenario, words, category,
                                                                   who, kind):
    async with Lab(builtin_scenario(scenario)) as lab:
        session = await run_check(lab.target(dns=False))
    verdict = session.verdict
    assert verdict.category == category
    assert words in verdict.headline, verdict.headline
    assert verdict.next.who == who and verdict.next.action.kind == kind
    assert verdict.next.next_step.endswith(".")


async def test_relay_denied_without_login_asks_for_the_login():
    async with Lab(builtin_scenario("relay-denied")) as lab:
        session = await run_check(lab.target(dns=False))
    assert session.verdict.next.action.to_dict() == {"kind": "rerun", "ask": ["user", "password"]}


async def test_success_says_what_was_not_tested():
    async with Lab(builtin_scenario("healthy")) as lab:
        session = await run_check(lab.target(mail_from=None, rcpt_to=None, dns=False))
    verdict = session.verdict
    assert verdict.status is Status.PASS
    assert "Everything checked works" not in verdict.headline
    assert any(u.startswith("sending") for u in verdict.untested)
    assert verdict.next.action.to_dict() == {"kind": "rerun", "ask": ["mail_from", "rcpt_to"]}


async def test_security_none_with_starttls_offered_says_login_needs_tls():
    async with Lab(builtin_scenario("healthy")) as lab:
        session = await run_check(lab.target(security=Security.NONE, dns=False))
    verdict = session.verdict
    assert verdict.category == "tls-required", verdict
    assert verdict.next.action.to_dict() == {"kind": "rerun", "set": {"security": "starttls"}}


# ---------------------------------------------------------------- questions


async def walk_answering(scenario: str, answers: dict[str, str], **changes) -> Session:
    asked: list[str] = []

    async def answer(question: Question) -> str | None:
        asked.append(question.id)
        return answers.get(question.id)

    async with Lab(builtin_scenario(scenario)) as lab:
        async for event in walk(lab.target(dns=False, **changes), answer=answer):
            if isinstance(event, WalkFinished):
                event.session.notes.extend(asked)
                return event.session
    raise AssertionError("no verdict")


async def test_the_provider_answer_replaces_the_article_and_next_step():
    session = await walk_answering("wrong-password", {"question.provider": "gmail"})
    assert "question.provider" in session.notes
    verdict = session.verdict
    assert verdict.category == "auth-failed"
    assert verdict.articles[0] == "gmail-app-passwords"
    assert "app password" in verdict.next.next_step
    assert find(session, "auth.login").details["provider"] == "gmail"


async def test_the_provider_is_not_asked_when_the_reply_names_it():
    session = await walk_answering("app-password-required", {"question.provider": "yahoo"})
    assert "question.provider" not in session.notes  # the reply says "gsmtp"
    assert session.verdict.articles[0] == "gmail-app-passwords"


async def test_a_pasted_535_after_a_good_login_means_the_saved_password_differs():
    session = await walk_answering(
        "healthy", {"question.client_error": "535 5.7.8 Authentication credentials invalid"})
    verdict = session.verdict
    assert verdict.status is Status.FAIL and verdict.category == "auth-failed"
    assert "different password" in verdict.headline
    assert verdict.finding_id == "question.client_error"
    assert verdict.next.who == "you"


async def test_a_pasted_relay_denial_after_a_relayed_walk_means_the_client_does_not_log_in():
    # relaying was tested: the walk sent to an outside recipient (issue 21: a local one proves
    # nothing about relaying; tests/walk/test_go_on.py)
    session = await walk_answering(
        "healthy", {"question.client_error": "554 5.7.1 <x@elsewhere.test>: Relay access denied"},
        rcpt_to=f"friend@{FOREIGN}")
    verdict = session.verdict
    assert verdict.category == "relay-denied"
    assert "not logging in" in verdict.headline
    assert "STARTTLS" in verdict.next.next_step  # the settings that worked, in words


def test_every_scenario_verdict_has_a_next_step_and_who():
    # cheap and exhaustive: the verdict contract over every category's default
    from wizard.catalog.categories import ACTION_KINDS, WHO, guides, next_step_for

    for category in guides():
        step = next_step_for(category, {"domain": "example.org"})
        assert step.who in WHO and step.action.kind in ACTION_KINDS
        assert step.next_step and "{" not in step.next_step


async def test_password_secret_never_leaks_into_next_steps():
    async with Lab(builtin_scenario("wrong-password")) as lab:
        session = await run_check(lab.target(dns=False, password=Secret("Sekr3t-pass!")))
    text = json.dumps(session.to_dict())
    assert "Sekr3t-pass!" not in text


# ---------------------------------------------------------------- international addresses


async def test_an_international_local_part_is_not_sent_raw_to_a_server_without_smtputf8():
    from wizard.lab.hostile import HostileSmtpServer

    async with HostileSmtpServer("close-after-data") as server:  # its EHLO has no SMTPUTF8
        session = await run_check(Target(
            host="127.0.0.1", port=server.port, security=Security.NONE, timeout=2,
            mail_from="alice@lab.test", rcpt_to="josé@lab.test", dns=False))
    finding = find(session, "send.smtputf8")
    assert finding.status is Status.FAIL and "josé@lab.test" in finding.title
    assert not any("josé" in line.text for line in session.transcript
                   if line.dir.value == "client")


async def test_an_international_domain_goes_out_as_a_labels():
    async with Lab(builtin_scenario("healthy")) as lab:
        session = await run_check(lab.target(mail_from="alice@bücher.lab.test", dns=False))
    sent = [line.text for line in session.transcript if line.text.startswith("MAIL FROM")]
    assert sent and "alice@xn--bcher-kva.lab.test" in sent[0]


async def test_an_international_local_part_uses_smtputf8_where_offered():
    async with Lab(builtin_scenario("healthy")) as lab:
        session = await run_check(lab.target(rcpt_to="josé@lab.test", dns=False))
    sent = [line.text for line in session.transcript if line.text.startswith("MAIL FROM")]
    assert sent[0].endswith(" SMTPUTF8")
    assert find(session, "send.rcpt_to").status is Status.PASS


# ---------------------------------------------------------------- a team's own articles


async def test_a_teams_article_teaches_check_its_relays_wording(tmp_path):
    (tmp_path / "our-relay.md").write_text(
        "---\nid: our-relay\ntitle: Our relay wants the VPN\ncategories: [policy-rejected]\n"
        "patterns: [\"connect through the corporate vpn\"]\nsteps: [send]\n---\n"
        "## What it means\nOur relay only takes mail from the VPN.\n")
    behaviour = SmtpBehaviour(rcpt_replies={
        "bob@lab.test": "554 5.7.1 Please connect through the corporate VPN first"})
    certs = LabCertificates.generate(tmp_path / "certs")
    try:
        async with LabSmtpServer(behaviour, certs.server_context("valid")) as server:
            base = Target(host="127.0.0.1", port=server.port, security=Security.STARTTLS,
                          ca_file=certs.ca_file, mail_from="alice@lab.test",
                          rcpt_to="bob@lab.test", timeout=5, dns=False)
            plain = await run_check(base)
            taught = await run_check(base.with_changes(knowledge_dirs=(str(tmp_path),)))
    finally:
        certs.cleanup()
    assert "our-relay" not in find(plain, "send.rcpt_to").articles
    rcpt = find(taught, "send.rcpt_to")
    assert rcpt.category == "policy-rejected" and rcpt.articles[0] == "our-relay", rcpt


def test_kb_knowledge_before_the_action_works(tmp_path):
    (tmp_path / "team-note.md").write_text(
        "---\nid: team-note\ntitle: Our team note\ncategories: [relay-denied]\n---\n"
        "## What it means\nx\n")
    result = run_cli("kb", "--knowledge", str(tmp_path), "show", "team-note")
    assert result.returncode == 0 and "Our team note" in result.stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.md").write_text("no front matter")
    for args in (["check", "--host", "example.org"], ["dns", "example.org"]):
        failed = run_cli(*args, "--knowledge", str(bad))
        assert failed.returncode == 2 and "Traceback" not in failed.stderr
