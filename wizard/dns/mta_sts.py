"""MTA-STS (RFC 8461): the ``_mta-sts`` TXT record and the HTTPS policy, checked against the MX.

``parse_policy`` and ``judge_mta_sts`` are pure; ``fetch_policy`` uses :mod:`wizard.dns.fetch`
(the policy host resolved by the wizard's resolver, so ``--nameserver`` holds; ``--ca-file``
trusted; no redirects, as the RFC requires) and streams the body: it stops at 64 KB (RFC 8461
3.3 caps a policy there) and at one overall deadline, so a server that sends forever, or one
byte at a time, costs neither memory nor more than ``timeout`` seconds.
``Target.mta_sts_base_url`` replaces ``https://mta-sts.<domain>`` (the lab).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.dns.fetch import FetchError, fetch
from wizard.dns.resolver import Lookup, Resolver
from wizard.dns.util import error_finding, finding, lookup_facts, lookup_failed, parse_tags
from wizard.model.findings import Finding, Status

POLICY_PATH = "/.well-known/mta-sts.txt"
MAX_POLICY_BYTES = 64 * 1024


class PolicyError(ValueError):
    """An MTA-STS policy that cannot be used, with the reason."""


@dataclass
class Policy:
    mode: str
    max_age: int
    mx: list[str] = field(default_factory=list)
    version: str = "STSv1"

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "mode": self.mode, "max_age": self.max_age,
                "mx": self.mx}


def parse_policy(text: str) -> Policy:
    """Parse a policy file (``key: value`` lines). Raises PolicyError."""
    fields: dict[str, list[str]] = {}
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise PolicyError(f"line {line.strip()[:40]!r} is not 'key: value'")
        fields.setdefault(key.strip().lower(), []).append(value.strip())
    if fields.get("version") != ["STSv1"]:
        raise PolicyError("version must be STSv1")
    mode = (fields.get("mode") or [""])[0]
    if mode not in ("enforce", "testing", "none"):
        raise PolicyError(f"mode {mode!r}: must be enforce, testing or none")
    age_text = (fields.get("max_age") or [""])[0]
    if not age_text.isdigit() or int(age_text) > 31557600:
        raise PolicyError(f"max_age {age_text!r}: must be seconds, at most 31557600")
    mx = fields.get("mx", [])
    if mode != "none" and not mx:
        raise PolicyError("no mx: lines")
    return Policy(mode, int(age_text), [m.lower().rstrip(".") for m in mx])


def mx_matches(pattern: str, host: str) -> bool:
    host = host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return host == pattern


async def fetch_policy(url: str, timeout: float, resolver: Resolver | None = None,
                       ca_file: str | None = None, allow_http: bool = False,
                       ) -> tuple[str | None, str | None]:
    """(policy text, None) or (None, why it could not be fetched), within ``timeout`` s in all.

    The policy host is resolved with ``resolver`` (a fresh wizard resolver on the system's
    nameservers when none is given); ``allow_http`` is for the lab's loopback override."""
    try:
        got = await fetch(url, resolver or Resolver(timeout=min(3.0, timeout)),
                          timeout=timeout, max_bytes=MAX_POLICY_BYTES, ca_file=ca_file,
                          allow_http=allow_http)
    except FetchError as exc:
        if exc.kind == "timeout":
            return None, f"no complete policy within {timeout:g} s (stopped waiting)"
        if exc.kind == "too-large":
            return None, "policy larger than 64 KB (stopped reading)"
        if exc.kind == "announced-too-large":
            return None, f"policy larger than 64 KB ({exc.size} bytes announced)"
        if exc.kind == "redirect":
            return None, f"{exc} (RFC 8461 forbids redirects)"
        return None, str(exc)
    if got.status != 200:
        return None, f"HTTP {got.status}"
    ctype = got.content_type
    if not ctype.lower().startswith("text/plain"):
        return None, f"content-type {ctype or 'missing'} (must be text/plain)"
    return got.body.decode("utf-8", "replace"), None  # RFC 8461 3.2: UTF-8


