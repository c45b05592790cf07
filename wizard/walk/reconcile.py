"""What the person knows, weighed against what the wizard saw (pure).

Two questions change the diagnosis. **Which provider?** replaces a failed login's next step and
articles with the provider's own (``wizard/catalog/data/providers/*.toml``), and is not asked when
the
server's replies or the host name already say. **What does your client show?** is compared with
the walk: the wizard logged in with the password typed here but the client gets 535, so the
password saved in the client differs; the wizard was relayed but the client is refused, so the
client does not log in; and so on. The conclusion is a finding that becomes the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from wizard.catalog.categories import guide, headline_for
from wizard.catalog.providers import advice, catalog, recognise
from wizard.catalog.words import words
from wizard.model.findings import Finding, NextStep, Read, Status, Step
from wizard.model.target import IMPLICIT_TLS_PORTS, Security, Target, facts_of

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService
    from wizard.walk.context import CheckContext

MAX_PASTE = 10_000


def provider_of(ctx: CheckContext) -> str | None:
    """The provider the evidence names (server replies, host name), if its catalog is known."""
    texts = [line.text for line in ctx.transcript.lines if line.dir.value == "server"]
    named = recognise(" ".join([ctx.target.host or "", *texts])[:20000])
    return named if named in catalog() else None


def apply_provider(provider: str | None, findings: Sequence[Finding]) -> list[Finding]:
    """Give the failing findings the provider's own next step and articles; returns those
    changed."""
    known = catalog().get(provider or "")
    if known is None:
        return []
    changed = []
    for finding in findings:
        if not finding.status.failed:
            continue
        # The provider's advice is per category, so it fits the reply by construction; its
        # general articles come after the reply's own (a 535 5.7.8 is the password first,
        # not "SMTP AUTH disabled").
        own = advice(known.id, finding.category)
        first = [own.action.article] if own and isinstance(own.action, Read) \
            and own.action.article else []
        articles = list(dict.fromkeys([*first, *finding.articles, *known.articles]))
        if own is not None:
            finding.next = own
        finding.articles = articles
        finding.details["provider"] = known.id
        if known.name not in finding.summary:
            finding.summary = f"{finding.summary} Provider: {known.name}.".strip()
        changed.append(finding)
    return changed


def _passed(findings: Sequence[Finding], fid: str) -> bool:
    return any(f.id == fid and f.status is Status.PASS for f in findings)


def _relay(findings: Sequence[Finding]) -> str:
    """What the send step showed about relaying: "accepted" (an outside recipient was taken),
    "refused" or "untested" (also for a session saved before the fact was recorded)."""
    for finding in findings:
        if finding.id in ("send.rcpt_to", "send.mail_from") and finding.step is Step.SEND:
            relay = finding.details.get("relay")
            if relay in ("accepted", "refused"):
                return str(relay)
    return "untested"


def _settings(findings: Sequence[Finding], target: Target) -> str:
    """The settings the wizard used, in a mail client's words."""
    detected = next((f.details.get("detected") for f in findings
                     if f.id == "connect.security_mode" and f.status is Status.PASS), None)
    port = target.effective_port
    implicit = detected == "tls" or target.security is Security.TLS or (
        detected is None and target.security is Security.AUTO and port in IMPLICIT_TLS_PORTS)
    said = words().client_security  # wizard/catalog/data/words.toml
    security = said["tls" if implicit else "none" if target.security is Security.NONE
                    else "starttls"]
    return f"server {target.host}, port {port}, security {security}"


def reconcile_client_error(pasted: str, findings: Sequence[Finding], target: Target,
                           service: ExplainService) -> Finding:
    """A finding that compares the client's error (read by ``service``, the session's) with the
    walk; it becomes the verdict."""
    from wizard.output.safetext import printable

    result = service.explain(pasted[:MAX_PASTE])
    category = result.category
    articles = [article for article, _title in result.articles] or [category]
    shown = printable(pasted.strip()[:300])
    details = {"pasted": shown, "class": result.klass, "pasted_category": category}
    logged_in = _passed(findings, "auth.login")
    connected = _passed(findings, "connect.greeting")
    settings = _settings(findings, target)

    def conclude(step: Step, cat: str, title: str, summary: str, next_step: NextStep) -> Finding:
        return Finding("question.client_error", step, Status.FAIL, title, summary, details,
                       category=cat, articles=[cat, *(a for a in articles if a != cat)],
                       next=next_step)

    if category in ("auth-failed", "auth-app-password") and logged_in:
        return conclude(
            Step.AUTH, "auth-failed",
            "Your mail client sends a different password than the one typed here",
            f"The wizard logged in as {target.user} with the password typed here, but your "
            f"client gets \"{shown}\". The password saved in the client is wrong or old, or it "
            "uses another user name.",
            NextStep("Type the password again in your mail client's outgoing (SMTP) server "
                     f"settings, exactly as typed here, with the user name {target.user}.",
                     "you", {"kind": "read", "article": "auth-failed"}))
    relay = _relay(findings)
    # Only what the walk did is compared: relaying was tested only if an outside recipient was
    # tried, the login only if a 235 came back.
    if category == "relay-denied" and relay == "untested":
        return conclude(
            Step.SEND, category, "Relaying was not tested here, so this compares nothing",
            f"Your client gets \"{shown}\", but the wizard sent only to a recipient in the "
            "server's own domain, which servers accept from anyone: whether this server passes "
            "mail on to other domains for you was not tested.",
            NextStep("Give a recipient in another domain (the one your client fails for) and "
                     "run the check again.", "you", {"kind": "rerun", "ask": ["rcpt_to"]}))
    if (category == "relay-denied" and logged_in and relay == "accepted") or (
            category == "auth-required" and logged_in):
        took = (f" and the server took the mail for {target.rcpt_to}"
                if _passed(findings, "send.rcpt_to") else "")
        return conclude(
            Step.SEND, category, "Your mail client is not logging in",
            f"The wizard logged in{took}, but your client gets \"{shown}\": it sends "
            "without logging in. Turn on \"my outgoing server requires "
            f"authentication\" in the client and use {settings}.",
            NextStep("Turn on authentication for the outgoing server in your mail client, "
                     f"with {settings}.", "you", {"kind": "read", "article": category}))
    if guide(category).group == "reach" and connected:
        return conclude(
            guide(category).step, category,
            "Your mail client's server settings differ from the ones that work here",
            f"The wizard reached the server with {settings}, but your client gets \"{shown}\".",
            NextStep(f"Set your mail client to exactly these settings: {settings}.", "you",
                     {"kind": "read", "article": "choosing-the-port"}))
    if category == "tls-certificate" and _passed(findings, "tls.certificate"):
        return conclude(
            Step.TLS, category, "Your client does not trust a certificate this computer trusts",
            f"The certificate verified here, but your client gets \"{shown}\": the client's "
            "clock is wrong, its list of trusted authorities is old, or it uses another server "
            "name than this check.",
            NextStep(f"Check the client's date and time and use {settings}; update the client "
                     "if it is old.", "you", {"kind": "read", "article": "tls-certificate"}))
    problem = category not in ("success", "unknown")
    return Finding("question.client_error", guide(category).step,
                   Status.FAIL if problem else Status.WARN,
                   f"Your client's error: {headline_for(category, facts_of(target))}",
                   result.summary, details, category=category, articles=articles,
                   next=result.next)
