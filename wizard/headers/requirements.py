"""Gmail and Yahoo sender requirements, as far as one received message shows them.

The rules and their wording are data (``data/requirements.toml``); the check behind each rule id
is a small pure function here. Each rule gets ``pass``, ``fail`` or ``unknown`` (the message does
not show it), and whether it applies to every sender or to bulk senders only: one message cannot
say whether its sender sends 5,000 messages a day, so bulk rules are reported, never enforced.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from wizard.headers.dkim import DkimCheck
from wizard.headers.dmarc import DmarcCheck
from wizard.headers.hops import Hop, parse_date
from wizard.headers.parse import Message
from wizard.headers.spf import SpfCheck

_MSG_ID = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")


@dataclass
class Facts:
    message: Message
    hops: list[Hop]
    dkim: list[DkimCheck]
    spf: SpfCheck
    dmarc: DmarcCheck
    now: datetime


Check = Callable[[Facts], tuple[str, str]]


def _authenticated(f: Facts) -> tuple[str, str]:
    dkim_ok = [c.domain for c in f.dkim if c.passed]
    if f.spf.result == "pass" or dkim_ok:
        via = (["SPF"] if f.spf.result == "pass" else []) + (["DKIM"] if dkim_ok else [])
        return "pass", f"{' and '.join(via)} passed"
    if f.spf.ip is None and not f.dkim:
        return "unknown", "no SPF result and no DKIM signature to check"
    return "fail", f"SPF {f.spf.result}; DKIM " + (
        ", ".join(f"{c.result}" for c in f.dkim) if f.dkim else "not signed")


def _tls(f: Facts) -> tuple[str, str]:
    from wizard.headers.spf import receiver_hop

    hop = receiver_hop(f.hops)
    if hop is None or hop.tls is None:
        return "unknown", "the hop into the receiver does not say"
    if hop.tls:
        return "pass", f"hop {hop.index} ({hop.by}) used TLS" + (
            f": {hop.tls_detail}" if hop.tls_detail else "")
    return "fail", f"hop {hop.index} into {hop.by} was not encrypted (with {hop.with_})"


def _message_id(f: Facts) -> tuple[str, str]:
    ids = f.message.all("Message-ID")
    if not ids:
        return "fail", "no Message-ID field"
    if len(ids) > 1:
        return "fail", f"{len(ids)} Message-ID fields"
    value = ids[0].value.strip()
    if not _MSG_ID.match(value):
        return "fail", f"Message-ID {value[:80]!r} is not <left@right>"
    return "pass", value[:120]


def _date(f: Facts) -> tuple[str, str]:
    dates = f.message.all("Date")
    if not dates:
        return "fail", "no Date field"
    if len(dates) > 1:
        return "fail", f"{len(dates)} Date fields"
    when = parse_date(dates[0].value)
    if when is None:
        return "fail", f"Date {dates[0].value[:60]!r} cannot be read"
    first = next((h.time for h in f.hops if h.time is not None), None)
    ref = first or f.now
    if when - ref > timedelta(hours=24):
        return "fail", f"Date {when.isoformat()} is more than a day after the message was sent"
    return "pass", when.isoformat()


def _single_from(f: Facts) -> tuple[str, str]:
    fields = f.message.all("From")
    addresses = f.message.addresses("From")
    if len(fields) != 1:
        return "fail", f"{len(fields)} From fields"
    if len(addresses) != 1:
        return "fail", f"{len(addresses)} addresses in From"
    return "pass", addresses[0]


def _spf_and_dkim(f: Facts) -> tuple[str, str]:
    dkim_ok = any(c.passed for c in f.dkim)
    if f.spf.result == "pass" and dkim_ok:
        return "pass", "SPF and DKIM passed"
    missing = [w for w, ok in (("SPF", f.spf.result == "pass"), ("DKIM", dkim_ok)) if not ok]
    return "fail", f"{' and '.join(missing)} did not pass"


def _dmarc_record(f: Facts) -> tuple[str, str]:
    if f.dmarc.result == "temperror":
        return "unknown", f.dmarc.reason
    if f.dmarc.record:
        return "pass", f"p={f.dmarc.policy} at _dmarc.{f.dmarc.policy_domain}"
    return "fail", f.dmarc.reason or "no DMARC record"


def _from_aligned(f: Facts) -> tuple[str, str]:
    if f.dmarc.spf_aligned or f.dmarc.dkim_aligned:
        return "pass", f.dmarc.reason or "aligned"
    if f.dmarc.result in ("temperror", "permerror"):
        return "unknown", f.dmarc.reason
    return "fail", "neither SPF nor DKIM passed for a domain aligned with From"


def _one_click(f: Facts) -> tuple[str, str]:
    unsubscribe = f.message.value("List-Unsubscribe")
    post = f.message.value("List-Unsubscribe-Post")
    if unsubscribe is None:
        return "fail", "no List-Unsubscribe field"
    if "https://" not in unsubscribe.lower():
        return "fail", "List-Unsubscribe has no https URL (one-click needs one)"
    if post is None or post.replace(" ", "").lower() != "list-unsubscribe=one-click":
        return "fail", "no List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    signed = [c for c in f.dkim if c.passed and {"list-unsubscribe", "list-unsubscribe-post"}
              <= set(c.signed_headers)]
    if not signed:
        return "fail", "the unsubscribe fields are not covered by a passing DKIM signature"
    return "pass", f"signed by d={signed[0].domain}"


CHECKS: dict[str, Check] = {
    "authenticated": _authenticated, "tls": _tls, "message-id": _message_id, "date": _date,
    "single-from": _single_from, "spf-and-dkim": _spf_and_dkim, "dmarc-record": _dmarc_record,
    "from-aligned": _from_aligned, "one-click-unsubscribe": _one_click,
}


@cache
def rules() -> list[dict[str, Any]]:
    text = resources.files("wizard.headers").joinpath("data/requirements.toml").read_text(
        "utf-8")
    rows: list[dict[str, Any]] = tomllib.loads(text)["requirement"]
    unknown = [r["id"] for r in rows if r["id"] not in CHECKS]
    if unknown:
        raise ValueError(f"requirements.toml: no check for {', '.join(unknown)}")
    return rows


def check_requirements(message: Message, hops: list[Hop], dkim: list[DkimCheck],
                       spf: SpfCheck, dmarc: DmarcCheck,
                       now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per rule: ``{id, title, applies, status, evidence, why, article}``."""
    facts = Facts(message, hops, dkim, spf, dmarc, now or datetime.now(UTC))
    out = []
    for rule in rules():
        status, evidence = CHECKS[rule["id"]](facts)
        out.append({"id": rule["id"], "title": rule["title"], "applies": rule["applies"],
                    "status": status, "evidence": evidence, "why": rule["why"],
                    "article": rule["article"]})
    return out
