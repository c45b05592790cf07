"""Scenario files: a trainer's TOML runs everywhere a built-in does; a bad file is one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_cli
from wizard.lab.runner import Lab
from wizard.lab.scenario_file import ScenarioFileError, dumps, load_file, load_folder, parse
from wizard.lab.scenarios import SCENARIOS, builtin_folder
from wizard.walk.tree import run_check

# The example of the trainer issue, as a trainer would write it from the README.
RELAY_FROM_OUTSIDE = '''\
[scenario]
name = "relay-from-outside"
expected = "relay-denied"
description = "A client that does not log in tries to send to another domain."
hint = "Did the client log in?"
level = "beginner"

[smtp]
security = "starttls"
certificate = "good"
greeting = "220 mx.lab.test ESMTP"
ehlo = ["PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN"]
mail = "250 2.1.0 Ok"
rcpt = "554 5.7.1 <{rcpt}>: Relay access denied"
data = "250 2.0.0 Ok: queued as LAB1"

[target]
user = ""
rcpt_to = "friend@elsewhere.test"
'''


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_builtin_scenario_is_a_file_in_the_package():
    files = sorted(p.name for p in builtin_folder().iterdir() if p.name.endswith(".toml"))
    assert len(files) == len(SCENARIOS) >= 41
    for scenario, name in zip(SCENARIOS, files, strict=True):
        assert scenario.source and scenario.source.endswith(name)
        assert name.endswith(f"-{scenario.name}.toml")  # file-name order is the list order
        assert scenario.level in ("beginner", "intermediate", "advanced")
        assert scenario.hints  # every built-in has a hint for trainees


def test_a_trainers_file_in_a_temporary_folder_works_with_check(tmp_path):
    path = write(tmp_path, "relay.toml", RELAY_FROM_OUTSIDE)
    result = run_cli("lab", "--scenario-file", str(path), "--check", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"]["category"] == "relay-denied"
    rcpt = next(c for c in report["checks"] if c["id"] == "send.rcpt_to")
    assert rcpt["reply"]["text"] == "<friend@elsewhere.test>: Relay access denied"  # {rcpt}
    greeting = next(c for c in report["checks"] if c["id"] == "connect.greeting")
    assert greeting["reply"]["text"] == "mx.lab.test ESMTP"
    assert report["tool"]["command"] == f"lab --scenario-file {path} --check"


def test_a_folder_of_files_lists_and_checks_by_name(tmp_path):
    write(tmp_path, "10-relay.toml", RELAY_FROM_OUTSIDE)
    write(tmp_path, "20-full.toml", '[scenario]\nname = "full-box"\nexpected = "mailbox-full"\n'
                                    'level = "advanced"\n[smtp.recipients]\n'
                                    '"bob@lab.test" = "552 5.2.2 <{rcpt}>: Mailbox full"\n')
    listed = run_cli("lab", "--scenarios", str(tmp_path), "--list", "--format", "json")
    assert [row["name"] for row in json.loads(listed.stdout)] == ["relay-from-outside",
                                                                   "full-box"]
    advanced = run_cli("lab", "--scenarios", str(tmp_path), "--level", "advanced", "--list")
    assert "full-box" in advanced.stdout and "relay-from-outside" not in advanced.stdout
    result = run_cli("lab", "--scenarios", str(tmp_path), "--scenario", "full-box", "--check",
                     "--format", "json")
    assert json.loads(result.stdout)["verdict"]["category"] == "mailbox-full"


async def test_scripted_ehlo_announces_exactly_the_files_keywords():
    scenario = parse(RELAY_FROM_OUTSIDE)
    async with Lab(scenario) as lab:
        session = await run_check(lab.target(dns=False, user="alice@lab.test",
                                             rcpt_to="bob@lab.test"))
    first = next(f for f in session.findings if f.id == "smtp.ehlo")
    after_tls = next(f for f in session.findings if f.id == "smtp.ehlo.tls")
    assert list(first.details["extensions"]) == ["STARTTLS", "PIPELINING", "SIZE"]
    assert list(after_tls.details["extensions"]) == ["PIPELINING", "SIZE", "AUTH"]
    assert after_tls.details["auth"] == ["PLAIN", "LOGIN"]
    assert session.verdict.category == "relay-denied"  # scripted RCPT reply, even logged in


@pytest.mark.parametrize(("smtp", "category", "reason"), [
    ('certificate = "not-yet-valid"', "tls-certificate", "not-yet-valid"),
    ('certificate = "private-ca"', "tls-certificate", "unknown-issuer"),
    ('certificate = "expired"', "tls-certificate", "expired"),
    ('behaviour = "close-after-mail"', "connection-dropped", None),
    ('greeting = "554 5.3.2 mail.lab.test closed for maintenance"', "service-unavailable",
     None),
])
async def test_certificates_and_built_in_behaviours_are_named_from_the_file(smtp, category,
                                                                          reason):
    scenario = parse(f'[scenario]\nname = "x"\nexpected = "{category}"\n[smtp]\n{smtp}\n')
    async with Lab(scenario) as lab:
        session = await run_check(lab.target(dns=False))
    assert session.verdict.category == category
    if reason:
        cert = next(f for f in session.findings if f.id == "tls.certificate")
        assert cert.details["reason"] == reason


async def test_dns_zone_text_and_record_edits_are_served():
    zone = parse('[scenario]\nname = "z"\nexpected = "dns-spf"\n[dns]\nzone = """\n'
                 '@ IN MX 10 mail\nmail IN A 127.0.0.1\n_dmarc IN TXT "v=DMARC1; p=none"\n"""\n')
    edited = parse('[scenario]\nname = "e"\nexpected = "dns-dmarc"\n[dns]\n'
                   'remove = ["_dmarc.lab.test"]\n[dns.records]\n'
                   '"lab.test" = { MX = "10 mail.lab.test", TXT = ["v=spf1 ip4:127.0.0.1 -all"] }'
                   '\n"slow.lab.test" = "SERVFAIL"\n')
    assert zone.group == "dns" and edited.group == "dns"
    for scenario in (zone, edited):
        async with Lab(scenario) as lab:
            session = await run_check(lab.target())
        assert session.verdict.category == scenario.expected, scenario.name


