"""Small helpers shared by the DNS checks: building findings and wording lookup failures."""

from __future__ import annotations

from typing import Any

from wizard.dns.resolver import Lookup, LookupStatus
from wizard.model.findings import Finding, NextStep, Status, Step

FAILED_LOOKUP = (LookupStatus.SERVFAIL, LookupStatus.REFUSED, LookupStatus.TIMEOUT,
                 LookupStatus.ERROR)


def finding(
    fid: str, status: Status | str, title: str, summary: str = "",
    category: str | None = None, /, **details: Any,
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


ASK_NAMESERVER = {"kind": "rerun", "ask": ["nameserver"]}
RETRY = NextStep("Run the check again; if the DNS keeps failing, ask another nameserver "
                 "as the nameserver.", "you", ASK_NAMESERVER)
NEXT_FOR_STATUS = {
    LookupStatus.TIMEOUT: NextStep(
        "No DNS server answered in time: run the check again, or ask another nameserver "
        "as the nameserver.", "you", ASK_NAMESERVER),
    LookupStatus.REFUSED: NextStep(
        "The nameserver refused the question (company and ISP resolvers often refuse names "
        "outside their own): ask one that answers for any domain.", "you",
        ASK_NAMESERVER),
    LookupStatus.SERVFAIL: NextStep(
        "The domain's own DNS servers failed to answer (SERVFAIL): run the check again in a few "
        "minutes; if it persists, tell whoever runs that domain's DNS.", "you",
        {"kind": "retry-later", "after_s": 300}),
}


def next_for(lookup: Lookup | None) -> NextStep:
    """The next step after a failed lookup, by how it failed."""
    return NEXT_FOR_STATUS.get(lookup.status, RETRY) if lookup is not None else RETRY


def error_finding(
    fid: str, what: str, lookup: Lookup | None, *, summary: str | None = None,
    title: str | None = None, next_step: NextStep | None = None,
    details: dict[str, Any] | None = None,
) -> Finding:
    """The check could not run (a lookup failed): an ``error`` with no category, never reported
    as "no record", with the next step for that kind of failure."""
    facts = dict(details or {})
    if lookup is not None:
        facts["lookup"] = lookup_facts(lookup)
        summary = summary or (f"{lookup.describe()}. This says nothing about whether the record "
                              "exists.")
    out = finding(fid, Status.ERROR, title or f"Could not look up {what}",
                  summary or "The DNS lookups this check needs failed.", None, **facts)
    out.next = next_step or next_for(lookup)
    return out


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
