"""`smtp-wizard headers` end to end: the real CLI in a subprocess, DNS from a loopback
DnsServer in a thread (``--nameserver``); and `explain --file` handing a received message over."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.headers.mailkit import DSN, stories

STORIES = stories()
RESULT_VALUES = {"pass", "fail", "neutral", "none", "temperror", "permerror", "policy",
                 "softfail"}



def headers_json(path: Path, nameserver: str, *extra: str) -> tuple[int, dict]:
    proc = run_cli("headers", str(path), "--nameserver", nameserver, "--timeout", "2",
                   "--format", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.mark.parametrize("name", list(STORIES))
def test_every_message_gets_its_results_from_the_cli(name: str, nameserver: str,
                                                     eml_dir: Path) -> None:
    story = STORIES[name]
    code, doc = headers_json(eml_dir / f"{name}.eml", nameserver)
    assert [(d["result"], d["problem"] or "") for d in doc["dkim"]] == story.dkim
    assert doc["arc"]["result"] == story.arc
    assert doc["spf"]["result"] == story.spf
    receiver = doc["spf"]["at_receiver"]
    assert (receiver["result"] if receiver else None) == story.spf_receiver
    assert doc["dmarc"]["result"] == story.dmarc
    if story.dmarc_aligned is not None:
        assert (doc["dmarc"]["spf_aligned"], doc["dmarc"]["dkim_aligned"]) == story.dmarc_aligned
    verdict = doc["verdict"]
    assert (verdict["status"], verdict["category"]) == (story.status, story.category)
    assert code == (1 if story.status in ("fail", "error") else 0)


def test_the_json_has_every_field_the_contract_names(nameserver: str, eml_dir: Path) -> None:
    _, doc = headers_json(eml_dir / "arc-list.eml", nameserver)
    assert doc["schema"] == 1 and doc["tool"]["command"] == "headers"
    assert {"from", "return_path", "subject", "message_id", "date"} <= set(doc["message"])
    for hop in doc["hops"]:
        assert {"index", "from", "by", "with", "tls", "time", "delay_s"} <= set(hop)
    assert [h["index"] for h in doc["hops"]] == [1, 2, 3]
    assert doc["hops"][0]["by"] == "mail.example.com"  # from the sender to the recipient
    for sig in doc["dkim"]:
        assert {"domain", "selector", "algorithm", "result", "reason"} <= set(sig)
        assert sig["result"] in RESULT_VALUES
    assert {"ip", "mail_from", "result", "trace"} <= set(doc["spf"])
    assert isinstance(doc["spf"]["trace"], list) and doc["spf"]["trace"]
    assert {"domain", "policy", "spf_aligned", "dkim_aligned", "result"} <= set(doc["dmarc"])
    assert {"result", "instances"} <= set(doc["arc"]) and len(doc["arc"]["instances"]) == 1
    assert doc["recorded"] and all({"authserv_id", "method", "result", "properties"} <= set(r)
                                   for r in doc["recorded"])
    assert {"verdict", "microsoft", "spamassassin"} <= set(doc["spam"])
    assert {"status", "headline", "category", "next_step", "who", "action",
            "articles"} <= set(doc["verdict"])
    assert doc["changes"][0]["suspect"] == "lists.example.org"


def test_text_and_markdown_reports(nameserver: str, eml_dir: Path, tmp_path: Path) -> None:
    text = run_cli("headers", str(eml_dir / "arc-list.eml"), "--nameserver", nameserver)
    assert text.returncode == 1, text.stderr
    assert text.stdout.startswith("smtp-wizard headers:")
    assert "FAIL  DMARC failed for example.com" in text.stdout
    assert "rewrote the subject after signing" in text.stdout
    assert "smtp-wizard kb show forwarding-and-dkim" in text.stdout
    out = tmp_path / "report.md"
    md = run_cli("headers", str(eml_dir / "arc-list.eml"), "--nameserver", nameserver,
                 "--format", "markdown", "--output", str(out))
    assert md.returncode == 1 and md.stdout == ""
    body = out.read_text()
    assert body.startswith("# Received message analysis") and "| 3 | lists.example.org" in body
    assert out.stat().st_mode & 0o777 == 0o600


def test_stdin_and_headers_only(nameserver: str) -> None:
    head = STORIES["valid"].data.split(b"\r\n\r\n", 1)[0].decode() + "\r\n"
    proc = run_cli("headers", "-", "--nameserver", nameserver, "--format", "json", stdin=head)
    doc = json.loads(proc.stdout)
    assert doc["input"]["headers_only"] is True
    assert doc["dkim"][0]["result"] == "neutral" and doc["dkim"][0]["header_signature"] == "pass"


def test_a_dsn_goes_to_the_bounce_path(tmp_path: Path) -> None:
    path = tmp_path / "bounce.eml"
    path.write_bytes(DSN)
    proc = run_cli("headers", str(path), "--format", "json")
    assert proc.returncode == 0
    assert "this is a bounce" in proc.stderr
    (line,) = proc.stdout.splitlines()
    result = json.loads(line)
    assert (result["category"], result["recipient"]) == ("recipient-unknown", "bob@example.net")


@pytest.mark.parametrize("data", [b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"just some words\n"],
                         ids=["empty", "binary", "prose"])
def test_what_is_not_a_message_is_one_line_and_exit_2(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "input.eml"
    path.write_bytes(data)
    proc = run_cli("headers", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1
    assert "not an e-mail message" in proc.stderr or "is empty" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_errors_are_exit_2() -> None:
    missing = run_cli("headers", "/nonexistent/message.eml")
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    bad_ns = run_cli("headers", "-", "--nameserver", "not-an-ip", stdin="From: a@b.example\n")
    assert bad_ns.returncode == 2 and "Traceback" not in bad_ns.stderr


def test_explain_file_routes_a_received_message_here(nameserver: str, eml_dir: Path) -> None:
    proc = run_cli("explain", "--file", str(eml_dir / "spf-fail.eml"), "--format", "json",
                   "--nameserver", nameserver)
    assert "received message, not a bounce" in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["tool"]["command"] == "headers" and doc["verdict"]["category"] == "dmarc-fail"
    assert doc["spf"]["ip"] == "198.51.100.7"


def test_explain_file_still_explains_a_bounce(tmp_path: Path) -> None:
    path = tmp_path / "bounce.eml"
    path.write_bytes(DSN)
    proc = run_cli("explain", "--file", str(path), "--format", "json")
    assert proc.returncode == 0 and "received message" not in proc.stderr
    assert json.loads(proc.stdout)["category"] == "recipient-unknown"


def test_huge_and_hostile_header_blocks_end_in_a_report(tmp_path: Path) -> None:
    hops = [f"Received: from a{i}.example (a{i}.example [192.0.2.{i % 250}]) by b.example "
            f"with ESMTPS id {i}; Mon, 01 Jan 2024 10:00:{i % 60:02d} +0000" for i in range(3000)]
    nested = "Received: from x (" + "(" * 5000 + "y" * 500_000 + ")" * 5000 + ") by z; " \
             "Mon, 01 Jan 2024 10:00:00 +0000"
    many_results = "Authentication-Results: mx; " + "dkim=pass header.d=x; " * 20_000
    data = "\r\n".join([nested, many_results, *hops, "X-Big: " + "b" * 2_000_000,
                        "From: a@example.com", "Subject: s", "", "body"]) + "\r\n"
    path = tmp_path / "huge.eml"
    path.write_text(data)
    proc = run_cli("headers", str(path), "--nameserver", "127.0.0.1:9", "--timeout", "0.3",
                   "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    assert len(doc["hops"]) == 100 and len(doc["recorded"]) == 500
    assert any("only the newest 500" in n for n in doc["notes"])
