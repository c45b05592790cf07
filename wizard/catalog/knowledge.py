"""The knowledge base: load the markdown articles, match replies to them, search them.

Articles are ``<id>.md`` files: a front matter block between ``---`` lines, then markdown. The
built-in ones ship in the ``knowledge`` package; a team's own (``--knowledge DIR``) are loaded the
same way after them and override an article with the same id.

The front matter is a small YAML subset: ``key: value`` lines, flow lists ``[a, "b", 3]`` (which
may span lines), quoted or bare strings, integers and ``#`` comments. It is parsed by hand here on
purpose: PyYAML is not a runtime dependency, full YAML would accept far more than the format
allows (and silently coerce ``no`` or ``5.7.1`` into other types), and a hand parser can name the
file, line and problem in one sentence. Loading is pure file reading, so no textual import and no
network; the built-in set is parsed once per process and cached.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from wizard.catalog.categories import CATEGORIES
from wizard.model.errors import WizardError

__all__ = ["Article", "KnowledgeBase", "KnowledgeError", "load_knowledge"]

Source = Literal["builtin", "local"]

REQUIRED_KEYS = ("id", "title")
LIST_KEYS = ("categories", "codes", "enhanced", "patterns", "steps")
KNOWN_KEYS = (*REQUIRED_KEYS, *LIST_KEYS)
STEPS = ("connect", "tls", "auth", "send", "dns")
SECTIONS = (
    "What it means",
    "Why it happens",
    "How to fix it",
    "How to check the fix",
    "References",
)

MAX_ARTICLE_BYTES = 256 * 1024
"""An article larger than this is refused (a team's folder may hold anything, even a FIFO)."""

GENERIC_CODE_ARTICLES = 3
"""An enhanced code listed by more articles than this is too generic to suggest one alone."""

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ENHANCED = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_STOPWORDS = frozenset((
    "a", "an", "and", "are", "at", "be", "by", "for", "from", "how", "i", "in", "is", "it", "my",
    "of", "on", "or", "the", "to", "what", "when", "why", "with",
))


class KnowledgeError(WizardError):
    """An article file that cannot be used: the message names the file and the problem."""


@dataclass(frozen=True)
class Article:
    """One knowledge article: its front matter fields and its markdown body."""

    id: str
    title: str
    categories: list[str]
    codes: list[int]
    enhanced: list[str]
    patterns: list[str]
    steps: list[str]
    body: str
    path: Path
    source: Source


# --- front matter ----------------------------------------------------------------------------


# One token of a front matter value: a quoted string, a run of other text, or a separator.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^"\',#\[\]]+|.', re.DOTALL)
_INT = re.compile(r"-?\d+")


def _strip_comment(text: str) -> str:
    """``text`` without a trailing ``# comment`` (a ``#`` inside quotes is kept)."""
    if "#" not in text:
        return text.rstrip()
    pos = 0
    for token in _TOKEN.findall(text):
        if token == "#" and (pos == 0 or text[pos - 1] in " \t"):
            return text[:pos].rstrip()
        pos += len(token)
    return text.rstrip()


def _scalar(token: str) -> str | int:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        inner = token[1:-1]
        if token[0] == '"' and "\\" in inner:
            inner = inner.replace('\\"', '"').replace("\\\\", "\\")
        return inner
    if token and token[0] in "\"'":
        raise ValueError(f"unterminated quoted string {token!r}")
    if _INT.fullmatch(token):
        return int(token)
    return token


def _flow_list(text: str) -> list[str | int]:
    """The items of ``[a, "b, c", 3]``."""
    items: list[str | int] = []
    current = ""
    for token in _TOKEN.findall(text.strip()[1:-1]):
        if token == ",":
            if not current.strip():
                raise ValueError("empty item in list")
            items.append(_scalar(current))
            current = ""
        else:
            current += token
    if current.strip():
        items.append(_scalar(current))
    elif items:
        raise ValueError("empty item in list")
    return items


def parse_front_matter(text: str) -> tuple[dict[str, object], str, int]:
    """Split an article into (fields, body, line number where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ValueError("no front matter: the file must start with a '---' line")
    fields: dict[str, object] = {}
    i = 1
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        if line.strip() == "---":
            body = "\n".join(lines[i + 1:]).strip("\n") + "\n"
            return fields, body, i + 2
        stripped = _strip_comment(line)
        i += 1
        if not stripped.strip():
            continue
        key, sep, value = stripped.partition(":")
        key = key.strip()
        if not sep or not re.fullmatch(r"[a-z_]+", key) or line[:1] in " \t":
            raise ValueError(f"line {lineno}: expected 'key: value', got {line.strip()!r}")
        if key in fields:
            raise ValueError(f"line {lineno}: duplicate key {key!r}")
        value = value.strip()
        if value.startswith("["):
            while not value.endswith("]"):
                if i >= len(lines) or lines[i].strip() == "---":
                    raise ValueError(f"line {lineno}: list for {key!r} has no closing ']'")
                value += " " + _strip_comment(lines[i]).strip()
                i += 1
            try:
                fields[key] = _flow_list(value)
            except ValueError as exc:
                raise ValueError(f"line {lineno}: {exc}") from None
        else:
            try:
                fields[key] = _scalar(value)
            except ValueError as exc:
                raise ValueError(f"line {lineno}: {exc}") from None
    raise ValueError("front matter is not closed: no second '---' line")


def _article_from(path: Path, text: str, source: Source) -> Article:
    """Build and validate one article; every problem is a KnowledgeError naming the file."""

    def bad(problem: str) -> KnowledgeError:
        return KnowledgeError(f"{path}: {problem}")

    try:
        fields, body, _ = parse_front_matter(text)
    except ValueError as exc:
        raise bad(str(exc)) from None
    for key in fields:
        if key not in KNOWN_KEYS:
            raise bad(f"unknown front matter key {key!r} (known: {', '.join(KNOWN_KEYS)})")
    for key in REQUIRED_KEYS:
        if not isinstance(fields.get(key), str) or not fields[key]:
            raise bad(f"front matter needs a non-empty '{key}'")
    lists: dict[str, list[Any]] = {}
    for key in LIST_KEYS:
        value = fields.get(key, [])
        if not isinstance(value, list):
            raise bad(f"'{key}' must be a list like [a, b], got {value!r}")
        lists[key] = value
    article_id = str(fields["id"])
    if not _ID.match(article_id):
        raise bad(f"id {article_id!r} must be lower-case letters, digits and '-'")
    if article_id != path.stem:
        raise bad(f"id {article_id!r} does not match the file name {path.name!r}")
    for cat in lists["categories"]:
        if cat not in CATEGORIES:
            raise bad(f"unknown category {cat!r}")
    for code in lists["codes"]:
        if not isinstance(code, int) or not 200 <= code <= 599:
            raise bad(f"code {code!r} is not an SMTP reply code (200-599)")
    for enh in lists["enhanced"]:
        if not isinstance(enh, str) or not _ENHANCED.match(enh):
            raise bad(f"enhanced code {enh!r} is not like \"5.7.1\"")
    for step in lists["steps"]:
        if step not in STEPS:
            raise bad(f"unknown step {step!r} (known: {', '.join(STEPS)})")
    for pattern in lists["patterns"]:
        if not isinstance(pattern, str) or not pattern.strip():
            raise bad(f"pattern {pattern!r} must be a non-empty string")
    if not body.strip():
        raise bad("the article has no text after the front matter")
    return Article(
        id=article_id,
        title=str(fields["title"]),
        categories=[str(c) for c in lists["categories"]],
        codes=list(lists["codes"]),
        enhanced=[str(e) for e in lists["enhanced"]],
        patterns=[str(p).lower() for p in lists["patterns"]],
        steps=[str(s) for s in lists["steps"]],
        body=body,
        path=path,
        source=source,
    )


def load_article(path: str | Path, source: Source = "local") -> Article:
    """Load one article file (raises KnowledgeError naming the file and the problem)."""
    path = Path(path)
    if path.exists() and not path.is_file():  # a FIFO would block, a device never end
        raise KnowledgeError(f"{path}: not a regular file")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_ARTICLE_BYTES:
        raise KnowledgeError(f"{path}: larger than {MAX_ARTICLE_BYTES // 1024} KiB: not an article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc}") from None
    return _article_from(path, text.replace("\r\n", "\n"), source)


def _load_dir(directory: Path, source: Source) -> list[Article]:
    if not directory.is_dir():
        raise KnowledgeError(f"{directory}: not a directory of knowledge articles")
    return [load_article(p, source) for p in sorted(directory.glob("*.md"))]


# --- the knowledge base ----------------------------------------------------------------------


def _terms(text: str) -> list[str]:
    """Search terms: lower-case words and codes ("5.7.26", "535"), stop words dropped."""
    seen: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in _STOPWORDS and word not in seen:
            seen.append(word)
    return seen


class KnowledgeBase:
    """A set of articles by id, with matching (for replies) and ranked search (for people)."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self._by_id: dict[str, Article] = {}
        for article in articles:
            self._by_id[article.id] = article  # later (local) articles override earlier ones
        self._by_enhanced: dict[str, list[Article]] = {}
        self._by_code: dict[int, list[Article]] = {}
        for article in self._by_id.values():
            for enh in article.enhanced:
                self._by_enhanced.setdefault(enh, []).append(article)
            for code in article.codes:
                self._by_code.setdefault(code, []).append(article)
        self._with_patterns = [a for a in self._by_id.values() if a.patterns]
        self._search_cache: dict[str, tuple[str, str, str]] | None = None

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._by_id

    def get(self, article_id: str) -> Article | None:
        """The article with this id, or None."""
        return self._by_id.get(article_id)

    def title(self, article_id: str) -> str:
        """The article's title, or the id itself when there is no such article."""
        article = self._by_id.get(article_id)
        return article.title if article is not None else article_id

    def all(self) -> list[Article]:
        """Every article, sorted by id."""
        return sorted(self._by_id.values(), key=lambda a: a.id)

    def ids(self) -> list[str]:
        """Every article id, sorted."""
        return sorted(self._by_id)

    def for_category(self, category: str) -> list[Article]:
        """Articles about ``category``: the one whose id is the category first, then by id."""
        found = [a for a in self.all() if category in a.categories or a.id == category]
        return sorted(found, key=lambda a: (a.id != category, a.id))

    def related(self, ids: list[str], code: int | None, enhanced: str | None,
                text: str, limit: int = 3,
                text_hits: Iterable[tuple[str, int]] | None = None) -> list[str]:
        """The classifier's article ids, topped up with articles matching the reply (up to
        ``limit`` in all; a few more for ``unknown``), keeping only ids that exist.

        ``text_hits`` are (article id, longest pattern length) the classifier already found in
        the reply's words; given, the patterns are not searched again."""
        ordered = list(ids)
        if ids and ids[0] != "success":
            room = limit + (3 if ids[0] == "unknown" else 0)
            for article in self.match(code, enhanced, text, text_hits):
                if len(ordered) >= room:
                    break
                if article.id not in ordered:
                    ordered.append(article.id)
        return [a for a in ordered if a in self._by_id]

    def match(self, code: int | None, enhanced: str | None, text: str,
              text_hits: Iterable[tuple[str, int]] | None = None) -> list[Article]:
        """Articles for a reply, best first: a text pattern outranks an enhanced code, which
        outranks a basic code. An enhanced code listed by many articles counts only for articles
        whose patterns also matched; basic-code-only matches are returned only when nothing
        better fits. ``text_hits`` replace the pattern search (see :meth:`related`)."""
        scores: dict[str, float] = {}
        hay = text.lower() if text else ""
        if text_hits is not None:
            for article_id, length in text_hits:
                if article_id in self._by_id:
                    scores[article_id] = 1000 + min(length, 99)
        elif hay:
            for article in self._with_patterns:
                best = 0
                for pattern in article.patterns:
                    if pattern in hay and len(pattern) > best:
                        best = len(pattern)
                if best:
                    scores[article.id] = 1000 + min(best, 99)
        if enhanced:
            sharing = self._by_enhanced.get(enhanced, ())
            for article in sharing:
                # A generic code (5.7.1 is listed by many articles) only confirms a pattern hit.
                if article.id in scores or len(sharing) <= GENERIC_CODE_ARTICLES:
                    scores[article.id] = scores.get(article.id, 0) + 100
        strong = bool(scores)
        if code is not None:
            for article in self._by_code.get(code, ()):
                if article.id in scores:
                    scores[article.id] += 10
                elif not strong:
                    scores[article.id] = 10
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [self._by_id[article_id] for article_id, _ in ranked]

    def _fields(self, article: Article) -> tuple[str, str, str]:
        if self._search_cache is None:
            self._search_cache = {}
        cached = self._search_cache.get(article.id)
        if cached is None:
            meta = " ".join(
                [article.id.replace("-", " "), *article.patterns, *article.enhanced,
                 *(str(c) for c in article.codes), *article.categories]
            )
            cached = (article.title.lower(), meta.lower(), article.body.lower())
            self._search_cache[article.id] = cached
        return cached

    def search(self, words: str, limit: int = 10) -> list[tuple[Article, float]]:
        """Articles for free words or codes, best first, with a score.

        Each term scores 3 in the title, 2 in the patterns, codes or id, and 1 (plus a little
        per repeat) in the body; a term matches whole words or their beginnings ("relay" finds
        "relaying"), codes match exactly. The whole phrase found in a field adds a bonus, and the
        total is scaled by the share of terms found, so an article with every word wins.
        """
        terms = _terms(words)
        if not terms:
            return []
        regexes = [
            re.compile(rf"(?<![\w.]){re.escape(t)}" + (r"(?![\w.]*\d)" if t[0].isdigit() else ""))
            for t in terms
        ]
        phrase = " ".join(terms) if len(terms) > 1 else ""
        results: list[tuple[Article, float]] = []
        for article in self._by_id.values():
            title, meta, body = self._fields(article)
            score = 0.0
            found = 0
            for regex in regexes:
                term_score = 0.0
                if regex.search(title):
                    term_score += 3.0
                if regex.search(meta):
                    term_score += 2.0
                hits = len(regex.findall(body))
                if hits:
                    term_score += 1.0 + 0.5 * math.log2(min(hits, 16))
                if term_score:
                    found += 1
                    score += term_score
            if not found:
                continue
            if phrase:
                joined_title = " ".join(_terms(title))
                if phrase in joined_title:
                    score += 4.0
                if phrase in meta:
                    score += 3.0
                if phrase in body:
                    score += 1.5
            score *= found / len(terms)
            results.append((article, round(score, 2)))
        results.sort(key=lambda item: (-item[1], item[0].id))
        return results[:limit]

    def close_ids(self, article_id: str, n: int = 5) -> list[str]:
        """Ids that look like ``article_id`` (for "did you mean" messages)."""
        import difflib

        close = difflib.get_close_matches(article_id, self.ids(), n=n, cutoff=0.5)
        for known in self.ids():
            if len(close) >= n:
                break
            if article_id and article_id in known and known not in close:
                close.append(known)
        return close

    def links(self, article: Article) -> list[str]:
        """Ids of the articles ``article`` links to (relative ``other-id.md`` links), in order."""
        out: list[str] = []
        for target in _LINK.findall(article.body):
            article_id = _link_id(target)
            if article_id and article_id not in out:
                out.append(article_id)
        return out

    def broken_links(self) -> list[tuple[str, str]]:
        """(article id, link target) for every relative link to an article that does not exist."""
        broken = []
        for article in self.all():
            for target in _LINK.findall(article.body):
                if _is_external(target):
                    continue
                article_id = _link_id(target)
                if article_id is None or article_id not in self._by_id:
                    broken.append((article.id, target))
        return broken


def _is_external(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)) or target.startswith("#")


def _link_id(target: str) -> str | None:
    """The article id a relative link points at (``dkim-keys.md#rotation`` -> ``dkim-keys``)."""
    if _is_external(target):
        return None
    path = target.split("#", 1)[0]
    if path.startswith("./"):
        path = path[2:]
    if "/" in path or not path.endswith(".md"):
        return None
    return path[:-3]


_BUILTIN: list[Article] | None = None


def builtin_articles() -> list[Article]:
    """The articles shipped with smtp-wizard (parsed once per process)."""
    global _BUILTIN
    if _BUILTIN is None:
        from wizard.catalog.bundle import builtin  # parsed once, cached between runs

        _BUILTIN = builtin().articles
    return list(_BUILTIN)


def load_knowledge(extra_dirs: Iterable[str | Path] = ()) -> KnowledgeBase:
    """The built-in articles, then each extra directory's (a local article overrides its id)."""
    articles = builtin_articles()
    for directory in extra_dirs:
        articles.extend(_load_dir(Path(directory).expanduser(), "local"))
    return KnowledgeBase(articles)
