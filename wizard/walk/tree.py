"""The decision tree (data) and the walker that runs it, emitting events for any front end.

``TREE`` lists the steps in order, the checks each runs and, for what a step found, a typed
outcome: :class:`Stop` (the SMTP path ends here), :class:`Continue`, :class:`Run` (a diagnostic
sub-step, such as probing the other ports) or :class:`Ask` (a question only the person can
answer). A step whose findings fail and that names no outcome stops the path. Checks only report
what they saw; what happens next is decided here.

The DNS step is a *concurrent* node: it does not depend on the SMTP dialogue, so it starts once
the connect step is done, overlaps TLS, AUTH and send, and its findings are emitted after them.

``walk`` yields :class:`Event` objects; ``smtp-wizard check`` collects them and the TUI renders
them live, so both see the same findings for the same target.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from wizard.model.findings import Finding, NextStep, Status, Step, Verdict, worst
from wizard.model.target import Target
from wizard.smtp.auth import check_auth
from wizard.smtp.connect import check_connect
from wizard.smtp.ports import check_ports
from wizard.smtp.resolve import resolve_host
from wizard.smtp.send import check_send
from wizard.smtp.session import waited_for
from wizard.smtp.slow_reply import slow_reply_finding
from wizard.smtp.tls import check_starttls
from wizard.walk.context import CheckContext
from wizard.walk.reconcile import apply_provider, provider_of, reconcile_client_error
from wizard.walk.session import Session
from wizard.walk.verdict import verdict_for

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
    """Something only the person knows; no choices means free text. ``choices_from`` gives
    them from data when the question is asked (the provider catalog), not at import."""

    id: str
    prompt: str
    fixed_choices: tuple[tuple[str, str], ...] = ()
    explain: bool = False  # the answer is error text to run through `explain`
    choices_from: Callable[[], tuple[tuple[str, str], ...]] | None = None

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        """(value, label) pairs, or () for a free-text answer."""
        return self.choices_from() if self.choices_from is not None else self.fixed_choices


@dataclass(frozen=True)
class Stop:
    """End the SMTP path: later SMTP steps are shown as not checked."""


@dataclass(frozen=True)
class Continue:
    """Go on to the next step although this one failed (a later step explains it). ``settle``
    runs once the SMTP steps are done: its finding's title, summary and next step become the
    failing finding's, since only the later steps tell what the failure means (no AUTH offered:
    does the server relay without a login?)."""

    settle: Check | None = None


@dataclass(frozen=True)
class Run:
    """Run a diagnostic check; its next step (e.g. the port that answers) becomes the failing
    finding's next step. Then ``then``."""

    check: Check
    then: Outcome = Stop()


@dataclass(frozen=True)
class Ask:
    """Ask the person ``question`` (unless the evidence already answers it), then ``then``."""

    question: Question
    then: Outcome = Stop()


Outcome = Stop | Continue | Run | Ask


@dataclass(frozen=True)
class When:
    """The outcome for a step whose failing findings have this category (or status)."""

    match: str
    outcome: Outcome


@dataclass(frozen=True)
class StepNode:
    step: Step
    title: str
    checks: tuple[Check, ...]
    when: tuple[When, ...] = ()
    concurrent: bool = False  # runs beside the SMTP steps (started after connect)


SUBMISSION_WORDS = "the submission port (587 with STARTTLS or 465 with SSL/TLS)"


def _server_to_server_step() -> NextStep:
    return NextStep(f"It offers no login and refuses outside recipients: you are on a "
                    f"server-to-server port; use {SUBMISSION_WORDS} and log in.", "you",
                    {"kind": "rerun", "ask": ["port"]})


def _server_to_server(target: Target) -> Finding:
    """Relaying refused where no login is offered: the wrong kind of port."""
    return Finding(
        "send.relay_hint", Step.SEND, Status.FAIL,
        "Refused because no client can log in on this port",
        "Servers pass mail to other domains only for logged-in clients, and this one offers "
        f"no AUTH: port {target.effective_port} is for mail between servers, not for sending "
        "from a mail client.",
        {"authenticated": False, "auth_offered": False}, category="relay-denied",
        articles=["relay-denied", "choosing-the-port"], next=_server_to_server_step())


