"""`explain --log` on the receiving side: rejects, failed logins, TLS, totals, timeline, trail."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.explain.explaintools import run_explain
from wizard.explain.serverlog import ServerLogReader, minute_key, redact

SASL = ("Nov 29 09:{m:02d}:02 mx postfix/submission/smtpd[100]: warning: unknown[203.0.113.7]:"
        " SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=alice@example.com")
GUESS = ("Nov 29 10:{m:02d}:02 mx postfix/smtpd[200]: warning: unknown[198.51.100.{n}]:"
         " SASL PLAIN authentication failed: authentication failure, sasl_username=user{n}")
RELAY = ("Nov 29 09:16:0{n} mx postfix/smtpd[101]: NOQUEUE: reject: RCPT from"
         " unknown[198.51.100.9]: 554 5.7.1 <x{n}@example.net>: Relay access denied;"
         " from=<spam@example.com> to=<x{n}@example.net> proto=ESMTP helo=<bad>")
RBL = ("2026-11-29T09:16:02.123456+00:00 mx postfix/postscreen[9]: NOQUEUE: reject: RCPT from"
       " [198.51.100.10]:4242: 550 5.7.1 Service unavailable; client [198.51.100.10] blocked"
       " using zen.spamhaus.org; from=<a@b.example>, to=<bob@example.com>, proto=ESMTP,"
       " helo=<x>")
TLS = ("Nov 29 09:17:01 mx postfix/smtpd[102]: warning: TLS library problem:"
       " error:0A0000C1:SSL routines::no shared cipher:../ssl/statem/statem_srvr.c:2220:")
MESSAGE = [
    "Nov 29 09:18:00 mx postfix/smtpd[103]: 4F2A31C0B1: client=mail.example.org[192.0.2.5]",
    "Nov 29 09:18:00 mx postfix/qmgr[105]: 4F2A31C0B1: from=<carol@example.org>, size=1234,"
    " nrcpt=1 (queue active)",
    "Nov 29 09:18:01 mx postfix/local[106]: 4F2A31C0B1: to=<bob@example.com>, relay=local,"
    " delay=0.5, delays=0.1/0/0/0.4, dsn=2.0.0, status=sent (delivered to mailbox)",
]
DEFER = ("Nov 29 09:18:0{n} mx postfix/smtp[107]: 5A1B2C3D4{n}: to=<dan@example.net>, relay=none,"
         " delay=30, status=deferred (connect to mx.example.net[192.0.2.99]:25: Connection"
         " timed out)")


def _log(tmp_path, lines):
    path = tmp_path / "mail.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_each_receiving_side_line_gives_its_incident():
    reader = ServerLogReader()
    got = [reader.feed(line) for line in (SASL.format(m=1), RELAY.format(n=1), RBL, TLS)]
    assert [(i.kind, i.reason) if i else None for i in got] == [
        ("auth", "sasl"), ("reject", "relay"), ("reject", "rbl"), ("tls", "cipher")]
    assert got[0] is not None and (got[0].user, got[0].ip) == ("alice@example.com", "203.0.113.7")
    assert got[2] is not None and got[2].detail == "zen.spamhaus.org"
    assert reader.tally.rejected == 2


def test_times_compare_across_formats_and_passwords_are_redacted():
    assert minute_key("Nov  9 09:14:02") == "11-09 09:14"
    assert minute_key("2026-11-29T09:16:02.1+00:00") == "11-29 09:16"
    assert minute_key("2026 Nov 29 09:16:02") == "11-29 09:16"
    assert redact("auth failed (given password: hunter2)") == \
        "auth failed (given password: <redacted>)"


def test_one_client_retrying_and_many_guessing_are_told_apart(tmp_path):
    retry = tmp_path / "retry"
    guess = tmp_path / "guess"
    retry.mkdir()
    guess.mkdir()
    one = json.loads(run_explain("--log", str(_log(retry, [SASL.format(m=m) for m in range(30)])),
                                 "--format", "json").stdout)["server_groups"]
    many = json.loads(run_explain(
        "--log", str(_log(guess, [GUESS.format(m=n, n=n) for n in range(1, 21)])),
        "--format", "json").stdout)["server_groups"]
    assert [(g["id"], g["count"], g["category"]) for g in one] == [
        ("auth.retrying", 30, "auth-failed")]
    assert "203.0.113.7" in one[0]["next_step"] and "alice@example.com" in one[0]["title"]
    assert [(g["id"], g["count"]) for g in many] == [("auth.bruteforce", 20)]


def test_groups_with_counts_timeline_and_next_step(tmp_path):
    lines = [RELAY.format(n=n) for n in range(1, 6)] + [RBL, TLS, *MESSAGE]
    lines += [DEFER.format(n=n) for n in range(1, 3)]
    data = json.loads(run_explain("--log", str(_log(tmp_path, lines)), "--format",
                                  "json").stdout)
    relay = next(g for g in data["server_groups"] if g["id"] == "reject.relay")
    assert relay["count"] == 5 and relay["category"] == "relay-denied"
    assert relay["timeline"] == {"unit": "minute", "buckets": {"11-29 09:16": 5}}
    assert relay["first_seen"] <= relay["last_seen"] and relay["next_step"]
    assert data["totals"] == {"received": 1, "delivered": 1, "forwarded": 0, "deferred": 2,
                              "deferrals": 2, "bounced": 0, "rejected": 6}
    bare = data["groups"][0]  # the bare status=deferred lines are found
    assert (bare["category"], bare["deferred"]) == ("connection-timeout", 2)


def test_message_trail(tmp_path):
    out = run_explain("--log", str(_log(tmp_path, MESSAGE)), "--message", "4F2A31C0B1",
                      "--format", "json").stdout
    steps = json.loads(out)["steps"]
    assert [s["daemon"] for s in steps] == ["smtpd", "qmgr", "local"]
    assert steps[2]["fields"]["status"] == "sent" and steps[1]["fields"]["from"] == \
        "carol@example.org"


def test_log_text_is_shown_printable(tmp_path):
    evil = RELAY.format(n=1).replace("spam@example.com", "sp\x1b]0;x\x07am@example.com")
    text = run_explain("--log", str(_log(tmp_path, [evil]))).stdout
    assert "\x1b" not in text and "\\x1b" in text


@pytest.mark.skipif(shutil.which("pflogsumm") is None,
                    reason="pflogsumm is not installed (apt-get install pflogsumm)")
def test_totals_agree_with_pflogsumm(tmp_path):
    lines = [RELAY.format(n=n) for n in range(1, 6)] + [RBL, *MESSAGE]
    lines += [DEFER.format(n=n) for n in range(1, 4)]
    path = _log(tmp_path, lines)
    ours = json.loads(run_explain("--log", str(path), "--format", "json").stdout)["totals"]
    report = subprocess.run(["pflogsumm", str(path)], capture_output=True, text=True,
                            timeout=60, check=True).stdout
    theirs = {}
    for line in report.splitlines()[:20]:
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit() and parts[1] in (
                "received", "delivered", "deferred", "bounced", "rejected"):
            theirs[parts[1]] = int(parts[0])
    assert theirs == {k: ours[k] for k in theirs} and len(theirs) == 5
