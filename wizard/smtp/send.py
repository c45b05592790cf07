"""The send step: MAIL FROM and RCPT TO (pipelined when offered), then QUIT, or one test message.

Without ``--send`` nothing is delivered: the dialogue ends after RCPT TO. With PIPELINING, MAIL,
RCPT and QUIT go as one group (RFC 2920 allows QUIT last; it aborts the transaction), one round
trip less than MAIL+RCPT+RSET and then QUIT; without it, RSET then QUIT. With it, one
plainly marked test message goes out and the final reply (with the queue id) is reported.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

from wizard import __version__
from wizard.catalog.categories import headline_for
from wizard.model.findings import Finding, NextStep, Reply, Status, Step
from wizard.model.target import Target, facts_of
from wizard.smtp.interpret import interpret
from wizard.smtp.session import SmtpIOError, elapsed_ms
from wizard.smtp.slow_reply import io_finding, is_slow_reply
from wizard.walk.context import CheckContext

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService

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


def message_id(message: bytes) -> str | None:
    """The Message-ID of a test message (what the arrival check searches for)."""
    found = re.search(rb"^Message-ID: (<[^>\r\n]+>)\r$", message, re.M)
    return found.group(1).decode("ascii") if found else None


COMMAND_WORDS = {"MAIL": "MAIL FROM", "RCPT": "RCPT TO", "DATA": "the message"}


def wire_address(address: str) -> tuple[str, bool]:
    """The address as sent: an international domain as its A-labels (punycode, valid without
    SMTPUTF8); and whether the local part still needs SMTPUTF8 (RFC 6531)."""
    local, _, domain = address.rpartition("@")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return address, True
    return f"{local}@{domain}", not local.isascii()


_QUEUE_ID = re.compile(r"(?:queued as|queue id|id[=:])\s*<?([A-Za-z0-9._@-]{4,64})", re.I)


def _queue_id(text: str) -> str | None:
    """The queue id in a 250 reply to the message ("queued as 4Xb2k1"), if it names one."""
    match = _QUEUE_ID.search(text)
    return match.group(1) if match else None


def reply_finding(finding_id: str, command: str, reply: Reply, ok_title: str,
                  elapsed: int, details: dict[str, Any], facts: dict[str, Any] | None = None,
                  service: ExplainService | None = None) -> Finding:
    """Pass for a 2xx reply; otherwise a failure titled with its cause (from the reply's
    category), the code and the command it answered."""
    if reply.code is not None and 200 <= reply.code < 300:
        return Finding(finding_id, Step.SEND, Status.PASS, ok_title, str(reply), details,
                       reply=reply, duration_ms=elapsed)
    category, reason, articles = interpret(reply, command, service)
    if reply.code is not None and 400 <= reply.code < 500:
        reason += TEMPORARY_NOTE
    code = " ".join(str(p) for p in (reply.code, reply.enhanced) if p)
    title = (f"{headline_for(category, facts or {})} "
             f"({code} to {COMMAND_WORDS.get(command, command)})")
    return Finding(finding_id, Step.SEND, Status.FAIL, title, reason,
                   details, reply=reply, category=category, articles=articles,
                   duration_ms=elapsed)


def outside_recipient(target: Target) -> bool:
    """Is the recipient's domain neither the sender's nor the server's own (the server's host
    name or a parent of it)? Only mail to such a domain tests relaying."""
    rcpt = (target.recipient_domain or "").lower().rstrip(".")
    if not rcpt:
        return False
    sender = (target.sender_domain or "").lower().rstrip(".")
    host = (target.host or "").lower().rstrip(".")
    return not (rcpt == sender or host == rcpt or host.endswith("." + rcpt))


def relay_outcome(outside: bool, mail: Reply, rcpt: Reply | None,
                  service: ExplainService | None = None) -> str:
    """"accepted" (an outside recipient was taken), "refused" (relaying, or mail without a
    login, was refused) or "untested" (a local recipient, or another refusal)."""
    refusing = {"relay-denied", "auth-required"}
    if mail.code != 250:
        return "refused" if interpret(mail, "MAIL", service)[0] in refusing else "untested"
    if rcpt is None:
        return "untested"
    if rcpt.code in (250, 251):
        return "accepted" if outside else "untested"
    return "refused" if interpret(rcpt, "RCPT", service)[0] in refusing else "untested"


def _broken(finding_id: str, exc: SmtpIOError, elapsed: int, timeout: float) -> Finding:
    if is_slow_reply(exc):
        return io_finding(finding_id, Step.SEND, exc, timeout, "", elapsed,
                          {"error": str(exc)})
    return Finding(finding_id, Step.SEND, Status.FAIL, "The connection broke while sending",
                   f"{exc}.", {"error": str(exc)}, category=exc.category, duration_ms=elapsed)


async def check_send(target: Target, ctx: CheckContext) -> list[Finding]:
    session = ctx.smtp
    caps = ctx.caps
    facts = facts_of(target)
    if session is None or not session.connected:
        return [Finding("send.mail_from", Step.SEND, Status.SKIP, "Sending not checked",
                        "There is no connection to the server.")]
    if not (target.mail_from and target.rcpt_to):
        return [Finding("send.mail_from", Step.SEND, Status.SKIP, "No sender and recipient given",
                        "Sending was not tested: give a sender and a recipient address to test "
                        "whether the server takes mail.",
                        next=NextStep("Give a sender and a recipient address and run the check "
                                      "again, to test whether the server takes mail.", "you",
                                      {"kind": "rerun", "ask": ["mail_from", "rcpt_to"]}))]
    sender, sender_utf8 = wire_address(target.mail_from)
    recipient, recipient_utf8 = wire_address(target.rcpt_to)
    utf8 = bool(caps and caps.has("SMTPUTF8"))
    if (sender_utf8 or recipient_utf8) and not utf8:
        which = target.mail_from if sender_utf8 else target.rcpt_to
        return [Finding(
            "send.smtputf8", Step.SEND, Status.FAIL,
            f"This server cannot take the international address {which}",
            "The part before the @ has letters outside ASCII, which needs the SMTPUTF8 "
            "extension, and this server does not offer it; the wizard did not send the address "
            "raw (servers garble or reject it).", {"address": which, "smtputf8": False},
            category="protocol-error",
            next=NextStep("Use an address with only ASCII letters before the @, or a server "
                          "that supports international addresses (SMTPUTF8).", "you",
                          {"kind": "rerun", "ask": ["mail_from" if sender_utf8 else "rcpt_to"]}))]
    message = test_message(target)
    mail = f"MAIL FROM:<{sender}>"
    if caps and caps.has("SIZE"):
        mail += f" SIZE={len(message)}"
    if sender_utf8 or recipient_utf8:
        mail += " SMTPUTF8"
    rcpt = f"RCPT TO:<{recipient}>"
    details: dict[str, Any] = {
        "mail_from": target.mail_from, "rcpt_to": target.rcpt_to,
        "pipelining": bool(caps and caps.has("PIPELINING")), "size": len(message),
        "authenticated": ctx.authenticated, "outside_recipient": outside_recipient(target)}
    start = time.monotonic()
    try:
        if caps and caps.has("PIPELINING"):  # one round trip instead of three
            group = [mail, rcpt] if target.send else [mail, rcpt, "QUIT"]
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
        return [_broken("send.mail_from", exc, elapsed_ms(start), target.timeout)]
    elapsed = elapsed_ms(start)
    details["relay"] = relay_outcome(details["outside_recipient"], mail_reply, rcpt_reply,
                                     ctx.explain)
    findings = [reply_finding("send.mail_from", "MAIL", mail_reply,
                              f"Sender {target.mail_from} accepted", elapsed, details, facts,
                              ctx.explain)]
    if mail_reply.code != 250:
        return findings
    assert rcpt_reply is not None
    findings.append(reply_finding("send.rcpt_to", "RCPT", rcpt_reply,
                                  f"Recipient {target.rcpt_to} accepted", 0, details, facts,
                                  ctx.explain))
    if rcpt_reply.code not in (250, 251):
        return findings
    if not target.send:
        findings.append(Finding(
            "send.data", Step.SEND, Status.PASS, "The server would take this mail",
            "It accepted the sender and the recipient. Nothing was delivered (the wizard "
            "stopped before the message); sending one test message is an option.",
            {"delivered": False}))
        return findings
    start = time.monotonic()
    try:
        final = await session.data(message)
    except SmtpIOError as exc:
        findings.append(_broken("send.data", exc, elapsed_ms(start), target.timeout))
        return findings
    elapsed = elapsed_ms(start)
    queue_id = _queue_id(final.text) if final.code == 250 else None
    accepted_at = datetime.now(UTC).isoformat(timespec="seconds") if final.code == 250 else None
    findings.append(reply_finding("send.data", "DATA", final,
                                  "The test message was accepted" + (
                                      f" (queue id {queue_id})" if queue_id else ""), elapsed,
                                  {"delivered": final.code == 250, "size": len(message),
                                   "final_reply": str(final), "queue_id": queue_id,
                                   "message_id": message_id(message),
                                   "accepted_at": accepted_at}, facts,
                                  ctx.explain))
    return findings
