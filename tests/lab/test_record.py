"""`lab --record`: a check's JSON report becomes a scenario that replays to the same verdict,
with the session's names, addresses and mailboxes replaced and no secret anywhere."""

from __future__ import annotations

import json

import pytest

from tests.conftest import builtin_scenario, run_cli
from wizard.lab.record import RecordError, scenario_from_report
from wizard.lab.runner import Lab
from wizard.lab.scenario_file import parse
from wizard.lab.smtp_server import LAB_PASSWORD
from wizard.model.secret import secret_forms
from wizard.output.report import render
from wizard.walk.tree import run_check

SAMPLE = ["healthy", "relay-denied", "wrong-password", "app-password-required", "cert-expired",
          "tls-to-plaintext-port", "greeting-421", "never-greets", "closed-port",
          "dropped-after-ehlo", "spam-rejected", "dns-spf-too-many-lookups", "dns-spf-fail-ip",
          "dns-dmarc-syntax", "dns-null-mx", "dns-ip-blocklisted"]


async def report_of(name: str) -> dict:
    scenario = builtin_scenario(name)
    async with Lab(scenario) as lab:
        target = lab.target()
        session = await run_check(target)
    return json.loads(render(session, "json"))


async def replay(text: str) -> str | None:
    scenario = parse(text, "<recorded>")
    async with Lab(scenario) as lab:
        session = await run_check(lab.target())
    return session.verdict.category


@pytest.mark.parametrize("name", SAMPLE)
async def test_a_recorded_report_replays_to_the_same_verdict(name):
    report = await report_of(name)
    assert report["verdict"]["category"] == builtin_scenario(name).expected
    text = scenario_from_report(report).toml()
    assert await replay(text) == report["verdict"]["category"]


def disguise(report: dict) -> dict:
    """The lab's report as if it came from a real company's server."""
    text = json.dumps(report)
    for old, new in (("dbl.lab.test", "dbl.spamlist.example"),
                     ("bl.lab.test", "bl.spamlist.example"),
                     ("mail.lab.test", "smtp-out.acme-widgets.com"),
                     ("lab._domainkey", "acme2024._domainkey"), ("\"lab\"", "\"acme2024\""),
                     ("lab.test", "acme-widgets.com"), ("elsewhere.test", "partner-firm.co.uk"),
                     ("alice@", "jdoe@"), ("bob@", "mary.smith@"),
                     ("1.0.0.127.", "7.113.0.203."), ("127.0.0.1", "203.0.113.7")):
        text = text.replace(old, new)
    return json.loads(text)


PRIVATE = ("acme", "partner-firm", "jdoe", "mary.smith", "203.0.113.7", "7.113.0.203",
           "smtp-out")


@pytest.mark.parametrize("name", ["relay-denied", "dns-spf-fail-ip", "dns-ip-blocklisted",
                                  "healthy", "unknown-recipient"])
async def test_names_addresses_and_mailboxes_are_replaced_and_the_verdict_kept(name):
    report = disguise(await report_of(name))
    assert "acme-widgets.com" in json.dumps(report)
    recording = scenario_from_report(report)
    text = recording.toml()
    assert [word for word in PRIVATE if word in text.lower()] == []
    assert await replay(text) == report["verdict"]["category"]


async def test_keep_names_keeps_them():
    report = disguise(await report_of("relay-denied"))
    text = scenario_from_report(report, keep_names=True).toml()
    assert "partner-firm.co.uk" in text and "acme-widgets.com" in text
    assert await replay(text) == "relay-denied"


async def test_no_secret_reaches_the_recorded_file():
    report = await report_of("wrong-password")
    text = scenario_from_report(report).toml()
    for password in (LAB_PASSWORD, "correct-horse-battery-stapel"):
        assert [f for f in secret_forms(password, "alice@lab.test") if f in text] == []
    assert "password" not in text.split("[target]")[1]  # the replay uses the lab's account


def test_record_on_the_command_line_prints_a_scenario_file(tmp_path):
    checked = run_cli("lab", "--scenario", "mailbox-full", "--check", "--format", "json")
    report = tmp_path / "incident.json"
    report.write_text(checked.stdout)
    result = run_cli("lab", "--record", str(report))
    assert result.returncode == 0, result.stderr
    incident = tmp_path / "incident.toml"
    incident.write_text(result.stdout)
    replayed = run_cli("lab", "--scenario-file", str(incident), "--check", "--format", "json")
    assert json.loads(replayed.stdout)["verdict"]["category"] == "mailbox-full"


@pytest.mark.parametrize(("content", "words"), [
    ("not json at all", "not JSON"),
    ('{"schema": 1, "checks": []}', "not a `smtp-wizard check --format json` report"),
    ('{"schema": 1, "checks": [], "target": {}, "verdict": {"category": "made-up"}}',
     "no category to replay"),
])
def test_input_that_is_not_a_report_is_a_one_line_usage_error(content, words, tmp_path):
    path = tmp_path / "x.json"
    path.write_text(content)
    result = run_cli("lab", "--record", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert words in result.stderr and result.stderr.count("\n") == 1


def test_a_report_without_a_category_raises_record_error():
    with pytest.raises(RecordError):
        scenario_from_report({"schema": 1, "checks": [], "target": {}, "verdict": {}})
