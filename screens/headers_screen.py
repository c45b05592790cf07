"""The Headers screen: paste a received message (or only its headers), or load a .eml file, and
see why it failed DMARC or landed in spam.

The analysis is the core's (``wizard.headers.analyse``), run in an exclusive worker through the
app's nameservers (``--nameserver``); the report text is ``wizard.headers.report``'s. Message
text is shown literally, never as markup. A bounce is explained as a bounce.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Static, TextArea
from textual.worker import Worker

from screens.widgets import STATUS_STYLE, ArticleButton
from screens.wizard_screen import WizardScreen
from wizard.catalog.words import words
from wizard.output.actions import who_words
from wizard.output.safetext import printable

if TYPE_CHECKING:
    from wizard.explain.service import Explanation
    from wizard.headers.result import Analysis

def data_subject(text: str) -> str:
    """The Subject header of a pasted message (first line of it), or ""."""
    for line in text.splitlines():
        if not line.strip():
            break  # the headers end at the first empty line
        name, _, value = line.partition(":")
        if name.strip().lower() == "subject":
            return value.strip()
    return ""


def message_title(subject: str) -> str:
    """The screen's title after an analysis: the message it is about, not the timing."""
    return f"Message: {printable(subject)[:50]}" if subject else "Message without a subject"


VERDICT_LABEL = words().headers_verdict  # wizard/catalog/data/words.toml


