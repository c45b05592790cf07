"""The Article screen: one knowledge article as Markdown, with links, back and forward.

Links are routed in one handler: ``other-id.md`` opens that article here (kept in the history),
``#anchor`` scrolls, and web links are shown and copied rather than opened.
"""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Header, Markdown, Static

from screens.wizard_screen import WizardScreen

_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_LINK = re.compile(r"(?<!!)\[([^\]\n]{1,120})\]\(([^)\s]{1,300})\)")
MAX_LINKS = 30


def article_links(markdown: str) -> list[tuple[str, str]]:
    """(text, href) of every link in the article, first occurrence of each href, in order."""
    seen: set[str] = set()
    out = []
    for text, href in _LINK.findall(markdown):
        if href not in seen and not href.startswith("#"):
            seen.add(href)
            out.append((text.strip("*_` "), href))
    return out[:MAX_LINKS]


class LinkButton(Button):
    """One link of the article, reachable with tab and opened with enter."""

    def __init__(self, text: str, href: str) -> None:
        label = f"{text} ({'web' if _EXTERNAL.match(href) else 'article'})"
        super().__init__(Content(label), classes="article-link", compact=True)
        self.href = href


def link_article_id(href: str) -> str | None:
    """The article id a relative link points at (``dkim-keys.md#x`` -> ``dkim-keys``)."""
    if _EXTERNAL.match(href) or href.startswith("#"):
        return None
    path = href.split("#", 1)[0].removeprefix("./")
    if "/" in path or not path:
        return None
    return path.removesuffix(".md")


class ArticleScreen(WizardScreen[None]):
    """Read a knowledge article; follow its links; go back and forward."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="article.close",
                tooltip="Close the article and return to where you were"),
        Binding("b", "back", "Back", id="article.back",
                tooltip="The previous article you read here"),
        Binding("f", "forward", "Forward", id="article.forward",
                tooltip="The next article (after going back)"),
    ]

    def __init__(self, article_id: str) -> None:
        super().__init__()
        self.history: list[str] = [article_id]
        self.position = 0

    @property
    def article_id(self) -> str:
        return self.history[self.position]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="article-nav", classes="actions"):
            yield Button("< Back", id="article-back", compact=True)
            yield Button("Forward >", id="article-forward", compact=True)
            yield Static("", id="article-id")
        with VerticalScroll(id="article-scroll"):
            yield Markdown(id="article-body", open_links=False)
            yield Static("Links (tab to reach, enter to open):", id="article-links-title")
            yield Vertical(id="article-links")
        yield Footer()

    async def on_mount(self) -> None:
        await self._show()
        self.query_one("#article-scroll").focus()

    async def _show(self) -> None:
        article = self.wizard.knowledge.get(self.article_id)
        if article is None:
            self.sub_title = self.article_id
            text = (f"# {self.article_id}\n\nNo article with this id is installed. Search the "
                    "knowledge base with ctrl+p.")
        else:
            self.sub_title = article.title
            text = article.body if article.body.lstrip().startswith("#") else \
                f"# {article.title}\n\n{article.body}"
        self.query_one("#article-id", Static).update(Content(f"article: {self.article_id}"))
        self.query_one("#article-back", Button).disabled = self.position == 0
        self.query_one("#article-forward", Button).disabled = \
            self.position >= len(self.history) - 1
        await self.query_one("#article-body", Markdown).update(text)
        links = self.query_one("#article-links", Vertical)
        await links.remove_children()
        found = article_links(text)
        self.query_one("#article-links-title", Static).display = bool(found)
        await links.mount_all([LinkButton(label, href) for label, href in found])
        self.query_one("#article-scroll", VerticalScroll).scroll_home(animate=False)

    async def go(self, article_id: str) -> None:
        """Open another article, dropping any forward history."""
        if article_id == self.article_id:
            return
        del self.history[self.position + 1:]
        self.history.append(article_id)
        self.position += 1
        await self._show()

    @on(Button.Pressed, ".article-link")
    async def _link_button(self, event: Button.Pressed) -> None:
        event.stop()
        if isinstance(event.button, LinkButton):
            await self.follow(event.button.href)

    @on(Markdown.LinkClicked)
    async def _link(self, event: Markdown.LinkClicked) -> None:
        event.prevent_default()
        await self.follow(event.href)

    async def follow(self, href: str) -> None:
        """One place for links: an article id opens here, #anchor scrolls, the web is copied."""
        href = href.strip()
        if href.startswith("#"):
            self.query_one("#article-body", Markdown).goto_anchor(href[1:])
            return
        article_id = link_article_id(href)
        if article_id is None:
            self.app.copy_to_clipboard(href)
            self.notify(f"{href} (copied to the clipboard: open it in your browser)",
                        title="Web link", markup=False)
            return
        if self.wizard.knowledge.get(article_id) is None:
            self.notify(f"No article {article_id!r} is installed.", severity="warning",
                        markup=False)
            return
        await self.go(article_id)

    @on(Button.Pressed, "#article-back")
    async def action_back(self) -> None:
        if self.position > 0:
            self.position -= 1
            await self._show()

    @on(Button.Pressed, "#article-forward")
    async def action_forward(self) -> None:
        if self.position < len(self.history) - 1:
            self.position += 1
            await self._show()

    def action_close(self) -> None:
        self.dismiss(None)
