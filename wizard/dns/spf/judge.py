"""SPF findings: the published record, its lookup count, and the verdicts for an IP. Pure.

Every fault is reported, not just the first: two published records are a fault, and each
record's own faults (syntax, ``+all``, ...) are named too, with the one merged record to publish
instead; that merged record's lookup count is what ``dns.spf.lookups`` reports.
"""

from __future__ import annotations

from typing import Any

from wizard.dns.resolver import Lookup, LookupStatus
from wizard.dns.spf.evaluate import SpfResult, TraceNode
from wizard.dns.spf.merge import merge_records
from wizard.dns.spf.record import (
    MAX_LOOKUPS,
    MAX_VOID_LOOKUPS,
    QUALIFIERS,
    PermError,
    SpfRecord,
    is_spf_record,
    parse_record,
)
from wizard.dns.util import error_finding, finding, lookup_facts, lookup_failed
from wizard.model.findings import Finding, Status

EVAL_STATUS = {"pass": "pass", "fail": "fail", "softfail": "warn", "neutral": "warn",
               "none": "warn", "permerror": "fail", "temperror": "error"}


def _top_includes(trace: TraceNode | None) -> list[dict[str, Any]]:
    if trace is None:
        return []
    return [{"via": c.via, "domain": c.domain, "lookups": c.branch_lookups}
            for c in trace.children]


def authorises_nobody(record: SpfRecord) -> bool:
    """``v=spf1 -all`` (or ``~all``) and nothing else: no server may send for the domain."""
    all_term = record.all_term
    return (record.redirect is None and all_term is not None
            and all(t.name == "all" for t in record.mechanisms)
            and all_term.qualifier in ("-", "~"))


def risks(record: SpfRecord) -> list[str]:
    """What is dangerous or weak in a valid record."""
    out: list[str] = []
    all_term = record.all_term
    if all_term is not None and all_term.qualifier == "+":
        out.append("'+all' authorizes every server on the internet: anyone can send as you")
    elif all_term is not None and all_term.qualifier == "?":
        out.append("'?all' makes the record say nothing about other servers (neutral)")
    elif all_term is None and record.redirect is None:
        out.append("no '-all' or '~all' at the end: unlisted servers get 'neutral'")
    if any(t.name == "ptr" for t in record.mechanisms):
        out.append("'ptr' is slow and deprecated (RFC 7208 5.5): use ip4/ip6/a instead")
    return out


def _problems(text: str) -> list[str]:
    try:
        record = parse_record(text)
    except PermError as exc:
        return [f"syntax error: {exc}"]
    return risks(record)


def judge_record(domain: str, lookup: Lookup, sends: bool = False) -> tuple[Finding, str | None]:
    """The ``dns.spf.record`` finding, and the record to walk for the lookup count: the
    published one, or the merge of several (None when there is nothing usable to walk).

    ``sends``: the domain is used as a sender here, so a record that authorises no server is
    a problem rather than a parked domain's correct setup.
    """
    fid = "dns.spf.record"
    if lookup_failed(lookup):
        return error_finding(fid, f"the SPF record of {domain}", lookup), None
    facts: dict[str, Any] = {"domain": domain, "lookup": lookup_facts(lookup)}
    found = [t for t in lookup.records if is_spf_record(t)]
    if not found:
        why = f"{domain} does not exist (NXDOMAIN)" if lookup.status is LookupStatus.NXDOMAIN \
            else f"{domain} has no TXT record starting with v=spf1"
        return finding(fid, Status.FAIL, f"No SPF record for {domain}",
                       f"{why}. Receivers cannot tell which servers may send for it; many "
                       "reject or junk such mail. Publish e.g. 'v=spf1 mx -all'.", "dns-spf",
                       **facts), None
    if len(found) > 1:
        return _several(domain, found, facts)
    facts["record"] = found[0]
    try:
        record = parse_record(found[0])
    except PermError as exc:
        return finding(fid, Status.FAIL, f"SPF record of {domain} has a syntax error",
                       f"{exc}. Every SPF check of {domain} ends in permerror.", "dns-spf",
                       error=str(exc), **facts), None
    all_term = record.all_term
    facts["policy"] = QUALIFIERS[all_term.qualifier or "+"] if all_term else None
    if authorises_nobody(record):
        facts["authorises_nobody"] = True
        if sends:
            return finding(fid, Status.WARN, f"SPF record of {domain} authorises no server",
                           f"'{found[0]}' says no server may send mail as {domain}, so every "
                           f"message from it fails SPF. That is right for a domain that never "
                           f"sends mail, but {domain} is the sender here: list the servers that "
                           "send for it (e.g. 'v=spf1 mx -all', or your provider's include).",
                           "dns-spf", **facts), found[0]
        return finding(fid, Status.PASS, f"SPF record of {domain}: no server may send for it",
                       f"'{found[0]}' suits a domain that sends no mail.", **facts), found[0]
    found_risks = risks(record)
    if found_risks:
        return finding(fid, Status.WARN, f"SPF record of {domain} has risks",
                       "; ".join(found_risks) + ".", "dns-spf", risks=found_risks,
                       **facts), found[0]
    return finding(fid, Status.PASS, f"SPF record of {domain} is valid", found[0],
                   **facts), found[0]


