"""Hand text to the person: copy it (the terminal's clipboard via OSC 52, tmux's paste buffer
inside tmux, and always a file, since no terminal says whether it took an OSC 52 write) or save
it to a file they name, never replacing one without a yes. Used by the Report and Explain
screens alike."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.screen import Screen

from wizard.output.files import write_atomic
from wizard.records.history import data_dir


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


def copy_and_tell(screen: Screen[Any], text: str, name: str, what: str) -> None:
    """Copy ``text`` and say where it went (``what``: "the JSON report", "the explanation")."""
    path, tmux = copy_text(screen.app, text, name)
    where = " and into tmux's paste buffer" if tmux else ""
    also = f" It is also in {path}." if path else ""
    screen.notify(f"Copied {what} to the clipboard (where your terminal allows it){where}."
                  f"{also}", markup=False, timeout=8)


def save_and_tell(screen: Screen[Any], name: str, text: str, what: str) -> None:
    """Save ``text`` to ``name``; an existing file is replaced only after a yes."""
    from screens.confirm_screen import ConfirmScreen

    path = Path(name).expanduser()

    def write(yes: bool | None = True) -> None:
        if not yes:
            screen.notify("Not saved: type another file name.")
            return
        try:
            written = write_atomic(path, text)
        except OSError as exc:
            screen.notify(f"Could not save: {exc}", severity="error", markup=False)
            return
        screen.notify(f"Saved {what} to {Path(written).resolve()}", markup=False)

    if path.exists() or path.is_symlink():
        screen.app.push_screen(ConfirmScreen(f"{path} exists. Replace it?", "Replace",
                                             "Keep it"), write)
    else:
        write()
