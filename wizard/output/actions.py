"""A verdict's action in plain words, for any front end (pure).

The CLI adds the command line that carries the action out (``wizard/cli/actions.py``); the TUI
binds a key to it. Neither lets a reply decide anything: this only words what ``action`` says.
"""

from __future__ import annotations

from typing import Any

from wizard.model.findings import Action, CheckDns, Contact, Read, Rerun, RetryLater

WHO_WORDS = {
    "you": "you", "your-mail-admin": "your mail administrator",
    "recipient-admin": "the recipient's mail administrator",
    "provider": "your provider (hosting or ISP)",
}
SECURITY_WORDS = {"tls": "SSL/TLS", "starttls": "STARTTLS", "none": "no encryption",
                  "auto": "Auto"}
FIELD_WORDS = {
    "host": "the server name", "port": "the port", "security": "the security",
    "user": "the user name", "password": "the password", "oauth_token": "the OAuth token",
    "mail_from": "a sender address", "rcpt_to": "a recipient address", "domain": "the domain",
    "sending_ip": "the sending IP", "nameserver": "a nameserver", "ca_file": "the CA file",
}


def _value_words(name: str, value: Any) -> str:
    if name == "security":
        return f"security {SECURITY_WORDS.get(str(value), value)}"
    return f"{FIELD_WORDS.get(name, name).removeprefix('the ')} {value}"


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 7200:
        return f"{seconds // 60} minutes"
    return f"{seconds // 3600} hours"


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
        return f"Try again in {_duration(action.after_s or 300)}"
    if isinstance(action, Contact):
        return f"Send this report to {WHO_WORDS.get(action.who, 'the administrator')}"
    if isinstance(action, Read):
        article = action.article
        return f"Read: {(titles or {}).get(article, article)}"
    return "Nothing to do"
