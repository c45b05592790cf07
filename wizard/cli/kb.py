"""`smtp-wizard kb`: list, show and search the knowledge articles.

``kb list`` (text or JSON), ``kb show ID`` (rendered for the terminal, or ``--raw`` markdown) and
``kb search WORDS`` (ranked, with scores). ``--knowledge DIR`` adds a team's own articles. The
knowledge base and the renderer are imported inside :func:`run`, so ``--help`` stays fast; no
Textual here. Article text from ``--knowledge`` directories is untrusted: every line is passed
through :func:`wizard.output.safetext.printable` before any colour codes are added.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from wizard.catalog.knowledge import Article, KnowledgeBase

from wizard.cli import SUMMARY
from wizard.output.terminal import EXIT_FAILED as EXIT_NOT_FOUND
from wizard.output.terminal import EXIT_OK, fail_usage, use_colour

NAMED_IN_ERRORS = True  # errors read "smtp-wizard kb: error: ..." (wizard/__main__.py)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "kb",
        help=SUMMARY["kb"],
        description="Read the knowledge base: what an SMTP problem means and how to fix it.",
    )
    # `kb --knowledge DIR show ID` and `kb show --knowledge DIR ID` both work (distinct dests:
    # a subparser's default would otherwise overwrite what was given before the action).
    p.add_argument("--knowledge", dest="kb_knowledge_first", action="append", default=None,
                   metavar="DIR", help="extra articles (repeatable; may override built-ins)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--knowledge", dest="kb_knowledge", action="append", default=None,
                        metavar="DIR", help="extra articles (repeatable; may override built-ins)")
    actions = p.add_subparsers(dest="kb_command", metavar="ACTION")
    actions.required = True
    lst = actions.add_parser("list", parents=[common], help="list every article")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    show = actions.add_parser("show", parents=[common], help="show one article")
    show.add_argument("id", metavar="ID", help="article id, e.g. relay-denied")
    show.add_argument("--raw", action="store_true", help="print the markdown source")
    search = actions.add_parser("search", parents=[common], help="search the articles")
    search.add_argument("words", nargs="+", metavar="WORDS", help="words or reply codes")
    search.add_argument("--limit", type=int, default=10, help="at most this many results")
    search.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    from wizard.catalog.knowledge import load_knowledge

    dirs = [*(getattr(args, "knowledge_dirs", None) or ()),
            *(getattr(args, "kb_knowledge_first", None) or ()), *(args.kb_knowledge or ())]
    kb = load_knowledge(dirs)
    if args.kb_command == "list":
        return _list(kb, args.format)
    if args.kb_command == "show":
        return _show(kb, args.id, args.raw)
    return _search(kb, " ".join(args.words), args.limit, args.format)


def _list(kb: KnowledgeBase, fmt: str) -> int:
    articles = kb.all()
    if fmt == "json":
        import json

        sys.stdout.write(json.dumps([_as_dict(a) for a in articles], indent=2) + "\n")
        return EXIT_OK
    from wizard.output.safetext import printable

    width = max(len(a.id) for a in articles) if articles else 0
    for article in articles:
        mark = "  (local)" if article.source == "local" else ""
        print(f"{printable(article.id):<{width}}  {printable(article.title)}{mark}")
    return EXIT_OK


def _as_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id, "title": article.title, "categories": article.categories,
        "codes": article.codes, "enhanced": article.enhanced, "patterns": article.patterns,
        "steps": article.steps, "source": article.source, "path": str(article.path),
    }


def _show(kb: KnowledgeBase, article_id: str, raw: bool) -> int:
    article = kb.get(article_id)
    if article is None:
        close = kb.close_ids(article_id)
        hint = f"; did you mean: {', '.join(close)}?" if close else "; try: smtp-wizard kb list"
        from wizard.output.safetext import printable

        return _error(f"no article {printable(article_id)!r}{hint}")
    if raw:
        from wizard.output.safetext import printable

        sys.stdout.write(printable(article.path.read_text(encoding="utf-8"), keep_newlines=True))
        return EXIT_OK
    sys.stdout.write(render(article, color=use_colour(sys.stdout), links=kb.links(article)))
    return EXIT_OK


def _search(kb: KnowledgeBase, words: str, limit: int, fmt: str) -> int:
    from wizard.output.safetext import printable

    results = kb.search(words, limit=max(limit, 1))
    if fmt == "json":
        import json

        out = [{"id": a.id, "title": a.title, "score": score} for a, score in results]
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return EXIT_OK if results else EXIT_NOT_FOUND
    if not results:
        print(f"smtp-wizard kb: no articles match {printable(words)!r}", file=sys.stderr)
        return EXIT_NOT_FOUND
    width = max(len(a.id) for a, _ in results)
    for article, score in results:
        print(f"{score:6.2f}  {printable(article.id):<{width}}  {printable(article.title)}")
    return EXIT_OK


def _error(message: str) -> int:
    return fail_usage(message, "kb")


# --- terminal rendering ----------------------------------------------------------------------




_BOLD, _UNDER, _DIM, _CYAN, _RESET = "\x1b[1m", "\x1b[4m", "\x1b[2m", "\x1b[36m", "\x1b[0m"
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")
_NUMBERED = re.compile(r"^(\s*)(\d+)\.\s+")
_BULLET = re.compile(r"^(\s*)[-*]\s+")


def _inline(text: str, color: bool) -> str:
    """Links as ``text [id]`` (or ``text <url>``), code and bold styled or left plain."""

    def link(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        path = target.split("#", 1)[0]
        if path.endswith(".md") and "/" not in path and ":" not in path:
            ref = f"[{path[:-3]}]"
            return f"{label} {_CYAN}{ref}{_RESET}" if color else f"{label} {ref}"
        return f"{label} <{target}>"

    text = _LINK.sub(link, text)
    if color:
        text = _CODE.sub(lambda m: f"{_CYAN}{m.group(1)}{_RESET}", text)
        text = _STRONG.sub(lambda m: f"{_BOLD}{m.group(1)}{_RESET}", text)
    else:
        text = _STRONG.sub(lambda m: m.group(1), text)
    return text


def render(article: Article, color: bool = False, links: Sequence[str] = ()) -> str:
    """``article`` as terminal text: headings, lists, code and links readable without markdown."""
    from wizard.output.safetext import printable

    def heading(text: str, rule: str) -> list[str]:
        if color:
            return [f"{_BOLD}{_UNDER}{text}{_RESET}"]
        return [text, rule * len(text)]

    title = printable(article.title)
    out = heading(title, "=")
    meta = f"id: {article.id}"
    if article.categories:
        meta += f"   categories: {', '.join(article.categories)}"
    if article.source == "local":
        meta += f"   (local: {article.path})"
    out.append(f"{_DIM}{printable(meta)}{_RESET}" if color else printable(meta))
    in_code = False
    for raw in article.body.splitlines():
        line = printable(raw)
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            out.append(f"    {_CYAN}{line}{_RESET}" if color else f"    {line}")
            continue
        if line.startswith("#"):
            text = line.lstrip("#").strip()
            if out[-1]:
                out.append("")
            out.extend(heading(text, "-"))
            continue
        if line[:1] in (" ", "\t") and line.strip():  # a list item's continuation line
            line = "  " + line
        bullet = _BULLET.match(line)
        if bullet:
            mark = "•" if color else "-"
            line = f"{bullet.group(1)}  {mark} " + line[bullet.end():]
        elif _NUMBERED.match(line):
            line = _NUMBERED.sub(lambda m: f"{m.group(1)}  {m.group(2)}. ", line)
        out.append(_inline(line, color))
    if links:
        see = printable(", ".join(links))
        out.extend(["", f"See also: {see}  (smtp-wizard kb show ID)"])
    return "\n".join(out).rstrip() + "\n"

