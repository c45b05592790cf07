"""DMARC (RFC 7489, RFC 9091 np=): find the policy, validate its tags, check report
destinations, and work out SPF/DKIM alignment.

The organizational domain comes from the public suffix list (:mod:`wizard.dns.suffixes`).
``parse_dmarc`` and ``alignment`` are pure; ``parse_dmarc`` raises only DmarcSyntaxError.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from wizard.dns.resolver import Lookup, LookupStatus, Resolver
from wizard.dns.suffixes import registrable
from wizard.dns.util import error_finding, finding, lookup_facts, lookup_failed, parse_tags
from wizard.model.findings import Finding, Status

POLICIES = ("none", "quarantine", "reject")
KNOWN_TAGS = ("v", "p", "sp", "np", "pct", "rua", "ruf", "adkim", "aspf", "fo", "ri", "rf",
              "psd", "t")
_URI = re.compile(r"^mailto:([^@\s!]+@[^\s!]+?)(?:!\d+[kmgt]?)?$", re.I)


class DmarcSyntaxError(ValueError):
    """A TXT string that is not a usable DMARC record, with the reason."""


def org_domain(domain: str) -> str:
    """The organizational domain (registrable domain) of ``domain``."""
    name = domain.lower().rstrip(".")
    return registrable(name) or name


def is_dmarc_record(text: str) -> bool:
    return re.match(r"^v\s*=\s*DMARC1\s*(;|$)", text, re.I) is not None


def looks_like_dmarc(text: str) -> bool:
    """A TXT string meant as DMARC that receivers will not take as one (e.g. no semicolons)."""
    return not is_dmarc_record(text) and (
        re.search(r"v\s*=\s*dmarc", text, re.I) is not None
        or re.match(r"^\s*p\s*=\s*(none|quarantine|reject)\b", text, re.I) is not None)


def malformed_reason(text: str) -> str:
    """Why receivers ignore a string that ``looks_like_dmarc``."""
    if re.match(r"^\s*v\s*=\s*DMARC1\b", text, re.I):
        return "the tags must be separated by semicolons ('v=DMARC1; p=...')"
    if re.match(r"^\s*v\s*=\s*dmarc", text, re.I):
        return "the version must be exactly v=DMARC1"
    return "a DMARC record must start with v=DMARC1"


@dataclass
class DmarcRecord:
    raw: str
    tags: dict[str, str]
    policy: str
    subdomain_policy: str
    pct: int
    adkim: str
    aspf: str
    rua: list[str] = field(default_factory=list)
    ruf: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "subdomain_policy": self.subdomain_policy,
                "pct": self.pct, "adkim": self.adkim, "aspf": self.aspf, "rua": self.rua,
                "ruf": self.ruf, "tags": self.tags, "warnings": self.warnings}


def _uris(value: str, tag: str) -> list[str]:
    out = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        m = _URI.match(part)
        if not m:
            raise DmarcSyntaxError(f"{tag}= has an invalid URI {part!r} (expected mailto:...)")
        out.append(m.group(1))
    return out


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse and validate a DMARC record. Raises DmarcSyntaxError."""
    if not is_dmarc_record(text):
        raise DmarcSyntaxError("a DMARC record must start with v=DMARC1")
    try:
        tags = parse_tags(text)
    except ValueError as exc:
        raise DmarcSyntaxError(str(exc)) from None
    tags = {k.lower(): v for k, v in tags.items()}
    warnings: list[str] = []
    if tags.get("v") != "DMARC1":
        warnings.append("v=DMARC1 should be written exactly so (upper case)")
    policy = tags.get("p", "").lower()
    if "p" not in tags:
        raise DmarcSyntaxError("no p= tag (the policy: none, quarantine or reject)")
    if policy not in POLICIES:
        raise DmarcSyntaxError(f"p={tags['p']!r}: must be none, quarantine or reject")
    if list(tags)[1] != "p":
        warnings.append("p= should come right after v=DMARC1")
    for tag in ("sp", "np"):
        if tag in tags and tags[tag].lower() not in POLICIES:
            raise DmarcSyntaxError(f"{tag}={tags[tag]!r}: must be none, quarantine or reject")
    pct = 100
    if "pct" in tags:
        if not tags["pct"].isdigit() or int(tags["pct"]) > 100:
            raise DmarcSyntaxError(f"pct={tags['pct']!r}: must be a number from 0 to 100")
        pct = int(tags["pct"])
    for tag in ("adkim", "aspf"):
        if tag in tags and tags[tag].lower() not in ("r", "s"):
            raise DmarcSyntaxError(f"{tag}={tags[tag]!r}: must be r (relaxed) or s (strict)")
    if "fo" in tags:
        parts = [p.strip() for p in tags["fo"].split(":")]
        if not parts or any(p not in ("0", "1", "d", "s") for p in parts):
            raise DmarcSyntaxError(f"fo={tags['fo']!r}: options are 0, 1, d, s (colon-separated)")
    if "ri" in tags and not tags["ri"].isdigit():
        raise DmarcSyntaxError(f"ri={tags['ri']!r}: must be a number of seconds")
    rua = _uris(tags.get("rua", ""), "rua")
    ruf = _uris(tags.get("ruf", ""), "ruf")
    for tag in tags:
        if tag not in KNOWN_TAGS:
            warnings.append(f"unknown tag {tag}= (ignored by receivers)")
    if not rua:
        warnings.append("no rua= address: you receive no aggregate reports")
    return DmarcRecord(text, tags, policy, tags.get("sp", policy).lower(), pct,
                       tags.get("adkim", "r").lower(), tags.get("aspf", "r").lower(), rua, ruf,
                       warnings)


