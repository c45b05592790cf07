"""DKIM key records (RFC 6376 3.6.1, RFC 8463): parse, size the key, judge it.

``parse_key_record`` is pure and raises only :class:`DkimSyntaxError`. Selectors come from the
target, from DKIM-Signature headers of a pasted message, or from probing common names.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import email.parser
import email.policy
import re
from dataclasses import dataclass, field
from typing import Any

from wizard.dns.resolver import Lookup, LookupStatus, Resolver
from wizard.dns.util import error_finding, finding, lookup_facts, lookup_failed, parse_tags
from wizard.model.findings import Finding, Status

COMMON_SELECTORS = (
    "google", "selector1", "selector2", "k1", "k2", "k3", "s1", "s2", "default", "dkim", "mail",
    "smtp", "mx", "key1", "key2", "sig1", "s1024", "s2048", "everlytickey1", "mandrill",
    "pm", "mxvault", "zoho", "protonmail", "fm1", "fm2", "fm3",
)


class DkimSyntaxError(ValueError):
    """A DKIM key record that cannot be used, with the reason."""


@dataclass
class DkimKey:
    tags: dict[str, str]
    key_type: str
    bits: int | None
    revoked: bool
    testing: bool
    hashes: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    notes: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"key_type": self.key_type, "bits": self.bits, "revoked": self.revoked,
                "testing": self.testing, "hashes": self.hashes, "services": self.services,
                "notes": self.notes, "tags": self.tags}


def parse_key_record(text: str) -> DkimKey:
    """Parse a DKIM key TXT record. Raises DkimSyntaxError."""
    try:
        tags = parse_tags(text)
    except ValueError as exc:
        raise DkimSyntaxError(str(exc)) from None
    if "v" in tags:
        if tags["v"] != "DKIM1":
            raise DkimSyntaxError(f"v={tags['v']!r}: must be DKIM1")
        if next(iter(tags)) != "v":
            raise DkimSyntaxError("v=DKIM1 must be the first tag")
    if "p" not in tags:
        raise DkimSyntaxError("no p= tag (the public key)")
    key_type = tags.get("k", "rsa").strip().lower()
    if key_type not in ("rsa", "ed25519"):
        raise DkimSyntaxError(f"unknown key type k={key_type}")
    flags = [f.strip() for f in tags.get("t", "").split(":") if f.strip()]
    hashes = [h.strip() for h in tags["h"].split(":")] if "h" in tags else []
    if any(h not in ("sha1", "sha256") for h in hashes):
        raise DkimSyntaxError(f"unknown hash in h={tags['h']}")
    services = [s.strip() for s in tags.get("s", "*").split(":")]
    data = re.sub(r"\s+", "", tags["p"])
    key = DkimKey(tags, key_type, None, not data, "y" in flags, hashes, services,
                  tags.get("n"))
    if not data:
        return key
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise DkimSyntaxError("p= is not valid base64") from None
    key.bits = _key_bits(key_type, raw)
    return key


def _key_bits(key_type: str, raw: bytes) -> int:
    if key_type == "ed25519":
        if len(raw) != 32:
            raise DkimSyntaxError(f"an ed25519 key is 32 bytes, this one is {len(raw)}")
        return 256
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        public = load_der_public_key(raw)
    except (ValueError, TypeError):
        try:
            public = _rsa_from_pkcs1(raw)
        except (ValueError, TypeError):
            raise DkimSyntaxError("p= does not hold an RSA public key") from None
    if not isinstance(public, rsa.RSAPublicKey):
        raise DkimSyntaxError("k=rsa but p= holds another kind of key")
    return public.key_size


def _rsa_from_pkcs1(raw: bytes) -> Any:
    """Some publishers put a bare PKCS#1 RSAPublicKey in p=; accept it (with the size)."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    pem = b"-----BEGIN RSA PUBLIC KEY-----\n" + base64.encodebytes(raw) + \
        b"-----END RSA PUBLIC KEY-----\n"
    return load_pem_public_key(pem)