class HeadersScreen(WizardScreen[None]):
    """Paste or load a received message, then ctrl+r analyses it."""

    DEFAULT_CSS = """
    HeadersScreen #headers-top { height: auto; padding: 0 1; }
    HeadersScreen #headers-intro { color: $text-muted; }
    HeadersScreen #headers-file { height: 1; margin-bottom: 1; }
    HeadersScreen #headers-path { width: 1fr; margin-right: 1; }
    HeadersScreen #headers-input { height: 8; }
    HeadersScreen #headers-result { padding: 1 1 0 1; }
    HeadersScreen #headers-articles { height: auto; margin: 1 0; }
    HeadersScreen #headers-articles Button { margin-right: 1; }
    """

    BINDINGS = [
        Binding("ctrl+r", "analyse", "Analyse", id="headers.run",
                tooltip="Analyse the message in the box: hops, DKIM, ARC, SPF, DMARC, spam"),
        Binding("ctrl+o", "open_file", "Open file", id="headers.load",
                tooltip="Open a .eml file: moves to the path field, then loads what it names"),
        Binding("escape", "close", "Close", id="headers.close",
                tooltip="Close the Headers screen"),
    ]

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.initial = text
        self.analysis: Analysis | None = None
        self.bounce: list[Explanation] | None = None
        self.error: str | None = None
        self._worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="headers-top"):
            yield Static("Paste a received message (or only its headers: a whole message lets "
                         "DKIM check the body), or load a .eml file; then press ctrl+r.",
                         id="headers-intro")
            with Horizontal(id="headers-file"):
                yield Input(placeholder="path to a .eml file", id="headers-path", compact=True)
                yield Button("Load", id="headers-load", compact=True)
            yield TextArea(self.initial, id="headers-input", soft_wrap=False)
            with Horizontal(classes="actions"):
                yield Button("Analyse", id="headers-run", variant="primary", compact=True)
                yield Button("Clear", id="headers-clear", compact=True)
        with VerticalScroll(id="headers-result"):
            yield Static("", id="headers-verdict")
            yield Horizontal(id="headers-articles")
            yield Static("", id="headers-report", markup=False)
        yield Footer()

    def action_open_file(self) -> None:
        """ctrl+o: load the file the path field names; with no path yet, go to the field."""
        path = self.query_one("#headers-path", Input)
        if path.value.strip():
            self.action_load()
        else:
            path.focus()
            self.notify("Type the path of a .eml file, then enter.", markup=False)

    def on_mount(self) -> None:
        self.sub_title = "Analyse a received message"
        self.query_one("#headers-input", TextArea).focus()
        self.query_one("#headers-result").display = False

    @on(Button.Pressed, "#headers-clear")
    def _clear(self) -> None:
        self.query_one("#headers-input", TextArea).text = ""
        self.query_one("#headers-result").display = False

    @on(Button.Pressed, "#headers-load")
    @on(Input.Submitted, "#headers-path")
    def action_load(self) -> None:
        from wizard.headers.parse import MAX_INPUT_BYTES

        raw = self.query_one("#headers-path", Input).value.strip()
        if not raw:
            self.notify("Type the path of a .eml file first.", severity="warning")
            return
        path = Path(raw).expanduser()
        try:
            data = path.read_bytes()[:MAX_INPUT_BYTES]
        except OSError as exc:
            self.notify(f"Cannot read {path}: {exc.strerror or exc}", severity="error",
                        markup=False)
            return
        self.query_one("#headers-input", TextArea).text = data.decode("utf-8", "surrogateescape")
        self.action_analyse(data, str(path))

    @on(Button.Pressed, "#headers-run")
    def action_analyse(self, data: bytes | None = None, source: str = "pasted") -> None:
        if data is None:
            text = self.query_one("#headers-input", TextArea).text
            if not text.strip():
                self.notify("Paste a message or its headers first.", severity="warning")
                return
            data = text.encode("utf-8", "surrogateescape")
        self.sub_title = "Analysing..."
        self._worker = self._analyse(data, source)

    @work(exclusive=True, group="headers")
    async def _analyse(self, data: bytes, source: str) -> None:
        from wizard.dns.resolver import Resolver
        from wizard.headers.analyse import analyse_message
        from wizard.headers.parse import NotAMessage
        from wizard.headers.route import message_kind

        self.analysis, self.bounce, self.error = None, None, None
        if message_kind(data) in ("dsn", "feedback", "bounce"):
            from wizard.explain.service import ExplainService

            service = ExplainService(self.wizard.knowledge.base)  # the app's articles
            self.bounce = service.explain_bounce(data)
            await self._show_bounce()
            return
        target = self.wizard.target
        resolver = Resolver(list(target.nameservers) or None, timeout=min(3.0, target.timeout))
        try:
            self.analysis = await analyse_message(data, resolver, source)
        except NotAMessage as exc:
            self.error = str(exc)
            self.sub_title = "Not a message"
            self.notify(self.error, severity="error", markup=False)
            return
        await self._show()

    async def _show(self) -> None:
        from wizard.headers.report import render_text

        analysis = self.analysis
        assert analysis is not None and analysis.verdict is not None  # analysed just now
        verdict = analysis.verdict
        knowledge = self.wizard.knowledge
        head = Text.assemble(
            (f" {VERDICT_LABEL.get(verdict.status.value, verdict.status.value)} ",
             STATUS_STYLE[verdict.status] + " reverse"), " ",
            (printable(verdict.headline), "bold"),
            ("\nNext: ", "bold"), printable(verdict.next.next_step),
            (f"  ({who_words(verdict.next.who)} acts)", "dim"))
        self.query_one("#headers-verdict", Static).update(head)
        row = self.query_one("#headers-articles", Horizontal)
        await row.remove_children()
        await row.mount_all([ArticleButton(a, knowledge.title(a)) for a in verdict.articles[:3]])
        self.query_one("#headers-report", Static).update(
            render_text(analysis, titles=knowledge.title, verdict=False))
        self.query_one("#headers-result").display = True
        self.sub_title = message_title(data_subject(self.query_one("#headers-input",
                                                                   TextArea).text))

    async def _show_bounce(self) -> None:
        from wizard.explain.render import render_text

        self.query_one("#headers-verdict", Static).update(Text(
            "This is a bounce (a delivery status notification), not a received message: "
            "explained as a bounce.", style="bold"))
        await self.query_one("#headers-articles", Horizontal).remove_children()
        self.query_one("#headers-report", Static).update(
            "\n".join(render_text(r) for r in self.bounce or []))
        self.query_one("#headers-result").display = True
        self.sub_title = "A bounce"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.wizard.on_worker_state_changed(event)

    @on(ArticleButton.Pressed, ".article-button")
    def _open_article(self, event: ArticleButton.Pressed) -> None:
        event.stop()
        if isinstance(event.button, ArticleButton):
            self.wizard.open_article(event.button.article_id)

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss(None)