def aligned(a: str | None, b: str | None, mode: str) -> bool:
    if not a or not b:
        return False
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    return a == b if mode == "s" else org_domain(a) == org_domain(b)


def alignment(
    record: DmarcRecord | None, from_domain: str, mail_from_domain: str | None,
    spf_result: str | None, dkim_domains: list[str],
) -> dict[str, Any]:
    """SPF and DKIM alignment with the From domain and what DMARC would conclude.

    DKIM signatures are not verified here (that needs the message body): an aligned d= counts
    as "DKIM would pass if the signature verifies".
    """
    aspf = record.aspf if record else "r"
    adkim = record.adkim if record else "r"
    spf_aligned = aligned(from_domain, mail_from_domain, aspf)
    dkim_aligned = [d for d in dkim_domains if aligned(from_domain, d, adkim)]
    spf_ok = spf_aligned and spf_result == "pass"
    if spf_ok:
        verdict = "pass"
    elif dkim_aligned:
        verdict = "pass if the DKIM signature verifies"
    elif spf_aligned and spf_result is None:
        verdict = "pass if SPF passes"
    else:
        verdict = "fail"
    return {"from_domain": from_domain, "mail_from_domain": mail_from_domain,
            "spf_result": spf_result, "spf_aligned": spf_aligned, "aspf": aspf,
            "dkim_domains": dkim_domains, "dkim_aligned": dkim_aligned, "adkim": adkim,
            "dmarc": verdict, "policy": record.policy if record else None}


@dataclass
class DmarcInfo:
    domain: str
    lookup: Lookup
    policy_domain: str
    org: str
    record: DmarcRecord | None = None
    error: str | None = None
    records: list[str] = field(default_factory=list)
    report_auth: dict[str, Lookup] = field(default_factory=dict)
    # TXT strings at _dmarc.<domain> itself meant as DMARC but malformed: receivers ignore them
    # (and fall back to the organizational domain's policy, when there is one)
    own_malformed: list[str] = field(default_factory=list)