async def relay_hint(target: Target, ctx: CheckContext) -> list[Finding]:
    """Relay denied: did the client log in (could it: was a login offered), and is the
    sender's domain the server's?"""
    if not ctx.authenticated:
        auth = next((f for f in ctx.results if f.step is Step.AUTH), None)
        if auth is not None and auth.details.get("auth_offered") is False:
            return [_server_to_server(target)]
        if auth is not None and auth.id == "auth.plaintext":
            return [Finding(
                "send.relay_hint", Step.SEND, Status.FAIL,
                "The login was skipped (no encryption), so the server treated you as a stranger",
                "The wizard does not send a password over an unencrypted connection, and "
                "servers relay to other domains only for logged-in users.",
                {"authenticated": False}, category="relay-denied",
                articles=["relay-denied", "tls-not-offered", "choosing-the-port"],
                next=NextStep(f"Use {SUBMISSION_WORDS}, where the login is encrypted, and run "
                              "the check again.", "you", {"kind": "rerun", "ask": ["port"]}))]
        if target.user:
            title = "The login was not tested, so the server treated you as a stranger"
            summary = (f"A user name ({target.user}) was given, but the wizard could not log "
                       "in (see the login step), and servers relay to other domains only for "
                       "logged-in users.")
            next_step = NextStep(f"Give the password of {target.user} and run the check again.",
                                 "you", {"kind": "rerun", "ask": ["password"]})
        else:
            title = "You did not log in before sending"
            summary = ("Servers relay mail to other domains only for logged-in users: turn on "
                       "authentication with your user name and password, on the submission "
                       "port 587 or 465.")
            next_step = NextStep("Log in before sending: give your user name and password and "
                                 "run the check again.", "you",
                                 {"kind": "rerun", "ask": ["user", "password"]})
        return [Finding("send.relay_hint", Step.SEND, Status.FAIL, title, summary,
                        {"authenticated": False}, category="relay-denied",
                        articles=["relay-denied", "choosing-the-port"], next=next_step)]
    return [Finding(
        "send.relay_hint", Step.SEND, Status.FAIL,
        "Logged in, but this account may not send as this sender",
        f"The server refused to relay although the login worked. Check that "
        f"{target.mail_from} is an address this account owns (many servers refuse other "
        "sender domains).", {"authenticated": True}, category="relay-denied",
        next=NextStep(f"Send from an address of the account {target.user}, or ask the mail "
                      f"administrator to let it send as {target.mail_from}.", "your-mail-admin",
                      {"kind": "contact", "who": "your-mail-admin"}))]


async def without_login(target: Target, ctx: CheckContext) -> list[Finding]:
    """A user name was given but the server offers no login: what the send step then showed
    (does it relay for this client without one?). Pure over the session's findings."""
    sent = ctx.finding("send.rcpt_to") or ctx.finding("send.mail_from")
    relay = sent.details.get("relay") if sent is not None else None
    port = target.effective_port
    if relay == "accepted":
        return [Finding(
            "auth.offered", Step.AUTH, Status.FAIL,
            "The server offers no login, and relays for you without one",
            f"Its EHLO lists no AUTH, yet it took mail for {target.rcpt_to} (another domain) "
            "without a login: it trusts your network address (an office or LAN relay). A mail "
            "client set to log in fails here with \"authentication not supported\".",
            {"relay": relay}, category="auth-not-offered",
            next=NextStep(f"This server relays for you without a login: remove the user name "
                          f"from the mail client (no authentication) and keep port {port}.",
                          "you", {"kind": "rerun", "set": {"user": ""}}))]
    if relay == "refused":
        return [Finding(
            "auth.offered", Step.AUTH, Status.FAIL,
            "This server offers no login and refuses outside recipients",
            f"Its EHLO lists no AUTH, so no client can log in here, and it refused mail for "
            f"{target.rcpt_to} without a login: port {port} is a server-to-server port, not "
            "the one for sending from a mail client.", {"relay": relay},
            category="auth-not-offered", next=_server_to_server_step())]
    if sent is None or sent.status is Status.SKIP:
        return []
    return [Finding(
        "auth.offered", Step.AUTH, Status.FAIL,
        "The server offers no login; relaying without one was not tested",
        "Its EHLO lists no AUTH. The recipient is in the server's own domain, which servers "
        "accept from anyone, so this says nothing about mail to other domains.",
        {"relay": relay or "untested"}, category="auth-not-offered",
        next=NextStep("Give a recipient in another domain and run the check again, to learn "
                      "whether this server relays for you without a login.", "you",
                      {"kind": "rerun", "ask": ["rcpt_to"]}))]


