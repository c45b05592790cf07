"""Small helpers shared by the DNS checks: building findings and wording lookup failures."""

from __future__ import annotations

from typing import Any

from wizard.dns.resolver import Lookup, LookupStatus
from wizard.findings import Finding, Status, Step

FAILED_LOOKUP = (LookupStatus.SERVFAIL, LookupStatus.REFUSED, LookupStatus.TIMEOUT,
                 LookupStatus.ERROR)


def finding(
    fid: str, status: Status | str, title: str, summary: str = "",
    category: str | None = None, **details: Any,
) -> Finding:
    return Finding(id=fid, step=Step.DNS, status=Status(status), title=title, summary=summary,
                   details=details, category=category)


def lookup_failed(lookup: Lookup) -> bool:
    """The DNS could not be asked (as opposed to: it said there is nothing)."""
    return lookup.status in FAILED_LOOKUP


def lookup_facts(lookup: Lookup) -> dict[str, Any]:
    out: dict[str, Any] = {"name": lookup.name, "type": lookup.rdtype,
                           "status": lookup.status.value}
    if lookup.records:
        out["records"] = list(lookup.records)
    if lookup.cnames:
        out["cnames"] = list(lookup.cnames)
    if lookup.error:
        out["error"] = lookup.error
    if lookup.nameserver:
        out["nameserver"] = lookup.nameserver
    return out


def error_finding(fid: str, what: str, lookup: Lookup, category: str | None) -> Finding:
    """The check could not run because a lookup failed: never reported as "no record"."""
    return finding(
        fid, Status.ERROR, f"Could not look up {what}",
        f"{lookup.describe()}. This says nothing about whether the record exists: "
        "retry, or ask another nameserver (--nameserver).",
        category, lookup=lookup_facts(lookup),
    )


def parse_tags(text: str) -> dict[str, str]:
    """A DKIM/DMARC tag-list ("a=b; c=d"). Raises ValueError on a malformed or repeated tag."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, eq, value = part.partition("=")
        name = name.strip()
        if not eq or not name or not (name[0].isalpha() and name.replace("_", "a").isalnum()
                                      and name.isascii()):
            raise ValueError(f"malformed tag {part.strip()!r}")
        if name in tags:
            raise ValueError(f"tag {name!r} appears twice")
        tags[name] = value.strip()
    return tags
