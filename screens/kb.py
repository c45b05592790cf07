"""Knowledge-base access for the screens: load once, tolerate a missing or broken base.

Screens ask for articles by id and search them; loading errors become an empty base (and a
notice) rather than a crash. Articles are the core's (``wizard.catalog.knowledge``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.catalog.knowledge import Article, KnowledgeBase


class Knowledge:
    """A thin, failure-tolerant view of ``wizard.catalog.knowledge.KnowledgeBase``."""

    def __init__(self, extra_dirs: Iterable[str] = ()) -> None:
        self.error: str | None = None
        self._kb: KnowledgeBase | None = None
        try:
            from wizard.catalog.knowledge import load_knowledge

            self._kb = load_knowledge(list(extra_dirs))
        except Exception as exc:  # a broken article must not stop the wizard
            self.error = f"The knowledge base could not be loaded: {exc}"

    @property
    def base(self) -> KnowledgeBase | None:
        """The core's knowledge base, or None when it could not be loaded."""
        return self._kb

    def get(self, article_id: str) -> Article | None:
        return self._kb.get(article_id) if self._kb is not None else None

    def title(self, article_id: str) -> str:
        article = self.get(article_id)
        return article.title if article is not None else article_id

    def all(self) -> list[Article]:
        return list(self._kb.all()) if self._kb is not None else []

    def search(self, words: str, limit: int = 10) -> list[Article]:
        if self._kb is None or not words.strip():
            return []
        return [article for article, _score in self._kb.search(words, limit=limit)]

    def related(self, ids: list[str], code: int | None, enhanced: str | None,
                text: str) -> list[str]:
        if self._kb is None:
            return list(ids)
        return self._kb.related(ids, code, enhanced, text) or list(ids[:1])

    def match(self, code: int | None, enhanced: str | None, text: str) -> list[Article]:
        if self._kb is None:
            return []
        return list(self._kb.match(code, enhanced, text))