async def _dns_step(target: Target, ctx: CheckContext) -> list[Finding]:
    # The DNS modules' import (and what they import) is CPU work: done in a thread, it does not
    # stall the SMTP dialogue running on this loop meanwhile.
    step = await asyncio.to_thread(importlib.import_module, "wizard.dns.step")
    try:
        found: list[Finding] = await step.run_dns_step_bounded(target, ctx, check_budget(target))
        return found
    except Exception as exc:  # a bug in one DNS check must not lose the SMTP results
        return [Finding("dns.step", Step.DNS, Status.ERROR, "The DNS checks failed to run",
                        f"{type(exc).__name__}: {exc}")]


PORTS = Check("connect.ports", "Try the usual mail ports", check_ports)
RELAY_HINT = Check("send.relay_hint", "Why relaying was refused", relay_hint)
WITHOUT_LOGIN = Check("auth.without_login", "What the server does without a login",
                      without_login)

def provider_choices() -> tuple[tuple[str, str], ...]:
    """The providers whose files give their own advice after a refused login (the same data
    as the classifier and the TUI's presets), the biggest first, then "another"."""
    from wizard.catalog.providers import catalog

    first = ("gmail", "microsoft", "yahoo")
    logins = {"auth-failed", "auth-app-password", "auth-disabled"}
    known = [p for p in catalog().values() if logins & set(p.advice)]
    known.sort(key=lambda p: (first.index(p.id) if p.id in first else len(first),
                              p.name.lower()))
    return (*((p.id, p.name) for p in known), ("other", "Another / my own"))


QUESTIONS: dict[str, Question] = {
    "question.provider": Question(
        "question.provider", "Which provider hosts this mailbox?",
        choices_from=provider_choices),
    "question.client_error": Question(
        "question.client_error",
        "What does your mail client or app show? Paste the error (or leave empty).",
        explain=True),
}
ASK_PROVIDER = Ask(QUESTIONS["question.provider"])

TREE: tuple[StepNode, ...] = (
    StepNode(Step.CONNECT, "Reach the server", (
        Check("connect.resolve", "Look up the server's address", resolve_host),
        Check("connect.tcp", "Connect, read the greeting, say EHLO", check_connect),
    ), (When("connection-refused", Run(PORTS)), When("connection-timeout", Run(PORTS)))),
    StepNode(Step.DNS, "Check the domains' DNS", (
        Check("dns", "Check the domains' DNS", _dns_step),), concurrent=True),
    StepNode(Step.TLS, "Encrypt the connection", (
        Check("tls.starttls", "Start TLS and check the certificate", check_starttls),
    ), (When("tls-not-offered", Continue()),)),
    StepNode(Step.AUTH, "Log in", (
        Check("auth.login", "Authenticate with the given account", check_auth),
    ), (When("auth-failed", ASK_PROVIDER), When("auth-app-password", ASK_PROVIDER),
        When("auth-disabled", ASK_PROVIDER),
        # No login possible here: still test MAIL/RCPT without one (never a password in clear),
        # and let what the send step shows decide what the missing login means.
        When("auth-not-offered", Continue(WITHOUT_LOGIN)), When("tls-not-offered", Continue()))),
    StepNode(Step.SEND, "Hand over a message", (
        Check("send.mail", "MAIL FROM and RCPT TO (and the message if asked)", check_send),
    ), (When("relay-denied", Run(RELAY_HINT)),)),
)


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
class FindingUpdated:
    """A finding changed after it was shown (an answer or a diagnostic refined its next step)."""

    finding: Finding


@dataclass
class QuestionAsked:
    question: Question


@dataclass
class QuestionAnswered:
    question: Question
    answer: str | None  # a choice's value; free text is reported as "provided", never kept


