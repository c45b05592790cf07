"""The built-in catalog data, loaded once and kept in a cache file between runs.

Reading the rule files, 30 provider catalogs and 70 articles (TOML and front matter parsed in
Python, every regex checked) costs more than everything else a one-reply ``explain`` does, so
the result (provider catalog, articles, the rule files' rules) is pickled into the user's cache
folder (:mod:`wizard.model.diskcache`: keyed by the content of every data file and of the
modules that define the objects) and reused while none changed. The files are still the only
source of truth. The classifier (:mod:`wizard.explain.engine`) builds its engine from a bundle;
this module knows nothing of it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.model import diskcache

if TYPE_CHECKING:
    from wizard.catalog.knowledge import Article
    from wizard.catalog.providers import Provider
    from wizard.catalog.rules import Rule

__all__ = ["Bundle", "builtin"]

FORMAT = 3


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
    bundle: Bundle = diskcache.cached("classifier", _sources(), _build, salt=str(FORMAT),
                                      check=lambda loaded: isinstance(loaded, Bundle))
    return bundle
