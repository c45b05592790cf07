"""What a late reply means, by the command waited for (``wizard/catalog/data/waits.toml``).

The connection stood and one reply did not come in time: the finding names the command (its
``waited_for``), says why servers are slow there, and always advises ``retry-later``, never a
port change (the port works). Connect timeouts are ``connection-timeout``, not this.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

KEYS = frozenset({"what", "why", "next_step", "after_s"})


@dataclass(frozen=True)
class Wait:
    waited_for: str
    what: str
    why: str
    next_step: str
    after_s: int


@cache
def waits() -> dict[str, Wait]:
    """Every row of waits.toml by its ``waited_for`` ("*": the fallback); ValueError if a row
    lacks a key or has an unknown one."""
    text = resources.files("wizard.catalog").joinpath("data/waits.toml").read_text("utf-8")
    out: dict[str, Wait] = {}
    for name, row in tomllib.loads(text).items():
        if set(row) != KEYS:
            raise ValueError(f"waits.toml [{name}]: needs exactly {', '.join(sorted(KEYS))}")
        out[name] = Wait(name, str(row["what"]), str(row["why"]), str(row["next_step"]),
                         int(row["after_s"]))
    if "*" not in out:
        raise ValueError("waits.toml: needs a [\"*\"] row for other commands")
    return out


def wait_for(waited_for: str) -> Wait:
    """The row for ``waited_for`` (the fallback row, named after it, for an unlisted one)."""
    table = waits()
    row = table.get(waited_for)
    if row is not None:
        return row
    fallback = table["*"]
    return Wait(waited_for, waited_for, fallback.why, fallback.next_step, fallback.after_s)
