"""The decision tree (data) and the walker that runs it, emitting events for any front end.

``TREE`` lists the steps in order with their checks and, per outcome, what follows: continue,
a diagnostic sub-step (probe the other ports, which provider is this), a question for the
person, or stop. ``walk`` runs it and yields :class:`Event` objects; ``smtp-wizard check`` collects
them and the TUI renders them live, so both see the same findings for the same target.

The DNS step does not depend on the SMTP dialogue, so it runs concurrently with TLS, AUTH and
send (it starts once the connect step is done); its findings are emitted after the SMTP steps.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from wizard.context import CheckContext
from wizard.findings import Finding, Status, Step, Verdict
from wizard.session import Session
from wizard.smtp.auth import check_auth
from wizard.smtp.connect import check_connect
from wizard.smtp.ports import check_ports
from wizard.smtp.resolve import resolve_host
from wizard.smtp.send import check_send
from wizard.smtp.session import SmtpSession
from wizard.smtp.tls import check_starttls
from wizard.target import Target
from wizard.verdict import verdict_for

CheckFn = Callable[[Target, CheckContext], Awaitable[list[Finding]]]


def check_budget(target: Target) -> float:
    """The most one check may take: each makes a bounded number of waits of ``timeout``."""
    return 6 * target.timeout + 5


# ---------------------------------------------------------------- the tree as data


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    run: CheckFn


@dataclass(frozen=True)
class Question:
    """Something only the person knows; ``choices`` empty means free text."""

    id: str
    prompt: str
    choices: tuple[tuple[str, str], ...] = ()
    explain: bool = False  # the answer is error text to run through `explain`


@dataclass(frozen=True)
class Branch:
    """When a finding of this step has status/category ``when``, go to ``then``.

    ``then`` is "stop", a diagnostic check id in ``DIAGNOSTICS``, or a question id in
    ``QUESTIONS``. Steps without a matching branch continue.
    """

    when: str
    then: str


@dataclass(frozen=True)
class StepNode:
    step: Step
    title: str
    checks: tuple[Check, ...]
    branches: tuple[Branch, ...] = ()


TREE: tuple[StepNode, ...] = (
    StepNode(Step.CONNECT, "Reach the server", (
        Check("connect.resolve", "Look up the server's address", resolve_host),
        Check("connect.tcp", "Connect, read the greeting, say EHLO", check_connect),
    ), (
        Branch("connection-refused", "connect.ports"),
        Branch("connection-timeout", "connect.ports"),
        Branch("tls-mode-mismatch", "stop"),
        Branch("fail", "stop"),
        Branch("error", "stop"),
    )),
    StepNode(Step.TLS, "Encrypt the connection", (
        Check("tls.starttls", "Start TLS and check the certificate", check_starttls),
    ), (Branch("tls-certificate", "stop"), Branch("tls-handshake", "stop"))),
    StepNode(Step.AUTH, "Log in", (
        Check("auth.login", "Authenticate with the given account", check_auth),
    ), (
        Branch("auth-failed", "question.provider"),
        Branch("auth-app-password", "question.provider"),
        Branch("auth-disabled", "question.provider"),
        Branch("fail", "stop"),
    )),
    StepNode(Step.SEND, "Hand over a message", (
        Check("send.mail", "MAIL FROM and RCPT TO (and the message with --send)", check_send),
    ), (Branch("relay-denied", "send.relay_hint"),)),
)


async def relay_hint(target: Target, ctx: CheckContext) -> list[Finding]:
    """Relay denied: did the client log in, and is the sender's domain the server's?"""
    if not ctx.state.get("authenticated"):
        return [Finding(
            "send.relay_hint", Step.SEND, Status.FAIL, "You did not log in before sending",
            "Servers relay mail to other domains only for logged-in users. Give --user (and the "
            "password) and use the submission port 587 or 465.", {"authenticated": False},
            category="relay-denied", articles=["relay-denied", "choosing-the-port"])]
    return [Finding(
        "send.relay_hint", Step.SEND, Status.FAIL,
        "Logged in, but this account may not send as this sender",
        f"The server refused to relay although the login worked. Check that "
        f"{target.mail_from} is an address this account owns (many servers refuse other "
        "sender domains).", {"authenticated": True}, category="relay-denied")]


DIAGNOSTICS: dict[str, Check] = {
    "connect.ports": Check("connect.ports", "Try the usual mail ports", check_ports),
    "send.relay_hint": Check("send.relay_hint", "Why relaying was refused", relay_hint),
}

PROVIDER_ARTICLES = {
    "gmail": ["gmail-app-passwords"],
    "microsoft": ["microsoft-smtp-auth-disabled"],
    "yahoo": ["yahoo-deferrals"],
    "amazon-ses": ["amazon-ses"],
}

QUESTIONS: dict[str, Question] = {
    "question.provider": Question(
        "question.provider", "Which provider hosts this mailbox?",
        (("gmail", "Gmail / Google Workspace"), ("microsoft", "Microsoft 365 / Outlook.com"),
         ("yahoo", "Yahoo / AOL"), ("amazon-ses", "Amazon SES"), ("other", "Another / my own"))),
    "question.client_error": Question(
        "question.client_error",
        "What does your mail client or app show? Paste the error (or leave empty).",
        explain=True),
}


# ---------------------------------------------------------------- events


@dataclass
class StepStarted:
    step: Step
    title: str


@dataclass
class CheckStarted:
    check_id: str
    title: str
    step: Step


@dataclass
class FindingAdded:
    finding: Finding


@dataclass
class QuestionAsked:
    question: Question


@dataclass
class StepFinished:
    step: Step
    status: Status


@dataclass
class WalkFinished:
    verdict: Verdict
    session: Session


Event = StepStarted | CheckStarted | FindingAdded | QuestionAsked | StepFinished | WalkFinished
Answer = Callable[[Question], Awaitable[str | None]]


def step_status(findings: list[Finding]) -> Status:
    """A step's status: its worst finding (skip only when everything was skipped)."""
    if not findings:
        return Status.SKIP
    order = [Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIP]
    return min((f.status for f in findings), key=order.index)


