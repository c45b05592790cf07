"""Render a Session as text (for a terminal), Markdown (for a ticket) or JSON (for scripts).

Every piece of server or DNS text goes through :func:`wizard.output.safetext.printable`, so a
hostile
reply cannot move the cursor, change colours or write the clipboard of whoever reads the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wizard.catalog.words import words
from wizard.model.findings import STEP_ORDER, Finding, Status, Step
from wizard.model.target import Target
from wizard.output.actions import describe
from wizard.output.safetext import json_text, markdown_inline, printable
from wizard.walk.session import Session

SYMBOL = {
    Status.PASS: "PASS",
    Status.WARN: "WARN",
    Status.FAIL: "FAIL",
    Status.SKIP: "SKIP",
    Status.ERROR: "ERROR",
}
COLOUR = {
    Status.PASS: "32",
    Status.WARN: "33",
    Status.FAIL: "31",
    Status.SKIP: "90",
    Status.ERROR: "35",
}
FORMATS = ("text", "json", "markdown")




def render(session: Session, fmt: str, colour: bool = False, commands: bool = True) -> str:
    """``commands``: show the command line that carries out the next step (the CLI does; the
    TUI, whose users act with keys, does not)."""
    if fmt == "json":
        return render_json(session)
    if fmt == "markdown":
        return render_markdown(session, commands)
    return render_text(session, colour=colour, commands=commands)


WHO_LABEL = words().who_short  # wizard/catalog/data/words.toml


def next_lines(session: Session, commands: bool) -> tuple[str, str, str | None]:
    """(the next step, the action in words, the command that does it or None)."""
    verdict = session.verdict
    step = verdict.next
    command = None
    if commands:
        from wizard.output.actions import command_for

        command = command_for(step.action, session.target, session.command)
    return step.next_step, describe(step.action), command


STEP_WORDS = {Step.CONNECT: "connection", Step.TLS: "TLS", Step.AUTH: "login",
              Step.SEND: "sending"}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def skipped_because(finding: Finding) -> str | None:
    """Why the walk did not run a step ("the connect step failed"), for a step it skipped."""
    because = finding.details.get("because")
    if isinstance(because, str) and because in tuple(Step):
        return f"the {STEP_WORDS.get(Step(because), because)} step failed"
    if finding.id.endswith(".skipped") and finding.title.startswith("Not checked: "):
        return finding.title.removeprefix("Not checked: ")  # a session saved before
    return None


def logged_in(findings: Iterable[Finding]) -> bool:
    """Did a login succeed: a 235 reply (or the recorded fact of one), never the user name."""
    for f in findings:
        if f.step is Step.AUTH and f.status is Status.PASS and (
                (f.reply is not None and f.reply.code == 235)
                or f.details.get("authenticated") is True):
            return True
    return False


def _step_outcome(step: Step, found: list[Finding], target: Target) -> str:
    """What one step that ran showed, in a few words."""
    word = STEP_WORDS[step]
    failing = next((f for f in found if f.status.failed), None)
    if step is Step.CONNECT:
        return f"connection failed: {failing.title}" if failing else "connected"
    if step is Step.TLS:
        if failing:
            return f"TLS failed: {failing.title}"
        warned = next((f for f in found if f.status is Status.WARN), None)
        if warned:
            return f"TLS with a warning: {warned.title}"
        if all(f.status is Status.SKIP for f in found):
            return f"TLS not used: {found[0].title}"
        return "encrypted"
    if step is Step.AUTH:
        if logged_in(found):
            return f"logged in as {target.user}"
        if any(f.status is Status.PASS for f in found):
            return "login reported as passed (no 235 reply recorded)"
        if failing is None:
            return f"login not tested ({_lower_first(found[0].title)})"
        if failing.category == "reply-timeout":
            return f"login: {failing.title}"
        if failing.reply is not None:
            code = " ".join(str(p) for p in (failing.reply.code, failing.reply.enhanced) if p)
            return f"login refused ({code})"
        return f"login not tried: {failing.title}"
    sent = f"mail from {target.mail_from} to {target.rcpt_to}"
    if failing is not None:
        return f"{sent} refused: {failing.title}" if failing.reply else \
            f"{word}: {failing.title}"
    data = next((f for f in found if f.id == "send.data"), None)
    if data is not None and data.details.get("delivered"):
        return f"{sent} accepted, one test message delivered"
    if any(f.id == "send.rcpt_to" and f.status is Status.PASS for f in found):
        return f"{sent} accepted (nothing delivered)"
    return f"sending not tested ({_lower_first(found[0].title)})"


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def tested_line(session: Session) -> str:
    """What this session tested, step by step with the outcome, in one line (the top of a
    ticket): only steps that ran are described as done; a skipped step says why."""
    t = session.target
    findings = [f for f in session.findings if not f.id.startswith("question.")]
    parts = []
    if t.host:
        said: list[str] = []
        skipped: list[tuple[str, str]] = []  # (step word, why) of steps not run
        for step in (Step.CONNECT, Step.TLS, Step.AUTH, Step.SEND):
            found = [f for f in findings if f.step is step]
            if not found:
                continue
            why = next((w for w in map(skipped_because, found) if w), None)
            if why is not None:
                skipped.append((STEP_WORDS[step], why))
                continue
            said.append(_step_outcome(step, found, t))
        for why in dict.fromkeys(w for _, w in skipped):
            steps = [word for word, w in skipped if w == why]
            said.append(f"{_joined(steps)} not checked because {why}")
        parts.append(f"server {t.host} port {t.effective_port} (security {t.security.value}): "
                     + "; ".join(said or ["nothing ran"]))
    domain = t.sender_domain or t.recipient_domain
    dns_ran = any(f.step is Step.DNS and f.status is not Status.SKIP for f in findings)
    if dns_ran and domain:
        parts.append(f"the DNS of {domain}" + (f" for {t.sending_ip}" if t.sending_ip else ""))
    return "; and ".join(parts) or "nothing (no server and no domain given)"


def caller_line(session: Session) -> str:
    """One sentence a helpdesk agent can say to the person on the phone."""
    verdict = session.verdict
    step = verdict.next.next_step
    if verdict.status.value == "pass":
        return "Your settings work here; nothing on the server needs to change."
    return {
        "you": f"The fix is on your side: {step}",
        "your-mail-admin": "This needs your mail administrator; we will send them this report.",
        "recipient-admin": "The problem is on the recipient's side; their mail administrator "
                           "has to act. " + step,
        "provider": f"Your provider (hosting or ISP) must change a setting: {step}",
    }.get(verdict.next.who, step)


def _inconclusive(session: Session) -> list[str]:
    by_id = {f.id: f for f in session.findings}
    return [f"{fid}: {by_id[fid].title}" if fid in by_id else fid
            for fid in session.verdict.inconclusive]


def _plain(value: object) -> str:
    """A value as a person reads it: lists joined, booleans as yes/no (never a Python repr)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def render_json(session: Session) -> str:
    return json_text(session.to_dict(), indent=2) + "\n"


