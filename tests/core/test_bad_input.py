"""Bad input to the CLI: one line on stderr, exit 2, nothing touched (issue 13, items 6, 9, 13;
issue 11, item 8)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_cli


def one_line_error(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("smtp-wizard") and words in lines[-1], lines
    assert "Traceback" not in result.stderr


def test_a_pem_file_with_junk_inside_is_refused(tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nMIIjunk\n-----END CERTIFICATE-----\n")
    one_line_error(run_cli("check", "--host", "example.org", "--ca-file", str(junk)),
                   "OpenSSL cannot read")


def test_an_endless_ca_file_is_refused_not_read_forever():
    one_line_error(run_cli("check", "--host", "example.org", "--ca-file", "/dev/zero"),
                   "larger than")


def test_a_password_that_is_not_utf8_is_refused_from_the_environment():
    env = {**os.environ, "PYTHONPATH": str(REPO), "PW": "x"}
    env_bytes = {k.encode(): v.encode() for k, v in env.items()}
    env_bytes[b"PW"] = b"pass\xffword"
    result = subprocess.run(
        [sys.executable, "-m", "wizard", "check", "--host", "example.org", "--user", "u",
         "--password-env", "PW"], env=env_bytes, capture_output=True, text=True, timeout=60)
    one_line_error(result, "not valid UTF-8")


def test_a_password_that_is_not_utf8_is_refused_from_stdin():
    result = subprocess.run(
        [sys.executable, "-m", "wizard", "check", "--host", "example.org", "--user", "u",
         "--password-stdin"], input=b"pass\xffword\n", capture_output=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    decoded = subprocess.CompletedProcess(result.args, result.returncode,
                                          result.stdout.decode(), result.stderr.decode())
    one_line_error(decoded, "not valid UTF-8")


def test_an_endless_password_on_stdin_is_refused():
    with open("/dev/zero", "rb") as zero:
        result = subprocess.run(
            [sys.executable, "-m", "wizard", "check", "--host", "example.org", "--user", "u",
             "--password-stdin"], stdin=zero, capture_output=True, text=True, timeout=60,
            env={**os.environ, "PYTHONPATH": str(REPO)})
    one_line_error(result, "longer than")


@pytest.mark.parametrize("flag", ["--port", "--host", "--timeout", "--mail-from"])
def test_an_empty_value_is_an_error_not_a_default(flag):
    args = ["check", "--host", "example.org", flag, ""] if flag != "--host" else \
        ["check", "--host", ""]
    one_line_error(run_cli(*args), "is empty")


@pytest.mark.parametrize("kind", ["device", "symlink", "fifo", "folder"])
def test_output_never_replaces_what_is_not_a_regular_file(kind, tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("keep me")
    path = {"device": "/dev/null", "folder": str(tmp_path)}.get(kind, str(tmp_path / "out"))
    if kind == "symlink":
        os.symlink(real, path)
    elif kind == "fifo":
        os.mkfifo(path)
    result = run_cli("check", "--host", "example.org", "--output", path)
    one_line_error(result, "not a regular file")
    assert real.read_text() == "keep me"
    if kind == "symlink":
        assert os.path.islink(path)
    if kind == "device":
        assert not os.path.isfile("/dev/null")


def test_output_dash_means_standard_output():
    result = run_cli("dns", "example.org", "--nameserver", "127.0.0.1:9", "--timeout", "0.2",
                     "--format", "json", "--output", "-")
    assert result.stdout.lstrip().startswith("{")


def test_target_options_before_the_subcommand_are_honoured():
    result = run_cli("--nameserver", "127.0.0.1:9", "dns", "example.org", "--timeout", "0.2",
                     "--format", "json")
    assert '"127.0.0.1:9"' in result.stdout  # the nameserver was used, not dropped


@pytest.mark.parametrize(("args", "words"), [
    (["--host", "example.org", "explain", "550 5.1.1 no such user"],
     "--host is not an option of 'explain'"),
    (["--timeout", "2", "check", "--timeout", "3", "--host", "example.org"],
     "given both before and after 'check'"),
])
def test_target_options_before_the_subcommand_are_refused_where_they_cannot_apply(args, words):
    one_line_error(run_cli(*args), words)


def test_helo_name_is_validated():
    one_line_error(run_cli("check", "--host", "example.org", "--helo", "not a name"),
                   "invalid HELO name")
