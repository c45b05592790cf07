"""The session file: written as the walk runs, complete afterwards, never holding a secret."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Static

from tests.conftest import builtin_scenario
from tests.tui.tuikit import SIZE, finish_walk, make_app
from wizard.lab.runner import Lab
from wizard.lab.smtp_server import LAB_PASSWORD, LAB_USER
from wizard.model.secret import secret_forms
from wizard.records.history import list_sessions, load_session


def session_files(root: Path) -> list[Path]:
    return sorted((root / "data" / "sessions").glob("*.jsonl"))


def assert_no_secret(text: str, password: str, user: str) -> None:
    for form in secret_forms(password, user):
        assert form not in text, f"secret form {form!r} leaked into the session file"


async def test_session_file_is_complete_and_has_no_lab_password(isolated: Path) -> None:
    app = make_app(lab=True, scenario="healthy")
    async with app.run_test(size=SIZE) as pilot:
        run = await finish_walk(pilot)
        assert run.session is not None
    (path,) = session_files(isolated)
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text()
    assert_no_secret(text, LAB_PASSWORD, LAB_USER)
    records = [json.loads(line) for line in text.splitlines()]
    kinds = [r["type"] for r in records]
    assert kinds[0] == "session" and kinds[-1] == "verdict"
    assert {"step_started", "check_started", "finding", "step_finished", "transcript"} <= set(
        kinds)
    assert records[0]["target"]["password"] == "provided"
    report = records[-1]["report"]
    assert report["verdict"]["category"] == "success"
    assert [c["id"] for c in report["checks"]] == [f.id for f in run.session.findings]
    assert load_session(path).complete
    verdict = list_sessions()[0].verdict
    assert verdict is not None and verdict["status"] == "pass"


async def test_custom_password_never_reaches_the_session_file(isolated: Path) -> None:
    password = "My-Own-S3cret!pw"
    async with Lab(builtin_scenario("healthy")) as lab:
        target = lab.target(password=password)
        app = make_app(target=target, run_now=True)
        async with app.run_test(size=SIZE) as pilot:
            run = await finish_walk(pilot, answers={"question.provider": "other",
                                                    "question.client_error": "535 5.7.8 bad"})
            assert run.session is not None
            assert run.session.verdict.category == "auth-failed"
    (path,) = session_files(isolated)
    text = path.read_text()
    assert_no_secret(text, password, LAB_USER)
    assert '"type": "verdict"' in text.splitlines()[-1]
    assert '"answer": "other"' in text


async def test_rerun_and_escape_cancel_the_walk_and_the_files_say_so(isolated: Path) -> None:
    from screens.run_screen import RunScreen
    from screens.widgets import StepItem

    app = make_app(lab=True, scenario="never-greets")  # waits 2 s for a greeting

    async def wait_until_connecting(run: RunScreen) -> None:
        for _ in range(200):
            await pilot.pause(0.02)
            if run.running and run.query_one("#step-connect", StepItem).state == "running":
                return

    async with app.run_test(size=SIZE) as pilot:
        run = next(s for s in app.screen_stack if isinstance(s, RunScreen))
        await wait_until_connecting(run)
        await pilot.press("ctrl+r")  # a re-run replaces the running walk
        await wait_until_connecting(run)
        await pilot.press("escape")  # escape cancels the one running now
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert run.session is None
        assert "Cancelled" in str(run.query_one("#run-status", Static).content)
        assert run.query_one("#step-connect", StepItem).state == "cancelled"
        assert app.screen is run  # escape cancelled; it did not leave
    files = session_files(isolated)
    assert len(files) == 2
    for path in files:
        assert json.loads(path.read_text().splitlines()[-1]) == {"type": "cancelled"}
    summary = list_sessions()[0]
    assert summary.cancelled and summary.verdict is None
    assert load_session(files[0]).report()["notes"]
