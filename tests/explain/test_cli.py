"""`smtp-wizard explain`: text and JSON output, inputs, exit status, and a light import path."""

import json

import pytest

from tests.explain.explaintools import REPO, run_explain

KEYS = {"input", "code", "enhanced", "class", "category", "provider", "summary", "articles"}
HEAVY = ("textual", "httpx", "aiosmtplib", "cryptography", "dns", "screens")


def test_text_output_names_category_class_meaning_step_and_article():
    out = run_explain("550 5.1.1 <bob@example.org>: User unknown").stdout
    assert "recipient-unknown (permanent)" in out
    assert "Means:" in out and "Do now:" in out and "kb show recipient-unknown" in out


def test_json_output_has_the_contract_keys():
    result = run_explain("--format", "json", "452 4.5.3 Too many recipients")
    data = json.loads(result.stdout)
    assert set(data) >= KEYS
    assert (data["class"], data["category"]) == ("temporary", "rate-limited")
    assert {"id", "title"} <= set(data["articles"][0])


def test_unknown_is_explained_with_exit_status_zero():
    result = run_explain("--format", "json", "nothing recognisable here")
    assert result.returncode == 0
    assert json.loads(result.stdout)["category"] == "unknown"


def test_dash_reads_the_reply_from_stdin():
    result = run_explain("--format", "json", "-", stdin="550-5.7.1 Relaying\n550 5.7.1 denied\n")
    assert json.loads(result.stdout)["category"] == "relay-denied"


def test_batch_prints_one_json_object_per_line(tmp_path):
    batch = tmp_path / "replies.txt"
    batch.write_text("550 5.1.1 User unknown\n\n552 5.2.2 Mailbox full\n")
    lines = run_explain("--batch", str(batch)).stdout.splitlines()
    assert [json.loads(line)["category"] for line in lines] == [
        "recipient-unknown", "mailbox-full"]


def test_file_explains_each_dsn_recipient(tmp_path):
    from tests.explain.test_dsn import DSN

    path = tmp_path / "bounce.eml"
    path.write_bytes(DSN)
    data = json.loads(run_explain("--format", "json", "--file", str(path)).stdout)
    assert (data["recipient"], data["category"]) == ("bob@example.org", "recipient-unknown")


def test_unreadable_file_is_exit_2_with_one_line():
    result = run_explain("--file", "/nonexistent/bounce.eml")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_no_input_is_a_usage_error():
    assert run_explain().returncode == 2


def test_control_characters_from_the_server_are_escaped():
    out = run_explain("550 5.1.1 User unknown \x1b]0;pwned\x07").stdout
    assert "\x1b" not in out and "\\x1b" in out


def test_explain_path_imports_nothing_heavy():
    code = (
        "import sys, io, argparse\n"
        "from wizard.cli import explain\n"
        "p = argparse.ArgumentParser()\n"
        "explain.add_parser(p.add_subparsers(dest='command'))\n"
        "sys.stdout = io.StringIO()\n"
        "explain.run(p.parse_args(['explain', '550 5.1.1 User unknown']))\n"
        "sys.stdout = sys.__stdout__\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    assert run_explain(code=code).stdout.strip() == "[]"


def test_real_entry_point_imports_nothing_heavy():
    pytest.importorskip("wizard.cli.check", reason="other subcommands not built yet")
    pytest.importorskip("wizard.cli.lab", reason="other subcommands not built yet")
    code = (
        "import sys, io\n"
        "from wizard.__main__ import main\n"
        "sys.stdout = io.StringIO()\n"
        "main(['explain', '550 5.1.1 User unknown'])\n"
        "sys.stdout = sys.__stdout__\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))\n"
    )
    assert run_explain(code=code).stdout.strip() == "[]", REPO
