"""A reply that came too late on a connection that stood: one ``reply-timeout`` finding.

It names what was waited for (``details["waited_for"]``, the command as the user would say it)
and always advises waiting (``retry-later``), never another port: the port works. Connect
timeouts (no TCP answer at all) stay ``connection-timeout``. The wording is data
(``wizard/catalog/data/waits.toml``).
"""

from __future__ import annotations

from typing import Any

from wizard.catalog.waits import wait_for
from wizard.model.findings import Finding, NextStep, Status, Step
from wizard.smtp.session import SmtpIOError


def is_slow_reply(exc: SmtpIOError) -> bool:
    """A timeout waiting for one reply on an open connection (not a connect timeout)."""
    return exc.waited_for is not None


def slow_reply_finding(finding_id: str, step: Step, waited_for: str, timeout: float,
                       elapsed_ms: int = 0, details: dict[str, Any] | None = None) -> Finding:
    """The finding for a reply to ``waited_for`` that did not come within ``timeout`` s."""
    row = wait_for(waited_for)
    return Finding(
        finding_id, step, Status.FAIL,
        f"The server took more than {timeout:g} s to answer {row.what}",
        f"The connection works, but no reply to {waited_for} came within {timeout:g} s. "
        f"{row.why}",
        {**(details or {}), "waited_for": waited_for, "timeout_s": timeout},
        category="reply-timeout", articles=["reply-timeout"], duration_ms=elapsed_ms,
        next=NextStep(row.next_step, "you", {"kind": "retry-later", "after_s": row.after_s}))


def io_finding(finding_id: str, step: Step, exc: SmtpIOError, timeout: float, title: str,
               elapsed_ms: int = 0, details: dict[str, Any] | None = None) -> Finding:
    """A network failure in the middle of a dialogue: a slow reply named by its command, else
    ``title`` with the error's own category."""
    if exc.waited_for is not None:
        return slow_reply_finding(finding_id, step, exc.waited_for, timeout, elapsed_ms, details)
    return Finding(finding_id, step, Status.FAIL, title, str(exc), details or {},
                   category=exc.category, duration_ms=elapsed_ms)
