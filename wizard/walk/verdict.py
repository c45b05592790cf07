"""The session's verdict: never worse than the evidence, and always one next step (pure).

The verdict comes from the **main path** (resolve, connect, TLS, AUTH, send, and what the person
told the wizard) and from DNS findings that are definitely wrong. A check that could not run
(status ``error``) is *inconclusive*: listed in the verdict, never a failure, unless the main path
itself could not run. **Side checks** (the recipient domain's MTA-STS, TLS-RPT and DANE, the
reverse DNS of a server the user did not name as their sending IP) can warn but never fail a
session: they are someone else's configuration.

Every verdict carries a :class:`~wizard.model.findings.NextStep`: the deciding finding's own, else
its
category's default (``wizard/catalog/data/categories.toml``) filled with the session's facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wizard.catalog.categories import guide, headline_for, next_step_for
from wizard.model.findings import STEP_ORDER, Finding, NextStep, Status, Step, Verdict
from wizard.model.target import Target, facts_of

MAIN_STEPS = (Step.CONNECT, Step.TLS, Step.AUTH, Step.SEND)


def is_side(finding: Finding) -> bool:
    """A check of someone else's setup, or one the user did not ask for."""
    if guide(finding.category).group == "side":  # categories.toml: someone else's setup
        return True
    return finding.id == "dns.ptr" and bool(finding.details.get("hint"))


def _ordered(findings: Sequence[Finding]) -> list[Finding]:
    return [f for _, f in sorted(enumerate(findings),
                                 key=lambda p: (STEP_ORDER.index(p[1].step), p[0]))]


def _next(finding: Finding, category: str | None, facts: dict[str, Any]) -> NextStep:
    return finding.next or next_step_for(category, facts)


def _untested(findings: Sequence[Finding], target: Target | None) -> list[str]:
    """What a successful session did not test, in words."""
    out: list[str] = []
    ids = {f.id: f for f in findings}
    host_checked = any(f.step in MAIN_STEPS for f in findings)
    if host_checked:
        auth = [f for f in findings if f.step is Step.AUTH]
        if auth and all(f.status is Status.SKIP for f in auth):
            out.append("logging in (no user name given)" if target and not target.user
                       else "logging in")
        sending = [f for f in findings if f.step is Step.SEND]
        if not sending or all(f.status is Status.SKIP for f in sending):
            out.append("sending (no sender and recipient given)"
                       if target and not (target.mail_from and target.rcpt_to) else "sending")
    elif target is not None and not target.host:
        out.append("the mail server (no host given)")
    if not any(f.step is Step.DNS for f in findings) or (
            "dns" in ids and ids["dns"].status is Status.SKIP):
        out.append("the DNS of the domains" + (" (DNS checks turned off)"
                                                if target and not target.dns else ""))
    return out


def _success_next(untested: list[str], facts: dict[str, Any]) -> NextStep:
    if any(u.startswith("sending") for u in untested):
        return NextStep("Give a sender and a recipient address and run the check again, to "
                        "test whether the server takes mail.", "you",
                        {"kind": "rerun", "ask": ["mail_from", "rcpt_to"]})
    if any(u.startswith("logging in") for u in untested):
        return NextStep("Give your user name (and password) and run the check again, to test "
                        "the login your mail client uses.", "you",
                        {"kind": "rerun", "ask": ["user", "password"]})
    return next_step_for("success", facts)


def verdict_for(findings: Sequence[Finding], target: Target | None = None) -> Verdict:
    """The verdict of a session's findings (see the module docstring for the rules)."""
    facts = facts_of(target)
    ordered = _ordered(findings)
    main = [f for f in ordered if f.step in MAIN_STEPS]
    dns = [f for f in ordered if f.step is Step.DNS]
    inconclusive = tuple(f.id for f in dns if f.status is Status.ERROR)

    def decide(finding: Finding, status: Status) -> Verdict:
        category = finding.category or "unknown"
        return Verdict(status, finding.title, category, finding.articles or [category],
                       _next(finding, category, facts), finding.id, inconclusive)

    for status in (Status.FAIL, Status.ERROR):
        hit = next((f for f in main if f.status is status), None)
        if hit is not None:
            if status is Status.ERROR:  # the main path could not run: say so, no category
                return Verdict(Status.ERROR, hit.title, None, hit.articles or ["unknown"],
                               hit.next or NextStep(
                                   "Run the check again; if this repeats, send this report to "
                                   "the server's administrator.", "you", {"kind": "rerun"}),
                               hit.id, inconclusive)
            return decide(hit, status)
    failing_dns = next((f for f in dns if f.status is Status.FAIL and not is_side(f)), None)
    if failing_dns is not None:
        return decide(failing_dns, Status.FAIL)
    ran = [f for f in dns if f.status is not Status.SKIP]
    if not main and ran and all(f.status is Status.ERROR for f in ran):
        first = ran[0]
        return Verdict(Status.ERROR, f"Could not check the DNS: {first.title}", None,
                       ["unknown"], NextStep(
                           "Run the check again, or ask another nameserver; the DNS did not "
                           "answer, which says nothing about the records themselves.", "you",
                           {"kind": "rerun", "ask": ["nameserver"]}),
                       first.id, inconclusive)
    warnings = [f for f in ordered if f.status is Status.WARN
                or (f.status is Status.FAIL and is_side(f))]
    untested = _untested(findings, target)
    if warnings:
        first = warnings[0]
        more = f" (and {len(warnings) - 1} more warning(s))" if len(warnings) > 1 else ""
        category = first.category or "success"
        sent = any(f.step is Step.SEND and f.status is Status.PASS for f in main)
        lead = ("Mail can be sent, with warnings" if sent
                else "Works as far as checked, with warnings")
        return Verdict(Status.WARN, f"{lead}: {first.title}{more}",
                       "success", first.articles or [category], _next(first, category, facts),
                       first.id, inconclusive, tuple(untested))
    headline = headline_for("success", facts)
    if untested:
        headline = ("What was checked works; not tested: " + "; ".join(untested))
    if inconclusive:
        headline += f" ({len(inconclusive)} side check(s) could not run)"
    return Verdict(Status.PASS, headline, "success", ["success"],
                   _success_next(untested, facts), None, inconclusive, tuple(untested))
