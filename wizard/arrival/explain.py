"""What arrived, explained: the headers analysis of the read-back message, the real sending IP,
the delay from acceptance, and one plain sentence for the report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wizard.arrival.result import Arrival

SUMMARY_KEYS = ("hops", "delays", "dkim", "spf", "dmarc", "arc", "recorded", "spam", "verdict")


def _sending_ip(analysis: Any) -> tuple[str | None, str | None]:
    """The IP the receiving server took the message from: what it recorded for SPF or the hop
    into its organisation; else (all hops private, e.g. one server) the newest hop's client."""
    for check in (analysis.spf_receiver, analysis.spf):
        if check is not None and check.ip:
            return check.ip, check.ip_source
    for hop in reversed(analysis.hops):
        if hop.from_ip:
            return hop.from_ip, f"hop {hop.index}: received by {hop.by or 'the server'}"
    return None, None


async def explain(arrival: Arrival, resolver: Any, budget_s: float | None = None) -> Arrival:
    """Fill ``sending_ip`` and ``analysis`` from the fetched header block (no-op without one)."""
    if not arrival.headers:
        return arrival
    from wizard.headers.analyse import analyse_message
    from wizard.headers.parse import NotAMessage

    try:
        analysis = await analyse_message(arrival.headers.encode("utf-8", "replace"), resolver,
                                         "arrival", budget_s=budget_s)
    except NotAMessage as exc:
        arrival.analysis = {"error": str(exc)}
        return arrival
    whole = analysis.to_dict()
    summary = {key: whole.get(key) for key in SUMMARY_KEYS}
    verdict = analysis.verdict
    summary["headline"] = verdict.headline if verdict else None
    summary["dns"] = budget_s != 0
    if budget_s == 0:  # --no-dns: nothing could be looked up, say so rather than blame DNS
        summary["headline"] = "DNS checks were off: SPF, DKIM and DMARC were not evaluated"
    arrival.analysis = summary
    arrival.sending_ip, arrival.sending_ip_source = _sending_ip(analysis)
    return arrival


def clock(iso: str | None) -> str:
    """HH:MM (UTC) of an ISO time, or "-"."""
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).strftime("%H:%M UTC")
    except ValueError:
        return "-"


def conclude(arrival: Arrival, wait_s: float) -> Arrival:
    """The delay from acceptance, and the sentence the report leads with."""
    if arrival.found_at and arrival.accepted_at:
        try:
            accepted = datetime.fromisoformat(arrival.accepted_at)
            arrival.delay_s = round(max(0.0, (arrival.found_at - accepted).total_seconds()), 1)
        except ValueError:
            arrival.delay_s = None
    where = {"inbox": "in the inbox", "junk": f"in the junk folder ({arrival.mailbox})"}
    if arrival.status == "arrived":
        delay = f" after {arrival.delay_s:g} s" if arrival.delay_s is not None else ""
        via = f", sent from {arrival.sending_ip}" if arrival.sending_ip else ""
        arrival.finding = f"The test message arrived {where.get(arrival.folder or '', '')}" \
                          f"{delay}{via}."
    elif arrival.status == "not-arrived":
        queue = (f" Queue id for the mail admin: {arrival.queue_id}." if arrival.queue_id
                 else "")
        arrival.finding = (f"Accepted by your server at {clock(arrival.accepted_at)}, not in the "
                           f"inbox or junk after {wait_s:g} s: it is delayed or was dropped on "
                           f"the way.{queue}")
    else:
        arrival.finding = f"The message could not be looked for: {arrival.error}."
    return arrival
