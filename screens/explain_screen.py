"""The Explain screen: paste any SMTP error, bounce or client error, or load a bounce file; see
what it means and what to do now.

Everything is the core's explain service (``wizard.explain.service``), the same one the CLI and
live findings use; this screen only shows its answer: category, temporary or permanent, why,
who must act, the next step (``x`` does it: check a domain's DNS, open the article), and the
articles; copy and save the explanation for a ticket. A received message (not a bounce) goes to
the Headers screen. Pasted and loaded text is shown literally, never as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Markdown, Static, TextArea

from screens.widgets import ActionButton, ArticleButton
from screens.wizard_screen import WizardScreen
from wizard.catalog.words import words
from wizard.model.findings import CheckDns, Read, article_of
from wizard.output.actions import category_words, describe, who_words
from wizard.output.safetext import printable

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService, Explanation

CLASS_WORDS = words().reply_class_long  # wizard/catalog/data/words.toml


class ExplainScreen(WizardScreen[None]):
    """Paste error text (or load a file), then ctrl+r (or the button) explains it."""

    BINDINGS = [
        Binding("ctrl+r", "explain", "Explain", id="explain.run",
                tooltip="Explain the text in the box: category, temporary or permanent, article"),
        Binding("x", "do_now", "Do now", id="explain.do_now",
                tooltip="Carry out the next step: check the domain's DNS or open the article"),
        Binding("ctrl+t", "copy", "Copy", id="explain.copy",
                tooltip="Copy the explanation, to paste into a ticket"),
        Binding("escape", "close", "Close", id="explain.close",
                tooltip="Close the Explain screen"),
    ]

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.initial = text
        self.category: str | None = None
        self.results: list[Explanation] = []
        self._service: ExplainService | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="explain-top"):
            yield Static("Paste the error your mail program shows, or load a bounce (.eml), "
                         "then press ctrl+r.", id="explain-intro")
            yield TextArea(self.initial, id="explain-input", soft_wrap=True)
            with Horizontal(classes="actions"):
                yield Button("Explain", id="explain-run", variant="primary", compact=True)
                yield Button("Clear", id="explain-clear", compact=True)
                yield Input(placeholder="file: a bounce .eml", id="explain-file", compact=True)
                yield Button("Load", id="explain-load", compact=True)
                yield Button("Received message (f5)", id="explain-headers", compact=True)
        with VerticalScroll(id="explain-result"):
            yield Static("", id="explain-category")
            yield Static("", id="explain-class")
            yield Static("", id="explain-reason", markup=False)
            yield Static("", id="explain-next", markup=False)
            yield Horizontal(id="explain-articles")
            with Horizontal(id="explain-save-row", classes="actions"):
                yield Input(placeholder="save as", id="explain-path", compact=True)
                yield Button("Save", id="explain-save", compact=True)
                yield Button("Copy", id="explain-copy", compact=True)
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
        self.results = []
        self.query_one("#explain-input", TextArea).focus()

    @on(Button.Pressed, "#explain-headers")
    def _headers(self) -> None:
        """A received message, not an error: the Headers screen analyses it (text carried)."""
        self.wizard.action_headers(self.query_one("#explain-input", TextArea).text)

    @on(Input.Submitted, "#explain-file")
    @on(Button.Pressed, "#explain-load")
    async def _load(self) -> None:
        """Read a bounce (or a received message, handed to Headers) from a file, bounded."""
        from wizard.explain.inputs import MAX_MESSAGE_BYTES, InputError, open_input, read_bounded
        from wizard.headers.route import is_received_message

        name = self.query_one("#explain-file", Input).value.strip()
        if not name:
            self.query_one("#explain-file", Input).focus()
            self.notify("Type the path of the bounce file first.", severity="warning")
            return
        try:
            with open_input(str(Path(name).expanduser())) as stream:
                data = read_bounded(stream, MAX_MESSAGE_BYTES, repr(name))
        except (InputError, OSError) as exc:
            self.notify(f"Cannot read it: {exc}", severity="error", markup=False)
            return
        if is_received_message(data):
            self.wizard.action_headers(data.decode("utf-8", "replace"))
            return
        await self._show(self.service().explain_bounce(data))

    @on(Button.Pressed, "#explain-run")
    async def action_explain(self) -> None:
        text = self.query_one("#explain-input", TextArea).text
        if not text.strip():
            self.notify("Paste some error text first.", severity="warning")
            return
        await self._show([self.service().explain(text)])

    async def _show(self, results: list[Explanation]) -> None:
        """The first result in full (a bounce may name several recipients: all are copied)."""
        if not results:
            self.notify("Nothing to explain was found in it.", severity="warning")
            return
        self.results = results
        result = results[0]
        self.category = result.category
        knowledge = self.wizard.knowledge
        articles = [article_id for article_id, _ in result.articles]
        codes = " ".join(str(c) for c in (result.code, result.enhanced) if c)
        more = f"   (+{len(results) - 1} more recipient(s): see Copy)" if len(results) > 1 else ""
        self.query_one("#explain-category", Static).update(Text.assemble(
            ("What it is: ", "bold"), (category_words(result.category), "bold reverse"),
            (f"   reply {printable(codes)}" if codes else "", "dim"),
            (f"   provider: {printable(result.provider)}" if result.provider else "", "dim"),
            (more, "dim")))
        self.query_one("#explain-class", Static).update(Text.assemble(
            ("This is ", ""), (CLASS_WORDS.get(result.klass, result.klass), "bold")))
        self.query_one("#explain-reason", Static).update(printable(result.summary))
        who = who_words(result.next.who)
        self.query_one("#explain-next", Static).update(Text.assemble(
            ("Do now", "bold"), (f" ({who}): ", "bold"), printable(result.next.next_step)))
        row = self.query_one("#explain-articles", Horizontal)
        await row.remove_children()
        buttons: list[Button] = []
        if isinstance(result.next.action, CheckDns | Read):
            titles = {a: knowledge.title(a) for a in articles}
            buttons.append(ActionButton(result.next.action, describe(result.next.action, titles),
                                        id="explain-action"))
        buttons += [ArticleButton(a, knowledge.title(a)) for a in articles[:3]
                    if a != article_of(result.next.action)]
        await row.mount_all(buttons)
        first = knowledge.get(articles[0]) if articles else None
        markdown = self.query_one("#explain-article", Markdown)
        markdown.display = first is not None
        if first is not None:
            await markdown.update(first.body)
        self.query_one("#explain-path", Input).value = f"smtp-wizard-explain-{result.category}.txt"
        self.query_one("#explain-result").display = True
        if buttons:
            buttons[0].focus()  # enter does the next step (or opens the best article)

    def text(self) -> str:
        """The explanation(s) as a ticket reads them (no command lines)."""
        from wizard.catalog.providers import catalog
        from wizard.explain.render import render_text

        names = {pid: p.name for pid, p in catalog().items()}
        return "\n".join(render_text(r, names.get(r.provider or ""), commands=False)
                         for r in self.results)

    @on(ActionButton.Pressed, "#explain-action")
    def action_do_now(self) -> None:
        from screens.next_step import dns_target

        if not self.results:
            self.notify("Explain something first.")
            return
        action = self.results[0].next.action
        if isinstance(action, Read):
            self.wizard.open_article(action.article)
        elif isinstance(action, CheckDns) and action.domain:
            self.wizard.start_run(dns_target(self.wizard.target, action))
        else:
            self.notify(printable(self.results[0].next.next_step), markup=False)

    @on(Button.Pressed, "#explain-copy")
    def action_copy(self) -> None:
        from screens.clipboard import copy_and_tell

        if not self.results:
            self.notify("Explain something first.")
            return
        copy_and_tell(self, self.text(), "explanation.txt", "the explanation")

    @on(Input.Submitted, "#explain-path")
    @on(Button.Pressed, "#explain-save")
    def _save(self) -> None:
        from screens.clipboard import save_and_tell

        name = self.query_one("#explain-path", Input).value.strip()
        if name and self.results:
            save_and_tell(self, name, self.text(), "the explanation")

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
