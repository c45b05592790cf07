"""The built-in catalog data, loaded once and kept in a cache file between runs.

Reading the rule files, 30 provider catalogs and 70 articles (TOML and front matter parsed in
Python, every regex checked) costs more than everything else a one-reply ``explain`` does, so
the result (provider catalog, articles, the rule files' rules) is pickled into the
user's cache folder and reused while no source file changed: the cache key is the *content* of
every data file and of the modules that define the objects (under 1 ms to read), plus the
Python version's cache tag — never the interpreter's path, so ``python`` and ``python3`` of one
venv, or two installs of one release, share a cache. Saving a cache removes only caches nobody
used for :data:`KEEP_DAYS` days; a cache is written atomically (temporary file, then rename).
A cache that cannot be read or written is simply rebuilt; ``SMTP_WIZARD_CACHE_DIR`` moves it,
``off`` disables it. The files are still the only source of truth. The classifier
(:mod:`wizard.explain.engine`) builds its engine from a bundle; this module knows nothing of it.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wizard.catalog.knowledge import Article
    from wizard.catalog.providers import Provider
    from wizard.catalog.rules import Rule

__all__ = ["Bundle", "builtin"]

CACHE_ENV = "SMTP_WIZARD_CACHE_DIR"
FORMAT = 3
KEEP_DAYS = 30


@dataclass
class Bundle:
    catalog: dict[str, Provider]
    articles: list[Article]
    rules: tuple[Rule, ...]
    """The rules of ``data/rules.toml`` and ``data/client_errors.toml`` (not the providers')."""


def _listing(folder: str, suffix: str) -> list[str]:
    try:
        return sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(suffix))
    except OSError:
        return []


def _sources() -> list[str]:
    """Every file the bundle is made from (data, articles, and the modules of its objects)."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)  # wizard/
    articles = os.path.join(os.path.dirname(root), "knowledge")
    if not os.path.isdir(articles):  # an installed layout: ask the package where it is
        import knowledge

        articles = str(knowledge.ARTICLES_DIR)
    files = [os.path.join(here, "data", "rules.toml"),
             os.path.join(here, "data", "client_errors.toml"),
             os.path.join(here, "data", "categories.toml")]
    files += _listing(os.path.join(here, "data", "providers"), ".toml")
    extra = os.environ.get("SMTP_WIZARD_PROVIDERS_DIR")
    if extra:
        files += _listing(os.path.expanduser(extra), ".toml")
    files += _listing(articles, ".md")
    files += [os.path.join(here, f"{m}.py") for m in ("rules", "literals", "providers",
                                                      "knowledge", "categories")]
    files += [os.path.join(root, "model", "findings.py")]
    return files


def _key(files: list[str]) -> str:
    """A digest of the files' names and bytes, the format and the Python version."""
    head = f"{FORMAT} {sys.implementation.cache_tag}".encode()
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


def _cache_dir() -> Path | None:
    override = os.environ.get(CACHE_ENV)
    if override == "off":
        return None
    if override:
        return Path(override).expanduser()
    # platformdirs' user_cache_dir, without importing it on this hot path
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~/AppData/Local")
        return Path(base) / "smtp-wizard" / "Cache"
    if sys.platform == "darwin":
        return Path(os.path.expanduser("~/Library/Caches/smtp-wizard"))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "smtp-wizard"


def _build() -> Bundle:
    import knowledge
    from wizard.catalog.knowledge import _load_dir
    from wizard.catalog.providers import load_all
    from wizard.catalog.rules import builtin_rules

    catalog = load_all()
    articles = _load_dir(Path(knowledge.ARTICLES_DIR), "builtin")
    return Bundle(catalog, articles, tuple(builtin_rules()))


@cache
def builtin() -> Bundle:
    """The built-in bundle: from the cache file when it is current, else built (and cached)."""
    folder = _cache_dir()
    if folder is None:
        return _build()
    path = folder / f"classifier-{_key(_sources())}.pickle"
    try:
        with open(path, "rb") as handle:
            loaded: Any = pickle.load(handle)
        if isinstance(loaded, Bundle):
            _touch(path)
            return loaded
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
            TypeError, ValueError):
        pass
    bundle = _build()
    _store(folder, path, bundle)
    return bundle


def _touch(path: Path) -> None:
    """Mark a cache as in use, so another install's pruning keeps it."""
    try:
        if time.time() - path.stat().st_mtime > 86400:
            os.utime(path)
    except OSError:
        return


def _store(folder: Path, path: Path, bundle: Bundle) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(bundle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        return  # no cache this time; the next run tries again
    _prune(folder, keep=path)


def _prune(folder: Path, keep: Path) -> None:
    """Remove caches unused for KEEP_DAYS days (another install's current cache stays)."""
    limit = time.time() - KEEP_DAYS * 86400
    for old in folder.glob("classifier-*.pickle"):
        try:
            if old != keep and old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            continue  # removed by another process meanwhile, or not ours to remove
