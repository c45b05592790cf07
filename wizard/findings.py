"""The finding model every check returns (DESIGN.md, "Findings (contract)").

A check never raises for a network or protocol problem: it returns a Finding whose status is
``fail`` (the server or DNS said no) or ``error`` (the check itself could not run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Outcome of one check, from best to worst for sorting."""

    PASS = "pass"
    WARN = "warn"
    SKIP = "skip"
    FAIL = "fail"
    ERROR = "error"

    @property
    def failed(self) -> bool:
        return self in (Status.FAIL, Status.ERROR)


class Step(StrEnum):
    """The wizard's steps, in the order they run."""

    CONNECT = "connect"
    TLS = "tls"
    AUTH = "auth"
    SEND = "send"
    DNS = "dns"


STEP_ORDER: tuple[Step, ...] = tuple(Step)


@dataclass(frozen=True, slots=True)
class Reply:
    """An SMTP reply used as evidence: basic code, enhanced status code, text."""

    code: int | None
    enhanced: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "enhanced": self.enhanced, "text": self.text}

    def __str__(self) -> str:
        parts = [str(self.code) if self.code is not None else "", self.enhanced or "", self.text]
        return " ".join(p for p in parts if p)


@dataclass(slots=True)
class Finding:
    """What one check saw, in plain words, with the facts behind it."""

    id: str
    step: Step
    status: Status
    title: str
    summary: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    reply: Reply | None = None
    category: str | None = None
    articles: list[str] = field(default_factory=list)
    duration_ms: int = 0

    def __post_init__(self) -> None:
        self.step = Step(self.step)
        self.status = Status(self.status)
        if self.category and not self.articles:
            self.articles = [self.category]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "step": self.step.value,
            "status": self.status.value,
            "title": self.title,
            "summary": self.summary,
            "details": self.details,
            "reply": self.reply.to_dict() if self.reply else None,
            "category": self.category,
            "articles": list(self.articles),
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The session's conclusion: the first failing step's finding, or success."""

    status: Status
    headline: str
    category: str | None
    articles: list[str]
    finding_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "headline": self.headline,
            "category": self.category,
            "articles": list(self.articles),
        }


def verdict_for(findings: list[Finding]) -> Verdict:
    """Name the first failing finding in step order; else the first warning; else success.

    A failing finding without a category is reported as ``unknown``: an honest "we could not
    classify this", never a guess.
    """
    ordered = sorted(
        enumerate(findings), key=lambda pair: (STEP_ORDER.index(pair[1].step), pair[0])
    )
    for status in (Status.FAIL, Status.ERROR):
        for _, finding in ordered:
            if finding.status is status:
                category = finding.category or "unknown"
                return Verdict(
                    status=status,
                    headline=finding.title,
                    category=category,
                    articles=finding.articles or [category],
                    finding_id=finding.id,
                )
    warnings = [f for _, f in ordered if f.status is Status.WARN]
    if warnings:
        first = warnings[0]
        more = f" (and {len(warnings) - 1} more warning(s))" if len(warnings) > 1 else ""
        return Verdict(
            status=Status.WARN,
            headline=f"Mail can be sent, with warnings: {first.title}{more}",
            category="success",
            articles=first.articles or ["success"],
            finding_id=first.id,
        )
    return Verdict(
        status=Status.PASS,
        headline="Everything checked works: the server accepts this mail.",
        category="success",
        articles=["success"],
    )
