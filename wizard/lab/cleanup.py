"""The lab leaves nothing behind: its temporary folders go on every exit, signals included.

A lab folder (certificates, the lab CA's private key, a classroom handout) is named
``smtp-wizard-lab-<pid>-<random>`` in the system's temporary folder and registered here while
it lives. It is removed

- when its lab stops (the normal path: ``Lab``'s exit stack);
- at interpreter exit (``atexit``), and on SIGTERM and SIGHUP: the handler removes every
  registered folder, then asks the program to stop if it registered a way
  (:func:`set_graceful_stop`: the lab TUI exits and restores the terminal), or else lets the
  signal do what it would have done (it ends the process);
- at the next start, when the process that made it is gone (SIGKILL, power loss): see
  :func:`sweep_stale_lab_dirs`. The same sweep removes ``.*.tmp`` files that a killed atomic
  write (``wizard.output.files.write_atomic``) left in the user's data and config folders.

Deliberately not here: stopping servers (a signal handler cannot await); the CLI stops its
servers gracefully on SIGTERM/SIGHUP itself and this module is the backstop for the TUI and
anything else that holds a lab.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType

PREFIX = "smtp-wizard-lab-"
_OWNED = re.compile(rf"^{re.escape(PREFIX)}(\d+)-")
CLEANUP_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None),
                                    getattr(signal, "SIGHUP", None)) if s is not None)
TMP_MIN_AGE_S = 60.0  # a write in progress takes milliseconds; older .tmp files are orphans

_live: set[Path] = set()
_lock = threading.Lock()
_swept = False
_graceful: Callable[[int], None] | None = None


def new_lab_dir() -> Path:
    """A private temporary folder for one lab, removed on every exit path (see the module)."""
    install_signal_cleanup()
    sweep_once()
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    with _lock:
        _live.add(path)
    return path


def remove_lab_dir(path: Path) -> None:
    with _lock:
        _live.discard(path)
    shutil.rmtree(path, ignore_errors=True)


def remove_all() -> None:
    """Remove every lab folder this process still holds (atexit and signal handlers)."""
    with _lock:
        paths = list(_live)
        _live.clear()
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


atexit.register(remove_all)


def live_dirs() -> list[Path]:
    with _lock:
        return sorted(_live)


# ------------------------------------------------------------------ signals


def set_graceful_stop(stop: Callable[[int], None] | None) -> None:
    """What the signal handler calls (with the signal number) after removing the folders,
    instead of ending the process; it must only schedule the stop (it runs in a handler)."""
    global _graceful
    _graceful = stop


def _on_signal(signum: int, frame: FrameType | None) -> None:
    remove_all()
    if _graceful is not None:
        _graceful(signum)
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)  # end as the signal would have ended us


def install_signal_cleanup() -> None:
    """Remove lab folders on SIGTERM/SIGHUP too. Only from the main thread, and only where the
    signal still has its default action (an ignored SIGHUP under nohup stays ignored; a handler
    someone else installed, such as asyncio's, is left alone)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in CLEANUP_SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            if signal.getsignal(signum) is signal.SIG_DFL:
                signal.signal(signum, _on_signal)


# ------------------------------------------------------------------ what dead processes left


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, and belongs to someone else
        return True
    return True


def sweep_stale_lab_dirs(root: Path | None = None) -> list[Path]:
    """Remove lab folders whose process is gone; returns what was removed. Folders of other
    users, of live processes, and without a process id in their name are left alone."""
    root = Path(root or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        match = _OWNED.match(entry.name)
        if not match:
            continue
        pid = int(match.group(1))
        try:
            info = entry.lstat()
        except OSError:
            continue
        if not entry.is_dir() or entry.is_symlink() or (uid is not None and info.st_uid != uid):
            continue
        if pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def sweep_tmp_files(folders: Iterable[Path], min_age_s: float = TMP_MIN_AGE_S) -> list[Path]:
    """Remove ``.NAME.*.tmp`` files older than ``min_age_s`` (left by a killed atomic write)."""
    removed: list[Path] = []
    now = time.time()
    for folder in folders:
        try:
            entries = list(Path(folder).iterdir())
        except OSError:
            continue
        for entry in entries:
            if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
                continue
            try:
                info = entry.lstat()
            except OSError:
                continue
            if entry.is_file() and not entry.is_symlink() and now - info.st_mtime >= min_age_s:
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed


def user_folders() -> list[Path]:
    """The folders smtp-wizard writes atomically into: data (sessions, score sheets), config."""
    from wizard.records.history import data_dir, sessions_dir
    from wizard.records.profiles import config_dir

    data = data_dir()
    return [data, sessions_dir(), data / "exercises", config_dir()]


def sweep_once() -> None:
    """The start-up sweep (once per process): stale lab folders and orphaned ``.tmp`` files."""
    global _swept
    if _swept:
        return
    _swept = True
    sweep_stale_lab_dirs()
    sweep_tmp_files(user_folders())
