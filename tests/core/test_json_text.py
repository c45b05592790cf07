"""JSON output escapes C1 controls, U+2028/9 and lone surrogates: valid UTF-8 JSON that a
terminal showing it raw obeys nothing (issue 23 item 10)."""

from __future__ import annotations

import json

from wizard.output.safetext import json_text, printable

HOSTILE = "a\x1b]0;title\x07 \x85\x9b31m \u2028 \udcff \ud800 é"


def test_json_text_is_valid_utf8_json_with_no_raw_control():
    text = json_text({"reply": HOSTILE})
    text.encode("utf-8")  # a lone surrogate raw here would raise
    assert json.loads(text) == {"reply": HOSTILE}
    assert not any(0x7f <= ord(c) <= 0x9f or c < " " or 0xD800 <= ord(c) <= 0xDFFF
                   or c in "\u2028\u2029" for c in text)
    assert "é" in text  # letters stay readable


def test_printable_shows_undecodable_bytes_as_escapes():
    shown = printable(HOSTILE)
    shown.encode("utf-8")
    assert "\\xff" in shown and "\\ud800" in shown and "\\x85" in shown and "\x1b" not in shown