def test_write_and_read_back_give_the_same_scenario():
    data: dict[str, dict[str, Any]] = {
        "scenario": {"name": "round-trip", "expected": "mailbox-full", "level": "advanced",
                     "description": "Quotes \" and back\\slashes\nand lines.",
                     "hint": ["one", "two"]},
        "smtp": {"ehlo": ["SIZE 100", "AUTH PLAIN"], "delay_ms": 5, "greylist": True,
                 "data": ["550-5.7.1 first", "550 5.7.1 second"],
                 "recipients": {"bob@lab.test": "552 5.2.2 full"}},
        "dns": {"variant": "healthy", "records": {"x.lab.test": {"A": ["192.0.2.1"]}}},
        "target": {"user": "", "timeout": 2.5, "send": True}}
    scenario = parse(dumps(data, comment="a comment"))
    assert scenario.name == "round-trip" and scenario.hints == ("one", "two")
    assert scenario.learn == data["scenario"]["description"].strip()
    assert scenario.smtp is not None
    assert scenario.smtp.size_limit == 100 and scenario.smtp.auth_mechanisms == ("PLAIN",)
    assert scenario.smtp.data_reply == "550-5.7.1 first\r\n550 5.7.1 second"
    assert scenario.smtp.rcpt_replies == {"bob@lab.test": "552 5.2.2 full"}
    assert scenario.dns_records == {"x.lab.test": {"A": ["192.0.2.1"]}}
    assert scenario.target == {"user": None, "timeout": 2.5, "send": True}


# Each kind of bad file: (text, line, what the one-line error names)
BAD_FILES = [
    ('[scenario\nname = "x"\n', 1, "not valid TOML"),
    ('[scenario]\nname = "x"\nname = "y"\n', 3, "not valid TOML"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[smpt]\nmail = "250 ok"\n', 4,
     "[smpt]: unknown table"),
    ('[scenario]\nname = "x"\nexpected = "success"\nlevle = "beginner"\n', 4,
     "scenario.levle: unknown key"),
    ('[smtp]\nmail = "250 ok"\n', 1, "[scenario]: missing"),
    ('[scenario]\nname = "x"\n', 1, "scenario.expected: missing"),
    ('[scenario]\nname = "Not A Slug"\nexpected = "success"\n', 2, "scenario.name:"),
    ('[scenario]\nname = "x"\nexpected = "relay-refused"\n', 3,
     "scenario.expected: 'relay-refused' is not a category id"),
    ('[scenario]\nname = "x"\nexpected = "success"\nlevel = "expert"\n', 4, "scenario.level:"),
    ('[scenario]\nname = "x"\nexpected = "success"\nhint = 5\n', 4, "scenario.hint:"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[smtp]\n\nrcpt = "Relay denied"\n', 6,
     "smtp.rcpt: 'Relay denied' is not a reply"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[smtp]\ndata = ["550-a", "554 b"]\n', 5,
     "smtp.data: every line of one reply must have the same code"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[smtp]\nehlo = ["SIZE big"]\n', 5,
     "smtp.ehlo: SIZE takes a number"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[smtp]\nbehaviour = "explode"\n', 5,
     "smtp.behaviour: 'explode' is not one of"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[smtp]\nbehaviour = "never-greet"\n'
     'mail = "250 ok"\n', 5, "smtp.behaviour: a built-in behaviour takes no other"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[smtp]\ncertificate = "dodgy"\n', 5,
     "smtp.certificate:"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[smtp]\ndelay_ms = -1\n', 5,
     "smtp.delay_ms: must be between"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[smtp]\ngreylist = "yes"\n', 5,
     "smtp.greylist: must be true or false"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[smtp.recipients]\n"bob" = "550 no"\n', 5,
     "smtp.recipients.bob:"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[dns]\nvariant = "broken"\n', 5,
     "dns.variant:"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[dns]\nzone = """\n@ IN A 127.0.0.1\n'
     'www IN A 300.1.1.1\n"""\n', 7, "dns.zone: not a valid zone"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[dns]\nzone = "@ IN A 1.2.3.4"\n'
     'variant = "healthy"\n', 5, "dns.zone: a zone replaces everything"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[dns.records]\n'
     '"lab.test" = { MX = "mail.lab.test" }\n', 5, 'dns.records."lab.test".MX:'),
    ('[scenario]\nname = "x"\nexpected = "success"\n[target]\nrcpt_to = "bob"\n', 5,
     "target.rcpt_to: 'bob' is not an address"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[target]\ntimeout = 0\n', 5,
     "target.timeout: must be between"),
    ('[scenario]\nname = "x"\nexpected = "success"\n[target]\nhost = "smtp.example.com"\n', 5,
     "target.host: unknown key"),
]


