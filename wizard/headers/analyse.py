"""Analyse one received message: the one entry point the CLI and the TUI share.

Order: parse the message, read the hops and what receivers recorded (pure); then, concurrently
through the project's resolver, fetch the DKIM/ARC keys, evaluate SPF for the sender's and the
receiver's hop and fetch the From domain's DMARC policy; then verify DKIM and ARC with dkimpy in
a worker thread (CPU only, no network); then compute DMARC, explain the differences, decode the
spam signals, check the sender requirements, and reach the verdict.

It never raises for anything the message or the DNS says: input that is not a message raises
:class:`~wizard.headers.parse.NotAMessage` before any DNS query.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from email.utils import getaddresses
from typing import Any, TypeVar

from wizard.dns.resolver import Resolver
from wizard.headers import arc as arc_mod
from wizard.headers import dkim as dkim_mod
from wizard.headers import dmarc as dmarc_mod
from wizard.headers import spf as spf_mod
from wizard.headers.authres import Recorded, read_recorded
from wizard.headers.changes import attribute, final_hop, find_changes, list_signals
from wizard.headers.hops import MAX_HOPS, Hop, delays, parse_date, read_hops
from wizard.headers.judgement import judge
from wizard.headers.keys import fetch_keys
from wizard.headers.parse import Message, decode_words, parse_message
from wizard.headers.requirements import check_requirements
from wizard.headers.result import Analysis
from wizard.headers.spam import read_spam

T = TypeVar("T")
MAX_RECORDED = 500  # Authentication-Results entries read (newest first)


def summarise(message: Message) -> dict[str, Any]:
    """The ``message`` block: From, Return-Path, Subject, Message-ID, Date (decoded)."""
    from_values = [f.value for f in message.all("From")]
    addresses = [a for _, a in getaddresses(from_values) if "@" in a]
    from_domain = None
    if len(addresses) == 1 and len(from_values) == 1:
        from_domain = addresses[0].rpartition("@")[2].lower().rstrip(".") or None
    date = message.value("Date")
    when = parse_date(date)
    return {
        "from": decode_words(from_values[0]) if from_values else None,
        "from_address": addresses[0] if addresses else None,
        "from_domain": from_domain,
        "to": message.text("To"),
        "return_path": message.value("Return-Path"),
        "subject": message.text("Subject"),
        "message_id": message.value("Message-ID"),
        "date": date,
        "date_utc": when.isoformat() if when else None,
    }


def _receiver_dkim_pass(recorded: list[Recorded], final: int | None) -> set[str]:
    return {(r.prop("header.d") or "").lower() for r in recorded
            if r.method == "dkim" and r.result == "pass" and r.hop == final
            and r.header == "Authentication-Results"}


def _sender_side(hops: list[Hop], recorded: list[Recorded], sender_domain: str | None
                 ) -> tuple[Hop | None, str | None, str]:
    hop = spf_mod.sender_hop(hops, sender_domain)
    if hop is not None and hop.from_ip:
        org = sender_domain or "the sender's domain"
        return hop, hop.from_ip, f"hop {hop.index}: the first hop outside {org}"
    recorded_ip = spf_mod.recorded_client_ip(recorded, final_hop(hops, recorded))
    if recorded_ip:
        return None, recorded_ip[0], recorded_ip[1]
    return None, None, ("no hop from a public IP into another organisation: the message may "
                        "never have left the sender's")


def _receiver_side(hops: list[Hop], recorded: list[Recorded]
                   ) -> tuple[Hop | None, str | None, str]:
    found = spf_mod.recorded_client_ip(recorded, final_hop(hops, recorded))
    if found:
        ip, source = found
        hop = next((h for h in reversed(hops) if h.from_ip == ip), None)
        return hop, ip, source
    hop = spf_mod.receiver_hop(hops)
    if hop is not None:
        return hop, hop.from_ip, f"hop {hop.index}: the hop into the recipient's organisation"
    return None, None, "no hop from a public IP into another organisation"


async def _bounded(coro: Awaitable[T], budget: float, default: Any) -> Any:
    """``coro``'s result, or ``default`` when it overruns the DNS budget."""
    try:
        return await asyncio.wait_for(coro, budget)
    except TimeoutError:
        return default


async def _none() -> None:
    return None


