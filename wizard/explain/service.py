"""The one explain service: any reply, bounce or client error to what it means and what to do.

``explain``, the TUI Explain screen, live SMTP findings (``wizard.smtp.interpret``) and the
pasted-client-error question all go through :class:`ExplainService`, so a reply reads the same
everywhere: the category (from the engine), temporary or permanent, the provider, who must act,
the next step and its structured action (a rule's own fix, else the provider's advice, else the
category's default, filled with the facts the text revealed), the command to run next, and the
articles to read. Rendering is elsewhere (``wizard.explain.render``); nothing here prints.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wizard.explain.engine import Classification, Engine, engine_for
from wizard.explain.parse import MAX_REPLY_CHARS, ParsedReply, parse
from wizard.model.findings import Action, CheckDns, NextStep, Read, Rerun

if TYPE_CHECKING:
    from collections.abc import Sequence

    from wizard.catalog.knowledge import KnowledgeBase
    from wizard.explain.dsn import Recipient
    from wizard.model.findings import Reply

__all__ = ["ExplainService", "Explanation", "next_command"]

_ACTION_CLASS = {"failed": "permanent", "delayed": "temporary", "delivered": "success",
                 "relayed": "success", "expanded": "success"}
_NOT_BOUNCE = {
    "feedback": "This is a complaint (feedback) report, not a bounce: a recipient marked a"
                " message as spam.",
    "auto-reply": "This is an automatic reply (such as out of office), not a bounce.",
}


@dataclass
class Explanation:
    """Everything one explained reply says (DESIGN.md explain fields, plus the next step)."""

    input: str
    code: int | None
    enhanced: str | None
    klass: str
    category: str
    provider: str | None
    summary: str
    articles: list[tuple[str, str]]
    next: NextStep
    next_command: str | None = None
    note: str | None = None
    facts: dict[str, str] = field(default_factory=dict)
    truncated: int = 0
    """How many characters of the input were left out (0 when it was explained whole)."""
    recipient: str | None = None
    chain: tuple[str, ...] = ()
    """A nested error's messages, outermost first (empty unless the text nests causes)."""
    classification: Classification | None = field(default=None, repr=False, compare=False)

    def to_json(self, with_recipient: bool = False) -> dict[str, Any]:
        """The ``explain --format json`` object (DESIGN.md keys first, then the additions)."""
        out: dict[str, Any] = {
            "input": self.input,
            "code": self.code,
            "enhanced": self.enhanced,
            "class": self.klass,
            "category": self.category,
            "provider": self.provider,
            "summary": self.summary,
            "articles": [{"id": a, "title": t} for a, t in self.articles],
            "who": self.next.who,
            "next_step": self.next.next_step,
            "action": self.next.action.to_dict(),
            "next_command": self.next_command,
            "note": self.note,
            "facts": dict(self.facts),
        }
        if self.truncated:
            out["truncated"] = self.truncated
        if self.chain:
            out["chain"] = list(self.chain)
        if with_recipient:
            out["recipient"] = self.recipient
        return out