def _paint(text: str, status: Status, colour: bool) -> str:
    return f"\x1b[{COLOUR[status]}m{text}\x1b[0m" if colour else text


def _by_step(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.step.value, []).append(finding)
    return [(step.value, groups[step.value]) for step in STEP_ORDER if step.value in groups]


def _trace(finding: Finding) -> list[str]:
    """An indented tree some findings carry (the SPF include trace), as lines."""
    trace = finding.details.get("trace_text")
    if isinstance(trace, str):
        return trace.splitlines()[:60]
    if isinstance(trace, list):
        return [str(line) for line in trace[:60]]
    return []


def _target_line(session: Session) -> str:
    t = session.target
    if t.host:
        return f"{t.host}:{t.effective_port} (security {t.security.value})"
    return t.sender_domain or t.recipient_domain or "-"


NO_VERIFY_WARNING = ("WARNING: certificate verification is OFF: this session could have been "
                     "intercepted.")


def render_text(session: Session, colour: bool = False, commands: bool = True) -> str:
    verdict = session.verdict
    out = [f"smtp-wizard {session.command}: {printable(_target_line(session))}", ""]
    if not session.target.verify_tls:
        out[1:1] = [_paint(NO_VERIFY_WARNING, Status.WARN, colour)]
    arrival = arrival_lines(session.arrival)
    if arrival:
        out += [*arrival, ""]
    for step, findings in _by_step(session.findings):
        out.append(step.upper())
        for f in findings:
            tag = _paint(f"[{SYMBOL[f.status]:>5}]", f.status, colour)
            out.append(f"  {tag} {printable(f.title)}")
            out.extend(_evidence_lines(f))
            if f.status.failed and f.category:
                out.append(f"          category: {f.category}; article: "
                           f"{(f.articles or [f.category])[0]}")
        out.append("")
    out.append(_paint(f"VERDICT: {printable(verdict.headline)}", verdict.status, colour))
    if verdict.category:
        out.append(f"category: {verdict.category}   articles: {', '.join(verdict.articles)}")
    step, action, command = next_lines(session, commands)
    out.append(f"Next ({WHO_LABEL.get(verdict.next.who, verdict.next.who)}): {printable(step)}")
    if command:
        out.append(f"      {command}")
    elif verdict.next.action.kind != "none":
        out.append(f"      {action}")
    if verdict.untested:
        out.append("Not tested: " + "; ".join(verdict.untested))
    for line in _inconclusive(session):
        out.append(f"Could not check: {printable(line)}")
    for note in session.notes:
        out.append(f"note: {printable(note)}")
    out.append(f"took {session.duration_ms} ms")
    return "\n".join(out) + "\n"


