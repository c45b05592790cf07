"""What a live SMTP reply means: the one explain service applied to the command it answered."""

from __future__ import annotations

from functools import cache

from wizard.findings import Reply

# When the words say nothing, the command still narrows it down (permanent replies only).
_FALLBACK_5XX = {"MAIL": "sender-rejected", "RCPT": "recipient-unknown", "DATA": "content-rejected"}


@cache
def _service():
    from wizard.explain.service import ExplainService

    return ExplainService()


def interpret(reply: Reply, command: str) -> tuple[str, str, list[str]]:
    """(category, reason in plain words, articles best first) for ``reply`` to ``command``."""
    # The live reply is already split into code, enhanced code and text: no need to re-parse.
    result = _service().classify_live(reply, command)
    category, articles = result.category, list(result.articles)
    if category == "unknown" and reply.code and 500 <= reply.code < 600:
        fallback = _FALLBACK_5XX.get(command.upper())
        if fallback:
            return fallback, result.reason, [fallback, "unknown"]
    return category, result.reason, articles
