"""The category ids of DESIGN.md ("Categories (contract)") and what each means for the user.

The table is data (``wizard/catalog/data/categories.toml``, loaded once): per category a one-line
meaning, the verdict headline (the cause in words), who must act, the next step, a structured
action, the walk's step the problem belongs to and an optional group (``reach``, ``side``). Ids
are a contract: add finer ones if needed, never rename.

:func:`next_step_for` fills a category's next step with the facts of a session (host, port,
domain, sending IP ...). It is pure; checks that know better than the category default (the port
that works, the name on a certificate) set their finding's own
:class:`~wizard.model.findings.NextStep`.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from wizard.catalog.words import words
from wizard.model.findings import ActionError, NextStep, Step, parse_action
from wizard.model.target import FIELDS_BY_NAME

WHO = ("you", "your-mail-admin", "recipient-admin", "provider")
ACTION_KINDS = ("rerun", "check-dns", "retry-later", "contact", "read", "none")
GROUPS = ("reach", "side")
# The names a rerun action may set or ask for: the target's fields (plus the asked-for forms).
ACTION_FIELDS = frozenset(FIELDS_BY_NAME) | {"nameserver", "dkim_selector"}


def check_action(where: str, action: dict[str, Any]) -> dict[str, Any]:
    """``action`` as loaded from a data file; ValueError naming ``where`` if it is not valid."""
    try:
        parse_action(action, ACTION_FIELDS)
    except ActionError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return action

# What an unknown fact is called in a sentence: words.toml [fact].
FACT_PHRASES = words().fact
_ONLY_FACT = re.compile(r"^\{(\w+)\}$")


@dataclass(frozen=True)
class Guide:
    """What one category means and what to do about it (defaults; see the data file)."""

    id: str
    meaning: str
    headline: str
    who: str
    next_step: str
    action: dict[str, Any] = field(default_factory=dict)
    step: Step = Step.SEND
    group: str | None = None


def _check(cid: str, row: dict[str, Any]) -> Guide:
    missing = {"meaning", "headline", "who", "next_step", "action"} - set(row)
    if missing:
        raise ValueError(f"categories.toml [{cid}]: missing {', '.join(sorted(missing))}")
    if row["who"] not in WHO:
        raise ValueError(f"categories.toml [{cid}]: who {row['who']!r} is not one of {WHO}")
    action = check_action(f"categories.toml [{cid}]", dict(row["action"]))
    step = row.get("step", Step.SEND.value)
    if step not in tuple(Step):
        raise ValueError(f"categories.toml [{cid}]: step {step!r} is not one of "
                         f"{tuple(s.value for s in Step)}")
    group = row.get("group")
    if group is not None and group not in GROUPS:
        raise ValueError(f"categories.toml [{cid}]: group {group!r} is not one of {GROUPS}")
    return Guide(cid, row["meaning"], row["headline"], row["who"], row["next_step"], action,
                 Step(step), group)


@cache
def guides() -> dict[str, Guide]:
    """Every category's guide, in the data file's order (loaded once)."""
    text = resources.files("wizard.catalog").joinpath("data/categories.toml").read_text("utf-8")
    return parse_guides(text)


def parse_guides(text: str) -> dict[str, Guide]:
    """The guides of a categories.toml text; ValueError for a missing key, an unknown action
    kind, or a rerun naming a field the target does not have (a typo fails loading)."""
    return {cid: _check(cid, row) for cid, row in tomllib.loads(text).items()}


def guide(category: str | None) -> Guide:
    """The guide of ``category`` (``unknown`` for an id that is not one)."""
    table = guides()
    return table.get(category or "unknown") or table["unknown"]


CATEGORIES: dict[str, str] = {cid: g.meaning for cid, g in guides().items()}


def is_category(value: str | None) -> bool:
    return value in CATEGORIES


class _Facts(string.Formatter):
    def __init__(self, facts: dict[str, Any]) -> None:
        self.facts = facts

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        value = self.facts.get(str(key))
        if value in (None, ""):
            return FACT_PHRASES.get(str(key), "it")
        return value


def fill(template: str, facts: dict[str, Any]) -> str:
    """``template`` with ``{fact}`` names replaced by the session's facts (or plain phrases)."""
    return _Facts(facts).format(template)


def fill_action(action: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    """The action with facts filled in; a value that is only an unknown fact is left out."""
    out: dict[str, Any] = {}
    for key, value in action.items():
        if isinstance(value, str):
            only = _ONLY_FACT.match(value)
            if only and facts.get(only.group(1)) in (None, ""):
                continue
            out[key] = fill(value, facts) if "{" in value else value
        elif isinstance(value, dict):
            out[key] = fill_action(value, facts)
        else:
            out[key] = value
    if out.get("kind") == "check-dns" and "domain" not in out:
        out["domain"] = None
    return out


def next_step_for(category: str | None, facts: dict[str, Any] | None = None) -> NextStep:
    """The category's default next step, filled with ``facts``."""
    g = guide(category)
    facts = facts or {}
    return NextStep(fill(g.next_step, facts), g.who, fill_action(g.action, facts))


def headline_for(category: str | None, facts: dict[str, Any] | None = None) -> str:
    return fill(guide(category).headline, facts or {})
