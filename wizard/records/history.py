"""The session event log: every event of a walk appended as JSON Lines while it happens.

One file per session under ``platformdirs.user_data_dir("smtp-wizard")/sessions/`` (or
``$SMTP_WIZARD_DATA_DIR/sessions``), created with 0600 permissions and flushed line by line, so a
closed terminal or a crash loses nothing. No secret is ever written: the target goes through
``Target.to_dict`` (no password), transcript lines are redacted by the transcript, and every line
is scrubbed once more for the target's secrets before it is written. The last line of a finished
walk is ``{"type": "verdict", ...}`` with the full ``check --format json`` report.

Pure standard library plus the core: no UI here.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wizard.model.findings import Finding, NextStep, Reply, Status, Step
from wizard.model.secret import echo_forms, secret_forms
from wizard.model.target import Target, target_from_report
from wizard.model.transcript import REDACTED, Direction, Line
from wizard.output.files import user_dir
from wizard.walk.session import Session

SCHEMA = 1
ENV_DIR = "SMTP_WIZARD_DATA_DIR"
_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def data_dir() -> Path:
    """The user data dir (``$SMTP_WIZARD_DATA_DIR`` overrides it)."""
    return user_dir("data", ENV_DIR)


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def event_record(event: Any) -> dict[str, Any]:
    """One walker event (``wizard.walk.tree``) or transcript line as a JSON-able dict."""
    from wizard.walk import tree

    if isinstance(event, Line):
        return {"type": "transcript", **event.to_dict()}
    if isinstance(event, tree.StepStarted):
        return {"type": "step_started", "step": event.step.value, "title": event.title}
    if isinstance(event, tree.CheckStarted):
        return {"type": "check_started", "check": event.check_id, "title": event.title,
                "step": event.step.value}
    if isinstance(event, tree.FindingAdded):
        return {"type": "finding", "finding": event.finding.to_dict()}
    if isinstance(event, tree.FindingUpdated):
        return {"type": "finding_updated", "finding": event.finding.to_dict()}
    if isinstance(event, tree.QuestionAsked):
        return {"type": "question", "id": event.question.id, "prompt": event.question.prompt}
    if isinstance(event, tree.QuestionAnswered):
        return {"type": "answer", "id": event.question.id, "answer": event.answer}
    if isinstance(event, tree.StepFinished):
        return {"type": "step_finished", "step": event.step.value, "status": event.status.value}
    if isinstance(event, tree.WalkFinished):
        return {"type": "verdict", "verdict": event.verdict.to_dict(),
                "report": event.session.to_dict()}
    raise TypeError(f"not a walk event: {type(event).__name__}")


async def run_recorded(target: Target, command: str = "check", record: bool = True) -> Session:
    """Walk the tree without questions (what ``check`` does), writing the session file as it
    goes unless ``record`` is False (``check --no-history``). A session file that cannot be
    created never stops the check."""
    from wizard.walk.tree import WalkFinished, walk

    log: SessionLog | None = None
    if record:
        try:
            log = SessionLog.create(target, command)
        except OSError:
            log = None
    session: Session | None = None
    try:
        async for event in walk(target, command=command):
            if log is not None:
                log.append(event)
            if isinstance(event, WalkFinished):
                session = event.session
    finally:
        if log is not None:
            log.close()
    assert session is not None, "the walk ended without a verdict"
    return session


def delete_session(path: Path) -> None:
    """Remove one session file (History's delete); only files in the sessions folder."""
    path = Path(path)
    if path.parent.resolve() != sessions_dir().resolve() or path.suffix != ".jsonl":
        raise ValueError(f"{path} is not a session file")
    path.unlink(missing_ok=True)


class SessionLog:
    """An open session file; :meth:`append` writes and flushes one JSON line per call."""

    def __init__(self, path: Path, forms: set[str], typed: set[str] | None = None) -> None:
        self.path = path
        self._forms = sorted(forms, key=len, reverse=True)
        self._typed = sorted(set(typed or ()) | forms, key=len, reverse=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        self._file = os.fdopen(fd, "a", encoding="utf-8")

    @classmethod
    def create(cls, target: Target, command: str = "tui",
               directory: Path | None = None) -> SessionLog:
        """Open a new session file and write its header (the target, without secrets)."""
        folder = directory or sessions_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        host = _UNSAFE.sub("_", target.host or "dns")[:40]
        path = folder / f"{stamp}-{host}-{secrets.token_hex(3)}.jsonl"
        # Transcript lines: encoded forms only (the plain value may occur in what the server said
        # before the secret was sent, which the transcript leaves alone, so must this). Every
        # other record (answers, findings, the report) is searched for the plain value too.
        forms: set[str] = set()
        values: set[str] = set()
        for secret in target.secrets():
            value = secret.reveal()
            values.add(value)
            forms |= secret_forms(value, target.user) | echo_forms(value)
        log = cls(path, {f for f in forms - values if len(f) >= 8}, values - {""})
        log.write({"type": "session", "schema": SCHEMA, "command": command,
                   "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                   "target": target.to_dict()})
        return log

    def write(self, record: dict[str, Any]) -> None:
        if self._file.closed:
            return
        text = json.dumps(record, ensure_ascii=False)
        forms = self._forms if record.get("type") == "transcript" else self._typed
        for form in forms:
            if form in text:
                text = text.replace(form, REDACTED)
        self._file.write(text + "\n")
        self._file.flush()

    def append(self, event: Any) -> None:
        """Write one walker event or transcript line."""
        self.write(event_record(event))

    def close(self, note: str | None = None) -> None:
        if note and not self._file.closed:
            self.write({"type": note})
        if not self._file.closed:
            self._file.close()

    def __enter__(self) -> SessionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class SessionSummary:
    """One past session as listed by History (``unreadable``: the file could not be read)."""

    path: Path
    started_at: str
    target: dict[str, Any]
    verdict: dict[str, Any] | None
    cancelled: bool = False
    command: str = ""
    unreadable: bool = False

    @property
    def scenario(self) -> str | None:
        """The lab scenario this session walked, if it was one."""
        words = self.command.split()
        if words[:1] == ["lab"] and "--scenario" in words[:-1]:
            return words[words.index("--scenario") + 1]
        return None

    @property
    def host(self) -> str:
        """What was tested, in a few words: the lab scenario, the server, or the domain."""
        t = self.target
        if self.scenario:
            return f"lab: {self.scenario}"
        if t.get("host"):
            return f"{t['host']}:{t.get('port') or ''}".rstrip(":")
        return f"DNS of {t.get('domain') or '-'}"

    def matches(self, words: str) -> bool:
        """Whether the search words all appear in what History shows of this session."""
        verdict = self.verdict or {}
        hay = " ".join(str(x) for x in (self.host, self.started_at, verdict.get("status"),
                                        verdict.get("category"), verdict.get("headline"),
                                        self.target.get("user"), self.target.get("mail_from"),
                                        self.target.get("rcpt_to"))).lower()
        return all(word in hay for word in words.lower().split())


@dataclass
class SessionRecord:
    """A past session's records, and its report (complete, or rebuilt from the events)."""

    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return any(r.get("type") == "verdict" for r in self.records)

    def report(self) -> dict[str, Any]:
        """The ``check --format json`` document; for an unfinished session, what was seen."""
        for record in reversed(self.records):
            report = record.get("report")
            if record.get("type") == "verdict" and isinstance(report, dict):
                return report
        return session_from_records(self.records).to_dict()

    def session(self) -> Session:
        """The session rebuilt for showing; what cannot be read is skipped and noted."""
        return session_from_report(self.report())


def _read(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash
            if isinstance(record, dict):
                records.append(record)
    return records


def list_sessions(directory: Path | None = None, limit: int = 200) -> list[SessionSummary]:
    """Past sessions, newest first."""
    folder = directory or sessions_dir()
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.jsonl"), reverse=True)[:limit]:
        try:
            out.append(_summary(path, _read(path)))
        except OSError:
            out.append(SessionSummary(path, "", {}, None, unreadable=True))
    return out


def _summary(path: Path, records: list[dict[str, Any]]) -> SessionSummary:
    """What History lists of one file; odd values (a newer version's, a damaged file's) are
    left out, never trusted."""
    head = next((r for r in records if r.get("type") == "session"), {})
    verdict = next((r.get("verdict") for r in reversed(records)
                    if r.get("type") == "verdict"), None)
    target = head.get("target")
    started = head.get("started_at")
    return SessionSummary(
        path, started if isinstance(started, str) else "",
        target if isinstance(target, dict) else {},
        verdict if isinstance(verdict, dict) else None,
        cancelled=any(r.get("type") == "cancelled" for r in records),
        command=str(head.get("command") or ""),
        unreadable=not head or not isinstance(target, dict))


def load_session(path: Path) -> SessionRecord:
    return SessionRecord(Path(path), _read(Path(path)))


# ---------------------------------------------------------------- rebuilding sessions


def finding_from_dict(data: dict[str, Any]) -> Finding:
    """A reported finding back; raises ValueError (or TypeError) for one that cannot be read."""
    reply = data.get("reply")
    return Finding(
        id=str(data.get("id", "")), step=Step(data.get("step", "connect")),
        status=Status(data.get("status", "error")), title=str(data.get("title", "")),
        summary=str(data.get("summary", "")), details=dict(data.get("details") or {}),
        reply=Reply(_int_or_none(reply.get("code")), _str_or_none(reply.get("enhanced")),
                    str(reply.get("text", ""))) if isinstance(reply, dict) else None,
        category=_str_or_none(data.get("category")),
        articles=[str(a) for a in data.get("articles") or []],
        duration_ms=int(data.get("duration_ms") or 0), next=_next_from(data.get("next")),
    )


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


UNREADABLE = (ValueError, TypeError, KeyError, AttributeError)


def _findings(items: Any, skipped: list[int]) -> list[Finding]:
    out = []
    for item in items if isinstance(items, list) else []:
        try:
            out.append(finding_from_dict(item))
        except UNREADABLE:
            skipped[0] += 1
    return out


def _lines(items: Any, skipped: list[int]) -> list[Line]:
    out = []
    for item in items if isinstance(items, list) else []:
        try:
            out.append(Line(int(item.get("t_ms") or 0), Direction(item.get("dir", "note")),
                            str(item.get("text", ""))))
        except UNREADABLE:
            skipped[0] += 1
    return out


def _next_from(data: Any) -> NextStep | None:
    if not isinstance(data, dict) or not isinstance(data.get("action"), dict):
        return None
    return NextStep(str(data.get("next_step", "")), str(data.get("who", "you")),
                    dict(data["action"]))


def target_from_dict(data: dict[str, Any]) -> Target:
    """The reported target back as a Target (without any secret: none was stored)."""
    return target_from_report(data if isinstance(data, dict) else {})


def _started(value: Any) -> datetime:
    try:
        started = datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.now(UTC)
    return started if started.tzinfo else started.replace(tzinfo=UTC)


def session_from_report(report: dict[str, Any]) -> Session:
    """A Session from a ``check --format json`` document, for re-rendering it. Untrusted: what
    cannot be read is skipped and said in a note; nothing here raises for odd content."""
    report = report if isinstance(report, dict) else {}
    tool = report["tool"] if isinstance(report.get("tool"), dict) else {}
    skipped = [0]
    notes = [str(n) for n in report.get("notes") or [] if isinstance(n, str)] \
        if isinstance(report.get("notes"), list) else []
    session = Session(
        target=target_from_dict(report.get("target") or {}),
        started_at=_started(report.get("started_at")),
        findings=_findings(report.get("checks"), skipped),
        transcript=_lines(report.get("transcript"), skipped),
        duration_ms=_int_or_none(report.get("duration_ms")) or 0,
        command=str(tool.get("command") or "tui"),
        notes=notes,
    )
    if skipped[0]:
        session.notes.append(f"{skipped[0]} unreadable record(s) of this session were skipped.")
    return session


def session_from_records(records: list[dict[str, Any]]) -> Session:
    """What an unfinished session file holds, as a Session (noted as incomplete)."""
    head = next((r for r in records if r.get("type") == "session"), {})
    skipped = [0]
    session = Session(
        target=target_from_dict(head.get("target") or {}),
        started_at=_started(head.get("started_at")),
        command=str(head.get("command") or "tui"),
        notes=["This session did not finish: the report shows what was seen until then."],
    )
    for record in records:
        kind = record.get("type")
        if kind == "finding":
            session.findings += _findings([record.get("finding")], skipped)
        elif kind == "finding_updated":
            for updated in _findings([record.get("finding")], skipped):
                session.findings = [updated if f.id == updated.id else f
                                    for f in session.findings]
        elif kind == "transcript":
            session.transcript += _lines([record], skipped)
    if skipped[0]:
        session.notes.append(f"{skipped[0]} unreadable record(s) of this session were skipped.")
    return session
