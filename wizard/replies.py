"""Parse and classify SMTP replies: the stable import path for :mod:`wizard.explain`.

``parse`` finds a reply's parts (:mod:`wizard.explain.parse`); ``classify`` runs the one
data-driven engine (:mod:`wizard.explain.engine`) that ``explain``, the TUI, live findings and the
pasted-error question share. Nothing is decided here: this module only keeps old imports working.
"""

from __future__ import annotations

from wizard.explain.engine import Classification, default_engine
from wizard.explain.parse import COMMANDS, ParsedReply, detect_command, parse, reply_class
from wizard.explain.rules import Rule
from wizard.status_codes import describe_enhanced

__all__ = [  # noqa: F822 - RULES is served by __getattr__ (the engine is built on demand)
    "COMMANDS",
    "RULES",
    "Classification",
    "ParsedReply",
    "Rule",
    "classify",
    "describe_enhanced",
    "detect_command",
    "parse",
    "reply_class",
]


def classify(reply: ParsedReply, command: str | None = None) -> Classification:
    """The best category for ``reply`` (the built-in engine: rules, providers, articles)."""
    return default_engine().classify(reply, command)


def __getattr__(name: str):
    if name == "RULES":  # every rule of the built-in engine, in tier order (loaded on demand)
        return default_engine().rules
    raise AttributeError(name)
