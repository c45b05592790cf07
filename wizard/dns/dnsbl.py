"""DNS blocklists: the sending IP against IP lists, the sender domain against domain lists.

Return codes are interpreted, including the ones that mean "your query was refused" (Spamhaus
127.255.255.252/254/255, for example when asking through a public resolver): those are errors,
never "listed". Any answer outside 127.0.0.0/8 is also treated as an error (a resolver that
rewrites NXDOMAIN), not as a listing.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import Any

from wizard.dns.resolver import Lookup, LookupStatus, Resolver
from wizard.dns.util import finding, lookup_facts, lookup_failed
from wizard.findings import Finding, Status

DEFAULT_IP_LISTS = (
    "zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org", "psbl.surriel.com",
    "bl.mailspike.net", "dnsbl-1.uceprotect.net",
)
DEFAULT_DOMAIN_LISTS = ("dbl.spamhaus.org",)

REFUSED_CODES = {
    "127.255.255.252": "the query was malformed for this list (typing error in the zone name)",
    "127.255.255.254": "the list refuses queries from public/open resolvers: use your own "
                       "resolver or a data query key",
    "127.255.255.255": "the list refuses you: too many queries (rate limited)",
    "127.0.1.255": "an IP was queried against a domain list",
}
SPAMHAUS_CODES = {
    "127.0.0.2": "SBL (spam source)", "127.0.0.3": "SBL CSS (snowshoe spam)",
    "127.0.0.4": "XBL (exploited/infected host)", "127.0.0.5": "XBL", "127.0.0.6": "XBL",
    "127.0.0.7": "XBL", "127.0.0.9": "SBL DROP (hijacked network)",
    "127.0.0.10": "PBL (ISP says: end-user IP, should not send mail directly)",
    "127.0.0.11": "PBL (Spamhaus: dynamic/end-user IP)",
}


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
    state: str  # listed | clear | error
    codes: list[str]
    meaning: str
    reason: str | None
    lookup: Lookup

    def to_dict(self) -> dict[str, Any]:
        return {"zone": self.zone, "state": self.state, "codes": self.codes,
                "meaning": self.meaning, "reason": self.reason,
                "lookup": lookup_facts(self.lookup)}


def interpret(zone: str, lookup: Lookup, txt: Lookup | None = None) -> ListAnswer:
    """Pure: what one list's answer means."""
    if lookup.status in (LookupStatus.NXDOMAIN, LookupStatus.NODATA):
        return ListAnswer(zone, "clear", [], "not listed", None, lookup)
    if lookup_failed(lookup):
        return ListAnswer(zone, "error", [], f"could not ask: {lookup.describe()}", None, lookup)
    codes = list(lookup.records)
    refused = [REFUSED_CODES[c] for c in codes if c in REFUSED_CODES]
    if refused:
        return ListAnswer(zone, "error", codes, refused[0], None, lookup)
    odd = [c for c in codes if not _loopback(c)]
    if odd:
        return ListAnswer(zone, "error", codes, "unexpected answer outside 127.0.0.0/8 (a "
                          "resolver that rewrites NXDOMAIN?)", None, lookup)
    meaning = ", ".join(SPAMHAUS_CODES.get(c, f"listed ({c})") for c in codes) \
        if "spamhaus" in zone else f"listed ({', '.join(codes)})"
    reason = " ".join(txt.records) if txt is not None and txt.ok else None
    return ListAnswer(zone, "listed", codes, meaning, reason, lookup)


def _loopback(text: str) -> bool:
    try:
        return ipaddress.ip_address(text) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        return False


async def lookup_lists(resolver: Resolver, subject: str, zones: tuple[str, ...]) -> list[
    ListAnswer
]:
    async def one(zone: str) -> ListAnswer:
        name = query_name(subject, zone)
        a, txt = await asyncio.gather(resolver.query(name, "A"), resolver.query(name, "TXT"))
        return interpret(zone, a, txt)

    return list(await asyncio.gather(*(one(z) for z in zones)))


def judge_lists(fid: str, subject: str, answers: list[ListAnswer], kind: str) -> Finding:
    listed = [a for a in answers if a.state == "listed"]
    errors = [a for a in answers if a.state == "error"]
    facts = {"subject": subject, "lists": [a.to_dict() for a in answers],
             "listed_on": [a.zone for a in listed], "errors": [a.zone for a in errors]}
    if listed:
        what = "; ".join(f"{a.zone}: {a.meaning}" + (f" ({a.reason})" if a.reason else "")
                         for a in listed)
        return finding(fid, Status.FAIL, f"{subject} is on {len(listed)} blocklist(s)",
                       f"{what}. Receivers using these lists reject or junk the mail: fix the "
                       "cause, then request delisting on each list's site.", "blocklisted",
                       **facts)
    if errors:
        what = "; ".join(f"{a.zone}: {a.meaning}" for a in errors)
        return finding(fid, Status.ERROR, f"Could not check {len(errors)} of {len(answers)} "
                       f"{kind} blocklist(s) for {subject}", f"{what}. Not listed on the "
                       "others. This is not a listing.", "blocklisted", **facts)
    return finding(fid, Status.PASS, f"{subject} is on none of {len(answers)} {kind} "
                   "blocklist(s)", ", ".join(a.zone for a in answers), **facts)
