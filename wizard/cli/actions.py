"""A verdict's action as the command line that carries it out (the CLI's rendering).

``rerun`` repeats the session's own command with the changed flags (the password never appears:
it is asked for with ``--password-env VAR``); ``check-dns`` is the ``dns`` command for the domain
and sending IP; ``read`` is ``kb show``. ``contact`` and ``retry-later`` have words, not commands,
beyond the rerun itself.
"""

from __future__ import annotations

import shlex
from typing import Any

from wizard.model.findings import Action, CheckDns, Read, Rerun, RetryLater
from wizard.model.target import FIELDS_BY_NAME, TARGET_FIELDS, Target

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
