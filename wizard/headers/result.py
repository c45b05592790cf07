"""The result of analysing one received message, and its JSON form (schema 1).

A plain container: :mod:`wizard.headers.analyse` fills it, :mod:`wizard.headers.judgement` adds the
findings and the verdict, :mod:`wizard.headers.report` renders it. The JSON document keeps the
fields the ``headers`` contract names (``message``, ``hops``, ``dkim``, ``spf``, ``dmarc``,
``arc``, ``recorded``, ``spam``, ``verdict``) and adds more beside them, never instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wizard import __version__
from wizard.headers.arc import ArcCheck
from wizard.headers.authres import Recorded
from wizard.headers.changes import Change, final_hop
from wizard.headers.dkim import DkimCheck
from wizard.headers.dmarc import DmarcCheck
from wizard.headers.hops import Hop
from wizard.headers.parse import Message
from wizard.headers.spf import SpfCheck
from wizard.model.findings import Finding, Verdict

SCHEMA = 1


@dataclass
class Analysis:
    source: str
    message: Message
    summary: dict[str, Any]
    hops: list[Hop]
    delays: dict[str, Any]
    recorded: list[Recorded]
    dkim: list[DkimCheck]
    arc: ArcCheck
    spf: SpfCheck
    spf_receiver: SpfCheck | None
    dmarc: DmarcCheck
    changes: list[Change]
    spam: dict[str, Any]
    requirements: list[dict[str, Any]]
    lists: dict[str, Any]
    started_at: datetime
    duration_ms: int = 0
    nameservers: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    verdict: Verdict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def from_domain(self) -> str | None:
        return self.summary.get("from_domain")

    @property
    def final_authserv(self) -> str | None:
        """The authserv-id of the final receiver (the topmost Authentication-Results)."""
        last = final_hop(self.hops, self.recorded)
        mine = [r for r in self.recorded if r.header == "Authentication-Results"
                and (last is None or r.hop == last)]
        return mine[0].authserv_id if mine else None

    def to_dict(self) -> dict[str, Any]:
        spf = self.spf.to_dict()
        spf["at_receiver"] = self.spf_receiver.to_dict() if self.spf_receiver else None
        return {
            "schema": SCHEMA,
            "tool": {"name": "smtp-wizard", "version": __version__, "command": "headers"},
            "source": self.source,
            "started_at": self.started_at.isoformat(),
            "duration_ms": self.duration_ms,
            "input": {"bytes": self.message.size, "headers_only": self.message.headers_only,
                      "fields": len(self.message.fields), "notes": list(self.message.notes),
                      "nameservers": list(self.nameservers)},
            "message": {k: v for k, v in self.summary.items() if k != "from_domain"},
            "hops": [h.to_dict() for h in self.hops],
            "delays": self.delays,
            "dkim": [c.to_dict() for c in self.dkim],
            "arc": self.arc.to_dict(),
            "spf": spf,
            "dmarc": self.dmarc.to_dict(),
            "recorded": [r.to_dict() for r in self.recorded],
            "changes": [c.to_dict() for c in self.changes],
            "spam": self.spam,
            "requirements": list(self.requirements),
            "mailing_list": self.lists,
            "findings": [f.to_dict() for f in self.findings],
            "verdict": self.verdict.to_dict() if self.verdict else None,
            "notes": list(self.notes),
        }
