"""`smtp-wizard check` as a user runs it: JSON verdicts, exit codes, and bad input."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import run_cli, serve_scenario
from wizard.lab.smtp_server import LAB_PASSWORD, LAB_USER


def check_args(lab, *extra: str) -> list[str]:
    return ["check", "--host", "127.0.0.1", "--port", str(lab.port), "--ca-file",
            lab.certs.ca_file, "--timeout", "3", "--no-dns", *extra]


@pytest.mark.parametrize(("scenario", "extra", "category", "code"), [
    ("healthy", ["--user", LAB_USER, "--password-env", "PW", "--mail-from", "alice@lab.test",
                 "--rcpt-to", "bob@lab.test"], "success", 0),
    ("wrong-password", ["--user", LAB_USER, "--password-env", "BAD"], "auth-failed", 1),
    ("relay-denied", ["--mail-from", "alice@lab.test", "--rcpt-to", "x@elsewhere.test"],
     "relay-denied", 1),
    ("implicit-tls", ["--security", "tls", "--user", LAB_USER, "--password-stdin"],
     "success", 0),
    ("tls-to-plaintext-port", ["--security", "tls"], "tls-mode-mismatch", 1),
])
def test_check_json_names_the_verdict_category(scenario, extra, category, code):
    with serve_scenario(scenario) as lab:
        result = run_cli(*check_args(lab, *extra), "--format", "json",
                         env={"PW": LAB_PASSWORD, "BAD": "wrong-password-123"},
                         stdin=LAB_PASSWORD + "\n")
    assert result.returncode == code, result.stderr
    report = json.loads(result.stdout)
    assert report["schema"] == 1
    assert report["verdict"]["category"] == category, [
        (c["id"], c["title"], c["summary"]) for c in report["checks"] if c["status"] != "pass"]
    assert {"status", "headline", "category", "articles", "next_step", "who", "action",
            "inconclusive"} <= set(report["verdict"])
    assert report["verdict"]["next_step"] and report["verdict"]["action"]["kind"]
    assert report["transcript"] and {"t_ms", "dir", "text"} == set(report["transcript"][0])
    for check in report["checks"]:
        assert {"id", "step", "status", "title", "summary", "details", "reply", "category",
                "articles", "duration_ms", "next"} == set(check)
    assert LAB_PASSWORD not in result.stdout + result.stderr


def test_closed_port_exits_1_with_connection_refused():
    with serve_scenario("closed-port") as lab:
        result = run_cli(*check_args(lab), "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["verdict"]["category"] == "connection-refused"


def test_output_file_is_written_atomically_with_user_only_permissions(tmp_path):
    out = tmp_path / "report.md"
    with serve_scenario("healthy") as lab:
        result = run_cli(*check_args(lab), "--format", "markdown", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = out.read_text()
    assert text.startswith("# smtp-wizard report") and "**Verdict:** PASS" in text
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_text_output_has_no_colour_when_not_a_terminal():
    with serve_scenario("healthy") as lab:
        result = run_cli(*check_args(lab))
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    assert "VERDICT" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--host", "bad host!"], "invalid host name"),
    (["--host", "example.com", "--port", "70000"], "port"),
    (["--host", "example.com", "--port", "abc"], "port"),
    (["--host", "example.com", "--mail-from", "not-an-address"], "MAIL FROM"),
    (["--host", "example.com", "--ca-file", "/nonexistent/ca.pem"], "ca.pem"),
    (["--host", "example.com", "--user", "u", "--password-env", "SMTP_WIZARD_UNSET_VAR"],
     "SMTP_WIZARD_UNSET_VAR"),
    (["--host", "example.com", "--nameserver", "999.1.1.1"], "nameserver"),
    (["--host", "example.com", "--timeout", "-1"], "timeout"),
    ([], "--host is required"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = run_cli("check", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_password_flag_exists():
    result = run_cli("check", "--host", "example.com", "--password", "x")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_user_without_terminal_or_password_source_is_a_usage_error():
    result = run_cli("check", "--host", "127.0.0.1", "--user", "u", stdin="")
    assert result.returncode == 2
    assert "--password-env" in result.stderr