@dataclass
class StepFinished:
    step: Step
    status: Status


@dataclass
class WalkFinished:
    verdict: Verdict
    session: Session


Event = (StepStarted | CheckStarted | FindingAdded | FindingUpdated | QuestionAsked
         | QuestionAnswered | StepFinished | WalkFinished)
Answer = Callable[[Question], Awaitable[str | None]]


def step_status(findings: list[Finding]) -> Status:
    """A step's status: its worst finding (skip only when everything was skipped)."""
    return worst(f.status for f in findings)


def outcome_for(node: StepNode, findings: list[Finding]) -> Outcome | None:
    """What follows this step's findings: the first matching ``When``, else Stop on failure."""
    failing = [f for f in findings if f.status.failed]
    if not failing:
        return None
    for rule in node.when:
        if any(f.category == rule.match or f.status.value == rule.match for f in failing):
            return rule.outcome
    return Stop()


def _last_command(ctx: CheckContext) -> str | None:
    """The command the session last sent, as a ``waited_for`` (None before any was sent)."""
    if ctx.smtp is None:
        return None
    for line in reversed(ctx.transcript.lines):
        if line.dir.value == "client":
            return waited_for(line.text)
        if line.dir.value == "connect":
            return "the greeting"
    return None


async def _bounded(check: Check, step: Step, target: Target,
                   ctx: CheckContext) -> list[Finding]:
    """Run one check within its budget; overrunning it is a finding, not a hang."""
    budget = check_budget(target)
    try:
        async with asyncio.timeout(budget):
            return await check.run(target, ctx)
    except TimeoutError:
        waiting = _last_command(ctx)
        if waiting is not None:  # the connection stood: name what the server never finished
            return [slow_reply_finding(check.id, step, waiting, budget,
                                       details={"budget_s": budget})]
        return [Finding(check.id, step, Status.FAIL,
                        f"The server did not finish this step within {budget:g} s",
                        "The server kept the conversation going without ever completing it.",
                        {"budget_s": budget}, category="connection-timeout")]


async def _run(check: Check, step: Step, target: Target, ctx: CheckContext,
               *collect: list[Finding]) -> AsyncGenerator[Event, None]:
    """Run one check (bounded), adding each finding to the session and to ``collect``."""
    yield CheckStarted(check.id, check.title, step)
    for finding in await _bounded(check, step, target, ctx):
        for into in collect:
            into.append(finding)
        ctx.results.append(finding)
        yield FindingAdded(finding)


def _wants_dns(target: Target) -> bool:
    return target.dns and bool(target.sender_domain or target.recipient_domain)


