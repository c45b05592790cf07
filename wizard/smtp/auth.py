"""The AUTH step: PLAIN, LOGIN, CRAM-MD5 or XOAUTH2, never in clear unless explicitly allowed.

The exchanges are written here (not with aiosmtplib's ``auth_*``) so that every line goes through
the transcript, which redacts the secret forms as they are recorded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import TYPE_CHECKING

from wizard.catalog.categories import headline_for
from wizard.model.findings import Finding, NextStep, Reply, Status, Step
from wizard.model.target import Target, facts_of
from wizard.smtp.interpret import interpret
from wizard.smtp.session import SmtpIOError, SmtpSession, elapsed_ms
from wizard.smtp.slow_reply import io_finding
from wizard.walk.context import CheckContext

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService

PREFERENCE = ("PLAIN", "LOGIN", "CRAM-MD5")
AUTH_CATEGORIES = {"auth-failed", "auth-app-password", "auth-required", "auth-mechanism",
                   "auth-disabled", "tls-required"}


def _b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(raw).decode()


def auth_category(reply: Reply, service: ExplainService | None = None) -> str:
    """The category of a refused AUTH (pure): the words first, then the code alone, both read
    through the rules data (``rules.toml``; the bare code meets its ``[[basic]]`` rows)."""
    category = interpret(reply, "AUTH", service)[0]
    if category in AUTH_CATEGORIES:
        return category
    if reply.code == 530 or reply.code == 454:
        lowered = reply.text.lower()
        if "starttls" in lowered or "tls" in lowered.split() or "encrypt" in lowered:
            return "tls-required"
    by_code = interpret(Reply(reply.code, None, ""), "AUTH", service)[0]
    if by_code in AUTH_CATEGORIES:
        return by_code
    return category if category != "unknown" else "auth-failed"


def choose_mechanism(offered: list[str], oauth: bool) -> str | None:
    if oauth:
        return "XOAUTH2" if "XOAUTH2" in offered else None
    return next((m for m in PREFERENCE if m in offered), None)


async def _exchange(session: SmtpSession, mechanism: str, user: str, secret: str) -> Reply:
    if mechanism == "PLAIN":
        blob = _b64("\0" + user + "\0" + secret)
        return await session.command(f"AUTH PLAIN {blob}")
    if mechanism == "XOAUTH2":
        blob = _b64("user=" + user + "\x01auth=Bearer " + secret + "\x01\x01")
        reply = await session.command(f"AUTH XOAUTH2 {blob}")
        if reply.code == 334:  # the error details come as a challenge; answer empty
            reply = await session.command("")
        return reply
    if mechanism == "LOGIN":
        reply = await session.command("AUTH LOGIN")
        if reply.code != 334:
            return reply
        reply = await session.command(_b64(user))
        if reply.code != 334:
            return reply
        return await session.command(_b64(secret))
    reply = await session.command("AUTH CRAM-MD5")
    if reply.code != 334:
        return reply
    try:
        challenge = base64.b64decode(reply.text.strip() + "==", validate=False)
    except ValueError:
        challenge = b""
    digest = hmac.new(secret.encode(), challenge, hashlib.md5).hexdigest()
    return await session.command(_b64(f"{user} {digest}"))


def _headline(category: str, target: Target, mechanism: str) -> str:
    if category == "auth-mechanism":
        return f"The server would not accept AUTH {mechanism}"
    return headline_for(category, facts_of(target))


def password_rejected(reply: Reply | None) -> bool:
    """A reply that refused the password itself (535, 5.7.8; 534 5.7.9 wants another kind):
    sending the same password again can only lock the account."""
    if reply is None:
        return False
    return reply.code == 535 or reply.enhanced in ("5.7.8", "5.7.9")


async def check_auth(target: Target, ctx: CheckContext) -> list[Finding]:
    """Log in with the given credentials, or report what the server would accept.

    Every finding records (contract, for a saved session): ``authenticated`` (True only when
    235 came back), ``auth_offered`` (the last EHLO listed AUTH) and ``password_rejected``.
    """
    findings = await _check_auth(target, ctx)
    offered = bool(ctx.caps and ctx.caps.auth_mechanisms)
    for finding in findings:
        finding.details["authenticated"] = ctx.authenticated and finding.status is Status.PASS
        finding.details["auth_offered"] = offered
        finding.details["password_rejected"] = password_rejected(finding.reply)
    return findings


async def _check_auth(target: Target, ctx: CheckContext) -> list[Finding]:
    session = ctx.smtp
    caps = ctx.caps
    offered = caps.auth_mechanisms if caps else []
    starttls_offered = bool(caps and caps.has("STARTTLS"))
    secret = target.oauth_token or target.password
    if session is None or not session.connected:
        return [Finding("auth.login", Step.AUTH, Status.SKIP, "Authentication not checked",
                        "There is no connection to the server.")]
    if not target.user:
        summary = (f"The server offers AUTH {' '.join(offered)}." if offered else
                   "The server offers no AUTH; it may accept mail only for its own domains.")
        return [Finding("auth.login", Step.AUTH, Status.SKIP, "No user name given",
                        summary + " Give a user name to test a login.", {"offered": offered},
                        next=NextStep("Give your user name and password to test the login your "
                                      "mail client uses.", "you",
                                      {"kind": "rerun", "ask": ["user", "password"]}))]
    if not session.encrypted and not target.allow_plaintext_auth:
        if starttls_offered:  # the user chose no encryption although the server offers it
            return [Finding(
                "auth.plaintext", Step.AUTH, Status.FAIL,
                "Logging in needs encryption: the server offers STARTTLS, but it was not used",
                "The security was set to none, so the password would cross the network "
                "readable by anyone on the path. The server offers STARTTLS: use it.",
                {"encrypted": False, "offered": offered, "starttls_offered": True},
                category="tls-required")]
        return [Finding(
            "auth.plaintext", Step.AUTH, Status.FAIL,
            "Not sending the password over an unencrypted connection",
            "The connection is not encrypted, so the password would be readable by anyone on "
            "the path. Use port 587 with STARTTLS or 465 with SSL/TLS (the TLS step says what "
            "this server offers). On a trusted network (a LAN printer or scanner), allow the "
            "password without TLS to test anyway.", {"encrypted": False, "offered": offered},
            category="tls-not-offered")]
    if not offered:
        if not session.encrypted and starttls_offered:
            return [Finding(
                "auth.offered", Step.AUTH, Status.FAIL,
                "The server accepts logins only after STARTTLS",
                "Its EHLO reply before encryption lists no AUTH but offers STARTTLS: servers "
                "set up this way take a password only over an encrypted connection.",
                {"offered": [], "encrypted": False}, category="tls-required")]
        return [Finding(
            "auth.offered", Step.AUTH, Status.FAIL, "The server does not offer AUTH",
            "Its EHLO reply lists no AUTH mechanisms, so it cannot check a password here. "
            "Submission servers offer AUTH on 587/465 (often only after STARTTLS); port 25 "
            "usually does not. Check the host and port.",
            {"offered": [], "encrypted": session.encrypted}, category="auth-not-offered")]
    if secret is None:
        return [Finding("auth.login", Step.AUTH, Status.SKIP, "No password given",
                        f"A user name ({target.user}) was given but no password, so the login "
                        "was not tested.", {"offered": offered},
                        next=NextStep(f"Give the password of {target.user} and run the check "
                                      "again.", "you", {"kind": "rerun", "ask": ["password"]}))]
    mechanism = choose_mechanism(offered, target.oauth_token is not None)
    if mechanism is None:
        wanted = "XOAUTH2" if target.oauth_token else " / ".join(PREFERENCE)
        return [Finding(
            "auth.mechanism", Step.AUTH, Status.FAIL, "No usable AUTH mechanism",
            f"The server offers {' '.join(offered)}, and this test needs {wanted}.",
            {"offered": offered}, category="auth-mechanism")]
    start = time.monotonic()
    try:
        reply = await _exchange(session, mechanism, target.user, secret.reveal())
    except SmtpIOError as exc:
        return [io_finding("auth.login", Step.AUTH, exc, target.timeout,
                           "The connection broke during authentication", elapsed_ms(start),
                           {"mechanism": mechanism})]
    elapsed = elapsed_ms(start)
    details = {"mechanism": mechanism, "offered": offered, "user": target.user}
    if reply.code == 235:
        ctx.authenticated = True
        return [Finding("auth.login", Step.AUTH, Status.PASS,
                        f"Logged in as {target.user} with {mechanism}", f"{reply}", details,
                        reply=reply, duration_ms=elapsed)]
    category = auth_category(reply, ctx.explain)
    _, reason, articles = interpret(reply, "AUTH", ctx.explain)
    return [Finding("auth.login", Step.AUTH, Status.FAIL,
                    _headline(category, target, mechanism), reason, details, reply=reply,
                    category=category,
                    articles=[category, *(a for a in articles if a != category)],
                    duration_ms=elapsed)]
