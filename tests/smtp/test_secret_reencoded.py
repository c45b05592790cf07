"""A server that echoes the password re-encoded (hex, URL, JSON/C escapes, a long prefix, split
over two lines, wrapped base64) leaks it in no output; and text the server sent *before* the
password went out is never marked, so redaction tells nothing about the password (issue 23).
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from tests.conftest import run_cli, serve_in_thread
from wizard.lab.hostile import ECHO_ENCODINGS, SecretProbeServer
from wizard.model.secret import MIN_PIECE, Secret
from wizard.model.target import Security, Target
from wizard.model.transcript import REDACTED, Transcript
from wizard.output.report import render
from wizard.records.history import SessionLog
from wizard.walk.tree import WalkFinished, walk

USER = "probe-user@lab.test"
# Quotes, a backslash, a slash, a percent sign and a non-ASCII letter: every escape differs.
PASSWORD = 'Pr0be"s3cr\\et/Hörse!%'


def forms(value: str) -> set[str]:
    """What a reader could recover the password from: each encoding, and every piece of it at
    least half as long (or MIN_PIECE) as the password."""
    raw = value.encode()
    least = max(MIN_PIECE, (len(value) + 1) // 2)
    found = {value[i:i + least] for i in range(len(value) - least + 1)}
    found |= {raw.hex(), raw.hex().upper(), quote(value, safe=""), json.dumps(value)[1:-1],
              value.encode("unicode_escape").decode(), base64.b64encode(raw).decode()}
    return found


def leaks(text: str) -> list[str]:
    return sorted(form for form in forms(PASSWORD) if form in text)


def target(port: int, mechanism: str, password: str = PASSWORD) -> Target:
    secret = Secret(password)
    return Target(host="127.0.0.1", port=port, security=Security.NONE, user=USER,
                  password=None if mechanism == "XOAUTH2" else secret,
                  oauth_token=secret if mechanism == "XOAUTH2" else None,
                  mail_from="a@lab.test", rcpt_to="b@lab.test", timeout=2.0,
                  allow_plaintext_auth=True, dns=False)


async def walk_recorded(tgt: Target, folder):
    with SessionLog.create(tgt, "test", directory=folder) as log:
        async for event in walk(tgt):
            log.append(event)
            if isinstance(event, WalkFinished):
                session = event.session
    return session


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "XOAUTH2"])
@pytest.mark.parametrize("encoding", ECHO_ENCODINGS)
async def test_reencoded_echo_leaks_in_no_output(mechanism, encoding, tmp_path):
    async with SecretProbeServer(mechanism, f"echo-{encoding}") as server:
        session = await walk_recorded(target(server.port, mechanism), tmp_path)
    auth = next(f for f in session.findings if f.step.value == "auth")
    assert auth.reply is not None and auth.reply.code == 535, auth
    assert REDACTED in auth.reply.text  # the echo was there, and was hidden
    # The session file is left out here: it scrubs the plain value from every record but the
    # transcript lines (its summary records may quote anything), so there it may over-mark.
    outputs = [render(session, fmt) for fmt in ("text", "json", "markdown")]
    for text in outputs:
        assert leaks(text) == [], (encoding, text[:600])


def test_the_server_really_echoes_the_secret_in_each_encoding():
    """The probe is honest: undoing each encoding gives the password (or its 3/4 prefix)."""
    from wizard.lab.hostile import echo_reencoded

    raw = PASSWORD.encode()
    blob = base64.b64encode(b"\0" + USER.encode() + b"\0" + raw)
    replies = {e: echo_reencoded(e, raw, blob).decode("utf-8", "replace") for e in ECHO_ENCODINGS}
    assert raw.hex() in replies["hex"]
    assert quote(PASSWORD, safe="") in replies["url"]
    assert json.loads(replies["json"].split(" ", 2)[2])["password"] == PASSWORD
    joined = "".join(line[10:] for line in replies["wrapped-base64"].splitlines())
    assert base64.b64decode(joined).endswith(raw)
    halves = [line.split(" ")[-1] for line in replies["split"].splitlines()]
    assert "".join(halves).endswith(PASSWORD)


@pytest.mark.parametrize("password", ["ESMTP", "secret-probe.lab.test"])
async def test_text_before_the_secret_was_sent_is_never_marked(password, tmp_path):
    """A password that happens to be in the greeting: the greeting shows as sent, in every
    output (a mark there would tell the password); the echo after AUTH is still hidden."""
    async with SecretProbeServer("PLAIN", "echo") as server:
        session = await walk_recorded(target(server.port, "PLAIN", password), tmp_path)
    greeting = session.transcript[1] if session.transcript[0].dir.value != "server" \
        else session.transcript[0]
    first_server = next(line for line in session.transcript if line.dir.value == "server")
    assert first_server.text == "220 secret-probe.lab.test ESMTP", greeting
    auth = next(f for f in session.findings if f.step.value == "auth")
    assert auth.reply is not None and REDACTED in auth.reply.text
    assert password not in auth.reply.text
    # The session file is left out here: it scrubs the plain value from every record but the
    # transcript lines (its summary records may quote anything), so there it may over-mark.
    outputs = [render(session, fmt) for fmt in ("text", "json", "markdown")]
    for text in outputs:
        assert "secret-probe.lab.test ESMTP" in text, text[:400]
        assert f"220 {REDACTED}" not in text and f"{REDACTED} ESMTP" not in text


def test_a_transcript_marks_nothing_until_the_secret_is_sent():
    transcript = Transcript([Secret("ESMTP")], USER)
    transcript.server(220, "mx.good.test ESMTP Postfix")
    transcript.client("AUTH PLAIN " + base64.b64encode(b"\0u\0ESMTP").decode())
    transcript.server(535, "you said ESMTP")
    texts = [line.text for line in transcript.lines]
    assert texts == ["220 mx.good.test ESMTP Postfix", f"AUTH PLAIN {REDACTED}",
                     f"535 you said {REDACTED}"]


def test_pasted_text_is_scrubbed_whether_or_not_the_secret_was_sent():
    transcript = Transcript([Secret(PASSWORD)], USER)
    assert transcript.scrub_typed(f"my client says: bad password {PASSWORD}") == \
        f"my client says: bad password {REDACTED}"


@pytest.mark.parametrize("encoding", ["json", "split", "wrapped-base64"])
def test_cli_outputs_hold_no_reencoded_secret(encoding, tmp_path):
    out = tmp_path / "report.md"
    with serve_in_thread(SecretProbeServer("PLAIN", f"echo-{encoding}")) as server:
        args = ["check", "--host", "127.0.0.1", "--port", str(server.port), "--security", "none",
                "--user", USER, "--password-env", "PROBE_PW", "--allow-plaintext-auth",
                "--timeout", "2", "--mail-from", "a@lab.test", "--rcpt-to", "b@lab.test",
                "--no-dns"]
        env = {"PROBE_PW": PASSWORD}
        runs = [run_cli(*args, "--format", fmt, env=env) for fmt in ("text", "json")]
        runs.append(run_cli(*args, "--format", "markdown", "--output", str(out), env=env))
    for result in runs:
        assert result.returncode == 1, result.stderr
        assert leaks(result.stdout + result.stderr) == []
    assert leaks(out.read_text()) == []
