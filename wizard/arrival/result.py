"""The result of one read-back: where the test message arrived, when, and what its headers say."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_HEADER_CHARS = 64_000  # of the header block kept in the JSON report


@dataclass
class Arrival:
    """``status``: ``arrived``, ``not-arrived`` or ``error`` (the read-back itself failed).
    ``folder``: ``inbox``, ``junk`` or None; ``mailbox`` is the folder's own name."""

    status: str
    message_id: str
    folder: str | None = None
    mailbox: str | None = None
    delay_s: float | None = None
    waited_s: float = 0.0
    headers: str | None = None
    size: int | None = None
    deleted: bool = False
    searched: list[str] = field(default_factory=list)
    polls: int = 0
    error: str | None = None
    queue_id: str | None = None
    accepted_at: str | None = None
    sending_ip: str | None = None
    sending_ip_source: str | None = None
    analysis: dict[str, Any] | None = None
    finding: str = ""
    found_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        headers = self.headers
        if headers is not None and len(headers) > MAX_HEADER_CHARS:
            headers = headers[:MAX_HEADER_CHARS] + "\n[... cut]"
        return {"status": self.status, "folder": self.folder, "mailbox": self.mailbox,
                "delay_s": self.delay_s, "waited_s": round(self.waited_s, 1),
                "message_id": self.message_id, "size": self.size, "deleted": self.deleted,
                "searched": list(self.searched), "polls": self.polls, "error": self.error,
                "queue_id": self.queue_id, "accepted_at": self.accepted_at,
                "found_at": self.found_at.isoformat(timespec="seconds") if self.found_at else None,
                "sending_ip": self.sending_ip, "sending_ip_source": self.sending_ip_source,
                "finding": self.finding, "headers_analysis": self.analysis,
                "headers": headers}
