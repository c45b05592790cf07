"""The classifier cache: keyed by content and Python version, shared by every interpreter path
of one install, and never deleting another install's current cache."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.explain.explaintools import REPO
from wizard.catalog import bundle
from wizard.model import diskcache


def _explain(python: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SMTP_WIZARD_CACHE_DIR": str(cache)}
    return subprocess.run([python, "-m", "wizard", "explain", "550 5.1.1 user unknown"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=60)


def test_two_interpreter_paths_share_one_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    other = tmp_path / "python-alias"
    other.symlink_to(sys.executable)
    first = _explain(sys.executable, cache)
    assert first.returncode == 0, first.stderr
    (made,) = cache.glob("classifier-*.pickle")
    before = made.stat()
    second = _explain(str(other), cache)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert list(cache.glob("classifier-*.pickle")) == [made]  # a hit: not rebuilt, not removed
    after = made.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_key_follows_content_not_paths_or_times(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    for folder in (a, b):
        (folder / "rules.toml").write_text("x = 1\n", encoding="utf-8")
    os.utime(b / "rules.toml", (1, 1))
    key = diskcache.content_key
    assert key([str(a / "rules.toml")]) == key([str(b / "rules.toml")])
    (b / "rules.toml").write_text("x = 2\n", encoding="utf-8")
    assert key([str(a / "rules.toml")]) != key([str(b / "rules.toml")])


def test_the_suffix_list_is_cached_beside_the_classifier(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(REPO), "SMTP_WIZARD_CACHE_DIR": str(cache)}
    code = ("from wizard.dns.suffixes import registrable; "
            "print(registrable('a.b.example.co.uk'), registrable('co.uk'))")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, timeout=60) for _ in range(2)]
    assert [r.stdout.split() for r in runs] == [["example.co.uk", "None"]] * 2
    (made,) = cache.glob("suffixes-*.pickle")
    assert made.stat().st_size > 10_000


def test_saving_keeps_recent_caches_and_removes_only_stale_ones(tmp_path: Path) -> None:
    recent, stale = tmp_path / "classifier-recent.pickle", tmp_path / "classifier-stale.pickle"
    recent.write_bytes(b"other install")
    stale.write_bytes(b"old")
    old = time.time() - (diskcache.KEEP_DAYS + 1) * 86400
    os.utime(stale, (old, old))
    mine = tmp_path / "classifier-mine.pickle"
    diskcache.store(tmp_path, mine, bundle.builtin(), "classifier")
    assert mine.exists() and recent.exists() and not stale.exists()
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, no temporary left
