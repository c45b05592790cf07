"""Validate the ARC chain (RFC 8617) now, with dkimpy, and read what each sealer recorded.

ARC lets a forwarder or mailing list that changes a message vouch for what it saw before: each
hop adds an ARC set (ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal, instance
``i=``). A chain that validates and whose first instance recorded ``dkim=pass`` tells the receiver
that the original signature was good before the forwarder changed the message.

Keys come prefetched (:mod:`wizard.headers.keys`); the validation itself is synchronous.
It deliberately does not decide whether a receiver should trust a sealer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dkim

from wizard.dns.resolver import Lookup
from wizard.dns.util import lookup_failed
from wizard.headers.authres import Recorded
from wizard.headers.keys import QUIET_LOG, dnsfunc_for, key_name, signature_tags
from wizard.headers.parse import Message

ARC_FIELDS = ("ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results")
_CV = {b"pass": "pass", b"fail": "fail", b"none": "none"}


@dataclass
class ArcInstance:
    instance: int
    seal_domain: str | None = None
    seal_selector: str | None = None
    seal_valid: bool | None = None
    cv: str | None = None
    signature_domain: str | None = None
    signature_selector: str | None = None
    signature_valid: bool | None = None
    authserv_id: str | None = None
    results: list[Recorded] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"instance": self.instance,
                "seal": {"domain": self.seal_domain, "selector": self.seal_selector,
                         "valid": self.seal_valid, "cv": self.cv},
                "signature": {"domain": self.signature_domain,
                              "selector": self.signature_selector,
                              "valid": self.signature_valid},
                "authserv_id": self.authserv_id,
                "results": [{"method": r.method, "result": r.result,
                             "properties": dict(r.properties)} for r in self.results]}


@dataclass
class ArcCheck:
    result: str = "none"  # none | pass | fail | neutral (no body) | temperror
    reason: str = "the message is not ARC-sealed"
    instances: list[ArcInstance] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"result": self.result, "reason": self.reason,
                "instances": [i.to_dict() for i in self.instances]}


def key_names(message: Message) -> list[str]:
    names = []
    for name in ("ARC-Seal", "ARC-Message-Signature"):
        for hf in message.all(name):
            tags = signature_tags(hf.value)
            if tags.get("s") and tags.get("d"):
                names.append(key_name(tags["s"], tags["d"]))
    return names


def _instances(message: Message, recorded: list[Recorded]) -> dict[int, ArcInstance]:
    out: dict[int, ArcInstance] = {}
    for name in ("ARC-Seal", "ARC-Message-Signature"):
        for hf in message.all(name):
            tags = signature_tags(hf.value)
            number = tags.get("i", "")
            if not number.isdigit():
                continue
            inst = out.setdefault(int(number), ArcInstance(int(number)))
            if name == "ARC-Seal":
                inst.seal_domain, inst.seal_selector = tags.get("d"), tags.get("s")
                inst.cv = tags.get("cv", "").lower() or None
            else:
                inst.signature_domain = tags.get("d")
                inst.signature_selector = tags.get("s")
    for entry in recorded:
        if entry.header == "ARC-Authentication-Results" and entry.instance is not None:
            inst = out.setdefault(entry.instance, ArcInstance(entry.instance))
            inst.authserv_id = entry.authserv_id
            inst.results.append(entry)
    return out


def verify_arc(message: Message, lookups: dict[str, Lookup],
               recorded: list[Recorded]) -> ArcCheck:
    """The chain's validation result now, with each instance's seal, signature and results."""
    if not any(message.all(name) for name in ARC_FIELDS):
        return ArcCheck()
    instances = _instances(message, recorded)
    check = ArcCheck(instances=[instances[i] for i in sorted(instances)])
    failed = [name for name in key_names(message)
              if name in lookups and lookup_failed(lookups[name])]
    if failed:
        check.result = "temperror"
        check.reason = f"could not fetch the key: {lookups[failed[0]].describe()}"
        return check
    try:
        verifier = dkim.ARC(message.dkim_input, minkey=1024, logger=QUIET_LOG)
        cv, results, reason = verifier.verify(dnsfunc=dnsfunc_for(lookups))
    except dkim.DKIMException as exc:
        cv, results, reason = dkim.CV_Fail, [], str(exc)
    for data in results:
        inst = instances.get(int(data.get("instance", 0)))
        if inst is None:
            continue
        inst.seal_valid = bool(data.get("as-valid"))
        inst.signature_valid = bool(data.get("ams-valid"))
    if message.body is None and cv != dkim.CV_Pass:
        check.result = "neutral"
        check.reason = ("only the headers were given: the ARC message signatures cover the body, "
                        "so the chain cannot be validated")
        return check
    check.result = _CV.get(cv, "fail") if cv is not None else "fail"
    check.reason = "the chain validates" if check.result == "pass" else str(reason)
    return check


def first_recorded(check: ArcCheck, method: str) -> list[Recorded]:
    """What the first sealer (the oldest instance) recorded for ``method``."""
    if not check.instances:
        return []
    return [r for r in check.instances[0].results if r.method == method]
