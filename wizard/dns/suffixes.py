"""The public suffix list (``publicsuffixlist``, which ships the list: works offline), parsed
once per install: the parsed list is kept in the disk cache (:mod:`wizard.model.diskcache`),
keyed by the package's own files, so a new release of the list is picked up at once. Parsing
costs about 65 ms a run; loading the cache about 10 ms."""

from __future__ import annotations

import functools
import os
from typing import Any


@functools.cache
def public_suffixes() -> Any:
    """A ``publicsuffixlist.PublicSuffixList`` (from the cache when current)."""
    import publicsuffixlist
    from publicsuffixlist import PublicSuffixList

    from wizard.model import diskcache

    folder = os.path.dirname(os.path.abspath(publicsuffixlist.__file__))
    sources = [os.path.join(folder, name) for name in ("__init__.py", "public_suffix_list.dat")]
    return diskcache.cached("suffixes", sources, PublicSuffixList,
                            check=lambda loaded: isinstance(loaded, PublicSuffixList))


def registrable(name: str) -> str | None:
    """The registrable (organizational) domain of ``name``, None for a bare suffix."""
    found: str | None = public_suffixes().privatesuffix(name)
    return found