async def walk(
    target: Target, ctx: CheckContext | None = None, answer: Answer | None = None,
    command: str = "check",
) -> AsyncGenerator[Event, None]:
    """Run the tree for ``target``; yields events and ends with :class:`WalkFinished`.

    ``answer`` is how questions reach the person (the TUI); without it questions are answered
    from the evidence where it can (the provider named by the server), else skipped.
    """
    ctx = ctx or CheckContext.for_target(target)
    started_at = datetime.now(UTC)
    start = time.monotonic()
    waited = 0.0  # time spent waiting for the person, not counted as the session's duration
    background: dict[Step, asyncio.Task[list[Finding]]] = {}
    stopped: Step | None = None
    settles: list[tuple[Check, Step, Finding]] = []  # Continue(settle): run after the SMTP steps

    def start_concurrent() -> None:
        # Started once the connection stands, so its CPU work (imports, the Public Suffix
        # List) does not distort the connect timings; it then overlaps TLS, AUTH and send.
        for node in TREE:
            if node.concurrent and node.step not in background and (
                    node.step is not Step.DNS or _wants_dns(target)):
                background[node.step] = asyncio.ensure_future(node.checks[0].run(target, ctx))

    async def ask(question: Question) -> str | None:
        nonlocal waited
        if answer is None:
            return None
        asked = time.monotonic()
        try:
            return await answer(question)
        finally:
            waited += time.monotonic() - asked

    try:
        for node in TREE if target.host else ():
            if node.concurrent:
                continue
            if node.step is not Step.CONNECT:
                start_concurrent()
            yield StepStarted(node.step, node.title)
            found: list[Finding] = []
            if stopped is not None:
                skipped = Finding(f"{node.step.value}.skipped", node.step, Status.SKIP,
                                  f"Not checked: the {stopped.value} step failed", "",
                                  {"because": stopped.value})
                found.append(skipped)
                ctx.results.append(skipped)
                yield FindingAdded(skipped)
                yield StepFinished(node.step, Status.SKIP)
                continue
            for check in node.checks:
                results: list[Finding] = []
                async for event in _run(check, node.step, target, ctx, results, found):
                    yield event
                if any(f.status.failed for f in results):
                    break  # a later check of this step needs what this one could not give
            outcome = outcome_for(node, found)
            while outcome is not None:
                if isinstance(outcome, Run):
                    extra: list[Finding] = []
                    async for event in _run(outcome.check, node.step, target, ctx, extra, found):
                        yield event
                    better = next((f.next for f in extra if f.next is not None), None)
                    deciding = next((f for f in found if f.status.failed), None)
                    if better is not None and deciding is not None and deciding not in extra:
                        deciding.next = better
                        yield FindingUpdated(deciding)
                    outcome = outcome.then
                elif isinstance(outcome, Ask):
                    # Which provider? Not asked when the server or host name already says; the
                    # answer replaces the failing finding's next step and articles.
                    provider = provider_of(ctx)
                    if provider is None and answer is not None:
                        yield QuestionAsked(outcome.question)
                        provider = await ask(outcome.question)
                        yield QuestionAnswered(outcome.question, provider)
                    for finding in apply_provider(provider, found):
                        yield FindingUpdated(finding)
                    outcome = outcome.then
                else:
                    if isinstance(outcome, Stop):
                        stopped = node.step
                    elif outcome.settle is not None:
                        failing = next(f for f in found if f.status.failed)
                        settles.append((outcome.settle, node.step, failing))
                    outcome = None
            if stopped is not None and ctx.smtp is not None:
                await ctx.smtp.quit()
            yield StepFinished(node.step, step_status(found))
        if ctx.smtp is not None:
            await ctx.smtp.quit()
        for check, step, failing in settles:
            meanings = await _bounded(check, step, target, ctx)
            meaning = next((f for f in meanings if f.next is not None), None)
            if meaning is not None:
                failing.title, failing.summary = meaning.title, meaning.summary
                failing.details.update(meaning.details)
                failing.next = meaning.next
                yield FindingUpdated(failing)
        start_concurrent()
        for node in TREE:
            task = background.pop(node.step, None)
            if task is None:
                continue
            yield StepStarted(node.step, node.title)
            late = await task
            for finding in late:
                ctx.results.append(finding)
                yield FindingAdded(finding)
            yield StepFinished(node.step, step_status(late))
        settled = verdict_for(ctx.results, target)
        if answer is not None and settled.category in ("success", "unknown"):
            # The checks found nothing they can name: what the person's client says may.
            question = QUESTIONS["question.client_error"]
            yield QuestionAsked(question)
            pasted = await ask(question)
            yield QuestionAnswered(question, "provided" if pasted and pasted.strip() else None)
            if pasted and pasted.strip():
                finding = reconcile_client_error(ctx.transcript.scrub_typed(pasted), ctx.results,
                                                 target, ctx.explain)
                ctx.results.append(finding)
                yield FindingAdded(finding)
    finally:
        for task in background.values():
            task.cancel()
        if ctx.smtp is not None:
            ctx.smtp.close()
    duration = int((time.monotonic() - start - waited) * 1000)
    result = Session(
        target=target, started_at=started_at, findings=list(ctx.results),
        transcript=list(ctx.transcript.lines), duration_ms=max(0, duration), command=command,
    )
    yield WalkFinished(result.verdict, result)


async def run_check(target: Target, ctx: CheckContext | None = None,
                    command: str = "check") -> Session:
    """Walk the tree without questions and return the session (what `check` prints)."""
    async for event in walk(target, ctx, command=command):
        if isinstance(event, WalkFinished):
            return event.session
    raise RuntimeError("the walk ended without a verdict")  # pragma: no cover
