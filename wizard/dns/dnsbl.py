"""DNS blocklists (RFC 5782): the sending IP against IP lists, the sender domain against domain
lists, with each answer read by the list's own documented codes.

Only answers in 127.0.0.0/8 count, and never 127.0.0.1 (RFC 5782 section 5). Answers that mean
"your query was refused" (Spamhaus 127.255.255.252/254/255, for example when asking through a
public resolver; see ``data/blocklists.toml`` for each list's codes and sources) and answers
outside 127.0.0.0/8 (a resolver that rewrites NXDOMAIN, a wildcard) are inconclusive, never a
listing: the finding is an ``error`` with no category and says how to ask properly. Public lists
are never asked about loopback, private, documentation or other special-use addresses, nor about
names reserved for testing (RFC 2606, RFC 6761): that is a skip, not a listing.

``interpret`` and ``judge_lists`` are pure; ``lookup_lists`` asks the lists concurrently.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import Any

from wizard.dns.blocklist_catalog import Blocklist, defaults, known
from wizard.dns.resolver import Lookup, LookupStatus, Resolver
from wizard.dns.util import finding, lookup_facts, lookup_failed, next_for
from wizard.model.findings import Finding, NextStep, Status

DEFAULT_IP_LISTS = defaults("ip")
DEFAULT_DOMAIN_LISTS = defaults("domain")

LOOPBACK_NET = ipaddress.ip_network("127.0.0.0/8")
ERROR_NET = ipaddress.ip_network("127.255.255.0/24")  # Spamhaus's range for query errors
NEVER_LISTED = ipaddress.ip_address("127.0.0.1")  # RFC 5782 section 5
DOCUMENTATION = tuple(ipaddress.ip_network(n) for n in (
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"))
SHARED = ipaddress.ip_network("100.64.0.0/10")
RESERVED_TLDS = ("test", "example", "invalid", "localhost", "local")
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
ASK_NAMESERVER = {"kind": "rerun", "ask": ["nameserver"]}


def special_address(ip: str) -> str | None:
    """Why public blocklists can say nothing about ``ip`` (None for a public address)."""
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if addr.is_loopback:
        return "a loopback address"
    if any(addr in net for net in DOCUMENTATION if net.version == addr.version):
        return "a documentation address (RFC 5737 / RFC 3849)"
    if addr.version == 4 and addr in SHARED:
        return "a shared carrier-grade NAT address (RFC 6598)"
    if addr.is_link_local:
        return "a link-local address"
    if addr.is_private:
        return "a private address (RFC 1918 / RFC 4193)"
    if not addr.is_global:
        return "a reserved address, not a public internet address"
    return None


def special_domain(domain: str) -> str | None:
    """Why public blocklists can say nothing about ``domain`` (None for an ordinary name)."""
    name = domain.lower().rstrip(".")
    labels = name.split(".")
    if len(labels) < 2:
        return "a name without a dot, not an internet domain"
    if labels[-1] in RESERVED_TLDS or any(name == d or name.endswith("." + d)
                                          for d in RESERVED_DOMAINS):
        return "a name reserved for testing and documentation (RFC 2606 / RFC 6761)"
    return None


def query_name(subject: str, zone: str) -> str:
    """``4.3.2.1.zone`` for an IPv4, nibbles for IPv6, ``domain.zone`` for a domain."""
    try:
        ip = ipaddress.ip_address(subject)
    except ValueError:
        return f"{subject.rstrip('.')}.{zone}"
    rev = ip.reverse_pointer
    base = rev.rsplit(".in-addr.arpa", 1)[0] if ip.version == 4 else rev.rsplit(".ip6.arpa", 1)[0]
    return f"{base}.{zone}"


@dataclass
class ListAnswer:
    zone: str
    state: str  # listed | clear | refused | error
    codes: list[str]
    meaning: str
    reason: str | None
    lookup: Lookup
    name: str | None = None  # the list's name when the wizard knows it
    delist: str | None = None

    @property
    def inconclusive(self) -> bool:
        return self.state in ("refused", "error")

    def to_dict(self) -> dict[str, Any]:
        return {"zone": self.zone, "name": self.name, "state": self.state, "codes": self.codes,
                "meaning": self.meaning, "reason": self.reason, "delist": self.delist,
                "lookup": lookup_facts(self.lookup)}


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def interpret(zone: str, lookup: Lookup, txt: Lookup | None = None) -> ListAnswer:
    """Pure: what one list's answer means, by RFC 5782 and the list's documented codes."""
    info: Blocklist | None = known(zone)
    extra = {"name": info.name if info else None, "delist": info.delist if info else None}
    if lookup.status in (LookupStatus.NXDOMAIN, LookupStatus.NODATA):
        return ListAnswer(zone, "clear", [], "not listed", None, lookup, **extra)
    if lookup_failed(lookup):
        return ListAnswer(zone, "error", [], f"could not ask: {lookup.describe()}", None, lookup,
                          **extra)
    codes = list(lookup.records)
    addrs = [_ip(c) for c in codes]
    refused = [info.refused[c] for c in codes if info and c in info.refused]
    if not refused:
        refused = [f"the list answered {c}, a query-error code, not a listing"
                   for c, a in zip(codes, addrs, strict=True) if a is not None and a in ERROR_NET]
    if refused:
        return ListAnswer(zone, "refused", codes, f"{refused[0]} ({', '.join(codes)})", None,
                          lookup, **extra)
    if any(a is None or a.version != 4 or a not in LOOPBACK_NET for a in addrs):
        return ListAnswer(zone, "error", codes, f"answered {', '.join(codes)}, outside "
                          "127.0.0.0/8: not a blocklist answer (a resolver that rewrites "
                          "'no such name', or a wildcard)", None, lookup, **extra)
    listing = [c for c, a in zip(codes, addrs, strict=True) if a != NEVER_LISTED]
    if not listing:
        return ListAnswer(zone, "error", codes, "answered 127.0.0.1, which RFC 5782 reserves "
                          "as never listed: the list is misbehaving", None, lookup, **extra)
    meanings = []
    for code in listing:
        if info is not None and code in info.codes:
            meanings.append(f"{info.codes[code]} ({code})")
        elif info is not None:
            meanings.append(f"listed ({code}, an answer {info.name} does not document)")
        else:
            meanings.append(f"listed ({code})")
    reason = " ".join(txt.records) if txt is not None and txt.ok else None
    return ListAnswer(zone, "listed", listing, "; ".join(meanings), reason, lookup, **extra)


async def lookup_lists(resolver: Resolver, subject: str, zones: tuple[str, ...]) -> list[
    ListAnswer
]:
    """Ask every list at once (A and TXT together: the TXT says why, when listed)."""
    async def one(zone: str) -> ListAnswer:
        name = query_name(subject, zone)
        a, txt = await asyncio.gather(resolver.query(name, "A"), resolver.query(name, "TXT"))
        return interpret(zone, a, txt)

    return list(await asyncio.gather(*(one(z) for z in zones)))


def split_zones(subject: str, zones: tuple[str, ...], kind: str) -> tuple[
    tuple[str, ...], tuple[str, ...], str | None
]:
    """(zones to ask, public zones not asked, why not) for ``subject``."""
    why = special_address(subject) if kind == "IP" else special_domain(subject)
    if why is None:
        return zones, (), None
    public = tuple(z for z in zones if (b := known(z)) is not None and b.public)
    return tuple(z for z in zones if z not in public), public, why


def skipped(fid: str, subject: str, kind: str, zones: tuple[str, ...], why: str) -> Finding:
    """Nothing was asked: every list is public and ``subject`` is special-use."""
    what = ("the public address your mail leaves from (the sending IP)" if kind == "IP"
            else "the domain you send from")
    return finding(fid, Status.SKIP, f"Blocklists not asked about {subject} ({why})",
                   f"Public blocklists list only what is on the internet, and {subject} is "
                   f"{why}: the {len(zones)} {kind} list(s) were not asked. To check, give "
                   f"{what}.", subject=subject, not_asked=list(zones), why_not_asked=why,
                   lists=[])


def turned_off(fid: str, kind: str) -> Finding:
    return finding(fid, Status.SKIP, f"{kind} blocklists not checked: turned off",
                   "Blocklist checks were turned off; nothing was asked.",
                   turned_off=True, lists=[])


def judge_lists(fid: str, subject: str, answers: list[ListAnswer], kind: str,
                not_asked: tuple[str, ...] = (), why_not: str | None = None,
                named_by_user: bool = False) -> Finding:
    """The finding for one subject's lists. ``not_asked``: public lists left out because the
    subject is special-use (``why_not``); ``named_by_user``: the lists were given, not defaults.
    """
    listed = [a for a in answers if a.state == "listed"]
    clear = [a for a in answers if a.state == "clear"]
    unsure = [a for a in answers if a.inconclusive]
    facts: dict[str, Any] = {
        "subject": subject, "lists": [a.to_dict() for a in answers],
        "listed_on": [a.zone for a in listed], "errors": [a.zone for a in unsure],
        "clear_on": [a.zone for a in clear], "not_asked": list(not_asked),
        "why_not_asked": why_not, "lists_named_by_user": named_by_user}
    checked_clear = f" Not listed on {', '.join(a.zone for a in clear)}." if clear else ""
    could_not = (" Could not check " + "; ".join(f"{a.zone} ({a.meaning})" for a in unsure)
                 + ".") if unsure else ""
    left_out = f" Not asked, as {subject} is {why_not}: {', '.join(not_asked)}." \
        if not_asked else ""
    if listed:
        what = "; ".join(f"{a.zone}: {a.meaning}" + (f" — {a.reason}" if a.reason else "")
                         for a in listed)
        where = [a.delist for a in listed if a.delist]
        fix = ("Fix the cause (an infected machine, a leaked password, an open relay), then "
               "request removal on each list's site" + (f" ({', '.join(where)})" if where else "")
               + ".")
        return finding(fid, Status.FAIL, f"{subject} is on {len(listed)} of {len(answers)} "
                       f"{kind} blocklist(s)", f"{what}. Receivers using these lists reject or "
                       f"junk the mail. {fix}{checked_clear}{could_not}{left_out}",
                       "blocklisted", **facts)
    if unsure:
        inconclusive = "; ".join(f"{a.zone}: {a.meaning}" for a in unsure)
        out = finding(fid, Status.ERROR, f"Could not check {len(unsure)} of {len(answers)} "
                      f"{kind} blocklist(s) for {subject}", f"Inconclusive: {inconclusive}. "
                      f"This is not a listing.{_fixes(unsure)}{checked_clear}{left_out}", None,
                      **facts)
        out.next = _next(unsure)
        return out
    return finding(fid, Status.PASS, f"{subject} is on none of the {len(answers)} {kind} "
                   "blocklist(s) checked", ", ".join(a.zone for a in answers) + "." + left_out,
                   **facts)


def _fixes(unsure: list[ListAnswer]) -> str:
    fixes: list[str] = []
    for a in unsure:
        info = known(a.zone)
        if info is not None and info.when_refused and info.when_refused not in fixes:
            fixes.append(info.when_refused)
    return (" " + " ".join(fixes)) if fixes else ""


def _next(unsure: list[ListAnswer]) -> NextStep:
    refused = [a for a in unsure if a.state == "refused" or a.lookup.status in (
        LookupStatus.REFUSED, LookupStatus.OK)]
    if refused:
        info = known(refused[0].zone)
        text = info.when_refused if info is not None and info.when_refused else (
            f"{refused[0].zone} refused your resolver: ask the lists through your own "
            "recursive resolver as the nameserver, not a public or company one.")
        return NextStep(text, "you", ASK_NAMESERVER)
    return next_for(unsure[0].lookup)
