"""Verify every DKIM-Signature of a message now, and say *why* one fails.

dkimpy does the cryptography (rsa-sha256, rsa-sha1, ed25519-sha256; relaxed and simple
canonicalization). This module drives it one step at a time so a failure can be named: the key
(missing, revoked, malformed, too short, wrong type: ``permerror``), the DNS (``temperror``), an
expired ``x=`` (``fail``), the body hash (the body changed after signing: ``fail``), or the header
signature (a signed header field changed: ``fail``). The header signature is checked even when the
body hash fails, so "the body changed, the headers are intact" can be told from "both changed".
``l=`` is reported with how many bytes were added after the signed length.

Keys come from :mod:`wizard.headers.keys` (prefetched through the project's resolver). The
functions here are synchronous and CPU-bound; :mod:`wizard.headers.analyse` runs them in a thread.
It deliberately does not decide what a failure means for DMARC or which hop changed the message.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dkim
from dkim.canonicalization import CanonicalizationPolicy, InvalidCanonicalizationPolicyError
from dkim.util import InvalidTagValueList, parse_tag_value

from wizard.dns.dkim import DkimSyntaxError, parse_key_record
from wizard.dns.resolver import Lookup
from wizard.dns.util import lookup_failed
from wizard.headers.keys import QUIET_LOG, dnsfunc_for, key_name, key_record, signature_tags
from wizard.headers.parse import Message

MIN_RSA_BITS = 1024  # RFC 8301


@dataclass
class DkimCheck:
    """One DKIM-Signature, verified now."""

    index: int
    domain: str | None
    selector: str | None
    algorithm: str | None
    result: str = "none"
    reason: str = ""
    problem: str | None = None  # key | dns | syntax | expired | body | header | no-body
    canonicalization: str | None = None
    identity: str | None = None
    signed_headers: list[str] = field(default_factory=list)
    length: int | None = None  # l=
    body_bytes: int | None = None  # canonicalized body length now
    timestamp: int | None = None
    expires: int | None = None
    header_signature: str = "not-checked"  # pass | fail | not-checked
    body_hash: str = "not-checked"
    key: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.result == "pass"

    @property
    def unsigned_bytes(self) -> int | None:
        if self.length is None or self.body_bytes is None:
            return None
        return max(0, self.body_bytes - self.length)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "domain": self.domain, "selector": self.selector,
            "algorithm": self.algorithm, "result": self.result, "reason": self.reason,
            "problem": self.problem, "canonicalization": self.canonicalization,
            "identity": self.identity, "signed_headers": list(self.signed_headers),
            "length": self.length, "body_bytes": self.body_bytes,
            "unsigned_bytes": self.unsigned_bytes, "timestamp": _iso(self.timestamp),
            "expires": _iso(self.expires), "header_signature": self.header_signature,
            "body_hash": self.body_hash, "key": dict(self.key), "notes": list(self.notes),
        }


def _iso(epoch: int | None) -> str | None:
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(epoch, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _int(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit() or len(value.strip()) > 18:
        return None
    return int(value.strip())


def key_names(message: Message) -> list[str]:
    """Every key name the message's DKIM signatures need."""
    names = []
    for hf in message.all("DKIM-Signature"):
        tags = signature_tags(hf.value)
        if tags.get("s") and tags.get("d"):
            names.append(key_name(tags["s"], tags["d"]))
    return names


def _describe_lookup(name: str, lookup: Lookup) -> str:
    if lookup.status.value == "nxdomain":
        return f"no key is published at {name} (the name does not exist)"
    return f"no key is published at {name} (no TXT record)"


