"""Where what the receivers recorded differs from what verifies now, and which hop most likely
changed the message.

Every recorded result is first attributed to a hop: a receiver writes Authentication-Results
(and an ARC set) just above its own Received field, so a result belongs to the nearest Received
field below it, unless its authserv-id names another hop's server. Then, per DKIM signature:

* recorded ``pass`` at hop *n*, ``fail`` at a later hop *m* (or now): the message was changed at or
  after hop *n*'s server, before *m* checked it. The server at hop *n* (a mailing list or a
  forwarder that accepted the message and passed it on) is the most likely culprit;
* no pass recorded, a ``fail`` at hop *m*: changed before *m*, most likely by a mailing list or
  forwarder on the way (List-Id, an ARC sealer, a subject tag say which);
* a key problem now but ``pass`` at the time: the key was rotated or removed since (the message
  did not change); an expired ``x=`` likewise.

SPF: when the receiver saw another IP than the sender's own server, a forwarder relayed it and
SPF fails there, by design. Pure: it reads the other modules' results and only explains them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wizard.headers.arc import ArcCheck
from wizard.headers.authres import Recorded
from wizard.headers.dkim import DkimCheck
from wizard.headers.hops import Hop
from wizard.headers.parse import Message
from wizard.headers.spf import SpfCheck, organisation

BROKEN = ("fail", "permerror", "neutral", "policy", "hardfail")
_SUBJECT_TAG = re.compile(r"^\s*(?:(?:re|fwd?|aw|sv|wg)\s*:\s*)*(\[[^\]]{1,40}\])", re.I)


@dataclass
class Change:
    """One difference between what was recorded and what verifies now, explained."""

    method: str
    domain: str | None
    kind: str  # changed-in-transit | changed-after-delivery | key-changed | expired |
    #            dns-changed | forwarded
    summary: str
    now: str
    recorded: list[dict[str, Any]] = field(default_factory=list)
    suspect_hop: int | None = None
    suspect: str | None = None
    hints: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "domain": self.domain, "kind": self.kind,
                "summary": self.summary, "now": self.now, "recorded": self.recorded,
                "suspect_hop": self.suspect_hop, "suspect": self.suspect,
                "hints": list(self.hints)}


def attribute(recorded: list[Recorded], hops: list[Hop]) -> None:
    """Set ``hop`` on every recorded result (see the module docstring)."""
    below = sorted(hops, key=lambda h: h.field_index)
    for entry in recorded:
        positional = next((h for h in below if h.field_index > entry.field_index), None)
        named = [h for h in hops if entry.authserv_id and h.by and (
            h.by == entry.authserv_id or h.by.endswith("." + entry.authserv_id))]
        if positional is not None and (not named or positional in named):
            entry.hop = positional.index
        elif len(named) == 1:
            entry.hop = named[0].index
        elif positional is not None:
            entry.hop = positional.index


def final_hop(hops: list[Hop], recorded: list[Recorded] | None = None) -> int | None:
    """The hop of the final receiver: the newest hop that wrote Authentication-Results (in
    Microsoft 365 and Gmail that is the hop into the organisation, not the last internal one),
    else the last hop."""
    written = [r.hop for r in recorded or () if r.hop and r.header == "Authentication-Results"]
    if written:
        return max(written)
    return hops[-1].index if hops else None


def list_signals(message: Message) -> dict[str, Any]:
    """What says a mailing list handled the message."""
    list_id = message.value("List-Id")
    post = message.value("List-Post")
    subject = message.text("Subject") or ""
    tag = _SUBJECT_TAG.match(subject)
    domain = None
    for value in (post, message.value("List-Unsubscribe") if list_id else None):
        found = re.search(r"mailto:[^@>\s]+@([^>?\s,]+)", value or "", re.I)
        if found:
            domain = found.group(1).lower().rstrip(".")
            break
    if domain is None and list_id:
        found = re.search(r"<([^>]+)>", list_id)
        ident = (found.group(1) if found else list_id).strip().lower()
        domain = ident.split(".", 1)[1] if "." in ident else None
    markers = [name for name in ("X-Mailman-Version", "X-BeenThere", "X-Google-Group-Id",
                                 "Mailing-List", "List-Archive") if message.value(name)]
    return {"list_id": list_id, "list_domain": domain,
            "subject_tag": tag.group(1) if tag else None, "markers": markers,
            "is_list": bool(list_id or post or markers)}


def _hop(hops: list[Hop], index: int | None) -> Hop | None:
    return next((h for h in hops if h.index == index), None) if index else None


def _matches(entry: Recorded, domain: str) -> bool:
    d = (entry.prop("header.d") or "").lower().rstrip(".")
    i = (entry.prop("header.i") or "").lower().rstrip(".")
    return d == domain or (not d and (i.endswith("@" + domain) or i.endswith("." + domain)))


def _describe(hop: Hop | None) -> str | None:
    if hop is None:
        return None
    return f"{hop.by or 'an unnamed server'} (hop {hop.index})"


def _list_hop(hops: list[Hop], signals: dict[str, Any], arc: ArcCheck,
              before: int | None) -> Hop | None:
    """The hop of the list or forwarder: its server names the list domain or an ARC sealer."""
    names = [signals.get("list_domain")] + [i.seal_domain for i in arc.instances]
    orgs = {organisation(n) for n in names if n}
    orgs.discard(None)
    candidates = [h for h in hops if (before is None or h.index < before)
                  and organisation(h.by) in orgs]
    return candidates[-1] if candidates else None


def header_hints(message: Message, check: DkimCheck, signals: dict[str, Any]) -> list[str]:
    """Which signed header most likely changed, from what the message shows."""
    hints: list[str] = []
    signed = check.signed_headers
    if signals["subject_tag"] and "subject" in signed:
        hints.append(f"the Subject carries a list tag {signals['subject_tag']}: a mailing list "
                     "rewrote the subject after signing")
    for name in ("subject", "from", "to", "cc", "reply-to", "date", "message-id"):
        present = len(message.all(name))
        if name in signed and present > signed.count(name):
            hints.append(f"{name.title()} appears {present} times but was signed "
                         f"{signed.count(name)} time(s): one was added after signing")
    display = message.text("From") or ""
    if "from" in signed and re.search(r"\bvia\b", display, re.I) and signals["is_list"]:
        hints.append("the From was rewritten by a list ('... via ...'), as lists do for DMARC")
    if signals["is_list"] and "reply-to" in signed and message.value("Reply-To"):
        hints.append("a mailing list may have rewritten Reply-To")
    return hints


def body_hints(check: DkimCheck, signals: dict[str, Any]) -> list[str]:
    hints = []
    if signals["is_list"]:
        hints.append("a mailing list usually adds a footer (unsubscribe text) to the body")
    if check.canonicalization and check.canonicalization.endswith("/simple"):
        hints.append("the body uses simple canonicalization: even re-wrapped lines or changed "
                     "whitespace break it")
    return hints


def _dkim_change(check: DkimCheck, recorded: list[Recorded], hops: list[Hop],
                 message: Message, arc: ArcCheck, signals: dict[str, Any]) -> Change | None:
    domain = check.domain
    if not domain:
        return None
    recs = sorted((r for r in recorded if r.method == "dkim" and r.hop and _matches(r, domain)),
                  key=lambda r: r.hop or 0)
    shown = [{"hop": r.hop, "authserv_id": r.authserv_id, "result": r.result,
              "header": r.header, "reason": r.reason or r.comment} for r in recs]
    passes = [r for r in recs if r.result == "pass"]
    fails = [r for r in recs if r.result in BROKEN]
    final = final_hop(hops, recorded)
    if check.passed:
        final_fail = [r for r in fails if r.hop == final and r.header == "Authentication-Results"]
        if final_fail:
            return Change("dkim", domain, "dns-changed",
                          f"The final receiver recorded dkim={final_fail[0].result} for "
                          f"d={domain}, but the signature verifies now: its DNS lookup failed "
                          "at the time, or the key was published since.", check.result, shown)
        return None
    if check.problem in ("key", "expired") and passes:
        kind = "key-changed" if check.problem == "key" else "expired"
        what = ("the key has been removed or changed since (a key rotation)"
                if kind == "key-changed" else "the signature has expired since (x=)")
        witness = _describe(_hop(hops, passes[-1].hop))
        return Change("dkim", domain, kind,
                      f"Receivers verified d={domain} at the time ({witness} recorded "
                      f"dkim=pass); it fails now because {what}. The message itself did not "
                      "change.", check.result, shown)
    if check.problem not in ("body", "header"):
        return None
    hints = body_hints(check, signals) if check.problem == "body" else []
    if check.header_signature == "fail":
        hints = header_hints(message, check, signals) + hints
    what = "the body" if check.problem == "body" else "a signed header"
    arc_pass = [i for i in arc.instances if any(
        r.method == "dkim" and r.result == "pass" and _matches(r, domain) for r in i.results)]
    if passes:
        last = passes[-1]
        later = next((r for r in fails if (r.hop or 0) > (last.hop or 0)), None)
        hop = _hop(hops, last.hop)
        if later is None and last.hop == final:
            return Change("dkim", domain, "changed-after-delivery",
                          f"The final receiver ({_describe(hop)}) verified d={domain}; this copy "
                          f"fails because {what} changed after delivery (by the recipient's own "
                          "gateway or filter, or when the message was saved or forwarded as a "
                          "file).", check.result, shown, None, None, hints)
        where = f", before {_describe(_hop(hops, later.hop))} found it broken" if later else ""
        return Change("dkim", domain, "changed-in-transit",
                      f"{_describe(hop)} recorded dkim=pass for d={domain}, so the message was "
                      f"intact when it arrived there; {what} was changed at that server or "
                      f"after it{where}. Most likely {hop.by if hop else 'that server'} (a "
                      "mailing list or forwarder) changed it when passing it on.",
                      check.result, shown, hop.index if hop else None,
                      hop.by if hop else None, hints)
    first_fail = fails[0].hop if fails else None
    suspect = _list_hop(hops, signals, arc, first_fail)
    if suspect is None and arc_pass:
        suspect = _list_hop(hops, {"list_domain": arc_pass[0].seal_domain}, arc, None)
    before = f" before {_describe(_hop(hops, first_fail))} checked it" if first_fail else ""
    if suspect is not None:
        summary = (f"{what.capitalize()} was changed after d={domain} signed it{before}; most "
                   f"likely by {_describe(suspect)}, a mailing list or forwarder on the way.")
    else:
        summary = (f"{what.capitalize()} was changed after d={domain} signed it{before}; "
                   "nothing in the headers names the server that did it (look for a gateway, "
                   "a disclaimer or footer tool, or a list between the hops).")
    if arc_pass:
        summary += (f" The ARC seal of {arc_pass[0].seal_domain} (i={arc_pass[0].instance}) "
                    f"records dkim=pass before its change (ARC {arc.result}).")
    return Change("dkim", domain, "changed-in-transit", summary, check.result, shown,
                  suspect.index if suspect else None, suspect.by if suspect else None, hints)


def _spf_change(sender: SpfCheck, receiver: SpfCheck | None, hops: list[Hop]
                ) -> Change | None:
    if receiver is None or receiver.ip == sender.ip:
        return None
    if sender.result == "pass" and receiver.result != "pass":
        hop = _hop(hops, receiver.hop)
        who = hop.from_host if hop and hop.from_host else receiver.ip
        return Change("spf", sender.domain, "forwarded",
                      f"SPF passes for the sender's own server ({sender.ip}, hop {sender.hop}) "
                      f"but the final receiver got the message from {who} ({receiver.ip}, hop "
                      f"{receiver.hop}): a forwarder or list relayed it, and SPF "
                      f"{receiver.result}s there by design. DKIM (or ARC) must carry DMARC "
                      "for forwarded mail.", receiver.result, [],
                      receiver.hop, who)
    return None


def find_changes(message: Message, hops: list[Hop], recorded: list[Recorded],
                 dkim: list[DkimCheck], arc: ArcCheck, spf: SpfCheck,
                 spf_receiver: SpfCheck | None) -> list[Change]:
    """Every difference worth explaining, DKIM first."""
    signals = list_signals(message)
    out = [c for c in (_dkim_change(check, recorded, hops, message, arc, signals)
                       for check in dkim) if c is not None]
    spf_change = _spf_change(spf, spf_receiver, hops)
    if spf_change is not None:
        out.append(spf_change)
    return out
