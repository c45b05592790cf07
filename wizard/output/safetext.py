"""Make untrusted text (server replies, DNS records) safe to show in a terminal or a report.

Control characters (C0, DEL, C1: the bytes that start ANSI/OSC escape sequences, move the cursor,
set the title or write the clipboard) are replaced by visible ``\\xNN`` escapes. Markup such as
``[b]`` is left as text here: the TUI shows it with markup disabled, and plain text never parses it.
Lone surrogates (undecodable bytes a server sent) are shown as escapes too, so writing the text
never fails. :func:`json_text` is the one JSON encoder for output: controls, DEL, C1, U+2028/9 and
lone surrogates are ``\\uXXXX`` escapes, so the document is valid UTF-8 JSON and a terminal
showing it raw obeys nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that did not decode (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as ``\\xNN`` (newlines kept if asked)."""
    pattern = _CONTROL if keep_newlines else _CONTROL_ALL
    return pattern.sub(lambda m: _escape(m.group()), text)


def json_text(value: Any, **options: Any) -> str:
    """``value`` as JSON (UTF-8 letters kept) with every character a terminal or a UTF-8
    encoder could trip on escaped. Those characters only occur inside JSON strings, where a
    ``\\uXXXX`` escape means the same."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def markdown_inline(text: str) -> str:
    """``text`` safe inside a Markdown table cell or inline code span."""
    return printable(text).replace("|", "\\|").replace("`", "'")
