"""Turn a verdict's action into the target the next run uses (pure helpers for the Run screen).

The action's values are parsed by the core's field table, so ``{"security": "tls", "port":
2465}`` becomes the same Target the form would build; nothing here decides what a reply means.
"""

from __future__ import annotations

from typing import Any

from wizard.catalog.words import words
from wizard.model.findings import CheckDns
from wizard.model.target import FIELDS_BY_NAME, Target


def apply_changes(target: Target, changes: dict[str, Any]) -> Target:
    """``target`` with the action's ``set`` applied (values validated like typed ones)."""
    parsed = {name: FIELDS_BY_NAME[name].from_text(str(value))
              for name, value in changes.items() if name in FIELDS_BY_NAME}
    return target.with_changes(**parsed)


def dns_target(target: Target, action: CheckDns) -> Target:
    """A DNS-only target for ``check-dns``: the domain and sending IP of the action, the
    session's resolver settings; no server, no login."""
    return Target(
        domain=action.domain or target.sender_domain,
        sending_ip=action.sending_ip or target.sending_ip,
        dkim_selectors=(action.dkim_selector,) if action.dkim_selector
        else target.dkim_selectors, nameservers=target.nameservers,
        timeout=target.timeout, ip_blocklists=target.ip_blocklists,
        domain_blocklists=target.domain_blocklists, blocklists=target.blocklists,
        knowledge_dirs=target.knowledge_dirs,
    )


def retry_words(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    retry = words().retry  # wizard/catalog/data/words.toml
    return retry["rerun_many"].format(n=minutes) if minutes != 1 else retry["rerun_one"]