async def gather_dmarc(resolver: Resolver, domain: str) -> DmarcInfo:
    org = org_domain(domain)
    lookup = await resolver.query(f"_dmarc.{domain}", "TXT")
    own_malformed = [] if any(is_dmarc_record(r) for r in lookup.records) else [
        r for r in lookup.records if looks_like_dmarc(r)]
    policy_domain = domain
    if not lookup_failed(lookup) and not [r for r in lookup.records if is_dmarc_record(r)] \
            and org != domain.lower():
        fallback = await resolver.query(f"_dmarc.{org}", "TXT")
        if lookup_failed(fallback) or [r for r in fallback.records if is_dmarc_record(r)]:
            lookup, policy_domain = fallback, org
    info = DmarcInfo(domain, lookup, policy_domain, org, own_malformed=own_malformed)
    if lookup_failed(lookup):
        return info
    info.records = [r for r in lookup.records if is_dmarc_record(r)]
    if len(info.records) == 1:
        try:
            info.record = parse_dmarc(info.records[0])
        except DmarcSyntaxError as exc:
            info.error = str(exc)
    if info.record is not None:
        external = sorted({addr.rpartition("@")[2].lower() for addr in
                           info.record.rua + info.record.ruf
                           if org_domain(addr.rpartition("@")[2]) != org})
        lookups = await asyncio.gather(*(resolver.query(
            f"{policy_domain}._report._dmarc.{dest}", "TXT") for dest in external))
        info.report_auth = dict(zip(external, lookups, strict=True))
    return info


def judge_dmarc(info: DmarcInfo) -> list[Finding]:
    fid = "dns.dmarc"
    name = f"_dmarc.{info.policy_domain}"
    if lookup_failed(info.lookup):
        return [error_finding(fid, f"the DMARC record {name}", info.lookup)]
    base: dict[str, Any] = {"domain": info.domain, "policy_domain": info.policy_domain,
                            "org_domain": info.org, "lookup": lookup_facts(info.lookup)}
    if info.own_malformed:
        return [_own_malformed(info, base)]
    if not info.records:
        if info.org != info.domain.lower():
            where = f"Neither _dmarc.{info.domain} nor _dmarc.{info.org} has a DMARC record"
        elif info.lookup.status is LookupStatus.NXDOMAIN:
            where = f"_dmarc.{info.domain} does not exist"
        else:
            where = f"_dmarc.{info.domain} has no TXT record starting with v=DMARC1"
        return [finding(fid, Status.FAIL, f"No DMARC record for {info.domain}",
                        f"{where}. Large mailbox providers require DMARC from bulk senders; "
                        "publish at least 'v=DMARC1; p=none; rua=mailto:...'.",
                        "dns-dmarc", **base)]
    if len(info.records) > 1:
        return [finding(fid, Status.FAIL, f"{len(info.records)} DMARC records at {name}",
                        "Receivers ignore DMARC when there is more than one record: keep one.",
                        "dns-dmarc", records=info.records, **base)]
    if info.record is None:
        return [finding(fid, Status.FAIL, f"DMARC record of {info.policy_domain} is invalid",
                        f"{info.error}. Receivers may ignore it.", "dns-dmarc",
                        record=info.records[0], error=info.error, **base)]
    rec = info.record
    base.update(record=rec.raw, **rec.to_dict())
    out: list[Finding] = []
    inherited = info.policy_domain != info.domain.lower()
    via = f" (inherited from {info.policy_domain})" if inherited else ""
    if rec.policy == "none":
        out.append(finding(fid, Status.WARN, f"DMARC of {info.domain} is p=none (monitoring "
                           f"only){via}", "p=none asks receivers to report, not to act: "
                           "forged mail from this domain is still delivered. Move to "
                           "quarantine or reject once reports show your mail passes.",
                           "dns-dmarc", **base))
    elif rec.pct < 100:
        out.append(finding(fid, Status.WARN, f"DMARC p={rec.policy} applies to {rec.pct}% of "
                           f"mail{via}", "pct below 100 applies the policy to only part of "
                           "the failing mail.", "dns-dmarc", **base))
    else:
        out.append(finding(fid, Status.PASS, f"DMARC of {info.domain}: p={rec.policy}{via}",
                           f"Policy {rec.policy}, subdomains {rec.subdomain_policy}, alignment "
                           f"SPF {rec.aspf} / DKIM {rec.adkim}." +
                           (f" Notes: {'; '.join(rec.warnings)}." if rec.warnings else ""),
                           **base))
    if info.report_auth:
        missing = [dest for dest, lk in info.report_auth.items()
                   if not any(r.upper().startswith("V=DMARC1") for r in lk.records)]
        failed = [dest for dest, lk in info.report_auth.items() if lookup_failed(lk)]
        facts = {dest: lookup_facts(lk) for dest, lk in info.report_auth.items()}
        if failed:
            out.append(error_finding("dns.dmarc.reports", "the report authorization of "
                                     f"{failed[0]}", info.report_auth[failed[0]]))
        elif missing:
            out.append(finding("dns.dmarc.reports", Status.WARN, "External DMARC report "
                               f"address(es) not authorized: {', '.join(missing)}",
                               "Reports go to another domain only when it publishes "
                               f"{info.policy_domain}._report._dmarc.<domain> TXT 'v=DMARC1'; "
                               "without it no reports arrive there.", "dns-dmarc",
                               destinations=facts))
        else:
            out.append(finding("dns.dmarc.reports", Status.PASS, "External DMARC report "
                               "addresses are authorized", ", ".join(info.report_auth),
                               destinations=facts))
    return out