async def check_mta_sts(resolver: Resolver, domain: str, mx_hosts: list[str],
                        base_url: str | None, timeout: float,
                        ca_file: str | None = None) -> Finding:
    txt = await resolver.query(f"_mta-sts.{domain}", "TXT")
    if lookup_failed(txt):
        return error_finding("dns.mta_sts", f"_mta-sts.{domain}", txt)
    records = [r for r in txt.records if r.startswith("v=STSv1")]
    if not records:
        return judge_mta_sts(domain, txt, None, None, None, mx_hosts, "")
    url = (base_url.rstrip("/") if base_url else f"https://mta-sts.{domain}") + POLICY_PATH
    text, why = await fetch_policy(url, timeout, resolver, ca_file, allow_http=bool(base_url))
    return judge_mta_sts(domain, txt, records, text, why, mx_hosts, url)


def judge_mta_sts(domain: str, txt: Lookup, records: list[str] | None, text: str | None,
                  why: str | None, mx_hosts: list[str], url: str) -> Finding:
    fid = "dns.mta_sts"
    facts: dict[str, Any] = {"domain": domain, "txt": lookup_facts(txt), "url": url or None}
    if not records:
        return finding(fid, Status.PASS, f"No MTA-STS policy for {domain} (optional)",
                       "MTA-STS lets senders insist on TLS when delivering to you. Optional.",
                       published=False, **facts)
    if len(records) > 1:
        return finding(fid, Status.FAIL, f"{len(records)} MTA-STS TXT records at _mta-sts."
                       f"{domain}", "Senders ignore MTA-STS when there is more than one.",
                       "dns-mta-sts", records=records, **facts)
    try:
        tags = parse_tags(records[0])
    except ValueError as exc:
        return finding(fid, Status.FAIL, "MTA-STS TXT record is malformed", str(exc),
                       "dns-mta-sts", record=records[0], **facts)
    facts.update(record=records[0], id=tags.get("id"))
    if not tags.get("id"):
        return finding(fid, Status.FAIL, "MTA-STS TXT record has no id=",
                       "The id= tag is required; senders use it to notice policy changes.",
                       "dns-mta-sts", **facts)
    if text is None:
        return finding(fid, Status.FAIL, f"MTA-STS policy of {domain} cannot be fetched",
                       f"{url}: {why}. Senders that cached an enforce policy may refuse to "
                       "deliver.", "dns-mta-sts", fetch_error=why, **facts)
    try:
        policy = parse_policy(text)
    except PolicyError as exc:
        return finding(fid, Status.FAIL, f"MTA-STS policy of {domain} is invalid", str(exc),
                       "dns-mta-sts", policy_text=text[:2000], **facts)
    uncovered = [h for h in mx_hosts if not any(mx_matches(p, h) for p in policy.mx)]
    facts.update(policy=policy.to_dict(), mx_hosts=mx_hosts, uncovered=uncovered)
    if uncovered and policy.mode == "enforce":
        return finding(fid, Status.FAIL, "MTA-STS enforce policy does not cover all MX hosts",
                       f"Not matched by the policy's mx patterns: {', '.join(uncovered)}. "
                       "Senders that honour MTA-STS will refuse to deliver to them.",
                       "dns-mta-sts", **facts)
    if uncovered:
        return finding(fid, Status.WARN, f"MTA-STS ({policy.mode}) does not cover all MX hosts",
                       f"Not matched: {', '.join(uncovered)}.", "dns-mta-sts", **facts)
    if policy.mode != "enforce":
        return finding(fid, Status.PASS, f"MTA-STS of {domain}: mode {policy.mode}",
                       f"max_age {policy.max_age}s; switch to enforce once TLS-RPT reports "
                       "are clean.", **facts)
    return finding(fid, Status.PASS, f"MTA-STS of {domain}: enforce, covers every MX",
                   f"max_age {policy.max_age}s, mx {', '.join(policy.mx)}.", **facts)
