"""The TUI against servers that echo, drop, stall or answer garbage after the secret: every
card, the verdict, the live transcript, the report and the session file hold no secret form."""

from __future__ import annotations

import pytest
from textual.widgets import RichLog

from screens.report_screen import ReportScreen
from tests.tui.tuikit import finish_walk, make_app
from wizard.lab.hostile import AUTH_MECHANISMS, AUTH_MISBEHAVIOURS, SecretProbeServer
from wizard.model.findings import Step
from wizard.model.secret import Secret, secret_forms
from wizard.model.target import Security, Target

USER = "probe-user@lab.test"
PASSWORD = "Pr0be-s3cret-Horse!"


def leaks(text: str) -> list[str]:
    return sorted(form for form in secret_forms(PASSWORD, USER) if form in text)


def plain(widget) -> str:
    visual = widget.render()
    return str(getattr(visual, "plain", visual))


@pytest.mark.parametrize("mechanism", AUTH_MECHANISMS)
@pytest.mark.parametrize("misbehaviour", AUTH_MISBEHAVIOURS)
async def test_tui_shows_no_secret(mechanism, misbehaviour, isolated):
    secret = Secret(PASSWORD)
    async with SecretProbeServer(mechanism, misbehaviour) as server:
        target = Target(host="127.0.0.1", port=server.port, security=Security.NONE, user=USER,
                        password=None if mechanism == "XOAUTH2" else secret,
                        oauth_token=secret if mechanism == "XOAUTH2" else None,
                        mail_from="a@lab.test", rcpt_to="b@lab.test", timeout=1.0,
                        allow_plaintext_auth=True, dns=False)
        app = make_app(target=target, run_now=True)
        async with app.run_test(size=(120, 40)) as pilot:
            run = await finish_walk(pilot)
            assert run.session is not None
            shown: list[str] = []
            for step in Step:
                await run.show_step(step.value, force=True)
                await pilot.pause()
                shown += [plain(w) for w in run.query("Static, Label, Button")]
            shown += [strip.text for strip in run.query_one("#run-transcript", RichLog).lines]
            await pilot.press("t")
            await pilot.pause()
            shown += [strip.text for strip in run.query_one("#run-transcript", RichLog).lines]
            auth = next(f for f in run.session.findings if f.step is Step.AUTH)
            assert auth.status.value == "fail"
            await pilot.press("r")
            await pilot.pause()
            assert isinstance(app.screen, ReportScreen)
            shown += [app.screen.markdown, app.screen.json]
    for text in shown:
        assert leaks(text) == [], (mechanism, misbehaviour, text[:300])
    sessions = list((isolated / "data").rglob("*.jsonl"))
    assert sessions, "the walk wrote no session file"
    for path in sessions:
        assert leaks(path.read_text()) == []
