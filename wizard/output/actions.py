"""A verdict's action in plain words, for any front end (pure).

The CLI adds the command line that carries the action out (``wizard/cli/actions.py``); the TUI
binds a key to it. Neither lets a reply decide anything: this only words what ``action`` says.
"""

from __future__ import annotations

from typing import Any

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


def describe(action: dict[str, Any], titles: dict[str, str] | None = None) -> str:
    """One short imperative phrase for ``action`` ("Run again with security SSL/TLS")."""
    kind = action.get("kind")
    if kind == "rerun":
        parts = [_value_words(k, v) for k, v in (action.get("set") or {}).items()]
        asks = [FIELD_WORDS.get(f, f) for f in action.get("ask") or ()]
        text = "Run the check again"
        if parts:
            text += " with " + " and ".join(parts)
        if asks:
            text += (", " if parts else " ") + "after giving " + " and ".join(asks)
        return text
    if kind == "check-dns":
        domain = action.get("domain") or "the domain"
        ip = action.get("sending_ip")
        selector = action.get("dkim_selector")
        return (f"Check the DNS of {domain}" + (f" for {ip}" if ip else "")
                + (f" (DKIM selector {selector})" if selector else ""))
    if kind == "retry-later":
        return f"Try again in {_duration(int(action.get('after_s') or 300))}"
    if kind == "contact":
        return f"Send this report to {WHO_WORDS.get(action.get('who', ''), 'the administrator')}"
    if kind == "read":
        article = str(action.get("article") or "")
        return f"Read: {(titles or {}).get(article, article)}"
    return "Nothing to do"
