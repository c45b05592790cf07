"""The wording tables (``data/words.toml``): who must act, security words, field names, reply
class, verdict labels and retry wording, each a small typed mapping, checked when it loads.

Only words live here, never a rule: which words apply is each caller's business.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from types import MappingProxyType

from wizard.model.errors import WizardError
from wizard.model.target import FIELDS_BY_NAME, Security

__all__ = ["Words", "WordsError", "parse_words", "words"]

_WHO = frozenset({"you", "your-mail-admin", "recipient-admin", "provider"})
_CLASSES = frozenset({"success", "temporary", "permanent", "unknown"})
_STATUSES = frozenset({"pass", "warn", "fail", "skip", "error"})


class WordsError(WizardError):
    """A wording file that cannot be used; the message names the table and the problem."""


@dataclass(frozen=True)
class Words:
    """One field per table of ``words.toml`` (see the file for who reads which)."""

    who: Mapping[str, str]
    who_short: Mapping[str, str]
    who_explain: Mapping[str, str]
    security: Mapping[str, str]
    client_security: Mapping[str, str]
    probe_mode: Mapping[str, str]
    field: Mapping[str, str]
    fact: Mapping[str, str]
    reply_class: Mapping[str, str]
    reply_class_long: Mapping[str, str]
    headers_verdict: Mapping[str, str]
    retry: Mapping[str, str]


# The keys each table must have exactly (None: a subset of ``_ALLOWED``).
_EXACT: dict[str, frozenset[str]] = {
    "who": _WHO, "who_short": _WHO, "who_explain": _WHO,
    "security": frozenset(s.value for s in Security),
    "probe_mode": frozenset({"implicit-tls", "starttls", "plain"}),
    "retry": frozenset({"seconds", "minutes", "hours", "action", "rerun_one", "rerun_many"}),
}
_ALLOWED: dict[str, frozenset[str]] = {
    "client_security": frozenset(s.value for s in Security),
    "field": frozenset(FIELDS_BY_NAME) | {"nameserver", "dkim_selector"},
    "fact": frozenset(FIELDS_BY_NAME) | {"recipient_domain"},
    "reply_class": _CLASSES, "reply_class_long": _CLASSES, "headers_verdict": _STATUSES,
}


def parse_words(text: str, name: str = "words.toml") -> Words:
    """Check ``text`` (every table present, its keys known, every value a non-empty string)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WordsError(f"{name}: cannot read: {exc}") from None
    names = [f.name for f in fields(Words)]
    extra = set(data) - set(names)
    if extra:
        raise WordsError(f"{name}: unknown table(s) {', '.join(sorted(extra))}")
    tables: dict[str, Mapping[str, str]] = {}
    for table in names:
        rows = data.get(table)
        if not isinstance(rows, dict):
            raise WordsError(f"{name}: [{table}] is missing")
        bad = [k for k, v in rows.items() if not isinstance(v, str) or not v.strip()]
        if bad:
            raise WordsError(f"{name} [{table}]: {bad[0]} must be non-empty text")
        keys = frozenset(rows)
        if table in _EXACT and keys != _EXACT[table]:
            missing, unknown = _EXACT[table] - keys, keys - _EXACT[table]
            raise WordsError(f"{name} [{table}]: " + "; ".join(
                part for part in (missing and f"missing {', '.join(sorted(missing))}",
                                  unknown and f"unknown {', '.join(sorted(unknown))}") if part))
        if table in _ALLOWED and not keys <= _ALLOWED[table]:
            raise WordsError(f"{name} [{table}]: unknown key(s) "
                             + ", ".join(sorted(keys - _ALLOWED[table])))
        tables[table] = MappingProxyType(dict(rows))
    return Words(**tables)


@cache
def words() -> Words:
    """The built-in wording tables, read once."""
    path = Path(__file__).resolve().parent / "data" / "words.toml"
    return parse_words(path.read_text("utf-8"))