def _judge_key(check: DkimCheck, name: str, lookup: Lookup | None) -> str | None:
    """The key's record when it is usable; else sets the result on ``check`` and returns None."""
    if lookup is None:
        check.result, check.problem = "temperror", "dns"
        check.reason = f"the key {name} was not looked up"
        return None
    if lookup_failed(lookup):
        check.result, check.problem = "temperror", "dns"
        check.reason = f"could not fetch the key: {lookup.describe()}"
        return None
    record = key_record(lookup)
    check.key = {"name": name, "status": lookup.status.value}
    if record is None:
        check.result, check.problem = "permerror", "key"
        check.reason = _describe_lookup(name, lookup) + \
            ": the key was removed or never published (after a key rotation, old mail fails)"
        return None
    check.key["record"] = record[:500]
    if len([r for r in lookup.records if r.strip()]) > 1:
        check.notes.append(f"{name} has several TXT records; the first one is used")
    try:
        key = parse_key_record(record)
    except DkimSyntaxError as exc:
        check.result, check.problem = "permerror", "key"
        check.reason = f"the key record at {name} is malformed: {exc}"
        return None
    check.key.update(type=key.key_type, bits=key.bits, testing=key.testing,
                     revoked=key.revoked)
    algorithm = (check.algorithm or "").lower()
    if key.revoked:
        check.result, check.problem = "permerror", "key"
        check.reason = f"the key at {name} is revoked (empty p=)"
        return None
    if algorithm.startswith("ed25519") != (key.key_type == "ed25519"):
        check.result, check.problem = "permerror", "key"
        check.reason = (f"the signature says a={check.algorithm} but the key at {name} is "
                        f"k={key.key_type}")
        return None
    if key.key_type == "rsa" and (key.bits or 0) < MIN_RSA_BITS:
        check.result, check.problem = "permerror", "key"
        check.reason = (f"the key at {name} is {key.bits}-bit RSA; verifiers reject keys under "
                        f"{MIN_RSA_BITS} bits (RFC 8301)")
        return None
    digest = algorithm.rpartition("-")[2]
    if key.hashes and digest not in key.hashes:
        check.result, check.problem = "permerror", "key"
        check.reason = f"the key at {name} allows only h={':'.join(key.hashes)}, not {digest}"
        return None
    if not any(s in ("*", "email") for s in key.services):
        check.result, check.problem = "permerror", "key"
        check.reason = f"the key at {name} is not for e-mail (s={':'.join(key.services)})"
        return None
    if key.testing:
        check.notes.append("the key is in testing mode (t=y): receivers may ignore a failure")
    return record


def _fill_tags(check: DkimCheck, tags: dict[str, str]) -> None:
    check.canonicalization = tags.get("c", "simple/simple")
    check.identity = tags.get("i")
    check.signed_headers = [h.strip().lower() for h in tags.get("h", "").split(":") if h.strip()]
    check.length = _int(tags.get("l"))
    check.timestamp = _int(tags.get("t"))
    check.expires = _int(tags.get("x"))


def verify_signature(signer: dkim.DKIM | None, message: Message, idx: int,
                     lookups: dict[str, Lookup], now: float | None = None) -> DkimCheck:
    """Verify the ``idx``-th DKIM-Signature (0 = topmost) with prefetched ``lookups``."""
    hf = message.all("DKIM-Signature")[idx]
    tags = signature_tags(hf.value)
    check = DkimCheck(idx + 1, (tags.get("d") or "").lower().rstrip(".") or None,
                      tags.get("s") or None, tags.get("a") or None)
    _fill_tags(check, tags)
    if signer is None:
        check.result, check.problem = "permerror", "syntax"
        check.reason = "dkimpy could not read the message's header block"
        return check
    if not (check.domain and check.selector):
        check.result, check.problem = "permerror", "syntax"
        check.reason = "the signature has no d= or s= tag"
        return check
    raw_sigs = [(n, v) for n, v in signer.headers if n.lower() == b"dkim-signature"]
    sig_header = raw_sigs[idx]
    try:
        sig = parse_tag_value(sig_header[1])
    except InvalidTagValueList as exc:
        check.result, check.problem = "permerror", "syntax"
        check.reason = f"the signature's tags cannot be read: {exc}"
        return check
    expired = False
    try:
        dkim.validate_signature_fields(sig)
    except dkim.ValidationError as exc:
        text = str(exc)
        if "x= value is past" in text:
            expired = True
        else:
            check.result, check.problem = "permerror", "syntax"
            check.reason = f"the signature is malformed: {text}"
            return check
    name = key_name(check.selector, check.domain)
    record = _judge_key(check, name, lookups.get(name))
    if record is None:
        return check
    try:
        pk, keysize, ktag, tlsrpt = dkim.evaluate_pk(name.encode() + b".", record.encode())
    except (dkim.DKIMException, binascii.Error, ValueError) as exc:
        check.result, check.problem = "permerror", "key"
        check.reason = f"the key at {name} cannot be used: {exc}"
        return check
    signer.pk, signer.keysize, signer.ktag, signer.seqtlsrpt = pk, keysize, ktag, tlsrpt
    include = [h.lower() for h in re.split(rb"\s*:\s*", sig[b"h"])]
    headers_only = {k: v for k, v in sig.items() if k != b"bh"}
    try:
        ok = signer.verify_sig_process(headers_only, list(include), sig_header,
                                       dnsfunc_for(lookups))
        check.header_signature = "pass" if ok else "fail"
    except dkim.DKIMException as exc:
        check.result, check.problem = "permerror", "key"
        check.reason = f"the signature could not be checked: {exc}"
        return check
    _check_body(check, signer, sig, message)
    _conclude(check, expired, now)
    return check


