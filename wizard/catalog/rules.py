"""Classification rules as data: read the rule files into :class:`Rule` objects.

A rule names a category and the conditions that must all hold: ``words`` (any one of them in
the lower-cased reply; plain substrings, or a regex after a ``re:`` prefix), basic ``codes``
(``550``, or ``"5xx"``), ``enhanced`` codes (``"5.7.26"``, ``"*.2.2"`` any class, ``"*.5.*"``
any detail, ``"4.7.5xx"`` a range), the ``commands`` it answered and the ``provider`` that sent
it. Which rule wins is decided by order (see :mod:`wizard.explain.engine`), never by numbers.
This module only reads and checks the data; it does not classify anything.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from wizard.catalog.categories import CATEGORIES
from wizard.catalog.literals import anchors
from wizard.model.errors import WizardError

__all__ = ["Rule", "RuleError", "Word", "builtin_rules", "command_fallbacks", "enhanced_matches",
           "enhanced_parts", "load_rule_file", "rule_from"]

REGEX_PREFIX = "re:"
FILE_TIERS = ("cause", "text", "enhanced", "vague", "basic")
"""The tables a rule file may hold (their order among all tiers is the engine's)."""
FALLBACK = "fallback"
"""``rules.toml``'s table read after the engine, by the live checks only: the command a
permanent reply answered, when its words and codes said nothing (see :func:`command_fallbacks`)."""
CLASSES = ("success", "temporary", "permanent")
_PART = r"(?:\d{1,3}|\*|\d{0,2}x{1,3})"
_ENH_PATTERN = re.compile(rf"^[245*]\.{_PART}\.{_PART}$")
_CODE_PATTERN = re.compile(r"^[2-5](?:\d\d|xx)$")
KNOWN_KEYS = frozenset((
    "category", "words", "codes", "enhanced", "commands", "provider", "also", "fix", "note",
    "class", "source", "example", "client", "text", "code", "who",
))


class RuleError(WizardError):
    """A rule file that cannot be used; the message names the file, the rule and the problem."""


@dataclass(frozen=True)
class Word:
    """One thing to look for: a plain lower-case substring, or a regex with its anchors."""

    text: str
    regex: bool = False
    anchors: tuple[str, ...] | None = None  # for a regex: literals one of which it needs

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.text)


@dataclass(frozen=True)
class Rule:
    """One way to recognise a category (all conditions given must hold)."""

    category: str
    tier: str
    words: tuple[Word, ...] = ()
    codes: frozenset[int] = frozenset()
    enhanced: tuple[str, ...] = ()
    commands: frozenset[str] = frozenset()
    provider: str | None = None
    also: tuple[str, ...] = ()
    fix: str | None = None
    note: str | None = None
    origin: str = ""
    article: str | None = None
    source: str | None = None
    client: str | None = None

    @cached_property
    def enhanced_parts(self) -> tuple[tuple[str, str, str], ...]:
        return tuple(enhanced_parts(e) for e in self.enhanced)

    @property
    def patterns(self) -> tuple[str, ...]:
        """The words as written (regexes without their prefix), for tools and tests."""
        return tuple(w.text for w in self.words)

    def conditions_hold(self, code: int | None, enhanced: str | None, command: str | None,
                        provider: str | None) -> bool:
        """Everything but the words (cheapest checks first)."""
        if self.provider and provider != self.provider:
            return False
        if self.codes and code not in self.codes:
            return False
        if self.commands and command not in self.commands:
            return False
        return not (self.enhanced and not (enhanced and enhanced_matches(self.enhanced_parts,
                                                                          enhanced)))


def enhanced_parts(pattern: str) -> tuple[str, str, str]:
    """``"4.7.5xx"`` as its three parts (checked by :func:`enhanced_matches`)."""
    klass, subject, detail = pattern.split(".")
    return klass, subject, detail


def _part_matches(pattern: str, value: str) -> bool:
    if pattern == "*":
        return True
    if "x" not in pattern:
        return pattern == value
    return len(pattern) == len(value) and all(p in ("x", v) for p, v in zip(pattern, value,
                                                                           strict=True))


def enhanced_matches(patterns: tuple[tuple[str, str, str], ...], code: str) -> bool:
    """Whether the enhanced ``code`` ("5.7.26") matches any pattern: ``*`` is any number
    (``"*.2.2"``), ``x`` any digit (``"4.7.5xx"``). No regex: cheap to load and to run."""
    parts = code.split(".")
    if len(parts) != 3:
        return False
    return any(_part_matches(p[0], parts[0]) and _part_matches(p[1], parts[1])
               and _part_matches(p[2], parts[2]) for p in patterns)


def word_from(value: str, where: str) -> Word:
    """A :class:`Word` from its data form (``"relay access denied"`` or ``"re:..."``)."""
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{where}: a word must be a non-empty string, got {value!r}")
    if value.startswith(REGEX_PREFIX):
        pattern = value[len(REGEX_PREFIX):]
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RuleError(f"{where}: bad regex {pattern!r}: {exc}") from None
        found = anchors(pattern)
        return Word(pattern, True, tuple(found) if found else None)
    return Word(value.lower())


