"""The finding model every check returns (DESIGN.md, "Findings (contract)").

A check never raises for a network or protocol problem: it returns a Finding whose status is
``fail`` (the server or DNS said no) or ``error`` (the check itself could not run).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Outcome of one check (for worst-first ordering see :data:`SEVERITY`)."""

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

# The one severity order, worst first: a skip ranks below a pass, so a step is only "skip"
# when everything in it was skipped.
SEVERITY: tuple[Status, ...] = (Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIP)


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of ``statuses`` by :data:`SEVERITY` (skip when there are none)."""
    return min(statuses, key=SEVERITY.index, default=Status.SKIP)


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


@dataclass(frozen=True, slots=True)
class NextStep:
    """The one thing to do next (DESIGN.md, "The verdict"): a plain sentence, who must act, and
    a structured action each front end renders in its own terms (flags, a key, a link)."""

    next_step: str
    who: str
    action: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"next_step": self.next_step, "who": self.who, "action": dict(self.action)}


@dataclass(slots=True)
class Finding:
    """What one check saw, in plain words, with the facts behind it.

    An ``error`` finding (the check itself could not run) never carries a problem category:
    a blocklist lookup that failed is not "blocklisted". ``next`` is set by checks that know the
    one next step better than their category's default (e.g. the port that answered).
    """

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
    next: NextStep | None = None

    def __post_init__(self) -> None:
        self.step = Step(self.step)
        self.status = Status(self.status)
        if self.status is Status.ERROR:
            self.category = None
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
            "next": self.next.to_dict() if self.next else None,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The session's conclusion (see :mod:`wizard.walk.verdict` for how it is reached)."""

    status: Status
    headline: str
    category: str | None
    articles: list[str]
    next: NextStep
    finding_id: str | None = None
    inconclusive: tuple[str, ...] = ()
    untested: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "headline": self.headline,
            "category": self.category,
            "articles": list(self.articles),
            **self.next.to_dict(),
            "inconclusive": list(self.inconclusive),
            "untested": list(self.untested),
        }
