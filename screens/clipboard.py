"""Copy text for the person: to the terminal's clipboard (OSC 52), into tmux's paste buffer when
running inside tmux, and always into a file they can open, since no terminal says whether it
took an OSC 52 write."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wizard.files import write_atomic
from wizard.history import data_dir


def copy_text(app: Any, text: str, name: str = "report.md") -> tuple[Path | None, bool]:
    """Copy ``text`` every way there is; returns (the file it was also saved to, whether tmux's
    buffer took it)."""
    app.copy_to_clipboard(text)  # OSC 52: terminals that allow it put it on the clipboard
    in_tmux = False
    if os.environ.get("TMUX") and shutil.which("tmux"):
        try:
            done = subprocess.run(["tmux", "load-buffer", "-w", "-"], input=text.encode(),
                                  capture_output=True, timeout=5)
            in_tmux = done.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            in_tmux = False
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = data_dir() / "copies"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path: Path | None = write_atomic(folder / f"{stamp}-{name}", text)
    except OSError:
        path = None
    return path, in_tmux
