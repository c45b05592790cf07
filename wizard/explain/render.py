"""Explanations as text for a terminal: one rendering rule for everything ``explain`` prints.

Every piece of text that did not come from this program (the reply, article titles from a
team's ``--knowledge`` folder, provider names from a providers folder) goes through
:func:`wizard.output.safetext.printable` line by line, so no escape sequence reaches the terminal
and a
multi-line paste shows as lines, not ``\\x0a``. Long values wrap at word boundaries under their
label; a cut value ends at a word and says how much was left out. No colours, no markup.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from wizard.catalog.words import words
from wizard.output.safetext import printable

if TYPE_CHECKING:
    from wizard.explain.service import Explanation

__all__ = ["render_text", "shorten"]

LABEL = 11
WIDTH = 100
MAX_SHOWN = 600
"""How much of the reply the text output repeats (the whole reply is in --format json)."""

WHO_WORDS = words().who_explain  # wizard/catalog/data/words.toml
CLASS_WORDS = words().reply_class


def shorten(text: str, limit: int) -> tuple[str, int]:
    """``text`` cut to at most ``limit`` characters at a word boundary, and how much was cut."""
    if len(text) <= limit:
        return text, 0
    cut = text.rfind(" ", 0, limit)
    if cut < limit // 2:  # one enormous word: cut it, there is no boundary to keep
        cut = limit
    return text[:cut].rstrip(), len(text) - cut


def _field(label: str, value: str) -> list[str]:
    """``label:`` then ``value`` wrapped at words, continuation lines indented under it."""
    head = f"{label + ':':<{LABEL}}"
    lines = []
    for i, part in enumerate(value.splitlines() or [""]):
        wrapped = textwrap.wrap(part, WIDTH - LABEL, break_long_words=False,
                                break_on_hyphens=False) or [""]
        for j, piece in enumerate(wrapped):
            lines.append((head if i == 0 and j == 0 else " " * LABEL) + piece)
    return lines


def _shown_input(text: str) -> str:
    """The reply as the person pasted it: its own lines, each made printable, cut at a word."""
    lines = [printable(line.rstrip()) for line in text.strip().splitlines() if line.strip()]
    joined = "\n".join(lines)
    shown, cut = shorten(joined, MAX_SHOWN)
    return shown + (f" ... ({cut:,} more characters)" if cut else "")


def render_text(result: Explanation, provider_name: str | None = None,
                commands: bool = True) -> str:
    """The person-facing explanation of one reply (``commands``: the CLI lines that act on it;
    the TUI, whose users act with keys, leaves them out)."""
    from wizard.catalog.categories import CATEGORIES
    from wizard.catalog.status_codes import describe_enhanced

    out: list[str] = []
    if result.recipient:
        out += _field("Recipient", printable(result.recipient))
    out += _field("Server", _shown_input(result.input))
    if result.truncated:
        out += _field("Note", f"the reply was cut to its first {len(result.input):,} characters"
                              f" ({result.truncated:,} more were not read)")
    klass = CLASS_WORDS.get(result.klass)
    out += _field("Problem", f"{result.category} ({klass})" if klass else result.category)
    if result.provider:
        out += _field("Provider", printable(provider_name or result.provider))
    codes = " ".join(str(c) for c in (result.code, result.enhanced) if c)
    if codes:
        desc = describe_enhanced(result.enhanced) if result.enhanced else None
        out += _field("Reply", codes + (f" ({desc})" if desc else ""))
    out += _field("Means", CATEGORIES.get(result.category, ""))
    out += _field("Why", printable(result.summary))
    if result.note:
        out += _field("Note", printable(result.note))
    out += _field("Who", WHO_WORDS.get(result.next.who, result.next.who))
    out += _field("Do now", printable(result.next.next_step))
    if result.next_command and commands:
        out += _field("Run", printable(result.next_command))
    for article_id, title in result.articles[:3]:
        out += _field("Read", f"smtp-wizard kb show {printable(article_id)}  ({printable(title)})"
                      if commands else printable(title))
    return "\n".join(out) + "\n"