def _own_malformed(info: DmarcInfo, base: dict[str, Any]) -> Finding:
    """The domain's own _dmarc record is malformed: say so, and what receivers apply instead."""
    text = info.own_malformed[0]
    why = malformed_reason(text)
    if info.policy_domain != info.domain.lower() and info.record is not None:
        instead = (f"receivers ignore it and apply {info.policy_domain}'s policy instead "
                   f"(p={info.record.subdomain_policy} for subdomains)")
    elif info.policy_domain != info.domain.lower() and info.records:
        instead = f"receivers ignore it, and {info.policy_domain}'s record is invalid too"
    elif info.org != info.domain.lower():
        instead = f"receivers ignore it, and {info.org} publishes no DMARC record either"
    else:
        instead = "receivers ignore it: the domain has no DMARC policy in effect"
    return finding("dns.dmarc", Status.FAIL, f"DMARC record of {info.domain} is malformed",
                   f"_dmarc.{info.domain} holds '{text}', which is not a valid DMARC record: "
                   f"{why}. So {instead}. Fix it, e.g. 'v=DMARC1; p=none; rua=mailto:...'.",
                   "dns-dmarc", own_record=text, error=why, **base)


MODE = {"r": "relaxed", "s": "strict"}


def judge_alignment(facts: dict[str, Any]) -> Finding:
    fid = "dns.dmarc.alignment"
    frm, mfd = facts["from_domain"], facts["mail_from_domain"]
    if mfd:
        spf_text = (f"SPF: the MAIL FROM domain {mfd} "
                    f"{'aligns' if facts['spf_aligned'] else 'does not align'} with the From "
                    f"domain {frm} ({MODE.get(facts['aspf'], facts['aspf'])}), and SPF "
                    + (f"gives {facts['spf_result']}" if facts["spf_result"]
                       else "was not evaluated (give the sending IP)"))
    else:
        spf_text = "SPF: no MAIL FROM address given, so SPF alignment was not checked"
    if facts["dkim_aligned"]:
        dkim_text = f"DKIM: the signature's d={', '.join(facts['dkim_aligned'])} aligns"
    elif facts["dkim_domains"]:
        dkim_text = (f"DKIM: the signature's d={', '.join(facts['dkim_domains'])} does not "
                     f"align with {frm}")
    else:
        dkim_text = ("DKIM: no signature known (give the headers of a received message to "
                     "check it)")
    summary = f"{spf_text}; {dkim_text}. DMARC would {facts['dmarc']}."
    if facts["dmarc"] == "fail":
        enforced = facts["policy"] in ("quarantine", "reject")
        return finding(fid, Status.FAIL if enforced else Status.WARN,
                       "Neither SPF nor DKIM aligns with the From domain", summary,
                       "dmarc-fail", **facts)
    if facts["dmarc"] == "pass":
        return finding(fid, Status.PASS, "DMARC alignment: SPF passes and aligns", summary,
                       **facts)
    if facts["dmarc"] == "pass if SPF passes":
        return finding(fid, Status.PASS, "DMARC alignment: the MAIL FROM domain aligns (SPF "
                       "not evaluated: give the sending IP)", summary, **facts)
    return finding(fid, Status.PASS, "DMARC alignment: DKIM aligns (if the signature "
                   "verifies)", summary, **facts)
