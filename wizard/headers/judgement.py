"""Findings and one verdict for a received message: which requirement failed, who must fix it,
the next step and the articles.

The decision, in order (the first that applies wins):

1. the message is malformed where it matters (not exactly one From address): ``message-format``;
2. DMARC fails for the From domain: ``dmarc-fail``; without a DMARC record, neither SPF nor DKIM
   passing: ``sender-unauthenticated``;
3. a receiver's spam filter marked it as spam: ``content-rejected`` (``bad-reputation`` when it
   was classified as bulk mail);
4. another failure (a DKIM or SPF failure that DMARC does not rescue, without DMARC);
5. a check that could not run (the DNS did not answer) where the verdict depends on it: ``error``
   (the final receiver's own recorded DMARC result is used instead when it has one);
6. warnings (a broken signature DMARC survived, forwarding, a missing DMARC record, the
   sender-requirements a bulk sender misses, clock skew): ``warn``, category ``success``;
7. otherwise ``pass``.

Headlines come from ``categories.toml`` (:func:`~wizard.catalog.categories.headline_for`) except
where the
category's words would be wrong for a delivered message (spam, bulk); next steps are the
category's (:func:`~wizard.catalog.categories.next_step_for`) unless a finding knows better, e.g.
"a mailing
list rewrote the subject after signing". Pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wizard.catalog.categories import headline_for, next_step_for
from wizard.headers.changes import final_hop
from wizard.model.findings import Finding, NextStep, Status, Step, Verdict

if TYPE_CHECKING:
    from wizard.headers.changes import Change
    from wizard.headers.dkim import DkimCheck
    from wizard.headers.result import Analysis

FORWARDING = "forwarding-and-dkim"
ARC_ARTICLE = "arc-sealing"
SPAM_ARTICLE = "microsoft-spam-headers"
BULK_ARTICLE = "bulk-sender-requirements"


def _f(fid: str, step: Step, status: Status, title: str, summary: str = "",
       category: str | None = None, articles: list[str] | None = None,
       next_step: NextStep | None = None, **details: Any) -> Finding:
    return Finding(id=fid, step=step, status=status, title=title, summary=summary,
                   details=details, category=category, articles=list(articles or []),
                   next=next_step)


def facts_of(a: Analysis) -> dict[str, Any]:
    to = a.message.addresses("To")
    return {"domain": a.from_domain, "sending_ip": a.spf.ip, "mail_from": a.spf.mail_from,
            "recipient_domain": to[0].rpartition("@")[2] if to else None,
            "rcpt_to": to[0] if to else None}


def _check_dns(domain: str | None, ip: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"kind": "check-dns", "domain": domain}
    if ip:
        action["sending_ip"] = ip
    return action


# ------------------------------------------------------------------------------ next steps

def _change_next(change: Change, domain: str | None) -> NextStep:
    if change.kind == "forwarded":
        return NextStep(
            f"The message was forwarded by {change.suspect or 'a forwarder'}, which breaks SPF "
            f"by design: {domain or 'the sender'} must sign with DKIM (d= aligned with the "
            "From domain) so DMARC survives forwarding; the forwarder can add ARC.",
            "your-mail-admin", _check_dns(domain))
    if change.kind == "changed-after-delivery":
        return NextStep(
            "Nothing the sender can fix: the copy you analysed was changed after the receiver "
            "verified it (by the recipient's own gateway or filter, or when it was saved). "
            "Analyse the message as it arrived, exported from the mailbox.",
            "recipient-admin", {"kind": "read", "article": FORWARDING})
    hint = f" ({change.hints[0]})" if change.hints else ""
    if change.suspect:
        lead = f"{change.suspect} changed the message after it was signed{hint}. Ask its operator"
    else:
        lead = ("Something on the way (a mailing list, forwarder, security gateway or footer "
                f"tool) changed the message after it was signed{hint}. Find it in the hops and "
                "ask its operator")
    return NextStep(
        f"{lead} to stop modifying signed messages (no subject tags or footers), or to rewrite "
        "the From and seal with ARC; receivers can then trust its ARC seal. The sender cannot "
        "fix this alone.", "recipient-admin", {"kind": "read", "article": FORWARDING})


def _dkim_next(check: DkimCheck, domain: str | None) -> NextStep:
    d, s = check.domain or domain, check.selector or "SELECTOR"
    if check.problem == "key":
        return NextStep(
            f"Publish the DKIM key for selector {s} at {s}._domainkey.{d} (the sending service "
            f"shows it), then check the DNS of {d} with that selector.",
            "your-mail-admin", {"kind": "check-dns", "domain": d, "dkim_selector": s})
    if check.problem == "expired":
        return NextStep(
            f"The signer of {d} sets a short expiry (x=); lengthen it in the signing service "
            "to at least a few days, so slow deliveries still verify.",
            "your-mail-admin", {"kind": "read", "article": "dkim-fail"})
    return next_step_for("dkim-fail", {"domain": d})


def _dmarc_next(a: Analysis) -> NextStep:
    d = a.dmarc
    domain = a.from_domain
    change = next((c for c in a.changes if c.method == "dkim"
                   and c.kind in ("changed-in-transit", "changed-after-delivery")
                   and c.domain and d.domain and _aligned_domain(c.domain, d)), None)
    if change is not None:
        return _change_next(change, domain)
    forwarded = next((c for c in a.changes if c.kind == "forwarded"), None)
    signed = [c for c in a.dkim if c.domain]
    broken_key = next((c for c in signed if c.problem == "key"), None)
    if broken_key is not None:
        return _dkim_next(broken_key, domain)
    if forwarded is not None and not d.dkim_aligned:
        return _change_next(forwarded, domain)
    spf = a.spf_receiver or a.spf
    if (spf.result == "pass" and not d.spf_domain_aligned) or (d.dkim_domains and
                                                               not d.dkim_aligned):
        others = sorted({x for x in [d.spf_domain if spf.result == "pass" else None,
                                     *d.dkim_domains] if x})
        return NextStep(
            f"SPF/DKIM pass only for {', '.join(others)}, not for {domain}: set up the sending "
            f"service to sign with d={domain} (custom DKIM) or to use a Return-Path in {domain}, "
            "so one of them aligns.", "your-mail-admin", _check_dns(domain, spf.ip))
    if spf.ip and spf.result in ("fail", "softfail", "neutral") and not signed:
        mail_domain = spf.domain or domain
        return NextStep(
            f"Add the sending server {spf.ip} to the SPF record of {mail_domain} (or include "
            f"its provider's SPF), and sign the mail with DKIM for {domain}.",
            "your-mail-admin", _check_dns(mail_domain, spf.ip))
    return next_step_for("dmarc-fail", facts_of(a))


def _aligned_domain(d_domain: str, d: Any) -> bool:
    from wizard.dns.dmarc import aligned

    return aligned(d.domain, d_domain, d.adkim)


# ------------------------------------------------------------------------------ findings

def _format_findings(a: Analysis) -> list[Finding]:
    out = []
    froms = a.message.all("From")
    addresses = a.message.addresses("From")
    if len(froms) != 1 or len(addresses) != 1:
        what = "no From field" if not froms else (
            f"{len(froms)} From fields" if len(froms) > 1 else
            f"{len(addresses)} addresses in From")
        out.append(_f("headers.format.from", Step.SEND, Status.FAIL,
                      f"The message has {what}", "RFC 5322 needs exactly one From address; "
                      "DMARC cannot be evaluated without one and receivers reject or junk it.",
                      "message-format", ["message-format"]))
    duplicated = [n for n in a.message.duplicated() if n != "from"]
    if duplicated:
        out.append(_f("headers.format.duplicated", Step.SEND, Status.WARN,
                      f"Duplicated header field(s): {', '.join(duplicated)}",
                      "These fields may appear only once (RFC 5322 3.6); receivers may reject "
                      "or junk the message, and a duplicate added after signing breaks DKIM.",
                      "message-format", ["message-format"], fields=duplicated))
    return out


def _dmarc_finding(a: Analysis) -> Finding | None:
    d = a.dmarc
    if d.domain is None:
        return None
    details = d.to_dict()
    if d.result == "pass":
        return _f("headers.dmarc", Step.DNS, Status.PASS,
                  f"DMARC passes for {d.domain}" + (f" (p={d.policy})" if d.policy else ""),
                  d.reason, **details)
    if d.result == "fail":
        policy = f"p={d.policy}" + (f", pct={d.pct}" if d.pct not in (None, 100) else "")
        return _f("headers.dmarc", Step.DNS, Status.FAIL,
                  f"DMARC fails for {d.domain} ({policy})", d.reason, "dmarc-fail",
                  _dmarc_articles(a), _dmarc_next(a), **details)
    if d.result == "temperror":
        recorded = _recorded_dmarc(a)
        if recorded is not None and recorded.result in ("fail", "pass"):
            failed = recorded.result == "fail"
            by = recorded.authserv_id or "the receiver"
            return _f("headers.dmarc", Step.DNS, Status.FAIL if failed else Status.PASS,
                      f"DMARC {recorded.result} for {d.domain}, as {by} recorded it (could "
                      "not re-check now)", d.reason,
                      "dmarc-fail" if failed else None, _dmarc_articles(a) if failed else [],
                      _dmarc_next(a) if failed else None, recorded_by=recorded.authserv_id,
                      **details)
        return _f("headers.dmarc", Step.DNS, Status.ERROR,
                  f"Could not look up the DMARC policy of {d.domain}", d.reason, **details)
    if d.result == "none":
        spf = a.spf_receiver or a.spf
        if spf.result != "pass" and not any(c.passed for c in a.dkim):
            return _f("headers.auth", Step.DNS, Status.FAIL,
                      f"Neither SPF nor DKIM passed for {d.domain}",
                      f"{d.reason}; SPF {spf.result}, DKIM " + (
                          ", ".join(c.result for c in a.dkim) or "not signed") + ".",
                      "sender-unauthenticated", ["sender-unauthenticated", FORWARDING],
                      next_step_for("sender-unauthenticated", facts_of(a)), **details)
        return _f("headers.dmarc", Step.DNS, Status.WARN, f"No DMARC policy for {d.domain}",
                  f"{d.reason}. Gmail and Yahoo require bulk senders to publish one "
                  "(p=none is enough to start).", "dns-dmarc", ["dns-dmarc", BULK_ARTICLE],
                  next_step_for("dns-dmarc", facts_of(a)), **details)
    return None


def _recorded_dmarc(a: Analysis) -> Any:
    final = final_hop(a.hops, a.recorded)
    return next((r for r in a.recorded if r.method == "dmarc" and r.hop == final
                 and r.header == "Authentication-Results"), None)


def _dmarc_articles(a: Analysis) -> list[str]:
    out = ["dmarc-fail"]
    if any(c.kind in ("changed-in-transit", "forwarded", "changed-after-delivery")
           for c in a.changes):
        out.insert(0, FORWARDING)
    if a.arc.instances:
        out.append(ARC_ARTICLE)
    return out


def _dkim_findings(a: Analysis) -> list[Finding]:
    dmarc_ok = a.dmarc.result == "pass"
    out = []
    for c in a.dkim:
        fid = f"headers.dkim.{c.index}"
        name = f"DKIM d={c.domain} s={c.selector}"
        details = c.to_dict()
        if c.passed and c.unsigned_bytes:
            out.append(_f(fid, Step.DNS, Status.WARN,
                          f"{name}: verified, but {c.unsigned_bytes} bytes are not signed (l=)",
                          f"{c.reason}. Text added after signing (a footer, or an attacker's "
                          "content) is not authenticated by this signature.", None,
                          ["dkim-fail"], NextStep(
                              f"Ask the signer of {c.domain} to stop using l= (body length "
                              "limits): it lets anyone append unauthenticated content.",
                              "your-mail-admin", {"kind": "read", "article": "dkim-fail"}),
                          **details))
        elif c.passed:
            out.append(_f(fid, Step.DNS, Status.PASS, f"{name}: signature verified", c.reason,
                          **details))
        elif c.result == "temperror":
            out.append(_f(fid, Step.DNS, Status.ERROR, f"{name}: could not fetch the key",
                          c.reason, **details))
        elif c.problem == "no-body":
            out.append(_f(fid, Step.DNS, Status.SKIP, f"{name}: body not given", c.reason,
                          **details))
        else:
            category = "dns-dkim" if c.problem == "key" else "dkim-fail"
            rescued = dmarc_ok or (a.dmarc.result == "none" and any(x.passed for x in a.dkim))
            status = Status.WARN if rescued else Status.FAIL
            articles = [FORWARDING, "dkim-fail"] if c.problem in ("body", "header") \
                else [category]
            change = next((x for x in a.changes if x.method == "dkim" and x.domain == c.domain),
                          None)
            since = change is not None and change.kind in ("key-changed", "expired")
            if since:
                status = Status.WARN  # it verified when it was delivered
            if change is not None and change.kind in ("changed-in-transit",
                                                      "changed-after-delivery"):
                nxt = _change_next(change, a.from_domain)
            elif since:
                nxt = NextStep("Nothing to fix for this message: it verified when it was "
                               "delivered; the key or the signature's expiry changed since.",
                               "you", {"kind": "none"})
            else:
                nxt = _dkim_next(c, a.from_domain)
            out.append(_f(fid, Step.DNS, status, f"{name}: {c.result}", c.reason, category,
                          articles, nxt, **details))
    if not a.dkim:
        out.append(_f("headers.dkim", Step.DNS, Status.WARN, "The message is not DKIM-signed",
                      "Without a DKIM signature DMARC depends on SPF alone, which forwarding "
                      "breaks.", "dkim-fail", ["dkim-fail", FORWARDING],
                      next_step_for("dkim-fail", facts_of(a))))
    return out


def _spf_findings(a: Analysis) -> list[Finding]:
    out = []
    dmarc_ok = a.dmarc.result == "pass"
    for fid, check, label in (("headers.spf", a.spf, "sender's hop"),
                              ("headers.spf.receiver", a.spf_receiver, "receiver's hop")):
        if check is None:
            continue
        details = check.to_dict()
        who = f"{check.ip} ({label}) for {check.mail_from or '<>'}"
        result = check.result
        if check.ip is None or check.mail_from is None or check.domain is None:
            out.append(_f(fid, Step.DNS, Status.SKIP, "SPF not evaluated", check.reason or "",
                          **details))
            continue
        if result == "pass":
            out.append(_f(fid, Step.DNS, Status.PASS, f"SPF passes for {who}",
                          f"matched {check.matched['term']}" if check.matched else "",
                          **details))
        elif result == "temperror":
            out.append(_f(fid, Step.DNS, Status.ERROR, f"SPF could not be evaluated for {who}",
                          check.reason or "", **details))
        elif result in ("none", "permerror"):
            out.append(_f(fid, Step.DNS, Status.WARN if dmarc_ok else Status.FAIL,
                          f"SPF {result} for {who}", check.reason or
                          f"{check.domain} has no usable SPF record", "dns-spf", ["dns-spf"],
                          next_step_for("dns-spf", {"domain": check.domain,
                                                    "sending_ip": check.ip}), **details))
        else:
            forwarded = fid.endswith("receiver") and a.spf.result == "pass"
            status = Status.WARN if dmarc_ok or forwarded else Status.FAIL
            nxt = next((_change_next(c, a.from_domain) for c in a.changes
                        if c.kind == "forwarded"), None) if forwarded else NextStep(
                f"Add {check.ip} to the SPF record of {check.domain} if that server sends "
                "for it (or include its provider), or rely on aligned DKIM.",
                "your-mail-admin", _check_dns(check.domain, check.ip))
            out.append(_f(fid, Step.DNS, status, f"SPF {result} for {who}",
                          check.explanation or check.reason or "the record does not allow "
                          "this IP", "spf-fail",
                          [FORWARDING, "spf-fail"] if forwarded else ["spf-fail"], nxt,
                          **details))
    return out


def _arc_finding(a: Analysis) -> Finding | None:
    arc = a.arc
    if arc.result == "none" and not arc.instances:
        return None
    details = arc.to_dict()
    n = len(arc.instances)
    if arc.result == "pass":
        return _f("headers.arc", Step.DNS, Status.PASS, f"ARC chain validates ({n} set(s))",
                  arc.reason, **details)
    if arc.result == "temperror":
        return _f("headers.arc", Step.DNS, Status.ERROR, "Could not validate the ARC chain",
                  arc.reason, **details)
    if arc.result == "neutral":
        return _f("headers.arc", Step.DNS, Status.SKIP, "ARC chain not checked", arc.reason,
                  **details)
    return _f("headers.arc", Step.DNS, Status.WARN, f"ARC chain {arc.result} ({n} set(s))",
              f"{arc.reason}. Receivers cannot use the forwarders' seals.", None,
              [ARC_ARTICLE], NextStep(
                  "Tell the forwarder whose seal fails (see the ARC sets) to fix its ARC "
                  "signing key or configuration.", "recipient-admin",
                  {"kind": "read", "article": ARC_ARTICLE}), **details)


def _change_findings(a: Analysis) -> list[Finding]:
    out = []
    for number, change in enumerate(a.changes, 1):
        info = change.kind in ("key-changed", "expired")
        title = {"changed-in-transit": "The message was changed on the way",
                 "changed-after-delivery": "The message was changed after delivery",
                 "key-changed": "The DKIM key changed since delivery",
                 "expired": "The DKIM signature expired since delivery",
                 "dns-changed": "The receiver's result differs from now",
                 "forwarded": "The message was forwarded (SPF breaks)"}[change.kind]
        if change.suspect:
            title += f": most likely by {change.suspect}"
        category = None if info else ("spf-fail" if change.method == "spf" else "dkim-fail")
        out.append(_f(f"headers.change.{number}", Step.SEND,
                      Status.PASS if info else Status.WARN, title, change.summary, category,
                      [FORWARDING, ARC_ARTICLE] if not info else ["dkim-fail"],
                      None if info else _change_next(change, a.from_domain),
                      change=change.to_dict()))
    return out


def _spam_finding(a: Analysis) -> Finding | None:
    spam = a.spam
    if spam["verdict"] == "unknown":
        return None
    if spam["verdict"] == "not-spam":
        return _f("headers.spam", Step.SEND, Status.PASS,
                  "No spam filter marked the message as spam", "", **spam)
    microsoft = spam.get("microsoft") or {}
    bulk = bool(microsoft.get("bulk"))
    reasons = "; ".join(spam["reasons"][:3])
    if bulk:
        return _f("headers.spam", Step.SEND, Status.FAIL,
                  "The receiver classified the message as bulk mail (junk)", reasons,
                  "bad-reputation", [SPAM_ARTICLE, BULK_ARTICLE, "bad-reputation"], NextStep(
                      "Recipients complain about this sender's bulk mail (high BCL). The sender "
                      "must send only wanted mail with one-click unsubscribe; the recipient's "
                      "admin can allow the sender if the mail is wanted.", "your-mail-admin",
                      {"kind": "read", "article": BULK_ARTICLE}), **spam)
    first = [SPAM_ARTICLE] if microsoft.get("spam") else ["reading-message-headers"]
    return _f("headers.spam", Step.SEND, Status.FAIL,
              "The receiver's spam filter marked the message as spam", reasons,
              "content-rejected", [*first, "spam-rejections", "content-rejected"],
              NextStep("Authentication is not the (only) cause: the filter judged the content "
                       "or the sender's reputation. Ask the recipient's mail admin to check the "
                       "message trace and allow the sender if the mail is wanted; as the sender, "
                       "review links, attachments and wording.", "recipient-admin",
                       {"kind": "contact", "who": "recipient-admin"}), **spam)


def _looks_bulk(a: Analysis) -> bool:
    precedence = (a.message.value("Precedence") or "").lower()
    microsoft = (a.spam.get("microsoft") or {})
    return bool(a.message.value("List-Unsubscribe") or a.lists["is_list"]
                or precedence in ("bulk", "list") or microsoft.get("bulk")
                or ((microsoft.get("bcl") or {}).get("value") or 0) > 0)


def _requirement_findings(a: Analysis) -> list[Finding]:
    out = []
    bulk = _looks_bulk(a)
    covered = {"authenticated", "single-from", "from-aligned", "dmarc-record", "spf-and-dkim"}
    for row in a.requirements:
        if row["status"] != "fail" or row["id"] in covered:
            continue
        if row["applies"] == "bulk" and not bulk:
            continue
        who = "Gmail and Yahoo require" + (" bulk senders to have" if row["applies"] == "bulk"
                                           else " it")
        out.append(_f(f"headers.requirement.{row['id']}", Step.SEND, Status.WARN,
                      f"Sender requirement not met: {row['title']}",
                      f"{row['evidence']}. {row['why']}", None, [row["article"]], NextStep(
                          f"{row['why']} ({who}.)", "your-mail-admin",
                          {"kind": "read", "article": row["article"]}), requirement=row["id"],
                      applies=row["applies"]))
    return out


def _hop_finding(a: Analysis) -> Finding | None:
    skew = a.delays.get("clock_skew_hops") or []
    if not skew:
        return None
    return _f("headers.hops.clock", Step.SEND, Status.WARN,
              f"Clock skew between servers at hop(s) {', '.join(map(str, skew))}",
              "A hop is stamped earlier than the hop before it: one of the two servers' clocks "
              "is wrong. Delays around it are not reliable (shown as they are, negative).",
              None, ["troubleshooting-checklist"], NextStep(
                  "Nothing to do for delivery; tell the administrator of the server with the "
                  "wrong clock (compare the times with your own) to enable NTP.", "you",
                  {"kind": "none"}), hops=skew)


def findings_of(a: Analysis) -> list[Finding]:
    out: list[Finding] = []
    out += _format_findings(a)
    dmarc = _dmarc_finding(a)
    if dmarc is not None:
        out.append(dmarc)
    out += _change_findings(a)
    out += _dkim_findings(a)
    out += _spf_findings(a)
    arc = _arc_finding(a)
    if arc is not None:
        out.append(arc)
    spam = _spam_finding(a)
    if spam is not None:
        out.append(spam)
    out += _requirement_findings(a)
    hop = _hop_finding(a)
    if hop is not None:
        out.append(hop)
    return out


# ------------------------------------------------------------------------------ verdict

FAIL_ORDER = ("headers.format.from", "headers.dmarc", "headers.auth", "headers.spam")


def _first(findings: list[Finding], status: Status, order: tuple[str, ...] = ()) -> Finding | None:
    hits = [f for f in findings if f.status is status]
    for fid in order:
        found = next((f for f in hits if f.id == fid), None)
        if found is not None:
            return found
    return hits[0] if hits else None


def _headline(finding: Finding, facts: dict[str, Any]) -> str:
    if finding.id == "headers.spam":
        return finding.title  # the category's words ("rejected") would be wrong: it arrived
    if finding.category:
        return headline_for(finding.category, facts)
    return finding.title


def judge(a: Analysis) -> tuple[list[Finding], Verdict]:
    """The findings of the analysis and its verdict (rules in the module docstring)."""
    findings = findings_of(a)
    facts = facts_of(a)
    inconclusive = tuple(f.id for f in findings if f.status is Status.ERROR)
    failed = _first(findings, Status.FAIL, FAIL_ORDER)
    if failed is not None:
        category = failed.category or "unknown"
        return findings, Verdict(Status.FAIL, _headline(failed, facts), category,
                                 failed.articles or [category],
                                 failed.next or next_step_for(category, facts), failed.id,
                                 inconclusive)
    dmarc = next((f for f in findings if f.id == "headers.dmarc"), None)
    errored = next((f for f in findings if f.status is Status.ERROR), None)
    if errored is not None and (dmarc is None or dmarc.status is not Status.PASS):
        return findings, Verdict(
            Status.ERROR, f"Could not verify the message: {errored.title}", None, ["unknown"],
            NextStep("Run it again, or ask another nameserver: the DNS did not "
                     "answer, which says nothing about the records themselves.", "you",
                     {"kind": "rerun", "ask": ["nameserver"]}), errored.id, inconclusive)
    warned = [f for f in findings if f.status is Status.WARN]
    domain = a.from_domain or "the sender"
    if warned:
        first = warned[0]
        more = f" (and {len(warned) - 1} more warning(s))" if len(warned) > 1 else ""
        lead = "Passes DMARC" if a.dmarc.result == "pass" else "Authenticates"
        nxt = first.next or next_step_for(first.category, facts)
        return findings, Verdict(Status.WARN, f"{lead}, with warnings: {first.title}{more}",
                                 "success", first.articles or ["success"], nxt, first.id,
                                 inconclusive)
    how = "DMARC passes" if a.dmarc.result == "pass" else "the message authenticates"
    spam_note = "" if a.spam["verdict"] != "not-spam" else " and no spam filter flagged it"
    return findings, Verdict(
        Status.PASS, f"Nothing wrong found: {how} for {domain}{spam_note}", "success",
        ["reading-message-headers"], NextStep(
            "Nothing to fix in how the message was sent. If it still went to junk, the "
            "recipient's own rules or junk settings moved it: ask them to mark it as not spam.",
            "you", {"kind": "none"}), None, inconclusive)