@pytest.mark.parametrize(("text", "line", "names"), BAD_FILES,
                         ids=[names.split(":")[0] for _, _, names in BAD_FILES])
def test_each_kind_of_bad_file_gets_a_one_line_error_with_file_line_and_key(text, line, names,
                                                                            tmp_path):
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(ScenarioFileError) as caught:
        load_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert names in message
    assert "\n" not in message


def test_files_that_are_not_text_or_too_big_or_not_files_are_refused(tmp_path):
    cases = {
        tmp_path / "latin1.toml": "not UTF-8 text",
        tmp_path / "huge.toml": "larger than",
        tmp_path / "missing.toml": "cannot read",
        tmp_path / "folder.toml": "is a folder",
    }
    (tmp_path / "latin1.toml").write_bytes(b'[scenario]\nname = "caf\xe9"\n')
    (tmp_path / "huge.toml").write_bytes(b"#" * 2_000_000)
    (tmp_path / "folder.toml").mkdir()
    for path, words in cases.items():
        with pytest.raises(ScenarioFileError) as caught:
            load_file(path)
        assert words in str(caught.value) and str(path) in str(caught.value)


def test_a_folder_with_two_scenarios_of_one_name_or_none_is_refused(tmp_path):
    with pytest.raises(ScenarioFileError, match="holds no scenario files"):
        load_folder(tmp_path)
    write(tmp_path, "a.toml", RELAY_FROM_OUTSIDE)
    write(tmp_path, "b.toml", RELAY_FROM_OUTSIDE)
    with pytest.raises(ScenarioFileError) as caught:
        load_folder(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'b.toml'}:2: scenario.name:")
    assert "also the name in" in str(caught.value)


@pytest.mark.parametrize("mode", [["--check"], ["--serve"], ["--list"], []])
def test_a_bad_file_stops_every_mode_before_anything_starts(mode, tmp_path):
    path = write(tmp_path, "bad.toml", BAD_FILES[3][0])
    env = {"PYTHONPATH": str(REPO), "NO_COLOR": "1", "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "wizard", "lab", "--scenario-file", str(path),
                           *mode], capture_output=True, text=True, timeout=60, cwd=REPO,
                          env={**os.environ, **env}, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"{path}:4: scenario.levle: unknown key" in proc.stderr
    assert proc.stdout == ""
    assert not list(tmp_path.glob("smtp-wizard-lab-*"))  # no lab folder was made


ESCAPES = "\\u001b]0;pwned-title\\u0007 \\u001b[2J [b]bold[/b] [@click=app.quit]x[/]"


def test_a_files_text_reaches_the_terminal_inert(tmp_path):
    path = write(tmp_path, "x.toml", f'[scenario]\nname = "x"\nexpected = "success"\n'
                                     f'title = "{ESCAPES}"\n')
    listed = run_cli("lab", "--scenario-file", str(path), "--list")
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout
    assert "\\x1b]0;pwned-title\\x07" in listed.stdout


async def test_the_picker_shows_a_files_text_inert(tmp_path, monkeypatch):
    from textual.widgets import DataTable

    from screens.lab_app import LabApp

    monkeypatch.setenv("SMTP_WIZARD_DATA_DIR", str(tmp_path / "data"))
    scenario = parse(f'[scenario]\nname = "x"\nexpected = "success"\ntitle = "{ESCAPES}"\n'
                     f'description = "{ESCAPES}"\n')
    app = LabApp(scenarios=[scenario])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        cell = app.screen.query_one("#lab-table", DataTable).get_row_at(0)[2]
        detail = str(app.screen.query_one("#lab-learn").render())
        assert app.is_running  # the [@click=app.quit] markup did nothing
    for shown in (str(cell), detail):
        assert "\x1b" not in shown and "\\x1b]0;pwned-title\\x07" in shown
        assert "[b]bold[/b]" in shown  # markup shown as text, not applied
