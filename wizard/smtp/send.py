"""The send step: MAIL FROM and RCPT TO (pipelined when offered), then RSET, or one test message.

Without ``--send`` nothing is delivered: the dialogue stops after RCPT TO with RSET. With it, one
plainly marked test message goes out and the final reply (with the queue id) is reported.
"""

from __future__ import annotations

import time
from email.utils import formatdate, make_msgid

from wizard import __version__
from wizard.context import CheckContext
from wizard.findings import Finding, Reply, Status, Step
from wizard.smtp.interpret import interpret
from wizard.smtp.session import SmtpIOError, SmtpSession, elapsed_ms
from wizard.target import Target

TEMPORARY_NOTE = " This is a temporary refusal (4xx): a retry later may succeed."


def test_message(target: Target) -> bytes:
    """A small, clearly labelled message with the headers RFC 5322 and big providers expect."""
    domain = target.sender_domain or "smtp-wizard.localhost"
    lines = [
        f"Date: {formatdate(localtime=True)}",
        f"From: <{target.mail_from}>",
        f"To: <{target.rcpt_to}>",
        "Subject: smtp-wizard test message (safe to delete)",
        f"Message-ID: {make_msgid('smtp-wizard', domain=domain)}",
        f"X-Mailer: smtp-wizard {__version__}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 7bit",
        "",
        "This is a test message sent by smtp-wizard, a mail troubleshooting tool.",
        f"It checks that mail from {target.mail_from} to {target.rcpt_to} is accepted",
        f"by {target.host} port {target.effective_port}. You can delete it.",
        "",
    ]
    return "\r\n".join(lines).encode("ascii", "replace")


def reply_finding(finding_id: str, command: str, reply: Reply, ok_title: str,
                  elapsed: int, details: dict) -> Finding:
    """Pass for a 2xx reply; otherwise a failure whose category comes from the reply."""
    if reply.code is not None and 200 <= reply.code < 300:
        return Finding(finding_id, Step.SEND, Status.PASS, ok_title, str(reply), details,
                       reply=reply, duration_ms=elapsed)
    category, reason, articles = interpret(reply, command)
    if reply.code is not None and 400 <= reply.code < 500:
        reason += TEMPORARY_NOTE
    titles = {
        "MAIL": f"The server refused the sender ({reply.code})",
        "RCPT": f"The server refused the recipient ({reply.code})",
        "DATA": f"The server refused the message ({reply.code})",
    }
    return Finding(finding_id, Step.SEND, Status.FAIL, titles.get(command, "Refused"), reason,
                   details, reply=reply, category=category, articles=articles,
                   duration_ms=elapsed)


def _broken(finding_id: str, exc: SmtpIOError, elapsed: int) -> Finding:
    category = {"timeout": "connection-timeout"}.get(exc.kind, "connection-dropped")
    return Finding(finding_id, Step.SEND, Status.FAIL, "The connection broke while sending",
                   f"{exc}.", {"error": str(exc)}, category=category, duration_ms=elapsed)


async def check_send(target: Target, ctx: CheckContext) -> list[Finding]:
    session: SmtpSession | None = ctx.state.get("smtp")
    caps = ctx.state.get("caps")
    if session is None or not session.connected:
        return [Finding("send.mail_from", Step.SEND, Status.SKIP, "Sending not checked",
                        "There is no connection to the server.")]
    if not (target.mail_from and target.rcpt_to):
        return [Finding("send.mail_from", Step.SEND, Status.SKIP, "No sender and recipient given",
                        "Give --mail-from and --rcpt-to to test whether the server takes mail.")]
    message = test_message(target)
    mail = f"MAIL FROM:<{target.mail_from}>"
    if caps and caps.has("SIZE"):
        mail += f" SIZE={len(message)}"
    rcpt = f"RCPT TO:<{target.rcpt_to}>"
    details = {"mail_from": target.mail_from, "rcpt_to": target.rcpt_to,
               "pipelining": bool(caps and caps.has("PIPELINING")), "size": len(message)}
    start = time.monotonic()
    try:
        if caps and caps.has("PIPELINING"):  # one round trip instead of three
            group = [mail, rcpt] if target.send else [mail, rcpt, "RSET"]
            replies = await session.pipeline(group)
            mail_reply = replies[0]
            rcpt_reply = replies[1] if mail_reply.code == 250 else None
            if target.send and (rcpt_reply is None or rcpt_reply.code not in (250, 251)):
                await session.command("RSET")
        else:
            mail_reply = await session.command(mail)
            rcpt_reply = await session.command(rcpt) if mail_reply.code == 250 else None
            if not target.send or rcpt_reply is None or rcpt_reply.code not in (250, 251):
                await session.command("RSET")
    except SmtpIOError as exc:
        ctx.state["stop"] = "send"
        return [_broken("send.mail_from", exc, elapsed_ms(start))]
    elapsed = elapsed_ms(start)
    findings = [reply_finding("send.mail_from", "MAIL", mail_reply,
                              f"Sender {target.mail_from} accepted", elapsed, details)]
    if mail_reply.code != 250:
        ctx.state["stop"] = "send"
        return findings
    assert rcpt_reply is not None
    findings.append(reply_finding("send.rcpt_to", "RCPT", rcpt_reply,
                                  f"Recipient {target.rcpt_to} accepted", 0, details))
    if rcpt_reply.code not in (250, 251):
        ctx.state["stop"] = "send"
        return findings
    if not target.send:
        findings.append(Finding(
            "send.data", Step.SEND, Status.PASS, "The server would take this mail",
            "It accepted the sender and the recipient. Nothing was delivered (RSET); use "
            "--send to send one test message.", {"delivered": False}))
        return findings
    start = time.monotonic()
    try:
        final = await session.data(message)
    except SmtpIOError as exc:
        ctx.state["stop"] = "send"
        findings.append(_broken("send.data", exc, elapsed_ms(start)))
        return findings
    elapsed = elapsed_ms(start)
    findings.append(reply_finding("send.data", "DATA", final,
                                  "The test message was accepted", elapsed,
                                  {"delivered": final.code == 250, "size": len(message),
                                   "final_reply": str(final)}))
    return findings
