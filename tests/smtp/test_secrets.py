"""No password, no base64 form of it and no AUTH PLAIN blob in any output, for every scenario."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, serve_scenario
from wizard.lab.runner import Lab
from wizard.lab.scenarios import SCENARIOS
from wizard.lab.smtp_server import LAB_PASSWORD, LAB_USER
from wizard.model.secret import Secret, secret_forms
from wizard.model.transcript import Transcript
from wizard.output.report import render
from wizard.records.history import SessionLog
from wizard.walk.tree import WalkFinished, run_check, walk

OTHER_PASSWORD = "Tr0ub4dor&3-not-the-lab-one"


def leaks(text: str, password: str) -> list[str]:
    return sorted(form for form in secret_forms(password, LAB_USER) if form in text)


@pytest.mark.parametrize("password", [LAB_PASSWORD, OTHER_PASSWORD], ids=["right", "wrong"])
async def test_no_secret_in_any_rendering_of_any_scenario(password, tmp_path):
    checked = 0
    for scenario in SCENARIOS:
        async with Lab(scenario) as lab:
            target = lab.target(dns=False, user=LAB_USER, password=Secret(password),
                                allow_plaintext_auth=True)
            with SessionLog.create(target, "test", directory=tmp_path) as log:
                async for event in walk(target):
                    log.append(event)
                    if isinstance(event, WalkFinished):
                        session = event.session
        outputs = [render(session, fmt) for fmt in ("text", "json", "markdown")]
        outputs.append(json.dumps([line.to_dict() for line in session.transcript]))
        outputs.append(repr(target))
        for text in outputs:
            assert leaks(text, password) == [], scenario.name
        checked += 1
    assert checked == len(SCENARIOS)
    files = list(tmp_path.iterdir())
    assert len(files) == len(SCENARIOS)
    for path in files:  # the session files (JSON Lines, one per walk)
        assert leaks(path.read_text(), password) == [], path.name
        assert oct(path.stat().st_mode & 0o777) == "0o600"


async def test_auth_exchange_really_happened_and_was_redacted():
    async with Lab(SCENARIOS[0]) as lab:
        session = await run_check(lab.target(dns=False))
    auth = [line.text for line in session.transcript if line.text.startswith("AUTH")]
    assert auth == ["AUTH PLAIN [redacted]"]


def test_login_and_cram_answers_are_redacted_as_recorded():
    transcript = Transcript([Secret("hunter2-password")], "bob")
    transcript.client("AUTH LOGIN")
    transcript.server(334, "VXNlcm5hbWU6")
    transcript.client("Ym9i")
    transcript.server(334, "UGFzc3dvcmQ6")
    transcript.client("aHVudGVyMi1wYXNzd29yZA==")
    transcript.server(235, "2.7.0 ok")
    transcript.client("NOOP hunter2-password")
    texts = [line.text for line in transcript.lines]
    assert "aHVudGVyMi1wYXNzd29yZA==" not in " ".join(texts)
    assert "hunter2-password" not in " ".join(texts)
    assert texts[2] != "Ym9i" and texts[4] != "aHVudGVyMi1wYXNzd29yZA=="


def test_cli_stdout_stderr_and_output_file_hold_no_secret(tmp_path):
    out = tmp_path / "r.json"
    with serve_scenario("wrong-password") as lab:
        assert lab.certs is not None
        args = ["check", "--host", "127.0.0.1", "--port", str(lab.port), "--ca-file",
                lab.certs.ca_file, "--no-dns", "--user", LAB_USER, "--password-env", "PW"]
        runs = [run_cli(*args, "--format", fmt, env={"PW": OTHER_PASSWORD})
                for fmt in ("text", "json", "markdown")]
        runs.append(run_cli(*args, "--format", "json", "--output", str(out),
                            env={"PW": OTHER_PASSWORD}))
    for result in runs:
        assert result.returncode == 1
        assert leaks(result.stdout + result.stderr, OTHER_PASSWORD) == []
    assert leaks(out.read_text(), OTHER_PASSWORD) == []
    assert json.loads(out.read_text())["target"]["password"] == "provided"
