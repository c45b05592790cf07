"""DMARC (RFC 7489) computed now for the message's From domain.

The policy comes from ``wizard.dns.dmarc.gather_dmarc`` (``_dmarc.<From domain>``, falling back
to the organizational domain, whose ``sp=`` then applies). DMARC passes when SPF passed for a
MAIL FROM domain aligned with the From domain, or a DKIM signature that verifies has an aligned
``d=`` (relaxed: same organizational domain; strict: the same name). SPF here is the result for
the IP the final receiver checked (see :mod:`wizard.headers.spf`).

When only headers were given, a signature whose header signature verifies counts as passing only
if the final receiver recorded ``dkim=pass`` for it (its body hash cannot be checked here); so does
a signature whose key was removed or whose ``x=`` passed since the receiver verified it (old mail
must not fail DMARC for a later key rotation). The ``basis`` field says so. Pure apart from
:func:`gather`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.dns.dmarc import DmarcInfo, aligned, gather_dmarc, org_domain
from wizard.dns.resolver import Resolver
from wizard.dns.util import lookup_failed
from wizard.headers.dkim import DkimCheck
from wizard.headers.spf import SpfCheck, domain_of


@dataclass
class DmarcCheck:
    domain: str | None
    result: str = "none"  # pass | fail | none | temperror | permerror
    reason: str = ""
    policy: str | None = None  # the policy that applies to this domain (p= or sp=)
    policy_domain: str | None = None
    org_domain: str | None = None
    record: str | None = None
    pct: int | None = None
    adkim: str = "r"
    aspf: str = "r"
    spf_domain: str | None = None
    spf_result: str | None = None
    spf_domain_aligned: bool = False
    spf_aligned: bool = False  # SPF passed for an aligned domain
    dkim_domains: list[str] = field(default_factory=list)  # d= of passing signatures
    dkim_aligned: bool = False
    dkim_aligned_domains: list[str] = field(default_factory=list)
    basis: str = "verified now"

    @property
    def enforced(self) -> bool:
        return self.policy in ("quarantine", "reject")

    def to_dict(self) -> dict[str, Any]:
        return {"domain": self.domain, "result": self.result, "reason": self.reason,
                "policy": self.policy, "policy_domain": self.policy_domain,
                "org_domain": self.org_domain, "record": self.record, "pct": self.pct,
                "adkim": self.adkim, "aspf": self.aspf, "spf_domain": self.spf_domain,
                "spf_result": self.spf_result, "spf_domain_aligned": self.spf_domain_aligned,
                "spf_aligned": self.spf_aligned, "dkim_domains": list(self.dkim_domains),
                "dkim_aligned": self.dkim_aligned,
                "dkim_aligned_domains": list(self.dkim_aligned_domains), "basis": self.basis}


async def gather(resolver: Resolver, from_domain: str | None) -> DmarcInfo | None:
    if not from_domain:
        return None
    return await gather_dmarc(resolver, from_domain)


def evaluate_late(from_domain: str, why: str) -> DmarcCheck:
    """The DMARC check when the policy lookup did not finish in time."""
    return DmarcCheck(from_domain, "temperror", f"could not look up the DMARC record: {why}")


def _passing_dkim(dkim: list[DkimCheck], receiver_passed: set[str]) -> tuple[list[str], str]:
    domains: list[str] = []
    basis = "verified now"
    for check in dkim:
        if not check.domain:
            continue
        if check.passed:
            domains.append(check.domain)
        elif check.problem == "no-body" and check.domain in receiver_passed:
            domains.append(check.domain)
            basis = ("verified now; DKIM body hashes taken from the receiver's record "
                     "(only headers were given)")
        elif check.problem in ("key", "expired") and check.domain in receiver_passed:
            domains.append(check.domain)  # the key was rotated or x= passed since delivery
            basis = ("verified now; DKIM d=" + check.domain + " as the receiver verified it "
                     "when it was delivered (its key or expiry changed since)")
    return sorted(set(domains)), basis


def evaluate(from_domain: str | None, info: DmarcInfo | str | None, spf: SpfCheck,
             dkim: list[DkimCheck], receiver_dkim_pass: set[str] | None = None) -> DmarcCheck:
    """The DMARC result for ``from_domain`` (see the module docstring); ``info`` is a string
    (why) when the lookup did not finish."""
    if isinstance(info, str) and from_domain:
        return evaluate_late(from_domain, info)
    check = DmarcCheck(from_domain)
    if not from_domain or not isinstance(info, DmarcInfo):
        check.result = "permerror"
        check.reason = "the message has no single From address, so DMARC cannot be evaluated"
        return check
    check.org_domain = org_domain(from_domain)
    check.policy_domain = info.policy_domain
    if lookup_failed(info.lookup):
        check.result = "temperror"
        check.reason = f"could not look up the DMARC record: {info.lookup.describe()}"
        return check
    if not info.records:
        check.result = "none"
        check.reason = f"{from_domain} publishes no DMARC record"
    elif len(info.records) > 1:
        check.result = "none"
        check.reason = (f"_dmarc.{info.policy_domain} has {len(info.records)} records: "
                        "receivers ignore DMARC then")
    elif info.record is None:
        check.result = "none"
        check.reason = f"the DMARC record is invalid ({info.error}): receivers ignore it"
    record = info.record
    if record is not None:
        check.record = record.raw
        inherited = info.policy_domain != from_domain.lower().rstrip(".")
        check.policy = record.subdomain_policy if inherited else record.policy
        check.pct = record.pct
        check.adkim, check.aspf = record.adkim, record.aspf
    mail_from_domain = domain_of(spf.mail_from) or (spf.helo if spf.mail_from == "" else None)
    check.spf_domain = mail_from_domain
    check.spf_result = spf.result if spf.ip else None
    check.spf_domain_aligned = aligned(from_domain, mail_from_domain, check.aspf)
    check.spf_aligned = check.spf_domain_aligned and spf.result == "pass"
    check.dkim_domains, check.basis = _passing_dkim(dkim, receiver_dkim_pass or set())
    check.dkim_aligned_domains = [d for d in check.dkim_domains
                                  if aligned(from_domain, d, check.adkim)]
    check.dkim_aligned = bool(check.dkim_aligned_domains)
    if record is None:
        return check
    if check.spf_aligned or check.dkim_aligned:
        check.result = "pass"
        via = [w for w, ok in (("SPF", check.spf_aligned), ("DKIM", check.dkim_aligned)) if ok]
        check.reason = f"{' and '.join(via)} passed aligned with {from_domain}"
        return check
    check.result = "fail"
    check.reason = _why_fail(check, from_domain, spf, dkim)
    return check


def _why_fail(check: DmarcCheck, from_domain: str, spf: SpfCheck, dkim: list[DkimCheck]) -> str:
    mode = {"r": "relaxed", "s": "strict"}
    if spf.ip is None or (spf.result == "none" and spf.reason):
        spf_part = f"SPF could not be checked ({spf.reason})" if spf.reason else "no SPF result"
    elif spf.result != "pass":
        spf_part = f"SPF {spf.result} for {spf.ip}"
    elif not check.spf_domain_aligned:
        spf_part = (f"SPF passed for {check.spf_domain}, which is not aligned with "
                    f"{from_domain} ({mode[check.aspf]})")
    else:
        spf_part = "SPF passed"
    signed = [c for c in dkim if c.domain]
    if not signed:
        dkim_part = "no DKIM signature"
    elif check.dkim_domains and not check.dkim_aligned:
        dkim_part = (f"DKIM passed only for {', '.join(check.dkim_domains)}, not aligned with "
                     f"{from_domain} ({mode[check.adkim]})")
    else:
        failing = [c for c in signed if not c.passed]
        dkim_part = "DKIM " + "; ".join(f"d={c.domain} {c.result}" for c in failing[:3])
    return f"{spf_part}; {dkim_part}"
