"""SPF re-evaluated now, with the project's own evaluator (``wizard.dns.spf``) and its trace.

Which IP? RFC 7208 checks the IP that connected to a receiver. Two hops matter:

* the **sender's hop**: the first hop (from the sender) whose connecting IP is public and whose
  receiving server is outside the sender's organisation (a hand-off inside one provider, e.g.
  between Microsoft 365 servers, does not count: ``data/infrastructure.toml``). This is the IP
  the sender's SPF record must allow.
* the **receiver's hop**: the IP the final receiver checked, as it recorded it
  (``Received-SPF: client-ip=``, ``Authentication-Results`` comments), else the last hop into the
  recipient's organisation. When a forwarder or list sits in between, this IP differs from the
  sender's, which is exactly why forwarded mail fails SPF.

The envelope sender is the Return-Path (an SRS address is decoded to the original sender for
the sender's hop), else what a receiver recorded as ``smtp.mailfrom``, else Exim's
``envelope-from``. Finding the hops is pure; :func:`evaluate` does the DNS.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from wizard.dns.dmarc import org_domain
from wizard.dns.resolver import Resolver
from wizard.dns.spf import check_mail_from
from wizard.headers.authres import Recorded, client_ip
from wizard.headers.hops import Hop
from wizard.headers.parse import Message

_SRS0 = re.compile(r"^SRS0[=+-][^=]+=[^=]+=([^=]+)=(.+)@", re.I)
_SRS1 = re.compile(r"^SRS1[=+-].*==[^=]+=[^=]+=([^=]+)=(.+)@", re.I)
_ENVELOPE_FROM = re.compile(r"envelope-from\s*<([^>]*)>", re.I)


@dataclass
class SpfCheck:
    """One SPF evaluation: for which IP and sender, and what the record says."""

    ip: str | None
    ip_source: str
    hop: int | None
    helo: str | None
    mail_from: str | None
    mail_from_source: str
    result: str = "none"
    reason: str | None = None
    domain: str | None = None
    record: str | None = None
    explanation: str | None = None
    matched: dict[str, Any] | None = None
    lookups: int = 0
    trace: list[str] = field(default_factory=list)
    tree: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ip": self.ip, "ip_source": self.ip_source, "hop": self.hop,
                "helo": self.helo, "mail_from": self.mail_from,
                "mail_from_source": self.mail_from_source, "domain": self.domain,
                "result": self.result, "reason": self.reason, "record": self.record,
                "explanation": self.explanation, "matched": self.matched,
                "lookups": self.lookups, "trace": list(self.trace), "trace_tree": self.tree}


@cache
def provider_groups() -> dict[str, frozenset[str]]:
    """Organisational domains per provider (``data/infrastructure.toml``, loaded once)."""
    text = resources.files("wizard.headers").joinpath("data/infrastructure.toml").read_text(
        "utf-8")
    return {gid: frozenset(d.lower() for d in row["domains"])
            for gid, row in tomllib.loads(text).items()}


def organisation(host: str | None) -> str | None:
    """The organisational domain of ``host``, or its provider group (``@microsoft``)."""
    if not host or "." not in host or _looks_like_ip(host):
        return None
    org = org_domain(host)
    for gid, domains in provider_groups().items():
        if org in domains:
            return f"@{gid}"
    return org


def _looks_like_ip(host: str) -> bool:
    return ":" in host or host.replace(".", "").isdigit()


def same_organisation(a: str | None, b: str | None) -> bool:
    org_a, org_b = organisation(a), organisation(b)
    return org_a is not None and org_a == org_b


def crosses(hop: Hop) -> bool:
    """The hop hands the message from one organisation to another over a public address."""
    if not hop.public_from_ip:
        return False
    return not same_organisation(hop.from_host or hop.helo, hop.by)


def sender_hop(hops: list[Hop], sender_domain: str | None) -> Hop | None:
    """The first hop out of the sender's organisation (see the module docstring)."""
    sender_org = organisation(sender_domain) if sender_domain else None
    for hop in hops:
        if crosses(hop) and (sender_org is None or organisation(hop.by) != sender_org):
            return hop
    return None  # it never left the sender's organisation (or the hops do not say)


def receiver_hop(hops: list[Hop]) -> Hop | None:
    """The last hop that crossed between organisations: the hop into the recipient's."""
    return next((h for h in reversed(hops) if crosses(h)), None)


def recorded_client_ip(recorded: list[Recorded], final: int | None) -> tuple[str, str] | None:
    """The IP the final receiver says it checked SPF for, and where that was read."""
    mine = [r for r in recorded if r.method == "spf" and r.header != "ARC-Authentication-Results"
            and (final is None or r.hop == final)]
    for entry in mine:
        ip = client_ip(entry)
        if ip:
            who = entry.authserv_id or "the receiver"
            return ip, f"recorded by {who} ({entry.header})"
    return None


def original_address(address: str) -> str:
    """The original sender inside an SRS0/SRS1 rewritten address; else ``address``."""
    for pattern in (_SRS0, _SRS1):
        found = pattern.match(address)
        if found:
            return f"{found.group(2)}@{found.group(1)}"
    return address


def _address(value: str) -> str:
    found = re.search(r"<([^>]*)>", value)
    return (found.group(1) if found else value).strip()


def envelope_sender(message: Message, hops: list[Hop], recorded: list[Recorded]
                    ) -> tuple[str | None, str]:
    """The envelope sender (``""`` for the null sender) and where it was read."""
    paths = message.all("Return-Path")
    if paths:
        return _address(paths[0].value), "Return-Path"
    for entry in recorded:
        value = entry.prop("smtp.mailfrom")
        if entry.method == "spf" and value:
            return value, f"smtp.mailfrom recorded by {entry.authserv_id or 'a receiver'}"
    for hop in reversed(hops):
        found = _ENVELOPE_FROM.search(hop.raw)
        if found:
            return found.group(1).strip(), f"envelope-from in hop {hop.index}"
    return None, "not found (no Return-Path)"


def domain_of(address: str | None) -> str | None:
    if not address:
        return None
    return address.rpartition("@")[2].lower().rstrip(".") or None


async def evaluate(resolver: Resolver, ip: str | None, ip_source: str, hop: Hop | None,
                   mail_from: str | None, mail_from_source: str) -> SpfCheck:
    """``check_host`` for ``ip`` and ``mail_from`` (HELO for the null sender); never raises."""
    helo = hop.helo if hop else None
    check = SpfCheck(ip, ip_source, hop.index if hop else None, helo, mail_from,
                     mail_from_source)
    if ip is None:
        check.reason = f"no connecting IP to check ({ip_source})"
        return check
    if mail_from is None:
        check.reason = "no envelope sender (Return-Path) in the message"
        return check
    if mail_from == "" and not helo:
        check.reason = "the null sender and no HELO name: nothing to check"
        return check
    sender = mail_from if "@" in mail_from or mail_from == "" else f"postmaster@{mail_from}"
    res = await check_mail_from(resolver, ip, sender, helo or "unknown")
    check.domain = res.domain
    check.result = res.result
    check.reason = res.reason
    check.record = res.record
    check.explanation = res.explanation
    check.matched = res.matched
    check.lookups = res.lookups
    check.trace = res.trace.lines() if res.trace else []
    check.tree = res.trace.to_dict() if res.trace else None
    return check