def arrival_lines(arrival: dict[str, Any] | None) -> list[str]:
    """The read-back (check --send --arrival), for the top of the text report."""
    if not arrival:
        return []
    out = [f"ARRIVAL: {printable(arrival.get('finding') or arrival.get('status') or '-')}"]
    summary = arrival.get("headers_analysis") or {}
    if arrival.get("sending_ip"):
        out.append(f"  sending IP {printable(arrival['sending_ip'])} "
                   f"({printable(arrival.get('sending_ip_source') or '-')})")
    hops = summary.get("hops") or []
    if hops:
        out.append(f"  {len(hops)} hop(s): " + " -> ".join(
            printable(str(h.get('by') or '?')) for h in hops))
    auth = [f"{m.upper()} {printable(str((summary.get(m) or {}).get('result', '-')))}"
            for m in ("spf", "dmarc") if isinstance(summary.get(m), dict)]
    dkim = summary.get("dkim") or []
    auth.append("DKIM " + (", ".join(printable(str(d.get("result", "-"))) for d in dkim)
                           if dkim else "none"))
    if summary:
        out.append("  " + "; ".join(auth))
    if summary.get("headline"):
        out.append(f"  headers: {printable(summary['headline'])}")
    return out


def _evidence_lines(f: Finding) -> list[str]:
    """A finding's summary, the server's reply and its trace, indented under its title."""
    out = [f"          {printable(f.summary)}"] if f.summary else []
    if f.reply is not None and str(f.reply) != f.summary:
        out.append(f"          server said: {printable(str(f.reply))}")
    out.extend(f"          | {printable(line)}" for line in _trace(f))
    return out


def render_evidence(session: Session) -> str:
    """What was seen, and nothing that names the answer: each finding's status, title, summary
    and the server's reply, then the transcript. No verdict, no category, no article, no next
    step (``check --evidence-only``, the classroom handout's commands)."""
    out = [f"smtp-wizard evidence: {printable(_target_line(session))}", ""]
    for step, findings in _by_step(session.findings):
        out.append(step.upper())
        for f in findings:
            out.append(f"  [{SYMBOL[f.status]:>5}] {printable(f.title)}")
            out.extend(_evidence_lines(f))
        out.append("")
    out.append("TRANSCRIPT")
    for said in session.transcript:
        out.append(f"  {said.t_ms:>6} ms {said.dir.value:<7} {printable(said.text)}")
    out.append("")
    out.append("What is wrong, and what is the fix? Write down your diagnosis.")
    return "\n".join(out) + "\n"


def render_markdown(session: Session, commands: bool = True) -> str:
    verdict = session.verdict
    step, action, command = next_lines(session, commands)
    who = WHO_LABEL.get(verdict.next.who, verdict.next.who)
    out = [
        f"# smtp-wizard report: {markdown_inline(_target_line(session))}",
        "",
        f"- **Tested:** {markdown_inline(tested_line(session))}",
        f"- **Verdict:** {verdict.status.value.upper()}: {markdown_inline(verdict.headline)}",
        f"- **Next step ({who}):** {markdown_inline(step)}",
        f"- **Tell the caller:** {markdown_inline(caller_line(session))}",
    ]
    arrival = arrival_lines(session.arrival)
    if arrival:  # right under "Tested": did it arrive, and where
        out[3:3] = [f"- **Arrival:** {markdown_inline(arrival[0].removeprefix('ARRIVAL: '))}",
                    *(f"  - {markdown_inline(line.strip())}" for line in arrival[1:])]
    if verdict.next.action.kind != "none":
        out.append(f"- **Action:** {markdown_inline(action)}"
                   + (f" (`{command}`)" if command else ""))
    if verdict.untested:
        out.append(f"- **Not tested:** {markdown_inline('; '.join(verdict.untested))}")
    for line in _inconclusive(session):
        out.append(f"- **Could not check:** {markdown_inline(line)}")
    out += [
        f"- **Category:** `{verdict.category}`",
        f"- **Articles:** {', '.join(verdict.articles)}",
        f"- **Started:** {session.started_at.isoformat(timespec='seconds')}, "
        f"took {session.duration_ms} ms",
        "",
    ]
    if not session.target.verify_tls:
        out += [f"> **{NO_VERIFY_WARNING}**", ""]
    for note in session.notes:
        out.append(f"> {markdown_inline(note)}")
    if session.notes:
        out.append("")
    target = session.target.to_dict()
    out += ["## Target", "", "| field | value |", "|---|---|"]
    out += [f"| {k} | {markdown_inline(_plain(v))} |"
            for k, v in target.items() if v not in (None, [])]
    out.append("")
    out += ["## Checks", "", "| step | status | check | what was seen |", "|---|---|---|---|"]
    for f in session.findings:
        seen = f.summary
        if f.reply is not None:
            seen += f" (server: {f.reply})"
        out.append(
            f"| {f.step.value} | {f.status.value} | {markdown_inline(f.title)} "
            f"| {markdown_inline(seen)} |"
        )
    out.append("")
    for f in session.findings:
        trace = _trace(f)
        if trace:
            out += [f"### {markdown_inline(f.title)}", "", "```"]
            out += [printable(line).replace("```", "'''") for line in trace]
            out += ["```", ""]
    if session.transcript:
        out += ["## Transcript", "", "```"]
        arrow = {"client": "C:", "server": "S:", "tls": "TLS", "connect": "..", "note": "##"}
        for entry in session.transcript:
            text = printable(entry.text).replace("```", "'''")
            out.append(f"{entry.t_ms:>6} {arrow[entry.dir.value]:<3} {text}")
        out += ["```", ""]
    return "\n".join(out)
