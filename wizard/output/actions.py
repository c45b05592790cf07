"""A verdict's action in plain words, for any front end (pure).

The CLI adds the command line that carries the action out (``wizard/cli/actions.py``); the TUI
binds a key to it. Neither lets a reply decide anything: this only words what ``action`` says.
"""

from __future__ import annotations

from typing import Any

from wizard.catalog.words import words
from wizard.model.findings import Action, CheckDns, Contact, Read, Rerun, RetryLater

# The wording lives in wizard/catalog/data/words.toml ([who], [security], [field], [retry]).
WHO_WORDS = words().who
SECURITY_WORDS = words().security
FIELD_WORDS = words().field


def _value_words(name: str, value: Any) -> str:
    if name == "security":
        return f"security {SECURITY_WORDS.get(str(value), value)}"
    return f"{FIELD_WORDS.get(name, name).removeprefix('the ')} {value}"


def _duration(seconds: int) -> str:
    retry = words().retry
    if seconds < 120:
        return retry["seconds"].format(n=seconds)
    if seconds < 7200:
        return retry["minutes"].format(n=seconds // 60)
    return retry["hours"].format(n=seconds // 3600)


def describe(action: Action, titles: dict[str, str] | None = None) -> str:
    """One short imperative phrase for ``action`` ("Run again with security SSL/TLS")."""
    if isinstance(action, Rerun):
        parts = [_value_words(k, v) for k, v in action.changes.items()]
        asks = [FIELD_WORDS.get(f, f) for f in action.asks]
        text = "Run the check again"
        if parts:
            text += " with " + " and ".join(parts)
        if asks:
            text += (", " if parts else " ") + "after giving " + " and ".join(asks)
        return text
    if isinstance(action, CheckDns):
        domain = action.domain or "the domain"
        ip = action.sending_ip
        selector = action.dkim_selector
        return (f"Check the DNS of {domain}" + (f" for {ip}" if ip else "")
                + (f" (DKIM selector {selector})" if selector else ""))
    if isinstance(action, RetryLater):
        return words().retry["action"].format(wait=_duration(action.after_s or 300))
    if isinstance(action, Contact):
        return f"Send this report to {WHO_WORDS.get(action.who, 'the administrator')}"
    if isinstance(action, Read):
        article = action.article
        return f"Read: {(titles or {}).get(article, article)}"
    return "Nothing to do"
