"""Going on when a capability is missing, reports that say only what ran, and questions that
refine the evidence (issue 21, items 3, 5 and 6), against the lab's real servers on loopback."""

from __future__ import annotations

from tests.conftest import builtin_scenario
from wizard.lab.runner import Lab
from wizard.model.findings import Finding, Reply, Status, Step
from wizard.output import report
from wizard.walk.reconcile import apply_provider
from wizard.walk.session import Session
from wizard.walk.tree import Question, WalkFinished, run_check, walk

OUTSIDE = "friend@elsewhere.test"


async def check(name: str, **changes) -> Session:
    async with Lab(builtin_scenario(name)) as lab:
        return await run_check(lab.target(dns=False, **changes))


async def walk_answering(name: str, answers: dict[str, str], **changes) -> Session:
    async def answer(question: Question) -> str | None:
        return answers.get(question.id)

    async with Lab(builtin_scenario(name)) as lab:
        async for event in walk(lab.target(dns=False, **changes), answer=answer):
            if isinstance(event, WalkFinished):
                return event.session
    raise AssertionError("no verdict")


def the(session: Session, finding_id: str) -> Finding:
    return next(f for f in session.findings if f.id == finding_id)


def client_lines(session: Session) -> list[str]:
    return [line.text for line in session.transcript if line.dir.value == "client"]


# ---------------------------------------------------------------- item 3: go on


async def test_no_auth_but_relaying_by_address_says_remove_the_user_name():
    session = await check("relay-by-ip")
    auth = the(session, "auth.offered")
    assert auth.details["auth_offered"] is False and auth.details["authenticated"] is False
    rcpt = the(session, "send.rcpt_to")
    assert rcpt.status is Status.PASS
    assert rcpt.details["relay"] == "accepted"
    assert rcpt.details["outside_recipient"] is True and rcpt.details["authenticated"] is False
    verdict = session.verdict
    assert verdict.category == "auth-not-offered" and verdict.finding_id == "auth.offered"
    assert "relays for you without a login: remove the user name" in verdict.next.next_step
    assert verdict.next.action.to_dict() == {"kind": "rerun", "set": {"user": ""}}


async def test_no_auth_and_relay_refused_says_server_to_server_port():
    session = await check("no-auth-refuses-relay")
    rcpt = the(session, "send.rcpt_to")
    assert rcpt.category == "relay-denied" and rcpt.details["relay"] == "refused"
    verdict = session.verdict
    assert verdict.category == "auth-not-offered"
    assert "server-to-server port; use the submission port" in verdict.next.next_step
    hint = the(session, "send.relay_hint")
    assert hint.next is not None and "Log in before sending" not in hint.next.next_step
    assert hint.details["auth_offered"] is False


async def test_no_auth_with_a_local_recipient_says_relaying_was_not_tested():
    session = await check("auth-not-offered")
    assert the(session, "send.rcpt_to").details["relay"] == "untested"
    verdict = session.verdict
    assert "not tested" in verdict.headline
    assert verdict.next.action.to_dict() == {"kind": "rerun", "ask": ["rcpt_to"]}


async def test_no_starttls_goes_on_to_mail_and_rcpt_but_never_sends_the_password():
    session = await check("starttls-not-offered")
    assert the(session, "tls.starttls").category == "tls-not-offered"
    assert the(session, "auth.plaintext").status is Status.FAIL
    assert the(session, "send.rcpt_to").status is Status.PASS  # tested without a login
    assert not [line for line in client_lines(session) if line.upper().startswith("AUTH")]
    assert session.verdict.category == "tls-not-offered"


async def test_the_login_facts_are_recorded_for_a_saved_session():
    good = the(await check("healthy"), "auth.login")
    assert good.details["authenticated"] is True and good.details["password_rejected"] is False
    bad = the(await check("wrong-password"), "auth.login")
    assert bad.details["authenticated"] is False and bad.details["password_rejected"] is True
    assert bad.details["auth_offered"] is True


async def test_the_certificate_names_are_recorded():
    session = await check("cert-wrong-name")
    names = the(session, "tls.certificate").details["cert_names"]
    assert names and all(not name[0].isdigit() for name in names)  # DNS names, no addresses


# ---------------------------------------------------------------- item 5: tested


async def test_tested_says_the_login_was_skipped_when_tls_failed():
    session = await check("cert-expired")
    line = report.tested_line(session)
    assert "logged in" not in line
    assert "login and sending not checked because the TLS step failed" in line
    assert "- **Tested:** " in report.render(session, "markdown")


async def test_tested_says_logged_in_only_after_235():
    good = report.tested_line(await check("healthy"))
    assert "logged in as alice@lab.test" in good and "accepted (nothing delivered)" in good
    bad = report.tested_line(await check("wrong-password"))
    assert "logged in" not in bad and "login refused (535 5.7.8)" in bad
    assert "sending not checked because the login step failed" in bad


def test_tested_does_not_trust_a_pass_without_235():
    finding = Finding("auth.login", Step.AUTH, Status.PASS, "Logged in as x")
    from tests.tui.screens_fixture import STARTED, TARGET

    session = Session(target=TARGET, started_at=STARTED, findings=[finding])
    assert "logged in as" not in report.tested_line(session)


# ---------------------------------------------------------------- item 6: refine


async def test_microsoft_answer_after_a_plain_535_is_the_password_first():
    session = await walk_answering("wrong-password", {"question.provider": "microsoft"})
    verdict = session.verdict
    assert verdict.category == "auth-failed"
    assert verdict.articles[0] == "auth-failed"
    assert verdict.next.next_step.startswith("Check the password first")
    assert the(session, "auth.login").details["provider"] == "microsoft"


def test_microsoft_smtp_auth_disabled_only_for_its_own_reply():
    reply = Reply(535, "5.7.139", "Authentication unsuccessful, the user credentials were "
                  "incorrect or SmtpClientAuthentication is disabled")
    finding = Finding("auth.login", Step.AUTH, Status.FAIL, "x", reply=reply,
                      category="auth-disabled")
    (changed,) = apply_provider("microsoft", [finding])
    assert changed.next is not None and "Authenticated SMTP" in changed.next.next_step
    assert changed.articles[0] == "microsoft-smtp-auth-disabled"


async def test_a_pasted_relay_denial_after_a_local_recipient_compares_nothing():
    session = await walk_answering(
        "healthy", {"question.client_error": "554 5.7.1 <x@elsewhere.test>: Relay access denied"})
    verdict = session.verdict
    assert verdict.finding_id == "question.client_error"
    assert "not logging in" not in verdict.headline
    assert "not tested" in verdict.headline
    assert verdict.next.action.to_dict() == {"kind": "rerun", "ask": ["rcpt_to"]}


async def test_a_pasted_relay_denial_after_relaying_to_an_outside_recipient():
    session = await walk_answering(
        "healthy", {"question.client_error": "554 5.7.1 <x@elsewhere.test>: Relay access denied"},
        rcpt_to=OUTSIDE)
    assert the(session, "send.rcpt_to").details["relay"] == "accepted"
    assert "not logging in" in session.verdict.headline
