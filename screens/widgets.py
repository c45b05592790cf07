"""Widgets shared by the screens: finding cards, step rows, the verdict box.

Every piece of server or DNS text is shown literally: Rich ``Text`` objects or
``Static(markup=False)``, always after :func:`wizard.safetext.printable`.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label, ListItem, Static

from wizard.findings import Finding, Status, Verdict
from wizard.safetext import printable

STATUS_LABEL = {
    Status.PASS: "PASS", Status.WARN: "WARN", Status.FAIL: "FAIL",
    Status.SKIP: "SKIP", Status.ERROR: "ERROR",
}
STATUS_STYLE = {
    Status.PASS: "bold green", Status.WARN: "bold yellow", Status.FAIL: "bold red",
    Status.SKIP: "dim", Status.ERROR: "bold magenta",
}
STATE_ICON = {"waiting": "·", "pass": "✓", "warn": "!", "fail": "✗", "skip": "–",
              "error": "‼", "cancelled": "■"}
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ArticleButton(Button):
    """A button that opens one knowledge article."""

    def __init__(self, article_id: str, title: str, **kwargs: object) -> None:
        super().__init__(Content(f"Read: {title}"), classes="article-button", compact=True,
                         **kwargs)  # type: ignore[arg-type]
        self.article_id = article_id


class FindingCard(Vertical):
    """One finding: status, title, summary, the server's reply, and its article."""

    def __init__(self, finding: Finding, article_title: str | None = None) -> None:
        super().__init__(classes=f"finding-card card-{finding.status.value}")
        self.finding = finding
        self.article_title = article_title

    def compose(self) -> ComposeResult:
        f = self.finding
        text = Text.assemble((f" {STATUS_LABEL[f.status]} ", STATUS_STYLE[f.status]), " ",
                             (printable(f.title), "bold"))
        if f.summary:
            text.append("\n" + printable(f.summary), "dim")
        if f.reply is not None:
            text.append("\nServer said: ", "dim italic")
            text.append(printable(str(f.reply)))
        problem = f.status.failed or f.status is Status.WARN
        if problem and f.category:
            text.append(f"\ncategory: {f.category}", "dim")
        yield Static(text, classes="finding-text")
        if problem and f.articles:
            yield ArticleButton(f.articles[0], self.article_title or f.articles[0])


class StepItem(ListItem):
    """One row of the step list: icon and title, restyled as the step's state changes."""

    def __init__(self, step: str, title: str) -> None:
        super().__init__(Label(Content(f"· {title}"), classes="step-label"),
                         id=f"step-{step}", classes="state-waiting")
        self.step = step
        self.title = title
        self.state = "waiting"
        self._frame = 0

    def set_state(self, state: str) -> None:
        self.remove_class(f"state-{self.state}")
        self.state = state
        self.add_class(f"state-{state}")
        self._paint()

    def tick(self) -> None:
        if self.state == "running":
            self._frame = (self._frame + 1) % len(SPINNER)
            self._paint()

    def _paint(self) -> None:
        icon = SPINNER[self._frame] if self.state == "running" else STATE_ICON[self.state]
        self.query_one(".step-label", Label).update(Content(f"{icon} {self.title}"))


class VerdictBox(Vertical):
    """The walk's conclusion and a button to read its article."""

    async def show(self, verdict: Verdict, article_title: str | None) -> None:
        await self.remove_children()
        self.set_classes(f"verdict-{verdict.status.value}")
        label = {"pass": "All good", "warn": "Works, with warnings", "fail": "Problem found",
                 "error": "Could not check"}.get(verdict.status.value, verdict.status.value)
        head = Text.assemble((f" {label} ", STATUS_STYLE[verdict.status] + " reverse"), " ",
                             (printable(verdict.headline), "bold"))
        widgets: list[Static | Horizontal] = [Static(head, id="verdict-headline")]
        row = Horizontal(id="verdict-links")
        widgets.append(Static(Content(f"category: {verdict.category or '-'}"),
                              id="verdict-category"))
        await self.mount_all(widgets)
        if verdict.articles:
            await self.mount(row)
            await row.mount(ArticleButton(verdict.articles[0], article_title or verdict.articles[0],
                                    id="verdict-article"))
        self.display = True