def _next(node: StepNode, findings: list[Finding]) -> list[str]:
    """The branch targets that apply to this step's findings, in the tree's order."""
    failing = [f for f in findings if f.status.failed]
    targets: list[str] = []
    for branch in node.branches:
        hit = any(f.category == branch.when or f.status.value == branch.when for f in failing)
        if hit and branch.then not in targets:
            targets.append(branch.then)
    return targets


def _apply_provider(answer: str | None, findings: list[Finding]) -> None:
    articles = PROVIDER_ARTICLES.get(answer or "", [])
    for finding in findings:
        if finding.status.failed and finding.step is Step.AUTH:
            finding.articles = [finding.articles[0] if finding.articles else "auth-failed",
                                *articles,
                                *(a for a in finding.articles[1:] if a not in articles)]


def _guess_provider(ctx: CheckContext) -> str | None:
    from wizard.providers import recognise

    texts = [line.text for line in ctx.transcript.lines if line.dir.value == "server"]
    return recognise(" ".join(texts)[:20000])


async def _dns_step(target: Target, ctx: CheckContext) -> list[Finding]:
    try:
        from wizard.dns.step import run_dns_step
    except ImportError:
        return [Finding("dns.step", Step.DNS, Status.SKIP, "DNS checks are not available",
                        "This build has no DNS step.")]
    budget = check_budget(target)
    try:
        async with asyncio.timeout(budget):
            return await run_dns_step(target, ctx)
    except TimeoutError:
        return [Finding("dns.step", Step.DNS, Status.ERROR,
                        f"The DNS checks did not finish within {budget:g} s",
                        "The DNS servers answered too slowly; the SMTP results stand.")]
    except Exception as exc:  # a bug in one DNS check must not lose the SMTP results
        return [Finding("dns.step", Step.DNS, Status.ERROR, "The DNS checks failed to run",
                        f"{type(exc).__name__}: {exc}")]


async def _bounded(check: Check, target: Target, ctx: CheckContext) -> list[Finding]:
    """Run one check within its budget; overrunning it is an ``error`` finding, not a hang."""
    budget = check_budget(target)
    try:
        async with asyncio.timeout(budget):
            return await check.run(target, ctx)
    except TimeoutError:
        step = Step(check.id.split(".")[0])  # check ids start with their step
        ctx.state["stop"] = step.value
        return [Finding(check.id, step, Status.ERROR,
                        f"The check did not finish within {budget:g} s",
                        "The server kept the conversation going without ever completing it.",
                        {"budget_s": budget}, category="connection-timeout")]


def _wants_dns(target: Target) -> bool:
    return target.dns and bool(target.sender_domain or target.recipient_domain)


