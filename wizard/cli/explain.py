"""`smtp-wizard explain`: say what an SMTP error or a bounce message means and what to do.

Reads one reply (argument or stdin), a bounce .eml (``--file``) or one reply per line
(``--batch``, JSON Lines out). Kept light on purpose: it imports only the parser, the classifier
and the knowledge loader, never Textual or network libraries, so it starts instantly.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

EXIT_OK, EXIT_USAGE = 0, 2

NEXT_STEP: dict[str, str] = {
    "success": "Nothing to fix: the server accepted it.",
    "unknown": "Read the server's words above; search the knowledge base with them.",
    "recipient-unknown": "Check the address for typos; ask the recipient for the right one.",
    "recipient-domain": "Check the domain after the @ for typos; the domain cannot receive mail.",
    "mailbox-full": "Tell the recipient another way; resend once they make room.",
    "mailbox-disabled": "The mailbox is closed or suspended: reach the recipient another way.",
    "message-too-large": "Send a smaller message: share large files by link instead.",
    "message-format": "Fix the message headers (one From, one Subject, valid dates) and resend.",
    "content-rejected": "Remove what looks like spam (links, attachments, wording) and resend.",
    "relay-denied": "Log in (SMTP AUTH) before sending, or send through your own provider.",
    "sender-rejected": "Use a sender address on a real domain you are allowed to send for.",
    "spf-fail": "Add the sending server to the domain's SPF record.",
    "dkim-fail": "Sign mail with DKIM and publish the key: run `smtp-wizard dns DOMAIN`.",
    "dmarc-fail": "Make SPF or DKIM pass, aligned with the From domain: `smtp-wizard dns`.",
    "sender-unauthenticated": "Set up SPF and DKIM for the sending domain: `smtp-wizard dns`.",
    "ptr-missing": "Ask whoever owns the sending IP to set reverse DNS (PTR) to its host name.",
    "blocklisted": "Look the sending IP up on the named blocklist and request delisting.",
    "bad-reputation": "Slow down, send only wanted mail, and fix authentication first.",
    "policy-rejected": "The receiving site refused it by local policy: contact its postmaster.",
    "rate-limited": "Send more slowly and retry later; spread large sends over time.",
    "too-many-connections": "Open fewer connections at once and retry later.",
    "greylisted": "Nothing: retry in a few minutes (your server will do this itself).",
    "delivery-expired": "Check that the recipient's server is reachable, then resend.",
    "routing-loop": "Check MX records and forwarding rules for a loop.",
    "auth-failed": "Re-enter the user name and password; check the exact login name.",
    "auth-app-password": "Create an app password (or use OAuth) and use it instead.",
    "auth-disabled": "Turn on SMTP AUTH for the mailbox (admin centre), or use OAuth.",
    "auth-required": "Turn on 'my server requires authentication' and log in.",
    "auth-mechanism": "Use STARTTLS/TLS first, then a mechanism the server offers.",
    "tls-required": "Turn on STARTTLS (or use port 465 with TLS).",
    "tls-handshake": "Retry later; check TLS versions and the server's TLS setup.",
    "tls-certificate": "Use the server's real host name; check the certificate's dates.",
    "tls-not-offered": "Use a port and server that offer encryption.",
    "service-unavailable": "Retry later; if it persists, the server is refusing you: see below.",
    "server-error": "A problem on the server's side: retry later or tell its admin.",
    "protocol-error": "Your mail program sent a command the server did not accept.",
    "connection-timeout": "Check the host and port; your network may block port 25.",
    "connection-refused": "Check the host name and port number.",
    "connection-dropped": "Retry; if it persists, check firewalls and TLS settings.",
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain",
        help="explain an SMTP error or bounce message",
        description="Say what an SMTP reply or bounce means, and what to do about it.",
    )
    p.add_argument("text", nargs="*", metavar="TEXT", help="the error text, or - for stdin")
    p.add_argument("--file", metavar="FILE.eml", help="a bounce message (DSN) to explain")
    p.add_argument("--batch", metavar="FILE", help="one reply per line; prints JSON Lines")
    p.add_argument("--command", metavar="CMD", help="the SMTP command the reply answered")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--knowledge", action="append", default=None, metavar="DIR",
                   help="extra knowledge articles (may override built-in ids)")


class _Articles:
    """Titles and extra matches from the knowledge base, when it is available."""

    def __init__(self, dirs: Iterable[str]) -> None:
        try:
            from wizard.knowledge import load_knowledge
        except ImportError:
            self.kb = None
        else:
            self.kb = load_knowledge(list(dirs))

    def resolve(self, ids: list[str], reply: Any) -> list[dict[str, str]]:
        if self.kb is None:
            return [{"id": article_id, "title": article_id} for article_id in ids]
        found = self.kb.related(ids, reply.code, reply.enhanced, reply.text)
        return [{"id": a, "title": self.kb.get(a).title} for a in found] or \
            [{"id": ids[0], "title": ids[0]}]


def explain_reply(text: str, articles: _Articles, command: str | None = None,
                  status: str | None = None, action: str | None = None) -> dict[str, Any]:
    """The DESIGN.md explain object for one reply (``status``/``action`` from a DSN, if any)."""
    from wizard.replies import classify, parse

    reply = parse(text, command)
    if status and not reply.enhanced and _real_status(status):
        reply = dataclasses.replace(reply, enhanced=status)
    result = classify(reply)
    klass = reply.reply_class
    if klass == "unknown" and action:  # a DSN's Action when the reply itself has no code
        klass = _ACTION_CLASS.get(action, "unknown")
    return {
        "input": text,
        "code": reply.code,
        "enhanced": reply.enhanced,
        "class": klass,
        "category": result.category,
        "provider": result.provider,
        "summary": result.reason,
        "articles": articles.resolve(result.articles, reply),
    }


_ACTION_CLASS = {"failed": "permanent", "delayed": "temporary", "delivered": "success",
                 "relayed": "success", "expanded": "success"}


def _real_status(status: str) -> bool:
    parts = status.split(".")
    return len(parts) == 3 and parts[0] in "245" and all(p.isdigit() for p in parts)


_NOT_BOUNCE = {
    "feedback": "This is a complaint (feedback) report, not a bounce: a recipient marked a"
                " message as spam.",
    "auto-reply": "This is an automatic reply (such as out of office), not a bounce.",
}


def explain_bounce(data: bytes, articles: _Articles) -> list[dict[str, Any]]:
    """One explain object per recipient of a bounce (one for the whole message if none)."""
    from wizard.dsn import parse_message

    bounce = parse_message(data)
    if bounce.kind in _NOT_BOUNCE:
        return [{
            "input": bounce.subject, "code": None, "enhanced": None, "class": "unknown",
            "category": "unknown", "provider": None, "summary": _NOT_BOUNCE[bounce.kind],
            "articles": articles.resolve(["unknown"], _Blank()), "recipient": None,
        }]
    results = []
    from wizard.dsn import split_recipients

    parts = {r.address.lower(): r.diagnostic for r in split_recipients(bounce.text, 1)
             if r.address and r.diagnostic}
    for rcpt in bounce.recipients or [None]:
        own = parts.get((rcpt.address or "").lower()) if rcpt else None
        texts = [t for t in ((rcpt.diagnostic if rcpt else None), own, bounce.text) if t]
        texts = list(dict.fromkeys(texts)) or [bounce.subject]
        status = rcpt.status if rcpt else None
        action = rcpt.action if rcpt else None
        result = explain_reply(texts[0], articles, status=status, action=action)
        for fallback_text in texts[1:]:  # the recipient's own words first, then the whole text
            if result["category"] != "unknown":
                break
            fallback = explain_reply(fallback_text, articles, status=status, action=action)
            if fallback["category"] != "unknown":
                fallback["input"] = texts[0]
                result = fallback
        result["recipient"] = rcpt.address if rcpt else None
        results.append(result)
    return results


class _Blank:
    code = None
    enhanced = None
    text = ""


def render_text(result: dict[str, Any]) -> str:
    """The person-facing explanation; every piece of server text made printable."""
    from wizard.categories import CATEGORIES
    from wizard.safetext import printable
    from wizard.status_codes import describe_enhanced

    category = result["category"]
    klass = result["class"]
    head = f"{category} ({klass})" if klass != "unknown" else category
    lines = []
    if result.get("recipient"):
        lines.append(f"Recipient: {printable(result['recipient'])}")
    shown = result["input"] if len(result["input"]) <= 300 else result["input"][:297] + "..."
    lines.append(f"Server:    {printable(shown)}")
    lines.append(f"Problem:   {head}")
    if result["provider"]:
        lines.append(f"Provider:  {result['provider']}")
    codes = " ".join(str(c) for c in (result["code"], result["enhanced"]) if c)
    if codes:
        desc = describe_enhanced(result["enhanced"]) if result["enhanced"] else None
        lines.append(f"Reply:     {codes}" + (f" ({desc})" if desc else ""))
    lines.append(f"Means:     {CATEGORIES.get(category, '')}")
    lines.append(f"Why:       {printable(result['summary'])}")
    lines.append(f"Do now:    {NEXT_STEP.get(category, 'Read the article below.')}")
    for article in result["articles"][:3]:
        lines.append(f"Read:      smtp-wizard kb show {article['id']}  ({article['title']})")
    return "\n".join(lines) + "\n"


def _read_lines(path: str) -> Iterator[str]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped:
                yield stripped


def _emit(results: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results))
    else:
        sys.stdout.write("\n".join(render_text(r) for r in results))


def run(args: argparse.Namespace) -> int:
    sources = sum(bool(x) for x in (args.text, args.file, args.batch))
    if sources != 1:
        return _usage("give exactly one of TEXT, -, --file FILE.eml or --batch FILE")
    from wizard.knowledge import KnowledgeError

    try:
        articles = _Articles(args.knowledge or ())
    except KnowledgeError as exc:
        return _usage(str(exc))
    if args.batch:
        try:
            out = sys.stdout
            for line in _read_lines(args.batch):
                out.write(json.dumps(explain_reply(line, articles, args.command),
                                     ensure_ascii=False) + "\n")
        except OSError as exc:
            return _usage(f"cannot read {args.batch!r}: {exc.strerror or exc}")
        return EXIT_OK
    if args.file:
        try:
            with open(args.file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            return _usage(f"cannot read {args.file!r}: {exc.strerror or exc}")
        _emit(explain_bounce(data, articles), args.format)
        return EXIT_OK
    text = " ".join(args.text)
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        return _usage("nothing to explain: the text is empty")
    _emit([explain_reply(text.strip(), articles, args.command)], args.format)
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"smtp-wizard explain: error: {message}", file=sys.stderr)
    return EXIT_USAGE
