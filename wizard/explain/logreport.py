"""The mail-log triage as a person reads it: advice per group, a timeline, text/Markdown/JSON.

Receiving-side groups get their title, next step and who acts from ``data/server_log.toml``
(a helpdesk lead rewords them there); failed logins are told apart here, from the group's
counters: one client retrying an old password, or many addresses guessing. Groups come sorted by
what matters (the file's ``rank``: failures you can fix first), then by count. Every log text
shown goes through :func:`wizard.output.safetext.printable`. No reading or classifying here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.explain.triage import ServerGroup, Timeline, top

if TYPE_CHECKING:
    from wizard.explain.triage import Group, Triage

__all__ = ["Advice", "advice", "axis", "ranked_server", "render_json", "render_markdown",
           "render_text", "sparkline", "unit"]

WORDING = Path(__file__).with_name("data") / "server_log.toml"
SPARKS = "▁▂▃▄▅▆▇█"
CELLS = 48
"""Widest sparkline: longer spans put several buckets in one cell."""
BRUTE_FORCE_IPS = 10
"""Failed logins from at least this many addresses, none of them most of the failures: guessing."""


@dataclass(frozen=True)
class Advice:
    """What one receiving-side group means for the person reading the report."""

    id: str
    title: str
    next_step: str
    who: str
    category: str
    rank: int
    articles: list[str]


@cache
def _wording() -> dict[str, dict[str, Any]]:
    data = tomllib.loads(WORDING.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if isinstance(v, dict)}


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _pattern(group: ServerGroup) -> str:
    """The wording id for ``group``: auth groups become retrying or bruteforce when they are."""
    base = f"{group.kind}.{group.reason}"
    if group.kind != "auth":
        return base
    pairs = top(group.pairs, 1)
    if len(group.ips) >= BRUTE_FORCE_IPS and (not pairs or pairs[0][1] * 2 < group.count):
        return "auth.bruteforce"
    if pairs and pairs[0][1] * 2 >= group.count:
        return "auth.retrying"
    return base


def advice(group: ServerGroup) -> Advice:
    """Title, next step, who acts and articles for one receiving-side group."""
    words = _wording()
    wid = _pattern(group)
    entry = words.get(wid) or words.get(f"{group.kind}.*") or {}
    user, ip, top_count = "", "", group.count
    pairs = top(group.pairs, 1)
    if pairs:
        (pair, top_count), = pairs
        user, _, ip = pair.partition(" ")
    else:
        tops = top(group.ips, 1)
        if tops:
            ip, top_count = tops[0]
    stage = (top(group.stages, 1) or [("", 0)])[0][0]
    fill = _Fill(count=f"{group.count:,}", top_user=user or "(no user name)", top_ip=ip or "?",
                 top_count=f"{top_count:,}", top_client=(top(group.clients, 1) or [("?", 0)])[0][0],
                 ips=f"{len(group.ips):,}", users=f"{len(group.users):,}",
                 since=group.first_seen or "?", list=group.detail or "?", stage=stage or "?")
    category = group.category if group.category not in ("unknown", "success") and \
        group.kind == "reject" else str(entry.get("category", group.category))
    articles = list(dict.fromkeys([category, *([entry["article"]] if "article" in entry else []),
                                   *group.articles]))
    return Advice(wid, str(entry.get("title", "{count} problems")).format_map(fill),
                  str(entry.get("next_step", "")).format_map(fill),
                  str(entry.get("who", "your-mail-admin")), category,
                  int(entry.get("rank", 99)), articles)


def ranked_server(triage: Triage) -> list[tuple[ServerGroup, Advice]]:
    """Receiving-side groups with their advice, what to fix first at the top."""
    pairs = [(g, advice(g)) for g in triage.server_groups.values()]
    return sorted(pairs, key=lambda ga: (ga[1].rank, -ga[0].count, ga[0].key))


# --- timeline ----------------------------------------------------------------------------------


def unit(triage: Triage) -> str:
    """``minute`` for a short log (its buckets are kept), else ``hour``."""
    return "minute" if triage.timeline.minutes is not None else "hour"


def _parse(key: str, per: str) -> datetime | None:
    try:
        return datetime.strptime(f"2000-{key}", "%Y-%m-%d %H:%M" if per == "minute"
                                 else "%Y-%m-%d %H")
    except ValueError:
        return None


def axis(triage: Triage) -> list[str]:
    """Every bucket key from the first problem to the last, in order (at most a week)."""
    per = unit(triage)
    keys = triage.timeline.minutes if per == "minute" else triage.timeline.hours
    if not keys:
        return []
    first, last = _parse(min(keys), per), _parse(max(keys), per)
    if first is None or last is None:
        return sorted(keys)
    step = timedelta(minutes=1) if per == "minute" else timedelta(hours=1)
    fmt = "%m-%d %H:%M" if per == "minute" else "%m-%d %H"
    out: list[str] = []
    while first <= last and len(out) < 24 * 7 * 60:
        out.append(first.strftime(fmt))
        first += step
    return out


def buckets(timeline: Timeline, per: str) -> dict[str, int]:
    return dict(timeline.minutes or {}) if per == "minute" else dict(timeline.hours)


def sparkline(timeline: Timeline, keys: list[str], per: str) -> str:
    """One character per cell of ``keys`` (several buckets a cell when there are many)."""
    if not keys:
        return ""
    counts = buckets(timeline, per)
    width = -(-len(keys) // CELLS)
    cells = [sum(counts.get(k, 0) for k in keys[i:i + width]) for i in range(0, len(keys), width)]
    high = max(cells) or 1
    return "".join(" " if n == 0 else SPARKS[min(7, (n * 8 - 1) // high)] for n in cells)


def _cell_words(keys: list[str], per: str) -> str:
    width = -(-len(keys) // CELLS) if keys else 1
    return f"one cell = {width} {per}{'s' if width > 1 else ''}"


# --- JSON --------------------------------------------------------------------------------------


def _tops(counter: dict[str, int], n: int = 5) -> list[dict[str, Any]]:
    return [{"value": k, "count": v} for k, v in top(counter, n)]


def server_json(group: ServerGroup, adv: Advice, per: str) -> dict[str, Any]:
    return {
        "id": adv.id, "kind": group.kind, "reason": group.reason, "detail": group.detail,
        "category": adv.category, "count": group.count, "first_seen": group.first_seen,
        "last_seen": group.last_seen, "title": adv.title, "summary": group.summary,
        "who": adv.who, "next_step": adv.next_step, "articles": adv.articles,
        "top_clients": _tops(group.clients), "top_ips": _tops(group.ips),
        "top_users": _tops(group.users), "top_senders": _tops(group.senders),
        "top_recipient_domains": _tops(group.domains), "stages": _tops(group.stages, 8),
        "sample": group.samples[0] if group.samples else "", "samples": list(group.samples),
        "timeline": {"unit": per, "buckets": buckets(group.timeline, per)},
    }


def render_json(triage: Triage) -> dict[str, Any]:
    """``explain --log --format json``: totals, receiving-side and delivery groups."""
    per = unit(triage)
    groups = []
    for g in triage.ranked():
        item = g.to_json()
        item["timeline"] = {"unit": per, "buckets": buckets(g.timeline, per)}
        groups.append(item)
    return {"lines": triage.lines, "events": triage.events, "incidents": triage.incidents,
            "totals": triage.tally.to_json(),
            "server_groups": [server_json(g, a, per) for g, a in ranked_server(triage)],
            "groups": groups}


# --- text --------------------------------------------------------------------------------------


def _names() -> dict[str, str]:
    from wizard.catalog.providers import catalog

    return {pid: p.name for pid, p in catalog().items()}


def totals_line(triage: Triage) -> str:
    t = triage.tally
    return (f"received {t.received:,}, delivered {t.delivered:,}, deferred {t.deferred:,}"
            f" ({t.deferrals:,} deferrals), bounced {t.bounced:,}, rejected {t.rejected:,}")


def _top_words(group: ServerGroup) -> str:
    from wizard.output.safetext import printable

    parts = []
    for label, counter in (("users", group.users), ("clients", group.clients),
                           ("senders", group.senders), ("to", group.domains)):
        if counter:
            parts.append(f"{label} " + ", ".join(f"{printable(k)} ({v:,})"
                                                 for k, v in top(counter, 3)))
    return "; ".join(parts)


def server_text(group: ServerGroup, adv: Advice, keys: list[str], per: str,
                rank: int | None = None) -> list[str]:
    """The lines that describe one receiving-side group (also the TUI's detail view)."""
    from wizard.explain.render import shorten
    from wizard.output.safetext import printable

    head = f"{rank:>3}. " if rank is not None else ""
    out = [f"{head}{printable(adv.title)}  [{adv.category}]",
           f"     first {printable(group.first_seen)}, last {printable(group.last_seen)}"
           f"  |{sparkline(group.timeline, keys, per)}|"]
    tops = _top_words(group)
    if tops:
        out.append(f"     top: {tops}")
    if group.samples:
        sample, _ = shorten(printable(group.samples[0]), 200)
        out.append(f"     sample: {sample}")
    out.append(f"     do now ({adv.who}): {printable(adv.next_step)}")
    if adv.articles:
        out.append(f"     read: smtp-wizard kb show {adv.articles[0]}")
    return out


def render_text(triage: Triage, limit: int = 30) -> str:
    from wizard.explain.render import shorten
    from wizard.output.safetext import printable

    per = unit(triage)
    keys = axis(triage)
    out = [f"{triage.lines:,} lines: {totals_line(triage)}"]
    if keys:
        out.append(f"problems from {keys[0]} to {keys[-1]} ({_cell_words(keys, per)})")
    server = ranked_server(triage)
    out += ["", f"Receiving side: {triage.incidents:,} problems in {len(server):,} groups"
                f" (what to fix first at the top)", ""]
    for rank, (g, adv) in enumerate(server[:limit], 1):
        out += server_text(g, adv, keys, per, rank)
        out.append("")
    if not server:
        out += ["     no refused mail, failed logins or TLS trouble found", ""]
    names = _names()
    groups = triage.ranked()
    out += [f"Sending side: {triage.events:,} deferred or bounced deliveries in {len(groups):,}"
            f" groups (most frequent first)", ""]
    for rank, d in enumerate(groups[:limit], 1):
        provider = names.get(d.provider or "", d.provider or "unknown provider")
        out.append(f"{rank:>3}. {d.count:,} x {d.category} ({d.klass}) - {printable(d.domain)}"
                   f" via {printable(provider)}")
        out.append(f"     deferred {d.deferred:,}, bounced {d.bounced:,};"
                   f" first {printable(d.first_seen)}, last {printable(d.last_seen)}"
                   f"  |{sparkline(d.timeline, keys, per)}|")
        sample, _ = shorten(printable(d.sample), 160)
        out.append(f"     sample: {sample}")
        out.append(f"     do now: {printable(d.next_step)}")
        if d.next_command:
            out.append(f"     run:    {printable(d.next_command)}")
        out.append("")
    if len(groups) > limit or len(server) > limit:
        out.append("... and smaller groups (--format json lists all)")
    return "\n".join(out).rstrip() + "\n"


# --- Markdown ----------------------------------------------------------------------------------


def server_markdown(group: ServerGroup, adv: Advice) -> list[str]:
    from wizard.output.safetext import markdown_inline

    out = [f"### {markdown_inline(adv.title)}", "",
           f"- category: {adv.category}; count {group.count:,};"
           f" first {markdown_inline(group.first_seen)}, last {markdown_inline(group.last_seen)}",
           f"- do now ({adv.who}): {markdown_inline(adv.next_step)}"]
    tops = _top_words(group)
    if tops:
        out.append(f"- top: {markdown_inline(tops)}")
    if group.samples:
        out.append(f"- sample: `{markdown_inline(group.samples[0][:300])}`")
    if adv.articles:
        out.append(f"- article: {adv.articles[0]}")
    return [*out, ""]


def render_markdown(triage: Triage, limit: int = 100) -> str:
    from wizard.output.safetext import markdown_inline

    names = _names()
    groups: list[Group] = triage.ranked()
    out = ["# Mail log triage", "", f"{triage.lines:,} lines: {totals_line(triage)}.", "",
           "## Receiving side", ""]
    server = ranked_server(triage)
    for g, adv in server[:limit]:
        out += server_markdown(g, adv)
    if not server:
        out += ["No refused mail, failed logins or TLS trouble found.", ""]
    out += ["## Sending side", "",
            f"{triage.events:,} deferred or bounced deliveries, {len(groups):,} groups.", "",
            "| # | count | category | class | domain | provider | deferred | bounced | first seen |"
            " last seen | fix |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for rank, d in enumerate(groups[:limit], 1):
        provider = names.get(d.provider or "", d.provider or "")
        out.append(f"| {rank} | {d.count} | {d.category} | {d.klass} |"
                   f" {markdown_inline(d.domain)} | {markdown_inline(provider)} | {d.deferred} |"
                   f" {d.bounced} | {markdown_inline(d.first_seen)} |"
                   f" {markdown_inline(d.last_seen)} | {markdown_inline(d.next_step)} |")
    out += ["", "### Samples", ""]
    for rank, d in enumerate(groups[:limit], 1):
        out.append(f"{rank}. `{markdown_inline(d.sample[:300])}`")
    return "\n".join(out) + "\n"
