"""The lab's scenarios: the :class:`Scenario` type and the built-in list, loaded from data files.

A scenario says which servers run (a scripted SMTP server, or a built-in misbehaviour named by
the file; a DNS zone; a certificate kind), how the pre-filled target differs from the healthy
one, and the **expected verdict category**. The 42 built-ins are TOML files in
``wizard/lab/scenarios/`` (package data, loaded in file-name order); a trainer's own files load
the same way (:mod:`wizard.lab.scenario_file` reads and checks them; the README has the format).
The integration tests walk :data:`SCENARIOS`, so a file added to the folder is tested.

Deliberately not here: starting servers (:mod:`wizard.lab.runner`) or parsing TOML.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from wizard.lab.smtp_server import SmtpBehaviour

LEVELS = ("beginner", "intermediate", "advanced")
GROUPS = ("smtp", "dns")


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    learn: str  # what happens and what the learner should find (the file's description)
    expected: str  # the verdict category the wizard must reach
    smtp: SmtpBehaviour | None = field(default_factory=SmtpBehaviour)
    raw: str | None = None  # a built-in behaviour (wizard.lab.behaviours) instead of `smtp`
    banner: str = ""  # the greeting line of a server that refuses at the greeting
    dns: str = "healthy"  # zone variant from wizard.lab.dns_zones ("empty": no records)
    closed_port: bool = False  # point the target at a port where nothing listens
    target: dict[str, Any] = field(default_factory=dict)  # overrides of the healthy target
    group: str = "smtp"
    level: str = "intermediate"
    hints: tuple[str, ...] = ()  # shown to a trainee who asks, one at a time
    dns_zone: str | None = None  # zone-file text served instead of the variant
    dns_records: dict[str, Any] = field(default_factory=dict)  # names replaced in the variant
    dns_remove: tuple[str, ...] = ()  # names removed from the variant
    source: str | None = None  # the file it was read from

    @property
    def description(self) -> str:
        return self.learn


def builtin_folder() -> Any:
    """The package folder of the built-in scenario files (a Traversable)."""
    return resources.files("wizard.lab").joinpath("scenarios")


@cache
def builtins() -> tuple[Scenario, ...]:
    from wizard.lab.scenario_file import load_folder

    return load_folder(builtin_folder())


def __getattr__(name: str) -> Any:
    """``SCENARIOS``: the built-ins, read from their files on first use."""
    if name == "SCENARIOS":
        return builtins()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get(name: str, scenarios: Iterable[Scenario] | None = None) -> Scenario | None:
    """The scenario called ``name`` among ``scenarios`` (default: the built-ins)."""
    return next((s for s in (builtins() if scenarios is None else scenarios) if s.name == name),
                None)


def at_level(scenarios: Iterable[Scenario], level: str | None) -> tuple[Scenario, ...]:
    """The scenarios of one level (all of them for None), in their order."""
    return tuple(s for s in scenarios if level is None or s.level == level)