def _codes(values: Any, where: str) -> frozenset[int]:
    out: set[int] = set()
    for value in values if isinstance(values, list) else [values]:
        text = str(value)
        if not _CODE_PATTERN.match(text):
            raise RuleError(f"{where}: code {value!r} is not like 550 or \"5xx\"")
        if text.endswith("xx"):
            base = int(text[0]) * 100
            out.update(range(base, base + 100))
        else:
            out.add(int(text))
    return frozenset(out)


def rule_from(row: dict[str, Any], tier: str, where: str, provider: str | None = None) -> Rule:
    """Check one rule's data and build it (raises RuleError naming ``where``)."""
    unknown = set(row) - KNOWN_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    category = row.get("category")
    if category not in CATEGORIES:
        raise RuleError(f"{where}: unknown category {category!r}")
    words_data = row.get("words", row.get("text", []))
    if isinstance(words_data, str):
        words_data = [words_data]
    words = tuple(word_from(w, where) for w in words_data)
    enhanced = row.get("enhanced", [])
    if isinstance(enhanced, str):
        enhanced = [enhanced]
    for enh in enhanced:
        if not isinstance(enh, str) or not _ENH_PATTERN.match(enh):
            raise RuleError(f"{where}: enhanced code {enh!r} is not like \"5.7.26\" or \"4.7.5xx\"")
    codes = _codes(row.get("codes", row.get("code", [])), where)
    commands = row.get("commands", [])
    if isinstance(commands, str):
        commands = [commands]
    klass = row.get("class")
    if klass is not None and klass not in CLASSES:
        raise RuleError(f"{where}: class {klass!r} is not one of {', '.join(CLASSES)}")
    also = tuple(row.get("also", ()))
    if not (words or codes or enhanced or commands):
        raise RuleError(f"{where}: a rule needs words, codes, enhanced codes or commands")
    return Rule(
        category=category, tier=tier, words=words, codes=codes, enhanced=tuple(enhanced),
        commands=frozenset(c.upper() for c in commands),
        provider=row.get("provider", provider), also=also, fix=row.get("fix"),
        note=row.get("note"), origin=where, source=row.get("source"), client=row.get("client"),
    )


def load_rule_file(path: Path | str, text: str | None = None) -> dict[str, list[Rule]]:
    """The rules of one file by tier (``[[cause]]``, ``[[text]]``, ``[[enhanced]]``,
    ``[[vague]]``, ``[[basic]]``), in order."""
    name = Path(path).name
    try:
        data = tomllib.loads(text if text is not None else Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{name}: cannot read: {exc}") from None
    out: dict[str, list[Rule]] = {}
    for tier, rows in data.items():
        if tier not in (*FILE_TIERS, FALLBACK) or not isinstance(rows, list):
            raise RuleError(f"{name}: unknown table [{tier}] (use "
                            + ", ".join(f"[[{t}]]" for t in FILE_TIERS) + ")")
        out[tier] = [rule_from(row, tier, f"{name} [[{tier}]] #{i + 1}")
                     for i, row in enumerate(rows)]
    for i, rule in enumerate(out.get(FALLBACK, ())):
        if rule.words or rule.enhanced or rule.provider or not (rule.commands and rule.codes):
            raise RuleError(f"{name} [[{FALLBACK}]] #{i + 1}: a fallback names commands and "
                            "codes only (it applies when the words said nothing)")
    return out


def _data_dir() -> Path:
    return Path(__file__).resolve().parent / "data"


@cache
def command_fallbacks() -> tuple[Rule, ...]:
    """``rules.toml``'s ``[[fallback]]`` rows, in order: for a live reply the engine calls
    ``unknown``, the command it answered still narrows the category down."""
    loaded = load_rule_file("rules.toml", (_data_dir() / "rules.toml").read_text("utf-8"))
    return tuple(loaded.get(FALLBACK, ()))


def builtin_rules() -> list[Rule]:
    """The rule files shipped in ``wizard/catalog/data`` (not the providers or articles), each
    rule in the tier its table names."""
    data = _data_dir()
    out: list[Rule] = []
    for name, tiers in (("client_errors.toml", {"text": "client"}),
                        ("rules.toml", {"cause": "cause", "text": "text",
                                        "enhanced": "enhanced", "vague": "vague",
                                        "basic": "basic"})):
        entry = data / name
        loaded = load_rule_file(name, entry.read_text("utf-8"))
        for tier, rules in loaded.items():
            if tier == FALLBACK and name == "rules.toml":
                continue  # not an engine tier: command_fallbacks() reads it
            if tier not in tiers:
                raise RuleError(f"{name}: [[{tier}]] is not allowed in this file")
            out.extend(_retier(r, tiers[tier]) for r in rules)
    return out


def _retier(rule: Rule, tier: str) -> Rule:
    if rule.tier == tier:
        return rule
    return replace(rule, tier=tier)
