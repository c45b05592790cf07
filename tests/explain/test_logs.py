"""`explain --log`: Postfix, Exim, Sendmail and Exchange lines to a ranked triage."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.explain.explaintools import run_explain
from wizard.explain.logs import LogReader
from wizard.explain.triage import template

POSTFIX = (
    "Nov 29 18:00:0{n} mx postfix/smtp[123{n}]: 4F2A31C0B{n}: to=<bob{n}@example.org>,"
    " relay=mx.example.org[192.0.2.{n}]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1,"
    " status=bounced (host mx.example.org[192.0.2.{n}] said: 550 5.1.1 <bob{n}@example.org>:"
    " Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO"
    " command))")
GMAIL = (
    "2026-11-29T18:01:0{n}.123+00:00 mx postfix/smtp[9{n}]: 1D2E3F4A5{n}: to=<amy{n}@gmail.com>,"
    " relay=gmail-smtp-in.l.google.com[142.250.1.2{n}]:25, delay=1, delays=0/0/0/1, dsn=4.7.28,"
    " status=deferred (host gmail-smtp-in.l.google.com[142.250.1.2{n}] said: 421-4.7.28 Gmail has"
    " detected an unusual rate of mail originating from your IP address. - gsmtp (in reply to end"
    " of DATA command))")
EXIM = (
    "2026-11-29 18:02:01 1rABCD-0001aB-Cd ** carl@example.net R=dnslookup T=remote_smtp"
    " H=mx.example.net [192.0.2.9]: SMTP error from remote mail server after RCPT"
    " TO:<carl@example.net>: 550 5.1.1 <carl@example.net>: user unknown")
EXIM_DEFER = (
    "2026-11-29 18:02:02 1rABCE-0001aB-Cd == dora@example.net R=dnslookup T=remote_smtp defer"
    " (-44) H=mx.example.net [192.0.2.9]: SMTP error from remote mail server after RCPT"
    " TO:<dora@example.net>: 451 4.7.1 Greylisted, please try again later")
SENDMAIL = (
    "Nov 29 18:03:01 mx sm-mta[1234]: 4ATI01abc012345: to=<eve@example.com>, delay=00:00:01,"
    " xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.example.com. [192.0.2.7], dsn=5.1.1,"
    " stat=User unknown")
EXCHANGE = (
    "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,"
    "connector-id,source,event-id,internal-message-id,message-id,network-message-id,"
    "recipient-address,recipient-status,total-bytes\n"
    "2026-11-29T18:04:01.000Z,10.0.0.1,ex1,192.0.2.1,mx.example.org,,Outbound,SMTP,FAIL,123,<a@b>,"
    "abc,fred@example.org,550 5.1.1 RESOLVER.ADR.RecipNotFound; not found,1234")
NOISE = "Nov 29 18:00:00 mx postfix/smtpd[1]: connect from unknown[198.51.100.7]"


def _log(tmp_path, text: str, name: str = "mail.log"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_each_format_gives_its_event():
    reader = LogReader()
    events = [reader.event(line) for line in (POSTFIX.format(n=1), EXIM, EXIM_DEFER, SENDMAIL,
                                              *EXCHANGE.splitlines(), NOISE)]
    got = [(e.status, e.recipient) if e else None for e in events]
    assert got == [("bounced", "bob1@example.org"), ("bounced", "carl@example.net"),
                   ("deferred", "dora@example.net"), ("bounced", "eve@example.com"), None,
                   ("bounced", "fred@example.org"), None]
    first = events[0]
    assert first is not None
    assert first.reply.startswith("550 5.1.1")  # Postfix's "host ... said:" is taken off


def test_the_template_masks_what_varies_and_keeps_the_codes():
    a = template("550 5.1.1 <bob@example.org> user unknown [192.0.2.1] id 4F2A31C0B3 (S3150)")
    b = template("550 5.1.1 <amy@example.org> user unknown [198.51.100.7] id 9ABCDEF012 (S3150)")
    assert a == b and "5.1.1" in a and "S3150" in a and "example.org" in a
    assert template("421 4.7.0 [TSS04] deferred") != template("421 4.7.0 [TSS09] deferred")
    assert template("550 5.7.1 denied") != template("450 4.7.1 denied")


@pytest.fixture
def mixed_log(tmp_path):
    lines = [POSTFIX.format(n=n) for n in range(1, 6)] + [GMAIL.format(n=n) for n in range(1, 3)]
    lines += [EXIM, EXIM_DEFER, SENDMAIL, NOISE, *EXCHANGE.splitlines()]
    return _log(tmp_path, "\n".join(lines) + "\n")


def test_triage_groups_by_category_provider_and_domain_ranked_by_count(mixed_log):
    data = json.loads(run_explain("--log", str(mixed_log), "--format", "json").stdout)
    groups = data["groups"]
    assert data["events"] == 11
    top = groups[0]
    assert (top["category"], top["domain"], top["count"], top["bounced"]) == (
        "recipient-unknown", "example.org", 5, 5)
    exchange = next(g for g in groups if g["provider"] == "microsoft")  # its own provider
    assert (exchange["category"], exchange["domain"], exchange["count"]) == (
        "recipient-unknown", "example.org", 1)
    gmail = next(g for g in groups if g["domain"] == "gmail.com")
    assert (gmail["category"], gmail["provider"], gmail["class"], gmail["deferred"]) == (
        "bad-reputation", "gmail", "temporary", 2)
    assert gmail["first_seen"].startswith("2026-11-29T18:01:01")
    assert gmail["last_seen"].startswith("2026-11-29T18:01:02")
    assert gmail["sample"] and gmail["next_step"]
    assert [g["count"] for g in groups] == sorted((g["count"] for g in groups), reverse=True)


def test_text_and_markdown_triage(mixed_log):
    text = run_explain("--log", str(mixed_log)).stdout
    assert text.startswith("13 lines: received 0, delivered 0")
    assert "Sending side: 11 deferred or bounced deliveries in" in text
    assert "1. 5 x recipient-unknown (permanent) - example.org" in text
    markdown = run_explain("--log", str(mixed_log), "--format", "markdown").stdout
    assert markdown.startswith("# Mail log triage")
    assert "| 1 | 5 | recipient-unknown |" in markdown
    assert "## Receiving side" in markdown


def test_gzip_and_stdin_logs_read_the_same(mixed_log, tmp_path):
    plain = json.loads(run_explain("--log", str(mixed_log), "--format", "json").stdout)
    packed = tmp_path / "mail.log.gz"
    packed.write_bytes(gzip.compress(mixed_log.read_bytes()))
    zipped = json.loads(run_explain("--log", str(packed), "--format", "json").stdout)
    piped = json.loads(run_explain("--log", "-", "--format", "json",
                                   stdin=mixed_log.read_text()).stdout)
    assert plain == zipped == piped


def test_workers_give_the_same_triage_as_one_process(tmp_path):
    lines = [POSTFIX.format(n=n % 9 + 1) for n in range(9000)] + [EXIM] * 500
    path = _log(tmp_path, "\n".join(lines) + "\n")
    one = json.loads(run_explain("--log", str(path), "--format", "json", "--jobs", "1").stdout)
    two = json.loads(run_explain("--log", str(path), "--format", "json", "--jobs", "2").stdout)
    assert one == two and one["events"] == 9500


def test_batch_workers_keep_the_input_order(tmp_path):
    lines = [f"550 5.1.1 <user{n}@example.org>: user unknown" if n % 2 else
             f"452 4.2.2 mailbox of user{n} is full" for n in range(9000)]
    path = _log(tmp_path, "\n".join(lines) + "\n", "batch.txt")
    out = run_explain("--batch", str(path), "--jobs", "2").stdout.splitlines()
    assert [json.loads(line)["input"] for line in out] == lines
    assert json.loads(out[1])["facts"]["rcpt_to"] == "user1@example.org"
    assert json.loads(out[3])["facts"]["rcpt_to"] == "user3@example.org"  # per line, not cached
