"""What a live SMTP reply means: the one explain service applied to the command it answered.

The service comes from the check context (``CheckContext.explain``, built there from the
target's ``--knowledge`` folders, as the resolver is); this module keeps none of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wizard.catalog.rules import command_fallbacks
from wizard.model.findings import Reply

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService


def interpret(reply: Reply, command: str,
              service: ExplainService | None = None) -> tuple[str, str, list[str]]:
    """(category, reason in plain words, articles best first) for ``reply`` to ``command``,
    read by ``service`` (the built-in articles only when none is given)."""
    if service is None:
        from wizard.explain.service import ExplainService

        service = ExplainService()
    # The live reply is already split into code, enhanced code and text: no need to re-parse.
    result = service.classify_live(reply, command)
    category, articles = result.category, list(result.articles)
    if category == "unknown" and reply.code:  # the command still narrows it (rules.toml)
        upper = command.upper()
        for rule in command_fallbacks():
            if rule.conditions_hold(reply.code, None, upper, None):
                return rule.category, result.reason, [rule.category, "unknown"]
    return category, result.reason, articles