def _check_body(check: DkimCheck, signer: dkim.DKIM, sig: dict[bytes, bytes],
                message: Message) -> None:
    if message.body is None:
        return
    try:
        policy = CanonicalizationPolicy.from_c_value(sig.get(b"c", b"simple/simple"))
    except InvalidCanonicalizationPolicyError:
        check.body_hash = "fail"
        check.notes.append(f"unknown canonicalization c={check.canonicalization}")
        return
    body = policy.canonicalize_body(signer.body)
    check.body_bytes = len(body)
    signed = body
    if check.length is not None:
        if check.length > len(body):
            check.body_hash = "fail"
            check.notes.append(f"l={check.length} but the body now has only {len(body)} "
                               "bytes: it was shortened after signing")
            return
        signed = body[:check.length]
    hasher = dkim.HASH_ALGORITHMS.get(sig.get(b"a", b""))
    if hasher is None:
        check.body_hash = "fail"
        return
    try:
        expected = base64.b64decode(re.sub(rb"\s+", b"", sig.get(b"bh", b"")))
    except (binascii.Error, ValueError):
        check.body_hash = "fail"
        check.notes.append("bh= is not valid base64")
        return
    check.body_hash = "pass" if hasher(signed).digest() == expected else "fail"


def _conclude(check: DkimCheck, expired: bool, now: float | None) -> None:
    header_ok = check.header_signature == "pass"
    body = check.body_hash
    if expired:
        when = _iso(check.expires) or "?"
        ago = (now or time.time()) - (check.expires or 0)
        still = " (the signature itself still verifies)" if header_ok and body != "fail" else ""
        check.result, check.problem = "fail", "expired"
        check.reason = (f"the signature expired at {when} (x=), {ago / 86400:.1f} days ago"
                        f"{still}")
        return
    if body == "fail":
        check.result, check.problem = "fail", "body"
        rest = ("the signed headers are intact" if header_ok
                else "the signed headers were changed too")
        check.reason = f"body hash did not verify: the body was changed after signing ({rest})"
        return
    if not header_ok:
        check.result, check.problem = "fail", "header"
        check.reason = ("the header signature did not verify: a signed header field was changed "
                        "after signing" + (" (the body is intact)" if body == "pass" else ""))
        return
    if body == "not-checked":
        check.result, check.problem = "neutral", "no-body"
        check.reason = ("the header signature verifies; the body hash could not be checked "
                        "(only the headers were given)")
        return
    check.result, check.problem = "pass", None
    check.reason = "signature verified"
    unsigned = check.unsigned_bytes
    if unsigned:
        check.reason = (f"signature verified for the first {check.length} bytes of the body "
                        f"(l=); {unsigned} bytes added after signing are not covered")
    elif check.length is not None:
        check.notes.append("l= is set: text appended later would not break the signature")


def make_signer(message: Message) -> tuple[dkim.DKIM | None, str | None]:
    """A dkimpy object for the message, or None and why it cannot read the header block."""
    try:
        return dkim.DKIM(message.dkim_input, logger=QUIET_LOG, minkey=MIN_RSA_BITS), None
    except dkim.DKIMException as exc:
        return None, str(exc)


def verify_all(message: Message, lookups: dict[str, Lookup],
               now: float | None = None) -> list[DkimCheck]:
    """Every DKIM-Signature of ``message``, topmost first."""
    count = len(message.all("DKIM-Signature"))
    if not count:
        return []
    signer, error = make_signer(message)
    checks = []
    for idx in range(count):
        check = verify_signature(signer, message, idx, lookups, now)
        if signer is None and error:
            check.reason = f"dkimpy could not read the message: {error}"
        checks.append(check)
    return checks