def _several(domain: str, found: list[str], facts: dict[str, Any]) -> tuple[Finding, str]:
    found = sorted(found)  # DNS answers come in any order; the advice must not change with it
    merged, notes = merge_records(found)
    problems = {text: _problems(text) for text in found}
    each = [f"record {i} ('{text}'): {'; '.join(problems[text])}"
            for i, text in enumerate(found, 1) if problems[text]]
    summary = (f"RFC 7208 allows one v=spf1 record; with {len(found)}, every SPF check of "
               f"{domain} ends in permerror. Replace them with this one record: '{merged}'.")
    if notes:
        summary += " Merging: " + "; ".join(notes) + "."
    if each:
        summary += " Also: " + "; ".join(each) + "."
    return finding("dns.spf.record", Status.FAIL,
                   f"{len(found)} SPF records for {domain} (permerror)", summary, "dns-spf",
                   records=found, merged=merged, merge_notes=notes,
                   record_problems={t: p for t, p in problems.items() if p}, **facts), merged


def judge_lookups(domain: str, res: SpfResult, merged: bool = False) -> Finding:
    """The ``dns.spf.lookups`` finding from the health walk (``merged``: of the proposed merge
    of several published records)."""
    fid = "dns.spf.lookups"
    facts: dict[str, Any] = {
             "domain": domain, "lookups": res.lookups, "void_lookups": res.void_lookups,
             "limit": MAX_LOOKUPS, "void_limit": MAX_VOID_LOOKUPS,
             "includes": _top_includes(res.trace), "complete": res.complete,
             "limit_exceeded_at": res.limit_exceeded_at, "merged": merged,
             "trace": res.trace.to_dict() if res.trace else None,
             "trace_text": res.trace.lines(results=False) if res.trace else []}
    whose = f"The merged SPF record of {domain}" if merged else f"SPF of {domain}"
    verb = "would need" if merged else "needs"
    if res.result == "temperror":
        return error_finding(fid, f"the SPF includes of {domain}", None, summary=(
            f"{res.reason}. This says nothing about the record itself."), details=facts)
    if res.lookups > MAX_LOOKUPS:
        path = " -> ".join(res.limit_exceeded_at or [])
        heavy = ", ".join(f"{i['domain']} ({i['lookups']})" for i in facts["includes"])
        count = f"at least {res.lookups}" if not res.complete else str(res.lookups)
        stopped = " (counting stopped there)" if not res.complete else ""
        return finding(fid, Status.FAIL, f"{whose} {verb} {count} DNS lookups "
                       f"(limit {MAX_LOOKUPS})", f"The 11th lookup happens at {path}{stopped}. "
                       "Receivers return permerror, which many treat as fail. Per include "
                       f"(counting the include itself): {heavy or 'none'}. Remove includes you "
                       "no longer use, or replace them with ip4/ip6.", "dns-spf", **facts)
    if res.void_lookups > MAX_VOID_LOOKUPS or res.result == "permerror":
        return finding(fid, Status.FAIL, f"{whose} ends in permerror", f"{res.reason}.",
                       "dns-spf", **facts)
    return finding(fid, Status.PASS, f"{whose} {verb} {res.lookups} of {MAX_LOOKUPS} DNS "
                   "lookups", f"Lookups that found nothing (void): {res.void_lookups}, of at "
                   f"most {MAX_VOID_LOOKUPS} allowed.", **facts)


