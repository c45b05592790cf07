"""Render an :class:`~wizard.headers.result.Analysis` as text, Markdown or JSON (schema 1).

Every piece of message or DNS text is untrusted: text and Markdown show it through
:func:`wizard.output.safetext.printable` (control characters as ``\\xNN``) and cut long values; JSON
escapes it. Colour (text only) follows ``NO_COLOR`` and the terminal, as the other reports do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wizard.headers.result import Analysis
from wizard.model.findings import Status
from wizard.output.safetext import json_text, markdown_inline, printable

FORMATS = ("text", "json", "markdown")
COLOUR = {"pass": "32", "warn": "33", "fail": "31", "skip": "90", "error": "35"}
RESULT_STATUS = {"pass": "pass", "fail": "fail", "softfail": "warn", "neutral": "warn",
                 "none": "skip", "temperror": "error", "permerror": "fail", "policy": "warn"}
Titles = Callable[[str], str]


def render(analysis: Analysis, fmt: str, colour: bool = False,
           titles: Titles | None = None) -> str:
    if fmt == "json":
        return render_json(analysis)
    if fmt == "markdown":
        return render_markdown(analysis, titles)
    return render_text(analysis, colour, titles)


def render_json(analysis: Analysis) -> str:
    return json_text(analysis.to_dict(), indent=2, default=str) + "\n"


def _cut(text: Any, limit: int = 300) -> str:
    value = printable(str(text)) if text is not None else "-"
    return value if len(value) <= limit else value[:limit - 3] + "..."


def _paint(text: str, status: str, colour: bool) -> str:
    code = COLOUR.get(status)
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    sign = "+" if value >= 0 else "-"
    value = abs(value)
    if value >= 3600:
        return f"{sign}{value / 3600:.1f} h"
    if value >= 60:
        return f"{sign}{value / 60:.1f} min"
    return f"{sign}{value:g} s"


def _time(hop: Any) -> str:
    return hop.time.strftime("%Y-%m-%d %H:%M:%S") if hop.time else "?"


def _tls(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "?"}[value]


def _title(titles: Titles | None, article: str) -> str:
    if titles is None:
        return article
    try:
        return titles(article)
    except (KeyError, LookupError, AttributeError):
        return article


def _verdict_lines(a: Analysis, colour: bool, titles: Titles | None) -> list[str]:
    v = a.verdict
    if v is None:
        return []
    deciding = next((f for f in a.findings if f.id == v.finding_id), None)
    label = v.status.value.upper()
    lines = [f"{_paint(label, v.status.value, colour)}  {printable(v.headline)}"]
    lines.append(f"  category  {v.category or '-'}")
    if deciding is not None and deciding.summary:
        lines.append(f"  why       {_cut(deciding.summary, 600)}")
    lines.append(f"  next      {printable(v.next.next_step)}  (who: {v.next.who})")
    for article in v.articles[:3]:
        lines.append(f"  read      smtp-wizard kb show {article}  ({_title(titles, article)})")
    if v.inconclusive:
        lines.append(f"  could not check: {', '.join(v.inconclusive)}")
    return lines


def _message_lines(a: Analysis) -> list[str]:
    s = a.summary
    rows = [("From", s["from"]), ("To", s["to"]), ("Return-Path", s["return_path"]),
            ("Subject", s["subject"]), ("Date", s["date"]), ("Message-ID", s["message_id"])]
    return [f"  {name:<12}{_cut(value)}" for name, value in rows]


def _hop_lines(a: Analysis) -> list[str]:
    total = a.delays.get("total_s")
    head = f"Hops ({len(a.hops)}" + (f"; total {_seconds(total).lstrip('+')}" if total is not None
                                     else "") + ")"
    lines = [head]
    if not a.hops:
        return [*lines, "  no Received fields"]
    lines.append(f"  {'#':>2}  {'from':<36} {'by':<32} {'with':<10} {'TLS':<4} "
                 f"{'time (UTC)':<19}  delay")
    for hop in a.hops:
        origin = hop.from_host or "-"
        if hop.from_ip:
            origin += f" [{hop.from_ip}]"
        lines.append(f"  {hop.index:>2}  {_cut(origin, 36):<36} {_cut(hop.by or '-', 32):<32} "
                     f"{_cut(hop.with_ or '-', 10):<10} {_tls(hop.tls):<4} {_time(hop):<19}  "
                     f"{_seconds(hop.delay_s)}")
        for note in hop.notes:
            lines.append(f"      ! {_cut(note)}")
    if a.delays.get("date_to_first_hop_s") is not None:
        lines.append(f"  Date field to hop 1: {_seconds(a.delays['date_to_first_hop_s'])}")
    return lines


def _auth_lines(a: Analysis, colour: bool) -> list[str]:
    lines = ["Authentication, verified now"]
    if not a.dkim:
        lines.append("  DKIM   not signed")
    for c in a.dkim:
        status = RESULT_STATUS.get(c.result, "warn")
        lines.append(f"  DKIM   {c.index}. d={_cut(c.domain, 60)} s={_cut(c.selector, 40)} "
                     f"{_cut(c.algorithm, 20)}: {_paint(c.result, status, colour)}")
        lines.append(f"         {_cut(c.reason, 400)}")
        for note in c.notes:
            lines.append(f"         note: {_cut(note)}")
    arc = a.arc
    if arc.instances or arc.result != "none":
        sealers = ", ".join(f"i={i.instance} {_cut(i.seal_domain, 60)}" for i in arc.instances)
        lines.append(f"  ARC    {_paint(arc.result, RESULT_STATUS.get(arc.result, 'warn'), colour)}"
                     f" ({sealers or 'no sets'}): {_cut(arc.reason)}")
        for inst in arc.instances:
            seen = " ".join(f"{r.method}={r.result}" for r in inst.results)
            if seen:
                lines.append(f"         i={inst.instance} {_cut(inst.authserv_id, 60)} "
                             f"recorded: {_cut(seen, 200)}")
    for label, check in (("SPF", a.spf), ("SPF", a.spf_receiver)):
        if check is None:
            continue
        where = f"hop {check.hop}" if check.hop else _cut(check.ip_source, 80)
        if check.ip is None or check.domain is None:
            lines.append(f"  {label:<6} not evaluated: {_cut(check.reason)}")
            continue
        status = RESULT_STATUS.get(check.result, "warn")
        lines.append(f"  {label:<6} {check.ip} ({where}), MAIL FROM "
                     f"{_cut(check.mail_from or '<>', 80)}: {_paint(check.result, status, colour)}"
                     + (f" ({_cut(check.reason, 200)})" if check.reason else ""))
        for line in check.trace[:20]:
            lines.append(f"         {_cut(line, 200)}")
    d = a.dmarc
    policy = f" p={d.policy}" if d.policy else ""
    lines.append(f"  DMARC  {_cut(d.domain, 80)}{policy}: "
                 f"{_paint(d.result, RESULT_STATUS.get(d.result, 'warn'), colour)} "
                 f"({_cut(d.reason, 400)})")
    lines.append(f"         SPF aligned: {'yes' if d.spf_aligned else 'no'} ({d.aspf}); "
                 f"DKIM aligned: {'yes' if d.dkim_aligned else 'no'} ({d.adkim})")
    return lines


def _recorded_lines(a: Analysis) -> list[str]:
    final = a.final_authserv
    lines = ["Recorded by the receivers" + (f" (the final receiver: {final})" if final else "")]
    if not a.recorded:
        return [*lines, "  nothing (no Authentication-Results or Received-SPF)"]
    for r in a.recorded:
        props = " ".join(f"{k}={v}" for k, v in list(r.properties.items())[:4])
        why = f" ({r.reason or r.comment})" if (r.reason or r.comment) else ""
        where = f"hop {r.hop}" if r.hop else "no hop"
        who = r.authserv_id or "(no authserv-id)"
        arc = f" ARC i={r.instance}" if r.instance else ""
        lines.append(f"  {where:<7} {_cut(who, 40)}{arc}: {r.method}={_cut(r.result, 20)}"
                     f"{_cut(why, 160)} {_cut(props, 160)}".rstrip())
    return lines


def _spam_lines(a: Analysis) -> list[str]:
    spam = a.spam
    lines = [f"Spam signals: {spam['verdict']}"]
    ms = spam.get("microsoft")
    if ms:
        parts = []
        if ms.get("scl"):
            parts.append(f"SCL {ms['scl']['value']} ({ms['scl']['meaning']})")
        for key in ("SFV", "CAT", "SRV", "IPV", "SFTY", "DIR", "CTRY", "CIP"):
            entry = ms["fields"].get(key)
            if entry and entry["value"]:
                meaning = f" ({entry['meaning']})" if entry.get("meaning") else ""
                parts.append(f"{key}:{_cut(entry['value'], 40)}{meaning}")
        if ms.get("bcl"):
            parts.append(f"BCL {ms['bcl']['value']} ({ms['bcl']['meaning']})")
        if ms.get("compauth"):
            ca = ms["compauth"]
            parts.append(f"compauth={_cut(ca['result'], 20)} reason={_cut(ca['reason'], 10)}"
                         + (f" ({ca['meaning']})" if ca.get("meaning") else ""))
        lines.append("  Microsoft     " + ("; ".join(parts) or "no verdict fields"))
    sa = spam.get("spamassassin")
    if sa:
        verdict = {True: "spam", False: "not spam", None: "?"}[sa["spam"]]
        tests = ", ".join(t["name"] + (f" ({t['meaning']})" if t.get("meaning") else "")
                          for t in sa["tests"][:12])
        lines.append(f"  SpamAssassin  {verdict}, score {sa['score']} / required "
                     f"{sa['required']}" + (f": {_cut(tests, 900)}" if tests else ""))
    rs = spam.get("rspamd")
    if rs:
        lines.append(f"  rspamd        score {rs['score']} / {rs['required']}")
    if not (ms or sa or rs):
        lines.append("  no spam filter headers (Microsoft, SpamAssassin, rspamd) in the message")
    return lines


def _requirement_lines(a: Analysis, colour: bool) -> list[str]:
    lines = ["Sender requirements (Gmail, Yahoo)"]
    for row in a.requirements:
        status = {"pass": "pass", "fail": "warn" if row["applies"] == "bulk" else "fail",
                  "unknown": "skip"}[row["status"]]
        scope = " (bulk senders)" if row["applies"] == "bulk" else ""
        word = f"{row['status']:<7}"
        lines.append(f"  {_paint(word, status, colour)} "
                     f"{row['title'] + scope:<52} {_cut(row['evidence'], 200)}")
    return lines


def _finding_lines(a: Analysis, colour: bool) -> list[str]:
    lines = ["Findings"]
    for f in a.findings:
        word = f.status.value.upper()
        lines.append(f"  {_paint(f'{word:<5}', f.status.value, colour)} {printable(f.title)}")
    return lines


def render_text(a: Analysis, colour: bool = False, titles: Titles | None = None,
                verdict: bool = True) -> str:
    """The report for a terminal; ``verdict=False`` leaves the verdict block out (for a screen
    that shows the verdict itself)."""
    blocks = [[f"smtp-wizard headers: {_cut(a.source, 200)}"],
              _verdict_lines(a, colour, titles) if verdict else [],
              ["Message", *_message_lines(a)], _hop_lines(a), _auth_lines(a, colour),
              _recorded_lines(a)]
    if a.changes:
        blocks.append(["What changed on the way", *(f"  - {_cut(c.summary, 800)}" for c in
                                                   a.changes)])
    blocks += [_spam_lines(a), _requirement_lines(a, colour), _finding_lines(a, colour)]
    notes = list(a.message.notes) + list(a.notes)
    if notes:
        blocks.append(["Notes", *(f"  - {_cut(n)}" for n in notes)])
    blocks.append([f"({a.duration_ms} ms)"])
    return "\n\n".join("\n".join(b) for b in blocks if b) + "\n"


def _md(value: Any, limit: int = 300) -> str:
    return markdown_inline(_cut(value, limit)) if value is not None else "-"


def render_markdown(a: Analysis, titles: Titles | None = None) -> str:
    v = a.verdict
    out = [f"# Received message analysis: {_md(a.summary.get('subject'), 120)}", ""]
    if v is not None:
        out += [f"**{v.status.value.upper()}**: {_md(v.headline, 400)}", "",
                f"- Category: `{v.category or '-'}`",
                f"- Next step: {_md(v.next.next_step, 800)} (who: {v.next.who})"]
        out += [f"- Read: [{_md(_title(titles, art), 120)}]({art}.md)" for art in v.articles[:3]]
        out.append("")
    out += ["## Message", "", "| Field | Value |", "|---|---|"]
    s = a.summary
    for name, key in (("From", "from"), ("To", "to"), ("Return-Path", "return_path"),
                      ("Subject", "subject"), ("Date", "date"), ("Message-ID", "message_id")):
        out.append(f"| {name} | {_md(s[key])} |")
    out += ["", "## Hops", "", "| # | From | By | With | TLS | Time (UTC) | Delay |",
            "|---|---|---|---|---|---|---|"]
    for h in a.hops:
        origin = (h.from_host or "-") + (f" [{h.from_ip}]" if h.from_ip else "")
        skew = " (clock skew)" if h.clock_skew else ""
        out.append(f"| {h.index} | {_md(origin, 80)} | {_md(h.by, 80)} | {_md(h.with_, 30)} | "
                   f"{_tls(h.tls)} | {_time(h)} | {_seconds(h.delay_s)}{skew} |")
    out += ["", "## Authentication (verified now)", "",
            "| Check | Result | Detail |", "|---|---|---|"]
    for c in a.dkim:
        out.append(f"| DKIM d={_md(c.domain, 60)} s={_md(c.selector, 40)} ({_md(c.algorithm)}) "
                   f"| {c.result} | {_md(c.reason, 400)} |")
    if not a.dkim:
        out.append("| DKIM | none | not signed |")
    if a.arc.instances or a.arc.result != "none":
        out.append(f"| ARC ({len(a.arc.instances)} sets) | {a.arc.result} | "
                   f"{_md(a.arc.reason)} |")
    for check in (a.spf, a.spf_receiver):
        if check is not None:
            out.append(f"| SPF {_md(check.ip)} (hop {check.hop or '-'}) MAIL FROM "
                       f"{_md(check.mail_from or '<>', 80)} | {check.result} | "
                       f"{_md(check.reason or check.ip_source, 300)} |")
    d = a.dmarc
    out.append(f"| DMARC {_md(d.domain)} (p={d.policy or '-'}) | {d.result} | "
               f"{_md(d.reason, 400)} |")
    out += ["", "## Recorded by the receivers", "",
            "| Hop | authserv-id | Method | Result | Reason / properties |",
            "|---|---|---|---|---|"]
    for r in a.recorded:
        props = " ".join(f"{k}={v}" for k, v in list(r.properties.items())[:4])
        out.append(f"| {r.hop or '-'} | {_md(r.authserv_id)} | {_md(r.method)} | "
                   f"{_md(r.result)} | {_md((r.reason or r.comment or '') + ' ' + props, 300)} |")
    if a.changes:
        out += ["", "## What changed on the way", ""]
        out += [f"- {_md(c.summary, 800)}" for c in a.changes]
    out += ["", "## Spam signals", "", f"Verdict: **{a.spam['verdict']}**"]
    out += [f"- {_md(r, 300)}" for r in a.spam["reasons"]]
    out += ["", "## Sender requirements (Gmail, Yahoo)", "", "| Requirement | Applies | Status | "
            "Evidence |", "|---|---|---|---|"]
    for row in a.requirements:
        out.append(f"| {row['title']} | {row['applies']} | {row['status']} | "
                   f"{_md(row['evidence'], 200)} |")
    out += ["", "## Findings", ""]
    for f in a.findings:
        mark = "x" if f.status in (Status.FAIL, Status.ERROR) else " "
        out.append(f"- [{mark}] **{f.status.value}** {_md(f.title, 300)}")
    notes = list(a.message.notes) + list(a.notes)
    if notes:
        out += ["", "## Notes", ""] + [f"- {_md(n)}" for n in notes]
    return "\n".join(out) + "\n"
