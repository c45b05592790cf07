"""The finding model every check returns (DESIGN.md, "Findings (contract)").

A check never raises for a network or protocol problem: it returns a Finding whose status is
``fail`` (the server or DNS said no) or ``error`` (the check itself could not run).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from wizard.model.errors import WizardError


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


class ActionError(WizardError):
    """An action that is not one of the known kinds, or has fields it must not have."""


@dataclass(frozen=True, slots=True)
class Rerun:
    """Run the check again, with ``set`` target fields changed and ``ask`` fields asked for.

    ``None`` means the key is absent from the JSON (``{"kind": "rerun"}``), kept apart from an
    empty one so the JSON shape stays exactly what it was.
    """

    kind: ClassVar[str] = "rerun"
    set: Mapping[str, Any] | None = None
    ask: tuple[str, ...] | None = None

    @property
    def changes(self) -> dict[str, Any]:
        return dict(self.set or {})

    @property
    def asks(self) -> tuple[str, ...]:
        return self.ask or ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.set is not None:
            out["set"] = dict(self.set)
        if self.ask is not None:
            out["ask"] = list(self.ask)
        return out


@dataclass(frozen=True, slots=True)
class CheckDns:
    """Check a domain's DNS (for a sending IP and a DKIM selector when known)."""

    kind: ClassVar[str] = "check-dns"
    domain: str | None = None
    sending_ip: str | None = None
    dkim_selector: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "domain": self.domain}
        if self.sending_ip is not None:
            out["sending_ip"] = self.sending_ip
        if self.dkim_selector is not None:
            out["dkim_selector"] = self.dkim_selector
        return out


@dataclass(frozen=True, slots=True)
class RetryLater:
    """Wait, then run the same check again (never with other settings)."""

    kind: ClassVar[str] = "retry-later"
    after_s: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.after_s is not None:
            out["after_s"] = self.after_s
        return out


@dataclass(frozen=True, slots=True)
class Contact:
    """Someone else must act: hand them the report."""

    kind: ClassVar[str] = "contact"
    who: str = "your-mail-admin"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "who": self.who}


@dataclass(frozen=True, slots=True)
class Read:
    """Read a knowledge article."""

    kind: ClassVar[str] = "read"
    article: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "article": self.article}


@dataclass(frozen=True, slots=True)
class NoAction:
    """Nothing to do (it works)."""

    kind: ClassVar[str] = "none"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind}


Action = Rerun | CheckDns | RetryLater | Contact | Read | NoAction
ACTION_TYPES: dict[str, type[Action]] = {
    cls.kind: cls for cls in (Rerun, CheckDns, RetryLater, Contact, Read, NoAction)}
_ALLOWED_KEYS: dict[str, frozenset[str]] = {
    "rerun": frozenset({"set", "ask"}), "check-dns": frozenset({"domain", "sending_ip",
                                                                "dkim_selector"}),
    "retry-later": frozenset({"after_s"}), "contact": frozenset({"who"}),
    "read": frozenset({"article"}), "none": frozenset(),
}


def _names(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ActionError(f"action {what} must be a list of field names, not {value!r}")
    return tuple(str(v) for v in value)


def parse_action(data: Mapping[str, Any] | Action,
                 field_names: frozenset[str] | None = None) -> Action:
    """The typed action of a JSON-shaped mapping; ActionError for an unknown kind or key.

    With ``field_names``, every ``set`` key and ``ask`` entry of a rerun must be one of them.
    """
    if not isinstance(data, Mapping):
        return data
    kind = data.get("kind")
    if kind not in _ALLOWED_KEYS:
        raise ActionError(f"action kind {kind!r} is not one of {', '.join(_ALLOWED_KEYS)}")
    extra = set(data) - {"kind"} - _ALLOWED_KEYS[kind]
    if extra:
        raise ActionError(f"action {kind!r} has unknown keys: {', '.join(sorted(extra))}")
    if kind == "rerun":
        changes = data.get("set")
        if changes is not None and not isinstance(changes, Mapping):
            raise ActionError(f"action set must be a table, not {changes!r}")
        asks = _names(data["ask"], "ask") if data.get("ask") is not None else None
        if field_names is not None:
            unknown = [n for n in [*(changes or {}), *(asks or ())] if n not in field_names]
            if unknown:
                raise ActionError(f"action names unknown target fields: {', '.join(unknown)}")
        return Rerun(dict(changes) if changes is not None else None, asks)
    if kind == "check-dns":
        return CheckDns(*(None if data.get(k) is None else str(data[k])
                          for k in ("domain", "sending_ip", "dkim_selector")))
    if kind == "retry-later":
        after = data.get("after_s")
        return RetryLater(None if after is None else int(after))
    if kind == "contact":
        return Contact(str(data.get("who") or "your-mail-admin"))
    if kind == "read":
        return Read(str(data.get("article") or ""))
    return NoAction()


def article_of(action: Action) -> str:
    """The article a ``read`` action opens ("" for other kinds)."""
    return action.article if isinstance(action, Read) else ""


@dataclass(frozen=True, slots=True, init=False)
class NextStep:
    """The one thing to do next (DESIGN.md, "The verdict"): a plain sentence, who must act, and
    a typed action each front end renders in its own terms (flags, a key, a link). A mapping in
    the JSON shape is accepted and parsed (ActionError if it is not a known action)."""

    next_step: str
    who: str
    action: Action

    def __init__(self, next_step: str, who: str, action: Action | Mapping[str, Any]) -> None:
        object.__setattr__(self, "next_step", next_step)
        object.__setattr__(self, "who", who)
        object.__setattr__(self, "action", parse_action(action))

    def to_dict(self) -> dict[str, Any]:
        return {"next_step": self.next_step, "who": self.who, "action": self.action.to_dict()}


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
