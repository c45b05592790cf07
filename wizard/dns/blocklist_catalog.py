"""The DNS blocklists the wizard knows (``wizard/dns/data/blocklists.toml``, loaded once).

Per list: its zone, whether it is asked by default, whether it is public (never asked about
special-use addresses), the answers that mean "listed" and "refused" as the list documents them
(with the source page), what to do when it refuses your resolver, and where to ask for removal.
A zone that is not in the file is an unknown list: RFC 5782's rules alone apply to it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Blocklist:
    zone: str
    name: str
    kind: str  # "ip" | "domain"
    default: bool = False
    public: bool = False
    zones: tuple[str, ...] = ()
    codes: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    when_refused: str = ""
    source: str = ""
    delist: str = ""

    def serves(self, zone: str) -> bool:
        """Whether ``zone`` is this list (its zone, a mirror, or a key-based zone under one)."""
        z = zone.lower().rstrip(".")
        return any(z == known or z.endswith("." + known) for known in (self.zone, *self.zones))


def _load(row: dict[str, Any]) -> Blocklist:
    kind = row["kind"]
    if kind not in ("ip", "domain"):
        raise ValueError(f"blocklists.toml {row.get('zone')}: kind {kind!r} is not ip or domain")
    return Blocklist(
        zone=row["zone"].lower(), name=row["name"], kind=kind,
        default=bool(row.get("default", False)), public=bool(row.get("public", False)),
        zones=tuple(z.lower() for z in row.get("zones", ())),
        codes=dict(row.get("codes", {})), refused=dict(row.get("refused", {})),
        when_refused=row.get("when_refused", ""), source=row.get("source", ""),
        delist=row.get("delist", ""),
    )


@cache
def catalog() -> tuple[Blocklist, ...]:
    """Every known list, in the data file's order."""
    text = resources.files("wizard.dns").joinpath("data/blocklists.toml").read_text("utf-8")
    return tuple(_load(row) for row in tomllib.loads(text).get("list", []))


def known(zone: str) -> Blocklist | None:
    """The catalogue entry serving ``zone``, or None for a list the wizard does not know."""
    return next((b for b in catalog() if b.serves(zone)), None)


def defaults(kind: str) -> tuple[str, ...]:
    """The zones asked when the user names no list of this kind ("ip" or "domain")."""
    return tuple(b.zone for b in catalog() if b.kind == kind and b.default)