async def walk(
    target: Target, ctx: CheckContext | None = None, answer: Answer | None = None,
    command: str = "check",
) -> AsyncIterator[Event]:
    """Run the tree for ``target``; yields events and ends with :class:`WalkFinished`.

    ``answer`` is how questions reach the person (the TUI); without it questions are skipped.
    """
    ctx = ctx or CheckContext.for_target(target)
    started_at = datetime.now(UTC)
    start = time.monotonic()
    dns_task: asyncio.Task[list[Finding]] | None = None

    def start_dns() -> None:
        # Started once the connection stands, so its CPU work (imports, the Public Suffix
        # List) does not distort the connect timings; it then overlaps TLS, AUTH and send.
        nonlocal dns_task
        if dns_task is None and _wants_dns(target):
            dns_task = asyncio.create_task(_dns_step(target, ctx))

    try:
        for node in TREE if target.host else ():
            if node.step is not Step.CONNECT:
                start_dns()
            yield StepStarted(node.step, node.title)
            step_findings: list[Finding] = []
            if ctx.state.get("stop"):
                skipped = Finding(f"{node.step.value}.skipped", node.step, Status.SKIP,
                                  f"Not checked: the {ctx.state['stop']} step failed", "")
                step_findings.append(skipped)
                ctx.results.append(skipped)
                yield FindingAdded(skipped)
            else:
                for check in node.checks:
                    if ctx.state.get("stop"):
                        break  # an earlier check of this step ended the walk
                    yield CheckStarted(check.id, check.title, node.step)
                    for finding in await _bounded(check, target, ctx):
                        step_findings.append(finding)
                        ctx.results.append(finding)
                        yield FindingAdded(finding)
                for then in _next(node, step_findings):
                    if then == "stop":
                        ctx.state.setdefault("stop", node.step.value)
                    elif then in DIAGNOSTICS:
                        diag = DIAGNOSTICS[then]
                        yield CheckStarted(diag.id, diag.title, node.step)
                        for finding in await _bounded(diag, target, ctx):
                            step_findings.append(finding)
                            ctx.results.append(finding)
                            yield FindingAdded(finding)
                    elif then in QUESTIONS and answer is not None:
                        question = QUESTIONS[then]
                        yield QuestionAsked(question)
                        _apply_provider(await answer(question), step_findings)
                    elif then == "question.provider":
                        _apply_provider(_guess_provider(ctx), step_findings)
            yield StepFinished(node.step, step_status(step_findings))
        session: SmtpSession | None = ctx.state.get("smtp")
        if session is not None:
            await session.quit()
        start_dns()
        if dns_task is not None:
            yield StepStarted(Step.DNS, "Check the domains' DNS")
            dns_findings = await dns_task
            dns_task = None
            for finding in dns_findings:
                ctx.results.append(finding)
                yield FindingAdded(finding)
            yield StepFinished(Step.DNS, step_status(dns_findings))
        settled = verdict_for(ctx.results, target).category
        if answer is not None and settled in ("success", "unknown"):
            # The checks found nothing they can name: what the person's client says may.
            question = QUESTIONS["question.client_error"]
            yield QuestionAsked(question)
            pasted = await answer(question)
            if pasted and pasted.strip():
                finding = explain_pasted(ctx.transcript.scrub(pasted))
                ctx.results.append(finding)
                yield FindingAdded(finding)
    finally:
        if dns_task is not None:
            dns_task.cancel()
        session = ctx.state.get("smtp")
        if session is not None:
            session.close()
    result = Session(
        target=target, started_at=started_at, findings=list(ctx.results),
        transcript=list(ctx.transcript.lines), duration_ms=int((time.monotonic() - start) * 1000),
        command=command,
    )
    yield WalkFinished(result.verdict, result)


def explain_pasted(text: str) -> Finding:
    """A finding for error text the person pasted, classified like `explain` does."""
    from wizard.replies import classify, parse
    from wizard.safetext import printable

    parsed = parse(text[:10000])
    result = classify(parsed)
    category = result.category
    shown = printable(text.strip()[:300])
    return Finding("question.client_error", Step.SEND, Status.WARN,
                   f"Your client's error: {category}", result.reason,
                   {"pasted": shown, "class": parsed.reply_class}, category=category,
                   articles=result.articles)


async def run_check(target: Target, ctx: CheckContext | None = None,
                    command: str = "check") -> Session:
    """Walk the tree without questions and return the session (what `check` prints)."""
    async for event in walk(target, ctx, command=command):
        if isinstance(event, WalkFinished):
            return event.session
    raise RuntimeError("the walk ended without a verdict")  # pragma: no cover
