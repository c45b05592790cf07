"""Pickled caches in the user's cache folder, keyed by what they are made from.

A cache's key is the *content* of its source files (names and bytes) plus the Python version's
cache tag — never the interpreter's path, so ``python`` and ``python3`` of one venv, or two
installs of one release, share it. Files are written atomically (temporary file, then rename);
saving one removes only caches of the same kind unused for :data:`KEEP_DAYS` days. A cache that
cannot be read or written is rebuilt; ``SMTP_WIZARD_CACHE_DIR`` moves the folder, ``off``
disables caching. Written here because the stdlib has no such cache and ``platformdirs`` costs
an import on the hot path of a one-line ``explain``.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

CACHE_ENV = "SMTP_WIZARD_CACHE_DIR"
KEEP_DAYS = 30
_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
               TypeError, ValueError, IndexError)


def cache_dir() -> Path | None:
    """The folder for caches, or None when caching is off."""
    override = os.environ.get(CACHE_ENV)
    if override == "off":
        return None
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~/AppData/Local")
        return Path(base) / "smtp-wizard" / "Cache"
    if sys.platform == "darwin":
        return Path(os.path.expanduser("~/Library/Caches/smtp-wizard"))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "smtp-wizard"


def content_key(files: Iterable[str], salt: str = "") -> str:
    """A digest of the files' names and bytes, ``salt`` and the Python version."""
    head = f"{salt} {sys.implementation.cache_tag}".encode()
    crc, adler, size = zlib.crc32(head), zlib.adler32(head), 0
    for path in files:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        name = os.path.basename(path).encode() + b"\0"
        crc, adler = zlib.crc32(data, zlib.crc32(name, crc)), zlib.adler32(data, adler)
        size += len(data)
    return f"{crc:08x}{adler:08x}{size:08x}"


def cached(kind: str, files: Iterable[str], build: Callable[[], Any], salt: str = "",
           check: Callable[[Any], bool] = lambda _: True) -> Any:
    """The object ``build()`` makes, from ``<kind>-<key>.pickle`` when it is current."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{kind}-{content_key(files, salt)}.pickle"
    loaded = load(path)
    if loaded is not None and check(loaded):
        touch(path)
        return loaded
    made = build()
    store(folder, path, made, kind)
    return made


def load(path: Path) -> Any:
    """The pickled object at ``path``, or None when it is missing or unreadable."""
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except _UNREADABLE:
        return None


def touch(path: Path) -> None:
    """Mark a cache as in use (at most daily), so another install's pruning keeps it."""
    try:
        if time.time() - path.stat().st_mtime > 86400:
            os.utime(path)
    except OSError:
        return


def store(folder: Path, path: Path, value: Any, kind: str) -> None:
    """Write ``value`` atomically, then prune stale caches of ``kind``; errors mean no cache."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        return  # no cache this time; the next run tries again
    prune(folder, kind, keep=path)


def prune(folder: Path, kind: str, keep: Path) -> None:
    """Remove caches of ``kind`` unused for KEEP_DAYS days (other current caches stay)."""
    limit = time.time() - KEEP_DAYS * 86400
    for old in folder.glob(f"{kind}-*.pickle"):
        try:
            if old != keep and old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            continue  # removed by another process meanwhile
