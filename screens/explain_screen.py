"""The Explain screen: paste any SMTP error, bounce or client error; see what it means.

Everything is the core's explain service (``wizard.explain.service``), the same one the CLI and
live findings use; this screen only shows its answer: category, temporary or permanent, why,
who must act and the next step, and the articles. Pasted text is shown literally, never as
markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Markdown, Static, TextArea

from screens.widgets import ArticleButton
from screens.wizard_screen import WizardScreen
from wizard.safetext import printable

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService

CLASS_WORDS = {
    "permanent": "permanent: retrying will not help until something is fixed",
    "temporary": "temporary: the sender may retry later",
    "success": "success: the server accepted it",
    "unknown": "not an SMTP reply code we could read",
}


class ExplainScreen(WizardScreen[None]):
    """Paste error text, then ctrl+r (or the button) explains it."""

    BINDINGS = [
        Binding("ctrl+r", "explain", "Explain", id="explain.run",
                tooltip="Explain the text in the box: category, temporary or permanent, article"),
        Binding("escape", "close", "Close", id="explain.close",
                tooltip="Close the Explain screen"),
    ]

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.initial = text
        self.category: str | None = None
        self._service: ExplainService | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="explain-top"):
            yield Static("Paste the error your mail program or the bounce message shows, then "
                         "press ctrl+r.", id="explain-intro")
            yield TextArea(self.initial, id="explain-input", soft_wrap=True)
            with Horizontal(classes="actions"):
                yield Button("Explain", id="explain-run", variant="primary", compact=True)
                yield Button("Clear", id="explain-clear", compact=True)
                yield Button("Received message (f5)", id="explain-headers", compact=True)
        with VerticalScroll(id="explain-result"):
            yield Static("", id="explain-category")
            yield Static("", id="explain-class")
            yield Static("", id="explain-reason", markup=False)
            yield Static("", id="explain-next", markup=False)
            yield Horizontal(id="explain-articles")
            yield Markdown(id="explain-article", open_links=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Explain an error"
        self.query_one("#explain-input", TextArea).focus()
        self.query_one("#explain-result").display = False

    @on(Button.Pressed, "#explain-clear")
    def _clear(self) -> None:
        self.query_one("#explain-input", TextArea).text = ""
        self.query_one("#explain-result").display = False
        self.query_one("#explain-input", TextArea).focus()

    @on(Button.Pressed, "#explain-headers")
    def _headers(self) -> None:
        """A received message, not an error: the Headers screen analyses it (text carried)."""
        self.wizard.action_headers(self.query_one("#explain-input", TextArea).text)

    @on(Button.Pressed, "#explain-run")
    async def action_explain(self) -> None:
        text = self.query_one("#explain-input", TextArea).text
        if not text.strip():
            self.notify("Paste some error text first.", severity="warning")
            return
        result = self.service().explain(text)
        self.category = result.category
        knowledge = self.wizard.knowledge
        articles = [article_id for article_id, _ in result.articles]
        codes = " ".join(str(c) for c in (result.code, result.enhanced) if c)
        self.query_one("#explain-category", Static).update(Text.assemble(
            ("Category: ", "bold"), (result.category, "bold reverse"),
            (f"   reply {printable(codes)}" if codes else "", "dim"),
            (f"   provider: {printable(result.provider)}" if result.provider else "", "dim")))
        self.query_one("#explain-class", Static).update(Text.assemble(
            ("This is ", ""), (CLASS_WORDS.get(result.klass, result.klass), "bold")))
        self.query_one("#explain-reason", Static).update(printable(result.summary))
        step = f"Next ({result.next.who}): {result.next.next_step}"
        if result.next_command:
            step += f"\n  {result.next_command}"
        self.query_one("#explain-next", Static).update(printable(step, keep_newlines=True))
        row = self.query_one("#explain-articles", Horizontal)
        await row.remove_children()
        await row.mount_all([ArticleButton(a, knowledge.title(a)) for a in articles[:3]])
        first = knowledge.get(articles[0]) if articles else None
        markdown = self.query_one("#explain-article", Markdown)
        markdown.display = first is not None
        if first is not None:
            await markdown.update(first.body)
        self.query_one("#explain-result").display = True
        buttons = row.query(ArticleButton)
        if buttons:
            buttons.first().focus()  # enter opens the best article

    def service(self) -> ExplainService:
        """The core's explain service over the app's knowledge base (made once per screen)."""
        if self._service is None:
            from wizard.explain.service import ExplainService

            self._service = ExplainService(self.wizard.knowledge.base)  # the app's articles
        return self._service

    @on(ArticleButton.Pressed, ".article-button")
    def _open_article(self, event: ArticleButton.Pressed) -> None:
        event.stop()
        if isinstance(event.button, ArticleButton):
            self.wizard.open_article(event.button.article_id)

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss(None)