def judge_key(selector: str, domain: str, lookup: Lookup, explicit: bool) -> Finding:
    fid = f"dns.dkim.{selector}"
    name = f"{selector}._domainkey.{domain}"
    if lookup_failed(lookup):
        return error_finding(fid, f"the DKIM key {name}", lookup)
    delegated = {"cname": lookup.cnames} if lookup.cnames else {}
    records = [r for r in lookup.records if r.strip()]
    if not lookup.ok or not records:
        why = "does not exist (NXDOMAIN)" if lookup.status is LookupStatus.NXDOMAIN \
            else "has no TXT record"
        return finding(fid, Status.FAIL if explicit else Status.SKIP,
                       f"No DKIM key for selector {selector!r}",
                       f"{name} {why}: mail signed with s={selector} d={domain} fails DKIM.",
                       "dns-dkim" if explicit else None, selector=selector, domain=domain,
                       lookup=lookup_facts(lookup), **delegated)
    facts: dict[str, Any] = {"selector": selector, "domain": domain, "name": name,
                             "records": records, **delegated}
    if lookup.cnames:
        facts["delegated_to"] = lookup.cnames[-1]
    if len(records) > 1:
        return finding(fid, Status.FAIL, f"Selector {selector!r} has {len(records)} TXT records",
                       "A DKIM key name must hold exactly one record; verifiers may pick the "
                       "wrong one or fail.", "dns-dkim", **facts)
    try:
        key = parse_key_record(records[0])
    except DkimSyntaxError as exc:
        return finding(fid, Status.FAIL, f"DKIM key {selector!r} is malformed",
                       f"{exc}. Verifiers cannot use this key.", "dns-dkim", error=str(exc),
                       **facts)
    facts.update(key.to_dict())
    via = f" (delegated by CNAME to {lookup.cnames[-1]})" if lookup.cnames else ""
    if key.revoked:
        return finding(fid, Status.FAIL, f"DKIM key {selector!r} is revoked (empty p=)",
                       f"{name}{via} has an empty key: signatures with this selector fail.",
                       "dns-dkim", **facts)
    size = f"{key.key_type.upper()} {key.bits}-bit"
    if key.key_type == "rsa" and (key.bits or 0) < 1024:
        return finding(fid, Status.FAIL, f"DKIM key {selector!r} is too short ({size})",
                       "RSA keys under 1024 bits are rejected by verifiers (RFC 8301). "
                       "Publish a 2048-bit key.", "dns-dkim", **facts)
    if key.key_type == "rsa" and (key.bits or 0) < 2048:
        return finding(fid, Status.WARN, f"DKIM key {selector!r} is weak ({size})",
                       "1024-bit RSA still verifies but is considered weak: move to 2048 bits.",
                       "dns-dkim", **facts)
    if key.testing:
        return finding(fid, Status.WARN, f"DKIM key {selector!r} is in testing mode (t=y)",
                       f"{size}{via}. With t=y verifiers may treat failures as no signature: "
                       "remove t=y once signing works.", "dns-dkim", **facts)
    note = " (ed25519: not every verifier supports it; also sign with RSA)" \
        if key.key_type == "ed25519" else ""
    return finding(fid, Status.PASS, f"DKIM key {selector!r}: {size}{note}",
                   f"{name}{via} publishes a usable {size} key.", **facts)


def signatures_from_headers(headers: str) -> tuple[list[tuple[str, str]], str | None]:
    """(selector, d=) pairs of DKIM-Signature headers, and the From domain, of a header block."""
    text = headers.replace("\r\n", "\n")
    head = text.split("\n\n", 1)[0] + "\n\n"
    msg = email.parser.Parser(policy=email.policy.compat32).parsestr(head, headersonly=True)
    sigs: list[tuple[str, str]] = []
    for value in msg.get_all("DKIM-Signature") or []:
        flat = re.sub(r"\s+", "", str(value))
        try:
            tags = parse_tags(flat)
        except ValueError:
            continue
        if tags.get("s") and tags.get("d"):
            sigs.append((tags["s"].lower(), tags["d"].lower().rstrip(".")))
    from_domain = None
    raw_from = msg.get("From")
    if raw_from:
        from email.utils import getaddresses

        addrs = [a for _, a in getaddresses([str(raw_from)]) if "@" in a]
        if addrs:
            from_domain = addrs[0].rpartition("@")[2].lower().rstrip(">").rstrip(".")
    return sigs, from_domain


async def check_dkim(
    resolver: Resolver, domain: str, selectors: list[tuple[str, str]], source: str
) -> list[Finding]:
    """``selectors`` as (selector, domain) pairs; empty means probe common selectors."""
    if selectors:
        lookups = await asyncio.gather(*(resolver.query(f"{s}._domainkey.{d}", "TXT")
                                         for s, d in selectors))
        return [judge_key(s, d, lk, explicit=True) for (s, d), lk in zip(selectors, lookups,
                                                                          strict=True)]
    lookups = await asyncio.gather(*(resolver.query(f"{s}._domainkey.{domain}", "TXT")
                                     for s in COMMON_SELECTORS))
    out: list[Finding] = []
    failed = [lk for lk in lookups if lookup_failed(lk)]
    for selector, lookup in zip(COMMON_SELECTORS, lookups, strict=True):
        if lookup.ok and any(r.strip() for r in lookup.records):
            out.append(judge_key(selector, domain, lookup, explicit=False))
    note = ("Probing common selectors can miss a custom one: give the DKIM selector, or "
            "the headers of a received message (its DKIM-Signature names the selector).")
    probed = list(COMMON_SELECTORS)
    if out:
        for f in out:
            f.summary += " (found by probing common selectors)"
            f.details["probed"] = True
        return out
    if failed and len(failed) == len(lookups):
        return [error_finding("dns.dkim", f"DKIM keys of {domain}", failed[0])]
    return [finding("dns.dkim", Status.WARN, f"No DKIM key found at common selectors of {domain}",
                    note, "dns-dkim", domain=domain, probed=probed, source=source,
                    could_not_check=[lk.name for lk in failed])]
