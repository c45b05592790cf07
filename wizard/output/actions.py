"""A verdict's action in plain words, and as the command line that carries it out (pure).

:func:`describe` words it for any front end (the TUI binds a key to it); :func:`command_for` is
the command line (``rerun`` repeats the session's own command with the changed flags, the password
asked for with ``--password-env VAR``; ``check-dns`` is the ``dns`` command; ``read`` is
``kb show``). Neither lets a reply decide anything: this only says what ``action`` says.
"""

from __future__ import annotations

import shlex
from typing import Any

from wizard.catalog.words import words
from wizard.model.findings import Action, CheckDns, Contact, Read, Rerun, RetryLater
from wizard.model.target import FIELDS_BY_NAME, TARGET_FIELDS, Target

# The wording lives in wizard/catalog/data/words.toml ([who], [security], [field], [retry]).
WHO_WORDS = words().who
SECURITY_WORDS = words().security
FIELD_WORDS = words().field


def who_words(who: str | None) -> str:
    """Who must act, in words ("your mail administrator"), never the id."""
    return WHO_WORDS.get(who or "", (who or "someone").replace("-", " "))


def category_words(category: str | None) -> str:
    """A category in words: its one-line meaning from ``categories.toml``, never the id."""
    from wizard.catalog.categories import guide

    return guide(category).meaning.rstrip(".")


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


# Placeholders for what the person must supply.
_ASKED = {"password": ["--password-env", "PASSWORD_VAR"], "oauth_token": ["--oauth-token-env",
                                                                         "TOKEN_VAR"]}
_NAMES = {"nameserver": "nameservers", "dkim_selector": "dkim_selectors"}


def _flags(target: Target, changes: dict[str, Any]) -> list[str]:
    """The flags that rebuild ``target`` with ``changes`` (defaults left out)."""
    base = Target()
    args: list[str] = []
    for spec in TARGET_FIELDS:
        if spec.flag is None or spec.kind == "secret" or spec.name == "knowledge_dirs":
            continue
        value = changes.get(spec.name, getattr(target, spec.name))
        if value == getattr(base, spec.name) or value in (None, (), ""):
            continue
        if spec.kind == "flag":
            if bool(value) != spec.invert:
                args.append(spec.flag)
        elif spec.kind == "list":
            for item in spec.to_text(value).split(", "):
                args += [spec.flag, item]
        else:
            args += [spec.flag, spec.to_text(value)]
    return args


def command_for(action: Action, target: Target, command: str = "check") -> str | None:
    """The shell command that carries out ``action`` for this session, or None."""
    if isinstance(action, Rerun | RetryLater):
        changes = action.changes if isinstance(action, Rerun) else {}
        asked = action.asks if isinstance(action, Rerun) else ()
        args = ["smtp-wizard", command if command in ("check", "dns") else "check",
                *_flags(target, changes)]
        for field in asked:
            name = _NAMES.get(field, field)
            if name in _ASKED:
                args += _ASKED[name]
            elif name == "user" and target.user:
                continue
            elif (name in FIELDS_BY_NAME and FIELDS_BY_NAME[name].flag
                  and FIELDS_BY_NAME[name].flag not in args):
                args += [str(FIELDS_BY_NAME[name].flag), name.upper().removesuffix("S")]
        if target.user and "--password-env" not in args and (target.password or "password"
                                                               in asked):
            args += _ASKED["password"]
        return shlex.join(args)
    if isinstance(action, CheckDns):
        if not action.domain:
            return None
        args = ["smtp-wizard", "dns", action.domain]
        if action.sending_ip:
            args += ["--sending-ip", action.sending_ip]
        if action.dkim_selector:
            args += ["--dkim-selector", action.dkim_selector]
        for ip, port in target.nameservers:
            args += ["--nameserver", f"{ip}:{port}"]
        return shlex.join(args)
    if isinstance(action, Read) and action.article:
        return shlex.join(["smtp-wizard", "kb", "show", action.article])
    return None
