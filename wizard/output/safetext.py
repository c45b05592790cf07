"""Make untrusted text (server replies, DNS records) safe to show in a terminal or a report.

Control characters (C0, DEL, C1: the bytes that start ANSI/OSC escape sequences, move the cursor,
set the title or write the clipboard) are replaced by visible ``\\xNN`` escapes. Markup such as
``[b]`` is left as text here: the TUI shows it with markup disabled, and plain text never parses it.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as ``\\xNN`` (newlines kept if asked)."""
    pattern = _CONTROL if keep_newlines else _CONTROL_ALL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def markdown_inline(text: str) -> str:
    """``text`` safe inside a Markdown table cell or inline code span."""
    return printable(text).replace("|", "\\|").replace("`", "'")