class ExplainService:
    """Explains replies with one engine and one knowledge base (both loaded once)."""

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self.kb = kb
        local = [a for a in kb.all() if a.source == "local"] if kb is not None else []
        self.engine: Engine = engine_for(local)

    # --- classification only (live findings, the pasted-error question) ----------------------

    def classify(self, reply: ParsedReply, command: str | None = None) -> Classification:
        return self.engine.classify(reply, command)

    def classify_live(self, reply: Reply, command: str) -> Classification:
        """A live reply, already split into code, enhanced code and text by the session."""
        from wizard.catalog.providers import recognise

        parsed = ParsedReply(code=reply.code, enhanced=reply.enhanced, text=reply.text,
                             command=command, provider=recognise(reply.text, reply.enhanced),
                             raw=str(reply))
        return self.engine.classify(parsed, command)

    # --- full explanations -----------------------------------------------------------------

    def explain(self, text: str, command: str | None = None, status: str | None = None,
                action: str | None = None) -> Explanation:
        """Explain one reply or error text (``status``/``action`` from a DSN, if any)."""
        truncated = max(0, len(text) - MAX_REPLY_CHARS)
        reply = parse(text, command)
        if status and not reply.enhanced and _real_status(status):
            reply = dataclasses.replace(reply, enhanced=status)
        result = self.engine.classify(reply)
        klass = reply.reply_class
        if klass == "unknown" and action:  # a DSN's Action when the reply itself has no code
            klass = _ACTION_CLASS.get(action, "unknown")
        return self._explanation(text, reply, result, klass, truncated)

    def explain_bounce(self, data: bytes) -> list[Explanation]:
        """One explanation per recipient of a bounce message (one for the whole if none)."""
        from wizard.explain.dsn import parse_message, split_recipients

        bounce = parse_message(data)
        if bounce.kind in _NOT_BOUNCE:
            blank = ParsedReply(None, None, "", None, None, bounce.subject)
            unknown = Classification("unknown", _NOT_BOUNCE[bounce.kind], ["unknown"], None)
            return [self._explanation(bounce.subject, blank, unknown, "unknown", 0)]
        parts = {r.address.lower(): r.diagnostic for r in split_recipients(bounce.text, 1)
                 if r.address and r.diagnostic}
        results = []
        recipients: Sequence[Recipient | None] = bounce.recipients or [None]  # None: the whole
        for rcpt in recipients:
            own = parts.get((rcpt.address or "").lower()) if rcpt else None
            texts = [t for t in ((rcpt.diagnostic if rcpt else None), own, bounce.text) if t]
            texts = list(dict.fromkeys(texts)) or [bounce.subject]
            status = rcpt.status if rcpt else None
            action = rcpt.action if rcpt else None
            result = self.explain(texts[0], status=status, action=action)
            for fallback_text in texts[1:]:  # the recipient's own words first, then the whole
                if result.category != "unknown":
                    break
                fallback = self.explain(fallback_text, status=status, action=action)
                if fallback.category != "unknown":
                    fallback.input = texts[0]
                    result = fallback
            result.recipient = rcpt.address if rcpt else None
            results.append(result)
        return results

    # --- pieces ------------------------------------------------------------------------------

    def articles(self, result: Classification, reply: ParsedReply) -> list[tuple[str, str]]:
        """(id, title) of the articles to read, best first, only ones that exist."""
        ids = list(result.articles)
        if self.kb is None:
            return [(a, a) for a in ids[:1]]
        # The classifier already found the articles' patterns in the reply's words.
        found = self.kb.related(ids, reply.code, reply.enhanced, reply.text,
                                text_hits=result.pattern_articles)
        return [(a, self.kb.title(a)) for a in found] or [(ids[0], ids[0])]

    def _explanation(self, text: str, reply: ParsedReply, result: Classification, klass: str,
                     truncated: int) -> Explanation:
        from wizard.explain.facts import extract

        facts = extract(reply.flat or text, result.category)
        step = next_step(result, facts)
        return Explanation(
            input=text[:MAX_REPLY_CHARS], code=reply.code, enhanced=reply.enhanced, klass=klass,
            category=result.category, provider=result.provider, summary=result.reason,
            articles=self.articles(result, reply), next=step,
            next_command=next_command(step.action, facts), note=result.note, facts=facts,
            truncated=truncated, chain=reply.chain, classification=result,
        )


def next_step(result: Classification, facts: dict[str, str]) -> NextStep:
    """A rule's own fix, else the provider's advice, else the category's default (filled)."""
    from wizard.catalog.categories import fill, fill_action, guide, next_step_for
    from wizard.catalog.providers import advice

    if result.fix:
        default = guide(result.category)
        return NextStep(fill(result.fix, facts), default.who, fill_action(default.action, facts))
    own = advice(result.provider, result.category)
    if own is not None:
        return NextStep(fill(own.next_step, facts), own.who,
                        fill_action(own.action.to_dict(), facts))
    return next_step_for(result.category, facts)


_FACT_NAME = None


def facts_used(result: Classification) -> tuple[str, ...]:
    """The facts ``next_step`` fills in for ``result`` (its templates' {names}), so callers can
    reuse a next step for lines that differ only in other facts."""
    import re

    from wizard.catalog.categories import guide
    from wizard.catalog.providers import advice

    global _FACT_NAME
    if _FACT_NAME is None:
        _FACT_NAME = re.compile(r"\{(\w+)\}")
    own = advice(result.provider, result.category)
    texts = [result.fix or "", guide(result.category).next_step, str(guide(result.category).action)]
    if own is not None:
        texts += [own.next_step, str(own.action.to_dict())]
    names = {"host", "port"}  # next_command reads these too
    for text in texts:
        names.update(_FACT_NAME.findall(text))
    return tuple(sorted(names))


def next_command(action: Action, facts: dict[str, str]) -> str | None:
    """The smtp-wizard command that carries ``action`` out, reusing the facts found."""
    if isinstance(action, CheckDns):
        domain = action.domain or "<your-domain>"
        command = f"smtp-wizard dns {domain}"
        if action.sending_ip:
            command += f" --sending-ip {action.sending_ip}"
        return command
    if isinstance(action, Read) and action.article:
        return f"smtp-wizard kb show {action.article}"
    if isinstance(action, Rerun):
        ask = [k for k in action.asks if k != "password"]  # check prompts for it
        flags = {"host": "<host>" if "host" in ask else facts.get("host") or "<host>"}
        if facts.get("port") and "port" not in ask:
            flags["port"] = facts["port"]
        for key, value in action.changes.items():
            flags[key] = str(value)
        for key in ask:  # the values to change: the person fills them in
            flags[key] = f"<{key.replace('_', '-')}>"
        parts = ["smtp-wizard check"] + [f"--{k.replace('_', '-')} {v}" for k, v in flags.items()]
        return " ".join(parts)
    return None


def _real_status(status: str) -> bool:
    parts = status.split(".")
    return len(parts) == 3 and parts[0] in "245" and all(p.isdigit() for p in parts)
