"""What a live SMTP reply means: the one explain service applied to the command it answered."""

from __future__ import annotations

from functools import cache

from wizard.model.findings import Reply

# When the words say nothing, the command still narrows it down (permanent replies only).
_FALLBACK_5XX = {"MAIL": "sender-rejected", "RCPT": "recipient-unknown", "DATA": "content-rejected"}


@cache
def explain_service(knowledge_dirs: tuple[str, ...] = ()):
    """The explain service over the built-in articles and a team's own (``--knowledge``),
    built once per set of folders: a live reply reads the same as in ``explain``."""
    from wizard.explain.service import ExplainService

    if not knowledge_dirs:
        return ExplainService()
    from wizard.catalog.knowledge import load_knowledge

    return ExplainService(load_knowledge(list(knowledge_dirs)))


def interpret(reply: Reply, command: str,
              knowledge_dirs: tuple[str, ...] = ()) -> tuple[str, str, list[str]]:
    """(category, reason in plain words, articles best first) for ``reply`` to ``command``."""
    # The live reply is already split into code, enhanced code and text: no need to re-parse.
    result = explain_service(tuple(knowledge_dirs)).classify_live(reply, command)
    category, articles = result.category, list(result.articles)
    if category == "unknown" and reply.code and 500 <= reply.code < 600:
        fallback = _FALLBACK_5XX.get(command.upper())
        if fallback:
            return fallback, result.reason, [fallback, "unknown"]
    return category, result.reason, articles
