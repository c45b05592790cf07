"""A fixed, realistic session for the screens' snapshots: no ports, timings or dates that vary."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from wizard.model.findings import Finding, Reply, Status, Step
from wizard.model.target import Security, Target
from wizard.model.transcript import Direction, Line
from wizard.records.history import event_record
from wizard.smtp.connect import _mismatch, judge_connect
from wizard.walk.session import Session

STARTED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TARGET = Target(host="smtp.example.com", port=2465, security=Security.STARTTLS,
                user="alice@example.com", mail_from="alice@example.com",
                rcpt_to="bob@example.org", sending_ip="192.0.2.10")


def failing_session() -> Session:
    """Implicit TLS on 2465 reached with STARTTLS chosen by hand: the classic mismatch."""
    connected = judge_connect("smtp.example.com", 2465,
                              [{"address": "192.0.2.10", "outcome": "connected", "ms": 12}])
    connected.duration_ms = 12
    findings = [
        Finding("connect.resolve", Step.CONNECT, Status.PASS,
                "smtp.example.com has 1 address", "192.0.2.10 (A)"),
        connected,
        _mismatch(TARGET, "plain", "The server said nothing in plain text but answered a TLS "
                  "handshake and then greeted (220 smtp.example.com ESMTP).",
                  {"address": "192.0.2.10"}),
        Finding("tls.skipped", Step.TLS, Status.SKIP, "Not checked: the connect step failed"),
        Finding("auth.skipped", Step.AUTH, Status.SKIP, "Not checked: the connect step failed"),
        Finding("send.skipped", Step.SEND, Status.SKIP, "Not checked: the connect step failed"),
        Finding("dns.mx.sender", Step.DNS, Status.PASS, "example.com has 1 MX host",
                "10 mx.example.com (192.0.2.25)"),
        Finding("dns.spf.eval", Step.DNS, Status.PASS, "SPF allows 192.0.2.10 to send for "
                "example.com", "check_host(192.0.2.10, example.com) = pass."),
    ]
    transcript = [Line(0, Direction.CONNECT, "connecting to 192.0.2.10 port 2465"),
                  Line(12, Direction.CONNECT, "connected to 192.0.2.10 port 2465")]
    return Session(target=TARGET, started_at=STARTED, findings=findings,
                   transcript=transcript, duration_ms=758, command="tui")


def passing_session() -> Session:
    reply = Reply(250, "2.1.5", "Ok")
    findings = [
        Finding("connect.greeting", Step.CONNECT, Status.PASS, "The server greeted in 9 ms",
                "220 smtp.example.com ESMTP"),
        Finding("auth.login", Step.AUTH, Status.PASS, "Logged in as alice@example.com with "
                "PLAIN", "235 2.7.0 Authentication successful"),
        Finding("send.rcpt_to", Step.SEND, Status.PASS, "Recipient bob@example.org accepted",
                str(reply), reply=reply),
    ]
    return Session(target=TARGET.with_changes(port=587), started_at=STARTED,
                   findings=findings, duration_ms=301, command="check")


def write_history(folder: Path) -> None:
    """Two finished sessions as session files (what History lists)."""
    from wizard.walk.tree import WalkFinished

    folder.mkdir(parents=True, exist_ok=True)
    for name, session in (("20261120T100000Z-smtp.example.com-aaaaaa.jsonl", failing_session()),
                          ("20261120T101500Z-smtp.example.com-bbbbbb.jsonl",
                           passing_session())):
        head = {"type": "session", "schema": 1, "command": session.command,
                "started_at": session.started_at.isoformat(timespec="seconds"),
                "target": session.target.to_dict()}
        records = [head, *({"type": "finding", "finding": f.to_dict()}
                           for f in session.findings),
                   event_record(WalkFinished(session.verdict, session))]
        (folder / name).write_text("\n".join(json.dumps(r) for r in records) + "\n")
