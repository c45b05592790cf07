"""Fill a Target from discovery (``check --address``, the TUI form): only what was not given,
each filled value with its source, and a note when the user's own host and port differ from
what the domain publishes. Pure.
"""

from __future__ import annotations

from wizard.discover.model import Discovery
from wizard.model.target import Security, Target


def fill_target(target: Target, found: Discovery, given: set[str]) -> tuple[Target, list[str]]:
    """(the target with the gaps filled, one note per filled value or disagreement).

    ``given`` names the fields the user set. The user name is filled only when a password (or
    token) was given, so discovery never turns a check without login into one that logs in.
    """
    notes: list[str] = []
    changes: dict[str, object] = {}
    chosen = found.settings
    if "mail_from" not in given:
        changes["mail_from"] = found.address
        notes.append(f"sender {found.address}: the address given")
    if chosen is None:
        notes.append(f"discovery found no settings for {found.address}: {found.next_step}")
        return target.with_changes(**changes), notes
    how = "confirmed by a probe" if chosen.confirmed else "not confirmed by a probe"
    if "host" not in given:
        changes.update(host=chosen.host, port=chosen.port, security=Security(chosen.security))
        notes.append(f"host {chosen.host} port {chosen.port} ({chosen.security}): "
                     f"{chosen.source_text} ({how})")
    else:
        port = target.effective_port
        if (target.host, port) != (chosen.host, chosen.port):
            notes.append(f"the domain publishes {chosen.host}:{chosen.port} "
                         f"({chosen.source_text}); you are testing {target.host}:{port}")
    if "user" not in given and chosen.user and target.secrets():
        changes["user"] = chosen.user
        notes.append(f"user {chosen.user}: {chosen.source_text}")
    elif "user" not in given and chosen.user:
        notes.append(f"the login would be {chosen.user} ({chosen.source_text}); give "
                     "--password-env or --password-stdin to log in")
    return target.with_changes(**changes), notes