def _chain(res: SpfResult) -> str:
    matched = res.matched
    chain: list[str] = []
    while matched:
        chain.append(f"{matched['term']} (in {matched['domain']})")
        matched = matched.get("via")
    return f" Decided by {' -> '.join(chain)}." if chain else ""


def judge_eval(fid: str, res: SpfResult, what: str = "") -> Finding:
    """The verdict of ``check_host`` for the sending IP (``what`` prefixes the summary)."""
    status = EVAL_STATUS[res.result]
    category = {"fail": "spf-fail", "softfail": "spf-fail", "permerror": "dns-spf",
                "neutral": "spf-fail", "none": "dns-spf"}.get(res.result)
    where = _chain(res)
    explanation = f" Explanation: {res.explanation}." if res.explanation else ""
    titles = {
        "pass": f"SPF passes for {res.ip} sending as {res.domain}",
        "fail": f"SPF fails: {res.ip} is not allowed to send for {res.domain}",
        "softfail": f"SPF softfail: {res.ip} is probably not allowed to send for {res.domain}",
        "neutral": f"SPF neutral: {res.domain} says nothing about {res.ip}",
        "none": f"SPF none: {res.domain} has no SPF record",
        "permerror": f"SPF permerror for {res.domain}",
        "temperror": f"SPF temperror for {res.domain} (a DNS lookup failed)",
    }
    summary = {
        "pass": f"check_host({res.ip}, {res.domain}) = pass.{where}",
        "fail": f"check_host = fail.{where}{explanation} Add {res.ip} (or its include) to the "
                "SPF record, or send through a server that is listed.",
        "softfail": f"check_host = softfail.{where} Mail is often junked: add {res.ip} to the "
                    "record.",
        "neutral": f"check_host = neutral: no term of the record matched {res.ip} and it ends "
                   "without -all or ~all.{where} Receivers treat this like no SPF.",
        "none": "No SPF record: receivers cannot authenticate the sender.",
        "permerror": f"{res.reason}.",
        "temperror": f"{res.reason}. Retry; this is not an SPF verdict.",
    }[res.result]
    if what:
        summary = f"{what}: {summary}"
    if status == "error":
        return error_finding(fid, f"SPF for {res.ip} sending as {res.domain}", None,
                             summary=summary, title=titles[res.result], details=res.to_dict())
    return finding(fid, status, titles[res.result], summary,
                   category if status != "pass" else None, **res.to_dict())


def judge_helo(helo: str, res: SpfResult) -> Finding:
    """``dns.spf.helo``: optional for receivers, so only a definite failure warns."""
    fid = "dns.spf.helo"
    if res.result == "none":
        return finding(fid, Status.PASS, f"HELO name {helo}: no SPF record (optional)",
                       f"Receivers may also check SPF for the HELO name (RFC 7208 2.3); {helo} "
                       "publishes none, which is common and costs nothing. To cover it, "
                       f"publish 'v=spf1 a -all' at {helo}.", **res.to_dict())
    if res.result == "neutral":
        return finding(fid, Status.PASS, f"HELO name {helo}: its SPF record says nothing "
                       f"about {res.ip} (optional)", f"check_host({res.ip}, {helo}) = neutral, "
                       "which receivers treat like no record.", **res.to_dict())
    f = judge_eval(fid, res, f"HELO {helo}")
    if f.status.failed and f.status is not Status.ERROR:
        f.status = Status.WARN  # a failing HELO check matters to few receivers
    return f
