"""wizard.records.history and wizard.records.profiles on their own (no UI): files, permissions, no
secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wizard.model.findings import Finding, Status, Step
from wizard.model.secret import Secret
from wizard.model.target import Target
from wizard.model.transcript import Transcript
from wizard.records import profiles
from wizard.records.history import SessionLog, list_sessions, load_session, session_from_report
from wizard.walk.session import Session
from wizard.walk.tree import FindingAdded, StepFinished, StepStarted, WalkFinished

TARGET = Target(host="smtp.example.com", port=587, user="me@example.com",
                password=Secret("pa55-Word-xyz"))


def test_session_log_writes_events_as_json_lines_with_0600(isolated: Path) -> None:
    finding = Finding("auth.login", Step.AUTH, Status.FAIL, "Login refused",
                      "the password pa55-Word-xyz was wrong", category="auth-failed")
    transcript = Transcript(TARGET.secrets(), TARGET.user)
    with SessionLog.create(TARGET) as log:
        log.append(StepStarted(Step.AUTH, "Log in"))
        log.append(transcript.client("AUTH PLAIN AG1lQGV4YW1wbGUuY29tAHBhNTUtV29yZC14eXo="))
        log.append(FindingAdded(finding))
        log.append(StepFinished(Step.AUTH, Status.FAIL))
        session = Session(TARGET, findings=[finding])
        log.append(WalkFinished(session.verdict, session))
    text = log.path.read_text()
    assert log.path.stat().st_mode & 0o777 == 0o600
    assert "pa55-Word-xyz" not in text  # scrubbed even from a careless summary
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["type"] for r in records] == ["session", "step_started", "transcript", "finding",
                                            "step_finished", "verdict"]
    assert records[0]["target"]["password"] == "provided"
    assert records[-1]["report"]["verdict"]["category"] == "auth-failed"


def test_an_unfinished_session_still_has_a_report(isolated: Path) -> None:
    log = SessionLog.create(TARGET)
    log.append(FindingAdded(Finding("connect.tcp", Step.CONNECT, Status.PASS, "Connected")))
    log.close()
    with log.path.open("a") as handle:
        handle.write('{"type": "finding", "finding": {"id": "cut sh')  # a crash mid-line
    record = load_session(log.path)
    assert not record.complete
    report = record.report()
    assert [c["id"] for c in report["checks"]] == ["connect.tcp"]
    assert "did not finish" in report["notes"][0]
    (summary,) = list_sessions()
    assert summary.verdict is None and summary.host == "smtp.example.com:587"


def test_a_report_round_trips_through_session_from_report() -> None:
    finding = Finding("send.rcpt_to", Step.SEND, Status.FAIL, "Refused", category="relay-denied")
    original = Session(TARGET, findings=[finding], duration_ms=12).to_dict()
    again = session_from_report(original).to_dict()
    assert again["checks"] == original["checks"]
    assert again["verdict"] == original["verdict"]


def test_profiles_never_store_secrets_and_validate_names(isolated: Path) -> None:
    profiles.save_profile("home", {"host": "smtp.example.com", "password": "x",
                                   "oauth_token": "y", "port": "587", "user": ""})
    assert profiles.load_profile("home") == {"host": "smtp.example.com", "port": "587"}
    text = profiles.profiles_path().read_text()
    assert "password" not in text and "oauth" not in text
    assert profiles.profiles_path().stat().st_mode & 0o777 == 0o600
    assert profiles.list_profiles() == ["home"]
    with pytest.raises(profiles.ProfileError):
        profiles.save_profile("../evil", {"host": "x"})
    with pytest.raises(profiles.ProfileError):
        profiles.load_profile("missing")
    profiles.delete_profile("home")
    assert profiles.list_profiles() == []


def test_history_shows_local_time_with_the_zone(monkeypatch):
    import time

    from screens.history_screen import local_time, local_zone

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        assert local_time("2026-11-20T10:00:00+00:00") == "2026-11-20 11:00"
        assert local_zone() == "CET"
        assert local_time("not a time") == "not a time"
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()


async def test_save_names_the_full_path_written(tmp_path):
    from screens.report_screen import ReportScreen
    from tests.tui.screens_fixture import failing_session
    from tests.tui.tuikit import make_app

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_report(failing_session())
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        said = [n.message for n in app._notifications]
    written = tmp_path / "smtp-wizard-smtp.example.com.md"
    assert written.exists()
    assert any(str(written.resolve()) in m for m in said), said
