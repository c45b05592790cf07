"""Hostile input to explain (issue 13 items 6, 8, 10): every input bounded, one line and exit 2
for what cannot be read, never a traceback; MIME and RFC 2047 oddities read without crashing."""

from __future__ import annotations

import os

import pytest

from tests.explain.explaintools import run_explain

ZERO = "/dev/zero"
needs_dev_zero = pytest.mark.skipif(not os.path.exists(ZERO), reason="no /dev/zero here")


def _one_line_error(result) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@needs_dev_zero
@pytest.mark.parametrize("args", [["--file", ZERO], ["--batch", ZERO], ["--log", ZERO]])
def test_an_endless_file_is_refused_in_one_line(args):
    assert "larger than" in _one_line_error(run_explain(*args)) or \
        "longer than" in _one_line_error(run_explain(*args))


def test_endless_stdin_is_refused_in_one_line():
    message = _one_line_error(run_explain("-", stdin="5" * (2 << 20)))
    assert "larger than 1 MiB" in message


def test_a_text_argument_over_the_cap_is_refused(capsys):
    # (the OS refuses such an argument list to a new process, so this runs in-process)
    from wizard.__main__ import main

    status = main(["explain", "x" * ((1 << 20) + 10)])
    err = capsys.readouterr().err
    assert status == 2 and "larger than 1 MiB" in err and len(err.strip().splitlines()) == 1
    assert err.startswith("smtp-wizard explain: error: ")


def test_a_huge_single_line_reply_is_cut_not_slow():
    result = run_explain("--format", "json", "-", stdin="550 5.1.1 " + "5.7.1 " * 150_000)
    assert result.returncode == 0
    assert '"truncated"' in result.stdout


def test_an_unreadable_file_is_one_line():
    assert "cannot read" in _one_line_error(run_explain("--log", "/nonexistent/mail.log"))


def _nested(levels: int) -> bytes:
    parts = ["From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\nMIME-Version: 1.0\n"]
    for n in range(levels):
        parts.append(f'Content-Type: multipart/mixed; boundary="b{n}"\n\n--b{n}\n')
    parts.append("Content-Type: text/plain\n\n550 5.1.1 user unknown\n")
    parts += [f"--b{n}--\n" for n in reversed(range(levels))]
    return "".join(parts).encode()


def test_mime_nested_500_levels_is_read_or_refused_in_one_line(tmp_path):
    path = tmp_path / "nested.eml"
    path.write_bytes(_nested(500))
    result = run_explain("--file", str(path))
    assert "Traceback" not in result.stderr
    if result.returncode != 0:
        _one_line_error(result)


@pytest.mark.parametrize("subject", [
    "=?utf-8?b?!!!notbase64@@@?=",
    "=?x-no-such-charset?q?caf=E9?=",
    "=?utf-8?q?=ZZ=?=",
])
def test_bad_rfc2047_words_do_not_crash(tmp_path, subject):
    path = tmp_path / "bounce.eml"
    path.write_bytes(f"From: MAILER-DAEMON@example.org\nSubject: {subject}\n\n"
                     "550 5.1.1 <bob@example.org>: user unknown\n".encode())
    result = run_explain("--format", "json", "--file", str(path))
    assert result.returncode == 0, result.stderr
    assert '"recipient-unknown"' in result.stdout


@needs_dev_zero
def test_an_article_that_is_a_device_is_refused_in_one_line(tmp_path):
    (tmp_path / "endless.md").symlink_to(ZERO)
    assert "not a regular file" in _one_line_error(
        run_explain("--knowledge", str(tmp_path), "550 5.1.1 user unknown"))


def test_an_oversized_article_is_refused_in_one_line(tmp_path):
    (tmp_path / "big.md").write_text("---\nid: big\ntitle: x\n---\n" + "x" * 300_000)
    assert "larger than 256 KiB" in _one_line_error(
        run_explain("--knowledge", str(tmp_path), "550 5.1.1 user unknown"))
