"""`lab --serve --all`: every scenario at once, a table, a handout without answers, clean stop."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, as_from_a_terminal, run_cli
from wizard.lab.classroom import Classroom, ClassroomError
from wizard.lab.scenarios import SCENARIOS, at_level


def free_block(size: int = 300) -> int:
    """A base port whose next ``size`` ports are all free right now."""
    for base in range(31_000, 60_000, 997):
        socks = []
        try:
            for port in range(base, base + size):
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    s = socket.socket(socket.AF_INET, kind)
                    socks.append(s)
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
        return base
    raise AssertionError("no free block of ports")


def start(*args: str, tmp: Path) -> tuple[subprocess.Popen[str], list[str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "TMPDIR": str(tmp)}
    proc = subprocess.Popen([sys.executable, "-m", "wizard", "lab", "--serve", "--all", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=REPO, preexec_fn=as_from_a_terminal)
    assert proc.stdout is not None and proc.stderr is not None  # both piped
    lines: list[str] = []
    while not any(line.startswith("Press ctrl+c") for line in lines):
        line = proc.stdout.readline()
        if not line:
            proc.wait(10)
            raise AssertionError(proc.stderr.read())
        lines.append(line.rstrip("\n"))
    return proc, lines


def test_serve_all_serves_a_class_with_a_handout_and_stops_cleanly(tmp_path):
    base = free_block()
    beginners = at_level(SCENARIOS, "beginner")
    handout = tmp_path / "handout.md"
    answers = tmp_path / "answers.md"
    proc, lines = start("--level", "beginner", "--base-port", str(base), "--handout",
                        str(handout), "--answers", str(answers), tmp=tmp_path)
    try:
        rows = [line.split() for line in lines if re.match(r"^\d+\s", line)]
        assert [int(r[0]) for r in rows] == list(range(1, len(beginners) + 1))
        assert [r[1] for r in rows] == [f"127.0.0.1:{base + k}" for k in range(1, len(rows) + 1)]
        assert [r[3] for r in rows] == [f"127.0.0.1:{base + 100 + k}"
                                        for k in range(1, len(rows) + 1)]
        sheet = handout.read_text()
        for scenario in beginners:  # no answers, no names, no descriptions, no hints
            assert scenario.name not in sheet and scenario.title not in sheet
            assert scenario.learn not in sheet and f"| {scenario.expected} |" not in sheet
            assert not [hint for hint in scenario.hints if hint in sheet]
        key = answers.read_text()
        number = next(i for i, s in enumerate(beginners, start=1) if s.name == "wrong-password")
        assert f"| {number} | wrong-password | auth-failed |" in key
        # A trainee runs exercise `number`'s command from the handout
        block = sheet.split(f"## Exercise {number}\n")[1].split("```sh\n")[1].split("\n```")[0]
        words = shlex.split(block)
        password = words.pop(0).split("=", 1)[1]
        assert words[:2] == ["smtp-wizard", "check"] and "--evidence-only" in words
        evidence = run_cli(*words[1:], env={"LAB_PASSWORD": password})
        assert evidence.returncode == 0, evidence.stderr
        assert "535" in evidence.stdout and "TRANSCRIPT" in evidence.stdout  # the evidence
        for word in ("VERDICT", "auth-failed", "category", "Next ("):
            assert word not in evidence.stdout  # not the answer
        words.remove("--evidence-only")  # the same server, with the verdict: the right one
        result = run_cli(*words[1:], "--format", "json", env={"LAB_PASSWORD": password})
        assert result.returncode == 1, result.stderr
        assert json.loads(result.stdout)["verdict"]["category"] == "auth-failed"
        folders = list(tmp_path.glob("smtp-wizard-lab-*"))
        assert len(folders) == 1 and (folders[0] / "ca.pem").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "lab stopped" in err and "Traceback" not in err
    assert not list(tmp_path.glob("smtp-wizard-lab-*"))  # certificates and keys removed
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", base + 1), timeout=2).close()


def test_a_port_in_use_is_a_one_line_error_and_nothing_stays_up(tmp_path):
    base = free_block()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", base + 2))
        taken.listen()
        env = {"TMPDIR": str(tmp_path)}
        result = run_cli("lab", "--serve", "--all", "--level", "beginner", "--base-port",
                         str(base), env=env)
    assert result.returncode == 2
    assert f"exercise 2 cannot listen on {base + 2}" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not list(tmp_path.glob("smtp-wizard-lab-*"))


@pytest.mark.parametrize(("args", "words"), [
    (["--serve", "--all", "--base-port", "80"], "--base-port must be between 1024"),
    (["--all"], "--all goes with --serve"),
    (["--serve", "--base-port", "40000"], "--base-port goes with --serve --all"),
    (["--handout", "x.md"], "--handout goes with --serve --all"),
    (["--trainee", "ann"], "--trainee goes with --exercise"),
    (["--exercise", "--check"], "--exercise opens the TUI"),
    (["--exercise", "--scenario", "healthy"], "--exercise numbers the scenarios itself"),
    (["--record", "r.json", "--check"], "--record turns a report into a scenario file"),
    (["--keep-names"], "--keep-names goes with --record"),
    (["--latency", "-1"], "--latency must be between"),
])
def test_lab_flags_out_of_place_are_usage_errors(args, words):
    result = run_cli("lab", *args)
    assert result.returncode == 2 and words in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_more_scenarios_than_the_port_layout_holds_is_refused():
    with pytest.raises(ClassroomError, match="at most 99"):
        Classroom(SCENARIOS * 3, base_port=40_000)


async def test_the_handout_and_the_key_of_every_built_in():
    async with Classroom(SCENARIOS) as room:
        handout, key, table = room.handout(), room.answer_key(), room.table()
        ca = Path(room.ca_file)
        assert ca.exists()
    assert not ca.exists()
    assert handout.count("## Exercise ") == len(SCENARIOS) == table.count("\n")
    for number, scenario in enumerate(SCENARIOS, start=1):
        assert f"| {number} | {scenario.name} | {scenario.expected} |" in key
        assert scenario.title not in handout and f" {scenario.expected} " not in handout


@pytest.mark.parametrize("level", [None, *sorted({s.level for s in SCENARIOS})])
async def test_every_handout_holds_evidence_commands_and_no_answer(level):
    """Grep the handout of every level for category ids, verdict words and next steps."""
    import re as regex

    from wizard.catalog.categories import guide, guides

    chosen = at_level(SCENARIOS, level)
    async with Classroom(chosen) as room:
        handout = room.handout()
    ids = [cid for cid in guides() if regex.search(rf"(?<![\w-]){regex.escape(cid)}(?![\w-])",
                                                   handout)]
    assert ids == []
    for word in ("VERDICT", "verdict", "category:", "Next (", "expected"):
        assert word not in handout
    for scenario in chosen:
        assert guide(scenario.expected).next_step.split("{")[0][:40] not in handout
    commands = [line for line in handout.splitlines() if "smtp-wizard check" in line]
    assert len(commands) == len(chosen)
    assert all(line.rstrip().endswith("--evidence-only") or " --evidence-only " in line
               for line in commands)
    passwords = set(regex.findall(r"\| ([^|\n]*staple|[^|\n]*stapel) \|", handout))
    assert passwords == set()  # no table of passwords where one typo stands out
