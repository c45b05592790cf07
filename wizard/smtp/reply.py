"""Turn aiosmtplib's (code, message) into our Reply, pulling out the enhanced status code."""

from __future__ import annotations

import re

from wizard.model.findings import Reply

_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)")


def to_reply(code: int, message: str) -> Reply:
    """Lines joined by spaces; the enhanced code (if the first line has one) split out."""
    lines = [line.strip() for line in message.split("\n")]
    enhanced = None
    match = _ENHANCED.match(lines[0]) if lines else None
    if match:
        enhanced = match.group(0)
        lines = [_ENHANCED.sub("", line, count=1).strip() for line in lines]
    text = " ".join(line for line in lines if line)
    return Reply(code=code if 0 < code < 1000 else None, enhanced=enhanced, text=text)
