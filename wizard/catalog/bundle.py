"""The built-in catalog data, loaded once and kept in a cache file between runs.

Reading the rule files, 30 provider catalogs and 70 articles (TOML and front matter parsed in
Python, every regex checked) costs more than everything else a one-reply ``explain`` does, so
the result (provider catalog, articles, the rule files' rules) is pickled into the
user's cache folder and reused while no source file changed: the cache key covers every data
file and the modules that define the objects (path, size, modification time). A cache that
cannot be read or written is simply rebuilt; ``SMTP_WIZARD_CACHE_DIR`` moves it, ``off``
disables it. The files are still the only source of truth. The classifier
(:mod:`wizard.explain.engine`) builds its engine from a bundle; this module knows nothing of it.
"""

from __future__ import annotations

import os
import pickle
import sys
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
FORMAT = 2


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
    parts = [f"{FORMAT} {sys.version} {sys.executable}"]
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            continue
        parts.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    text = "\n".join(parts).encode()
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}{len(parts):04x}"


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
            return loaded
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
            TypeError, ValueError):
        pass
    bundle = _build()
    _store(folder, path, bundle)
    return bundle


def _store(folder: Path, path: Path, bundle: Bundle) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = pickle.dumps(bundle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        for old in folder.glob("classifier-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # no cache this time; the next run tries again
