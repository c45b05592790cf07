"""The AUTH step: PLAIN, LOGIN, CRAM-MD5 or XOAUTH2, never in clear unless explicitly allowed.

The exchanges are written here (not with aiosmtplib's ``auth_*``) so that every line goes through
the transcript, which redacts the secret forms as they are recorded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from wizard.context import CheckContext
from wizard.findings import Finding, Reply, Status, Step
from wizard.smtp.interpret import interpret
from wizard.smtp.session import SmtpIOError, SmtpSession, elapsed_ms
from wizard.target import Target

PREFERENCE = ("PLAIN", "LOGIN", "CRAM-MD5")
AUTH_CATEGORIES = {"auth-failed", "auth-app-password", "auth-required", "auth-mechanism",
                   "auth-disabled", "tls-required"}
_BY_CODE = {535: "auth-failed", 534: "auth-app-password", 530: "auth-required",
            538: "auth-mechanism", 504: "auth-mechanism", 454: "auth-failed"}


def _b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(raw).decode()


def auth_category(reply: Reply) -> str:
    """The category of a refused AUTH (pure): the words first, then the code."""
    category = interpret(reply, "AUTH")[0]
    if category in AUTH_CATEGORIES:
        return category
    if reply.code == 530 or reply.code == 454:
        lowered = reply.text.lower()
        if "starttls" in lowered or "tls" in lowered.split() or "encrypt" in lowered:
            return "tls-required"
    return _BY_CODE.get(reply.code or 0, category if category != "unknown" else "auth-failed")


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


async def check_auth(target: Target, ctx: CheckContext) -> list[Finding]:
    """Log in with the given credentials, or report what the server would accept."""
    session: SmtpSession | None = ctx.state.get("smtp")
    caps = ctx.state.get("caps")
    offered = caps.auth_mechanisms if caps else []
    secret = target.oauth_token or target.password
    if session is None or not session.connected:
        return [Finding("auth.login", Step.AUTH, Status.SKIP, "Authentication not checked",
                        "There is no connection to the server.")]
    if not target.user:
        summary = (f"The server offers AUTH {' '.join(offered)}." if offered else
                   "The server offers no AUTH; it may accept mail only for its own domains.")
        return [Finding("auth.login", Step.AUTH, Status.SKIP, "No user name given",
                        summary + " Give --user to test a login.", {"offered": offered})]
    if not session.encrypted and not target.allow_plaintext_auth:
        ctx.state["auth_refused"] = True
        return [Finding(
            "auth.plaintext", Step.AUTH, Status.FAIL,
            "Not sending the password over an unencrypted connection",
            "The connection is not encrypted, so the password would be readable by anyone on "
            "the path. Use port 587 with STARTTLS or 465 with implicit TLS (the TLS step says "
            "what the server offers). To test anyway on a trusted network, pass "
            "--allow-plaintext-auth.", {"encrypted": False, "offered": offered},
            category="tls-not-offered")]
    if not offered:
        return [Finding(
            "auth.offered", Step.AUTH, Status.FAIL, "The server does not offer AUTH",
            "Its EHLO reply lists no AUTH mechanisms, so it cannot check a password here. "
            "Submission servers offer AUTH on 587/465 (often only after STARTTLS); port 25 "
            "usually does not. Check the host and port.",
            {"offered": [], "encrypted": session.encrypted}, category="auth-not-offered")]
    if secret is None:
        return [Finding("auth.login", Step.AUTH, Status.SKIP, "No password given",
                        "Give the password with --password-env VAR or --password-stdin.",
                        {"offered": offered})]
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
        ctx.state["stop"] = "auth"
        return [Finding("auth.login", Step.AUTH, Status.FAIL,
                        "The connection broke during authentication", str(exc),
                        {"mechanism": mechanism}, category="connection-dropped",
                        duration_ms=elapsed_ms(start))]
    elapsed = elapsed_ms(start)
    details = {"mechanism": mechanism, "offered": offered, "user": target.user}
    if reply.code == 235:
        ctx.state["authenticated"] = True
        return [Finding("auth.login", Step.AUTH, Status.PASS,
                        f"Logged in as {target.user} with {mechanism}", f"{reply}", details,
                        reply=reply, duration_ms=elapsed)]
    ctx.state["stop"] = "auth"
    category = auth_category(reply)
    _, reason, articles = interpret(reply, "AUTH")
    titles = {
        "auth-failed": "The server rejected the user name or password",
        "auth-app-password": "The account needs an app password (or OAuth), not the password",
        "auth-required": "The server requires authentication first",
        "auth-mechanism": f"The server would not accept AUTH {mechanism}",
        "auth-disabled": "SMTP AUTH is turned off for this account",
        "tls-required": "The server wants TLS before AUTH",
    }
    return [Finding("auth.login", Step.AUTH, Status.FAIL, titles.get(category, "Login failed"),
                    reason, details, reply=reply, category=category,
                    articles=[category, *(a for a in articles if a != category)],
                    duration_ms=elapsed)]
