"""Run the real CLI on a pseudo-terminal and answer its prompts, as a person at a terminal would
(``check --follow`` asks on a terminal only). Bounded: killed after a deadline, never hangs."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field

from tests.conftest import CLI_DATA_DIR, REPO

# A prompt is the unfinished last line ending in ": " (the CLI's input()/getpass() prompts).
PROMPT = re.compile(r"([^\n]{1,200}): $")


@dataclass
class PtyRun:
    """What the terminal showed, the prompts asked (in order) and the exit code."""

    screen: str
    prompts: list[str] = field(default_factory=list)
    returncode: int | None = None


def _become_tty_owner() -> None:  # runs in the child, before exec
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_on_pty(args: list[str], answers: dict[str, str], *, env: dict[str, str] | None = None,
               deadline_s: float = 90.0) -> PtyRun:
    """`python -m wizard ARGS` on a pty. A prompt starting with a key of ``answers`` (e.g.
    "User", "Password for") gets that answer; any other prompt gets an empty line (declined)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "TERM": "dumb",
                "SMTP_WIZARD_DATA_DIR": CLI_DATA_DIR, "SMTP_WIZARD_CONFIG_DIR": CLI_DATA_DIR,
                **(env or {})}
    full_env.pop("SMTP_WIZARD_DEBUG", None)
    leader, follower = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "wizard", *args], stdin=follower,
                            stdout=follower, stderr=follower, env=full_env, cwd=REPO,
                            start_new_session=True, preexec_fn=_become_tty_owner)
    os.close(follower)
    out = PtyRun(screen="")
    buffer = b""
    answered_at = 0
    end = time.monotonic() + deadline_s
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                buffer += chunk
            text = buffer.decode(errors="replace").replace("\r\n", "\n")
            match = PROMPT.search(text, answered_at)
            if match and match.end() == len(text):
                prompt = match.group(1)
                out.prompts.append(prompt)
                reply = next((v for k, v in answers.items() if prompt.startswith(k)), "")
                os.write(leader, reply.encode() + b"\n")
                answered_at = len(text)
            if proc.poll() is not None and not ready:
                break
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    finally:
        out.returncode = proc.wait(timeout=10)
        os.close(leader)
    # What the person saw, with the echoed answers: passwords are not echoed (getpass).
    out.screen = buffer.decode(errors="replace").replace("\r\n", "\n")
    return out
