"""The EHLO check: what the server says it can do, before and after TLS (HELO as a fallback)."""

from __future__ import annotations

import time

from wizard.model.findings import Finding, Status, Step
from wizard.model.target import Target
from wizard.smtp.capabilities import describe
from wizard.smtp.session import SmtpIOError, elapsed_ms
from wizard.smtp.slow_reply import is_slow_reply, slow_reply_finding
from wizard.walk.context import CheckContext


async def ehlo_finding(target: Target, ctx: CheckContext, after_tls: bool) -> list[Finding]:
    """Send EHLO; store the capabilities in ``ctx.caps``."""
    session = ctx.smtp
    assert session is not None, "EHLO needs the connect step's session"
    finding_id = "smtp.ehlo.tls" if after_tls else "smtp.ehlo"
    step = Step.TLS if after_tls else Step.CONNECT
    start = time.monotonic()
    try:
        reply, caps = await session.ehlo()
    except SmtpIOError as exc:
        if is_slow_reply(exc):
            return [slow_reply_finding(finding_id, step, "EHLO", target.timeout,
                                       elapsed_ms(start), {"error": str(exc)})]
        category = exc.category
        return [Finding(finding_id, step, Status.FAIL, "The server broke off after EHLO",
                        f"{exc}. Servers do this when they dislike the client's name or address,"
                        " or when they crash; the administrator's logs will say which.",
                        {"error": str(exc)}, category=category,
                        duration_ms=elapsed_ms(start))]
    elapsed = elapsed_ms(start)
    ctx.caps = caps
    if reply.code != 250:
        return [Finding(finding_id, step, Status.FAIL, "The server refused both EHLO and HELO",
                        f"It answered {reply}.", reply=reply, category="protocol-error",
                        duration_ms=elapsed)]
    details = caps.to_dict()
    if not caps.esmtp:
        return [Finding(finding_id, step, Status.WARN, "The server only speaks old SMTP (HELO)",
                        "It refused EHLO, so it offers no extensions: no STARTTLS, no AUTH, no "
                        "SIZE. Modern mail clients need EHLO.", details, reply=reply,
                        duration_ms=elapsed)]
    where = " after TLS" if after_tls else ""
    offered = describe(caps)
    summary = f"Offers {offered}" if offered != "no extensions" else "It offers no extensions."
    return [Finding(finding_id, step, Status.PASS, f"EHLO accepted{where}", summary, details,
                    duration_ms=elapsed)]
