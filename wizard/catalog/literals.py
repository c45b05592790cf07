"""Find many literals in one pass (Aho-Corasick), and the literals a regex cannot match without.

The classifier's rules are mostly plain substrings; a regex rule names the literal it needs
(found here from the regex itself), so one pass over a reply selects the few rules worth
confirming instead of trying every rule. :class:`LiteralIndex` uses pyahocorasick when it is
installed and a plain ``str.find`` loop otherwise (same answers, slower). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

try:  # the C automaton; optional so that a bare install still classifies correctly
    import ahocorasick as _ahocorasick
except ImportError:  # pragma: no cover - exercised only without the dependency
    _ahocorasick = None

from re import _parser as _sre  # type: ignore[attr-defined]  # stdlib; stable since 3.11

MIN_ANCHOR = 3
"""A literal shorter than this selects too many replies to be worth indexing."""

PayloadT = TypeVar("PayloadT")


class LiteralIndex(Generic[PayloadT]):
    """Every (end, key, payloads) of the indexed keys that occur in a text, overlaps included."""

    def __init__(self, keys: dict[str, list[PayloadT]]) -> None:
        self._keys = {k: tuple(v) for k, v in keys.items() if k}
        self._auto = None
        if _ahocorasick is not None and self._keys:
            auto = _ahocorasick.Automaton()
            for key, payloads in self._keys.items():
                auto.add_word(key, (key, payloads))
            auto.make_automaton()
            self._auto = auto

    def __len__(self) -> int:
        return len(self._keys)

    def find(self, hay: str) -> Iterator[tuple[int, str, tuple[PayloadT, ...]]]:
        """(end index, key, payloads) for every occurrence, in order of the end index."""
        if self._auto is not None:
            for end, (key, payloads) in self._auto.iter(hay):
                yield end, key, payloads
            return
        hits: list[tuple[int, str, tuple[PayloadT, ...]]] = []
        for key, payloads in self._keys.items():
            start = hay.find(key)
            while start >= 0:
                hits.append((start + len(key) - 1, key, payloads))
                start = hay.find(key, start + 1)
        yield from sorted(hits, key=lambda hit: hit[0])


def anchors(pattern: str) -> list[str] | None:
    """Literals one of which every match of ``pattern`` contains, or None if there is none.

    Each top-level alternative contributes its longest run of literal characters (zero-width
    assertions such as ``\\b`` do not break a run; groups of one alternative are looked into).
    An alternative without a run of :data:`MIN_ANCHOR` characters makes the answer None: the
    regex must then be tried on every reply.
    """
    try:
        parsed = _sre.parse(pattern)
    except re.error:
        return None
    out: list[str] = []
    for items in _top_branches(list(parsed)):
        best = _best_set(items)
        if best is None:
            return None
        out.extend(a for a in best if a not in out)
    return out


def _best_set(items: list[Any]) -> list[str] | None:
    """The set of literals (one of which is always present) whose shortest member is longest:
    a run of literal characters, or the anchors of every alternative of a group."""
    choices: list[list[str]] = [[run] for run in _runs(items)]
    for op, arg in items:
        if op is _sre.SUBPATTERN and len(arg[-1]) == 1:
            op, arg = next(iter(arg[-1]))
        if op is _sre.BRANCH:
            sets = [_best_set(list(branch)) for branch in arg[1]]
            found = [s for s in sets if s]
            if len(found) == len(sets):  # every alternative has anchors
                choices.append([a for s in found for a in s])
    good = [c for c in choices if min(len(a) for a in c) >= MIN_ANCHOR]
    if not good:
        return None
    return max(good, key=lambda c: (min(len(a) for a in c), -len(c)))


def _top_branches(items: list[Any]) -> list[list[Any]]:
    if len(items) == 1 and items[0][0] is _sre.BRANCH:
        return [list(branch) for branch in items[0][1][1]]
    return [items]


def _runs(items: Iterable[Any]) -> list[str]:
    """Runs of consecutive literal characters in a parsed sequence."""
    runs: list[str] = []
    current = ""
    for token in _flat(items):
        if token is None:
            runs.append(current)
            current = ""
        else:
            current += token
    runs.append(current)
    return [r for r in runs if r]


def _flat(items: Iterable[Any]) -> Iterator[str | None]:
    """Literal characters, with None wherever something that is not a fixed literal stands."""
    for op, arg in items:
        if op is _sre.LITERAL:
            yield chr(arg)
        elif op is _sre.AT:
            continue
        elif op is _sre.SUBPATTERN and not any(o is _sre.BRANCH for o, _ in arg[-1]):
            yield from _flat(arg[-1])
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and arg[0] >= 1:
            yield None
            inner = list(arg[2])
            if len(inner) == 1 and inner[0][0] is _sre.LITERAL:
                yield chr(inner[0][1])  # at least one copy is always there
            yield None
        else:
            yield None
