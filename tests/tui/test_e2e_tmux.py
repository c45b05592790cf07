"""End to end in a real terminal (tmux, 80x24): a failing lab scenario, the verdict's next step
pressed with one key, and a passing verdict, without ever typing or reading a flag (issue 14).

tmux is installed by ``.ci/run``; where it cannot be, this test skips and says so.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FLAG = re.compile(r"(?<![\w-])--[a-z]")
WAIT_S = 45


@pytest.fixture
def terminal(tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (the project's .ci/run installs it with apt-get)")
    sock = str(tmp_path / "tmux.sock")
    name = "e2e"
    env = {"PYTHONPATH": str(REPO), "SMTP_WIZARD_DATA_DIR": str(tmp_path / "data"),
           "SMTP_WIZARD_CONFIG_DIR": str(tmp_path / "config"), "TERM": "xterm-256color"}
    subprocess.run(["tmux", "-S", sock, "-f", "/dev/null", "new-session", "-d", "-s", name,
                    "-x", "80", "-y", "24"], check=True, timeout=20)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-S", sock, *args], capture_output=True, text=True,
                              timeout=20)

    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = f"cd {shlex.quote(str(REPO))} && {exports} {shlex.quote(sys.executable)} -m wizard"
    try:
        yield run, command, name
    finally:
        run("kill-server")


def wait_for(run, name: str, words: str) -> str:
    deadline = time.monotonic() + WAIT_S
    screen = ""
    while time.monotonic() < deadline:
        screen = run("capture-pane", "-p", "-t", name).stdout
        if words in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{words!r} never appeared; the screen was:\n{screen}")


def test_from_a_failing_scenario_to_the_fix_with_one_key(terminal):
    run, command, name = terminal
    run("send-keys", "-t", name, f"{command} lab --scenario tls-to-plaintext-port", "Enter")
    screen = wait_for(run, name, "Problem found")
    assert "Next (you)" in screen and "x  Run the check again with security STARTTLS" in screen
    assert not FLAG.search(screen), screen
    run("send-keys", "-t", name, "x")
    screen = wait_for(run, name, "All good")  # the lab asks no real-user question (issue 28)
    assert "What does your mail client" not in screen
    assert "Everything checked works" in screen
    assert not FLAG.search(screen), screen
