"""A finished (or running) session: target, findings, transcript and verdict.

``to_dict`` is the ``check --format json`` document (DESIGN.md, schema 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wizard import __version__
from wizard.model.findings import Finding, Verdict
from wizard.model.target import Target
from wizard.model.transcript import Line
from wizard.walk.verdict import verdict_for

SCHEMA_VERSION = 1


@dataclass
class Session:
    target: Target
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    findings: list[Finding] = field(default_factory=list)
    transcript: list[Line] = field(default_factory=list)
    duration_ms: int = 0
    command: str = "check"
    notes: list[str] = field(default_factory=list)
    # check --address: what discovery found (``Discovery.to_dict``), reported as "discovery".
    discovery: dict[str, Any] | None = None
    # check --send --arrival: the read-back (``Arrival.to_dict``), reported as "arrival".
    arrival: dict[str, Any] | None = None

    @property
    def verdict(self) -> Verdict:
        return verdict_for(self.findings, self.target)

    def to_dict(self) -> dict[str, Any]:
        extra = {"discovery": self.discovery} if self.discovery is not None else {}
        if self.arrival is not None:
            extra["arrival"] = self.arrival
        return {
            "schema": SCHEMA_VERSION,
            "tool": {"name": "smtp-wizard", "version": __version__, "command": self.command},
            "target": self.target.to_dict(),
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "duration_ms": self.duration_ms,
            "verdict": self.verdict.to_dict(),
            "checks": [f.to_dict() for f in self.findings],
            "transcript": [line.to_dict() for line in self.transcript],
            "notes": list(self.notes),
            **extra,
        }
