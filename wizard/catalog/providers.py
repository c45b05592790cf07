"""Mail providers as data: recognise one from a reply, and read its catalog.

``wizard/catalog/data/providers/<id>.toml`` holds, per provider or MTA: ``[provider]`` (id, name,
kind,
articles), ``[fingerprints]`` (host names, trailers and phrases such as ``gsmtp``, enhanced codes
only it uses), ``[[presets]]`` (host, port, security, user-name hint), ``[[discover]]`` (MX
host suffixes that identify it, the preset to submit to, and the page each comes from),
``[[codes]]`` (its documented replies: code, enhanced code, words, category, class, the
exceptions, and the source page of every row) and ``[advice.<category>]`` (a next step
replacing the category's default).
The classifier (``wizard.explain``), the TUI presets and the provider question all read these
files; adding a provider or a code is a data-only change.

:func:`recognise` is pure: the fingerprints of every file are found in one pass, and the big
providers win over the generic MTAs (kinds in :data:`KIND_ORDER`), so a Gmail reply quoted by a
Postfix bounce is still Gmail's.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from wizard.catalog.categories import check_action
from wizard.catalog.literals import LiteralIndex
from wizard.catalog.rules import (
    Rule,
    RuleError,
    Word,
    enhanced_matches,
    enhanced_parts,
    rule_from,
    word_from,
)
from wizard.model.errors import WizardError
from wizard.model.findings import NextStep

KIND_ORDER = ("mailbox", "gateway", "esp", "mta")
"""Recognition order: mailbox providers, then security gateways, sending services, and MTAs."""

PROVIDERS_DIR_ENV = "SMTP_WIZARD_PROVIDERS_DIR"
"""An extra folder of provider files (same format; a file there overrides a built-in id)."""


@dataclass(frozen=True)
class Preset:
    name: str
    host: str
    port: int
    security: str
    user_hint: str = ""


@dataclass(frozen=True)
class MxPrint:
    """A provider recognised by its MX host (``[[discover]]`` rows): an MX ending in ``mx``
    means this provider receives the domain's mail; ``preset`` names the preset to submit to
    (empty for a filter in front, which says nothing about sending); ``source`` is the page."""

    mx: str
    preset: str
    source: str


@dataclass(frozen=True)
class Fingerprints:
    hosts: tuple[str, ...] = ()
    words: tuple[Word, ...] = ()
    enhanced: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    articles: tuple[str, ...] = ()
    presets: tuple[Preset, ...] = ()
    advice: dict[str, NextStep] = field(default_factory=dict)
    kind: str = "mailbox"
    fingerprints: Fingerprints = Fingerprints()
    rules: tuple[Rule, ...] = ()
    sources: tuple[str, ...] = ()
    mx: tuple[MxPrint, ...] = ()


class ProviderError(WizardError):
    """A provider file that cannot be used; the message names the file and the problem."""


def _load(name: str, data: dict[str, Any]) -> Provider:
    head = data.get("provider") or {}
    pid = head.get("id")
    if not pid or f"{pid}.toml" != name:
        raise ProviderError(f"providers/{name}: [provider] id must match the file name")
    kind = head.get("kind", "mailbox")
    if kind not in KIND_ORDER:
        raise ProviderError(f"providers/{name}: kind {kind!r} is not one of {KIND_ORDER}")
    try:
        advice = {cat: NextStep(row["next_step"], row["who"],
                                check_action(f"advice {cat}", dict(row["action"])))
                  for cat, row in (data.get("advice") or {}).items()}
        presets = tuple(Preset(p["name"], p["host"], int(p["port"]), p["security"],
                               p.get("user_hint", "")) for p in data.get("presets") or ())
        mx = tuple(MxPrint(str(r["mx"]).lower().strip("."), str(r.get("preset", "")),
                           str(r["source"])) for r in data.get("discover") or ())
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderError(f"providers/{name}: bad preset, advice or discover row: {exc}"
                            ) from None
    names = {p.name for p in presets}
    for row in mx:
        if row.preset and row.preset not in names:
            raise ProviderError(f"providers/{name}: [[discover]] preset {row.preset!r} is not "
                                "one of its presets")
    prints = data.get("fingerprints") or {}
    try:
        fingerprints = Fingerprints(
            hosts=tuple(h.lower() for h in prints.get("hosts", ())),
            words=tuple(word_from(w, f"providers/{name} [fingerprints]")
                        for w in prints.get("words", ())),
            enhanced=tuple(prints.get("enhanced", ())),
        )
        rules = []
        for i, row in enumerate(data.get("codes") or ()):
            where = f"providers/{name} [[codes]] #{i + 1}"
            if not row.get("source"):
                raise RuleError(f"{where}: every documented code needs its source page")
            rules.append(rule_from(row, "provider", where, provider=pid))
    except RuleError as exc:
        raise ProviderError(str(exc)) from None
    sources = tuple(dict.fromkeys(r.source for r in rules if r.source))
    return Provider(pid, head.get("name", pid), tuple(head.get("articles", ())), presets,
                    advice, kind, fingerprints, tuple(rules), sources, mx)


def load_dir(folder: Path | Any) -> dict[str, Provider]:
    """Every ``*.toml`` provider file of ``folder`` by id (a Traversable or a Path)."""
    out: dict[str, Provider] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            try:
                data = tomllib.loads(entry.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ProviderError(f"providers/{entry.name}: cannot read: {exc}") from None
            out[entry.name[:-5]] = _load(entry.name, data)
    return out


def load_all() -> dict[str, Provider]:
    """Read every built-in provider file, then those of ``$SMTP_WIZARD_PROVIDERS_DIR`` (a file
    there replaces a built-in one with the same id)."""
    out = load_dir(Path(__file__).resolve().parent / "data" / "providers")
    extra = os.environ.get(PROVIDERS_DIR_ENV)
    if extra:
        out.update(load_dir(Path(extra).expanduser()))
    return out


@cache
def catalog() -> dict[str, Provider]:
    """Every provider, by id (loaded once; kept in the classifier's cache between runs)."""
    from wizard.catalog.bundle import builtin

    return builtin().catalog


def advice(provider: str | None, category: str | None) -> NextStep | None:
    """This provider's own next step for ``category``, if its file gives one."""
    known = catalog().get(provider or "")
    return known.advice.get(category or "") if known else None


def articles(provider: str | None) -> tuple[str, ...]:
    known = catalog().get(provider or "")
    return known.articles if known else ()


def presets() -> list[tuple[Provider, Preset]]:
    """Every preset of every provider, mailbox providers first."""
    ordered = sorted(catalog().values(), key=lambda p: (KIND_ORDER.index(p.kind), p.name.lower()))
    return [(p, preset) for p in ordered for preset in p.presets]


# --- recognition -------------------------------------------------------------------------------


class _Recogniser:
    def __init__(self, providers: dict[str, Provider]) -> None:
        self.order = {pid: (KIND_ORDER.index(p.kind), i)
                      for i, (pid, p) in enumerate(providers.items())}
        keys: dict[str, list[tuple[str, str, Word | None]]] = {}
        self.always: list[tuple[str, Word]] = []
        self.enhanced = []
        for pid, p in providers.items():
            for host in p.fingerprints.hosts:
                keys.setdefault(host, []).append((pid, "host", None))
            for word in p.fingerprints.words:
                if not word.regex:
                    keys.setdefault(word.text, []).append((pid, "word", None))
                elif word.anchors:
                    for anchor in word.anchors:
                        keys.setdefault(anchor, []).append((pid, "regex", word))
                else:
                    self.always.append((pid, word))
            if p.fingerprints.enhanced:
                self.enhanced.append(
                    (pid, tuple(enhanced_parts(e) for e in p.fingerprints.enhanced)))
        self.index = LiteralIndex(keys)

    def __call__(self, text: str, enhanced: str | None) -> str | None:
        hay = text.lower()
        found: set[str] = set()
        for end, key, payloads in self.index.find(hay):
            for pid, how, word in payloads:
                if pid in found:
                    continue
                if how == "host":
                    start = end - len(key) + 1
                    before = hay[start - 1] if start > 0 else " "
                    after = hay[end + 1] if end + 1 < len(hay) else " "
                    if before.isalnum() or before in "-_" or after.isalnum() or after == "-":
                        continue
                elif how == "regex":
                    assert word is not None, "a regex's anchor carries its word"
                    if not word.compiled.search(hay):
                        continue
                found.add(pid)
        for pid, word in self.always:
            if pid not in found and word.compiled.search(hay):
                found.add(pid)
        if enhanced:
            for pid, parts in self.enhanced:
                if enhanced_matches(parts, enhanced):
                    found.add(pid)
        if not found:
            return None
        return min(found, key=lambda pid: self.order[pid])


@cache
def _recogniser() -> _Recogniser:
    return _Recogniser(catalog())


def recognise(text: str, enhanced: str | None = None) -> str | None:
    """The provider or MTA that ``text`` (a reply or bounce excerpt) comes from, else ``None``.

    ``enhanced`` is the reply's enhanced code when known: some codes are one provider's own.
    """
    return _recogniser()(text, enhanced)


def clear_caches() -> None:
    """Forget the loaded catalog and everything built on it (after pointing
    ``$SMTP_WIZARD_PROVIDERS_DIR`` elsewhere; the classifier rebuilds its engine from the new
    bundle by itself)."""
    from wizard.catalog import bundle

    catalog.cache_clear()
    _recogniser.cache_clear()
    bundle.builtin.cache_clear()