def _late_spf(ip: str | None, source: str, hop: Hop | None, mail_from: str | None,
              mail_from_source: str, why: str) -> spf_mod.SpfCheck:
    check = spf_mod.SpfCheck(ip, source, hop.index if hop else None, hop.helo if hop else None,
                             mail_from, mail_from_source, result="temperror", reason=why)
    return check


async def analyse_message(data: bytes, resolver: Resolver, source: str = "-",
                          now: datetime | None = None,
                          budget_s: float | None = None) -> Analysis:
    """Parse ``data`` and analyse it (raises NotAMessage for input that is not a message)."""
    return await analyse(parse_message(data), resolver, source, now, budget_s)


async def analyse(message: Message, resolver: Resolver, source: str = "-",
                  now: datetime | None = None, budget_s: float | None = None) -> Analysis:
    """Analyse ``message``; the DNS phase is bounded by ``budget_s`` (default 6·T + 5 s, the
    project's per-check budget), after which what did not answer counts as ``temperror``."""
    started = now or datetime.now(UTC)
    clock = time.monotonic()
    hops = read_hops(message)
    notes: list[str] = []
    if len(message.all("Received")) > MAX_HOPS:
        notes.append(f"{len(message.all('Received'))} Received fields (a mail loop?): only the "
                     f"newest {MAX_HOPS} are read")
    recorded = read_recorded(message)
    if len(recorded) > MAX_RECORDED:
        notes.append(f"{len(recorded):,} recorded authentication results: only the newest "
                     f"{MAX_RECORDED} are read")
        recorded = recorded[:MAX_RECORDED]
    attribute(recorded, hops)
    summary = summarise(message)
    mail_from, mail_from_source = spf_mod.envelope_sender(message, hops, recorded)
    sender_domain = spf_mod.domain_of(mail_from) or summary["from_domain"]
    s_hop, s_ip, s_source = _sender_side(hops, recorded, sender_domain)
    r_hop, r_ip, r_source = _receiver_side(hops, recorded)
    original = spf_mod.original_address(mail_from) if mail_from else mail_from
    original_source = mail_from_source if original == mail_from else \
        f"{mail_from_source}, SRS-decoded"
    names = dkim_mod.key_names(message) + arc_mod.key_names(message)
    budget = budget_s if budget_s is not None else 6 * resolver.timeout + 5
    late = f"the DNS did not finish within {budget:g} s"
    receiver_differs = bool(r_ip and r_ip != s_ip)
    lookups, spf, dmarc_info, spf_receiver = await asyncio.gather(
        _bounded(fetch_keys(resolver, names), budget, {}),
        _bounded(spf_mod.evaluate(resolver, s_ip, s_source, s_hop, original, original_source),
                 budget, _late_spf(s_ip, s_source, s_hop, original, original_source, late)),
        _bounded(dmarc_mod.gather(resolver, summary["from_domain"]), budget, late),
        _bounded(spf_mod.evaluate(resolver, r_ip, r_source, r_hop, mail_from,
                                  mail_from_source), budget,
                 _late_spf(r_ip, r_source, r_hop, mail_from, mail_from_source, late))
        if receiver_differs else _none(),
    )
    epoch = started.timestamp()
    dkim, arc = await asyncio.to_thread(
        lambda: (dkim_mod.verify_all(message, lookups, epoch),
                 arc_mod.verify_arc(message, lookups, recorded)))
    final = final_hop(hops, recorded)
    dmarc = dmarc_mod.evaluate(summary["from_domain"], dmarc_info, spf_receiver or spf, dkim,
                               _receiver_dkim_pass(recorded, final))
    changes = find_changes(message, hops, recorded, dkim, arc, spf, spf_receiver)
    analysis = Analysis(
        source=source, message=message, summary=summary, hops=hops,
        delays=delays(hops, parse_date(message.value("Date"))), recorded=recorded, dkim=dkim,
        arc=arc, spf=spf, spf_receiver=spf_receiver, dmarc=dmarc, changes=changes,
        spam=read_spam(message, recorded),
        requirements=check_requirements(message, hops, dkim, spf_receiver or spf, dmarc,
                                        started),
        lists=list_signals(message), started_at=started,
        nameservers=[f"{ip}:{port}" for ip, port in resolver.nameservers], notes=notes)
    analysis.findings, analysis.verdict = judge(analysis)
    analysis.duration_ms = int((time.monotonic() - clock) * 1000)
    return analysis
