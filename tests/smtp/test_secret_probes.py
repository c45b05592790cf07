"""Servers that echo, drop, stall or answer garbage right after the secret: nothing leaks.

Every AUTH mechanism the wizard speaks, against every misbehaviour of
:class:`wizard.lab.hostile.SecretProbeServer`, searched in every output: text, JSON, Markdown,
the transcript, the session file, and the CLI's stdout, stderr and ``--output`` file. (The TUI
is searched in ``tests/tui/test_secret_probes_tui.py``.)
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, serve_in_thread
from wizard.lab.hostile import AUTH_MECHANISMS, AUTH_MISBEHAVIOURS, SecretProbeServer
from wizard.model.secret import Secret, secret_forms
from wizard.model.target import Security, Target
from wizard.output.report import render
from wizard.records.history import SessionLog
from wizard.walk.tree import WalkFinished, walk

USER = "probe-user@lab.test"
PASSWORD = "Pr0be-s3cret-Horse!"
PROBES = [(m, b) for m in AUTH_MECHANISMS for b in AUTH_MISBEHAVIOURS]


def leaks(text: str) -> list[str]:
    return sorted(form for form in secret_forms(PASSWORD, USER) if form in text)


def probe_target(port: int, mechanism: str) -> Target:
    secret = Secret(PASSWORD)
    return Target(host="127.0.0.1", port=port, security=Security.NONE, user=USER,
                  password=None if mechanism == "XOAUTH2" else secret,
                  oauth_token=secret if mechanism == "XOAUTH2" else None,
                  mail_from="a@lab.test", rcpt_to="b@lab.test", timeout=1.0,
                  allow_plaintext_auth=True, dns=False)


@pytest.mark.parametrize(("mechanism", "misbehaviour"), PROBES)
async def test_no_secret_in_any_output(mechanism, misbehaviour, tmp_path):
    async with SecretProbeServer(mechanism, misbehaviour) as server:
        target = probe_target(server.port, mechanism)
        with SessionLog.create(target, "test", directory=tmp_path) as log:
            async for event in walk(target):
                log.append(event)
                if isinstance(event, WalkFinished):
                    session = event.session
    auth = next(f for f in session.findings if f.step.value == "auth")
    assert auth.status.value == "fail", auth  # the exchange really went wrong
    if mechanism != "CRAM-MD5":  # the secret itself really crossed the wire
        assert any(line.text.endswith("[redacted]") for line in session.transcript
                   if line.dir.value == "client")
    outputs = [render(session, fmt) for fmt in ("text", "json", "markdown")]
    outputs += [json.dumps([line.to_dict() for line in session.transcript])]
    outputs += [path.read_text() for path in tmp_path.iterdir()]  # the session file
    for text in outputs:
        assert leaks(text) == [], (mechanism, misbehaviour, text[:400])


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
async def test_echoing_server_text_is_scrubbed_but_still_shown(mechanism):
    async with SecretProbeServer(mechanism, "echo") as server:
        from wizard.walk.tree import run_check

        session = await run_check(probe_target(server.port, mechanism))
    auth = next(f for f in session.findings if f.id == "auth.login")
    assert auth.reply is not None and auth.reply.code == 535
    assert "[redacted]" in auth.reply.text  # what the server said is kept, minus the secret
    assert auth.category == "auth-failed"


@pytest.mark.parametrize("misbehaviour", ["drop", "stall", "garbage"])
async def test_broken_login_names_the_exchange_never_a_payload(misbehaviour):
    async with SecretProbeServer("LOGIN", misbehaviour) as server:
        from wizard.walk.tree import run_check

        session = await run_check(probe_target(server.port, "LOGIN"))
    auth = next(f for f in session.findings if f.id == "auth.login")
    if misbehaviour == "stall":  # a late answer is named by what was waited for (issue 21)
        assert auth.category == "reply-timeout" and "AUTH" in auth.summary, auth.summary
    else:
        assert "the authentication exchange" in auth.summary, auth.summary
    assert leaks(auth.summary) == []


@pytest.mark.parametrize(("mechanism", "misbehaviour"),
                         [("LOGIN", "echo"), ("LOGIN", "stall"), ("PLAIN", "garbage"),
                          ("XOAUTH2", "echo")])
def test_cli_outputs_hold_no_secret(mechanism, misbehaviour, tmp_path):
    out = tmp_path / "report.md"
    env_var = "PROBE_TOKEN" if mechanism == "XOAUTH2" else "PROBE_PW"
    secret_flag = "--oauth-token-env" if mechanism == "XOAUTH2" else "--password-env"
    with serve_in_thread(SecretProbeServer(mechanism, misbehaviour)) as server:
        args = ["check", "--host", "127.0.0.1", "--port", str(server.port), "--security", "none",
                "--user", USER, secret_flag, env_var, "--allow-plaintext-auth", "--timeout",
                "1", "--mail-from", "a@lab.test", "--rcpt-to", "b@lab.test", "--no-dns"]
        env = {env_var: PASSWORD}
        runs = [run_cli(*args, "--format", fmt, env=env) for fmt in ("text", "json")]
        runs.append(run_cli(*args, "--format", "markdown", "--output", str(out), env=env))
    for result in runs:
        assert result.returncode == 1, result.stderr
        assert leaks(result.stdout + result.stderr) == []
    assert leaks(out.read_text()) == []
