"""Render a :class:`wizard.discover.model.Discovery` as text, Markdown or JSON (schema 1).

Every value a source or a server gave (host names, summaries, problems, greetings) is untrusted
and goes through :func:`wizard.output.safetext.printable` / ``markdown_inline``.
"""

from __future__ import annotations

import json
from typing import Any

from wizard import __version__
from wizard.discover.model import Candidate, Discovery
from wizard.output.safetext import markdown_inline, printable

SCHEMA_VERSION = 1
WHO = {"you": "you", "provider": "your provider"}


def document(found: Discovery) -> dict[str, Any]:
    return {"schema": SCHEMA_VERSION,
            "tool": {"name": "smtp-wizard", "version": __version__, "command": "discover"},
            **found.to_dict()}


def how_confirmed(c: Candidate) -> str:
    """'confirmed by a probe (STARTTLS, AUTH after TLS, certificate valid)' or why not."""
    probe = c.probe or {}
    if not probe:
        return "not probed"
    if "error" in probe:
        return f"not confirmed: {probe['error']}"
    if not c.confirmed:
        return f"not confirmed: port {c.port} {probe.get('mode')}"
    bits = [str(probe.get("mode"))]
    bits.append("AUTH after TLS: " + " ".join(probe["auth_after_tls"])
                if probe.get("auth_after_tls") else "no AUTH after TLS")
    if "certificate_valid" in probe:
        bits.append("certificate valid" if probe["certificate_valid"] else
                    f"certificate not valid: {probe.get('certificate_error')}")
    if probe.get("note"):
        bits.append(str(probe["note"]))
    return "confirmed by a probe (" + "; ".join(bits) + ")"


def setting_line(c: Candidate) -> str:
    user = f", user {c.user} ({c.user_form})" if c.user else ""
    trust = "authenticated source" if c.authenticated else "source not authenticated"
    return (f"{c.host} port {c.port} ({c.security}){user}, {c.source_text} [{trust}]; "
            f"{how_confirmed(c)}")


def render_text(found: Discovery) -> str:
    out = [f"Discovery for {printable(found.address)} (took {found.duration_ms} ms)"]
    if found.mx:
        out.append("MX: " + printable(", ".join(found.mx))
                   + (f" (provider: {found.provider})" if found.provider else ""))
    out.append("Settings: " + (printable(setting_line(found.settings)) if found.settings
                               else "none found"))
    for item in found.incoming:
        out.append(printable(f"Incoming: {item.protocol} {item.host} port {item.port} "
                             f"({item.security}), from {item.source}"))
    out.append("Sources:")
    for r in found.sources:
        tls = "" if r.tls is None else (" over HTTPS" if r.tls else "")
        out.append(printable(f"  {r.source:<12} {r.status:<7} {r.summary}{tls} "
                             f"({r.duration_ms} ms)"))
        for problem in r.problems:
            out.append(printable(f"      refused: {problem}"))
    if found.candidates:
        out.append("Candidates:")
        for c in found.candidates:
            out.append("  " + printable(setting_line(c)))
    out.append(f"Next ({WHO.get(found.who, found.who)}): {printable(found.next_step)}")
    return "\n".join(out) + "\n"


def render_markdown(found: Discovery) -> str:
    out = [f"# smtp-wizard discovery: {markdown_inline(found.address)}", "",
           "- **Settings:** " + (markdown_inline(setting_line(found.settings))
                                 if found.settings else "none found"),
           f"- **Next step ({WHO.get(found.who, found.who)}):** "
           f"{markdown_inline(found.next_step)}"]
    if found.mx:
        out.append(f"- **MX:** {markdown_inline(', '.join(found.mx))}")
    out += ["", "| source | status | what | ms |", "|---|---|---|---|"]
    for r in found.sources:
        what = r.summary + "".join(f"; refused: {p}" for p in r.problems)
        out.append(f"| {r.source} | {r.status} | {markdown_inline(what)} | {r.duration_ms} |")
    if found.candidates:
        out += ["", "## Candidates", ""]
        out += [f"- {markdown_inline(setting_line(c))}" for c in found.candidates]
    return "\n".join(out) + "\n"


def render(found: Discovery, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document(found), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(found)
    return render_text(found)
