"""Widgets shared by the screens: finding cards, step rows, the verdict box.

Every piece of server or DNS text is shown literally: Rich ``Text`` objects or
``Static(markup=False)``, always after :func:`wizard.output.safetext.printable`.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label, ListItem, Static

from wizard.model.findings import Action, Finding, Status, Verdict, article_of
from wizard.output.actions import category_words, describe, who_words
from wizard.output.safetext import printable

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


def wrapping_width(table_width: int, fixed: list[int]) -> int:
    """The width left for a table's last column, which wraps (rows of ``height=None``), when
    the other columns take ``fixed`` cells: nothing runs off the right edge. Each column has
    one cell of padding a side; the vertical scrollbar takes two."""
    return table_width - 2 - sum(w + 2 for w in fixed) - 2


class ArticleButton(Button):
    """A button that opens one knowledge article."""

    def __init__(self, article_id: str, title: str, id: str | None = None) -> None:
        super().__init__(Content(f"Read: {title}"), classes="article-button", compact=True,
                         id=id)
        self.article_id = article_id


def finding_text(f: Finding) -> Text:
    """A finding as the cards show it: status, title, summary and the server's reply (all
    untrusted text made printable)."""
    text = Text.assemble((f" {STATUS_LABEL[f.status]} ", STATUS_STYLE[f.status]), " ",
                         (printable(f.title), "bold"))
    if f.summary:
        text.append("\n" + printable(f.summary), "dim")
    if f.reply is not None:
        text.append("\nServer said: ", "dim italic")
        text.append(printable(str(f.reply)))
    return text


class FindingCard(Vertical):
    """One finding: status, title, summary, the server's reply, and its article."""

    def __init__(self, finding: Finding, article_title: str | None = None) -> None:
        super().__init__(classes=f"finding-card card-{finding.status.value}")
        self.finding = finding
        self.article_title = article_title

    def compose(self) -> ComposeResult:
        f = self.finding
        text = finding_text(f)
        problem = f.status.failed or f.status is Status.WARN
        if problem and f.category:
            text.append(f"\nKind of problem: {category_words(f.category)}", "dim")
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


class ActionButton(Button):
    """The verdict's next action (key x): rerun with a change, check DNS, read, contact ..."""

    def __init__(self, action: Action, words: str, id: str | None = None) -> None:
        super().__init__(Content(f"x  {words}"), compact=True, variant="primary", id=id)
        self.action_spec = action


class VerdictBox(Vertical):
    """The walk's conclusion: the cause, the one next step and who takes it, the key that
    carries it out, and what could not be checked or was not tested."""

    async def show(self, verdict: Verdict, titles: dict[str, str],
                   inconclusive: list[str] | None = None) -> None:
        """``titles``: article id -> title, for the article and the action's buttons."""
        await self.remove_children()
        self.set_classes(f"verdict-{verdict.status.value}")
        label = {"pass": "All good", "warn": "Works, with warnings", "fail": "Problem found",
                 "error": "Could not check"}.get(verdict.status.value, verdict.status.value)
        head = Text.assemble((f" {label} ", STATUS_STYLE[verdict.status] + " reverse"), " ",
                             (printable(verdict.headline), "bold"))
        who = who_words(verdict.next.who)
        step = Text.assemble(("Next", "bold"), (f" ({who}): ", "bold"),
                             printable(verdict.next.next_step))
        widgets: list[Static | Horizontal] = [Static(head, id="verdict-headline"),
                                               Static(step, id="verdict-next")]
        notes = Text()
        if verdict.untested:
            notes.append("Not tested: " + "; ".join(verdict.untested), "dim")
        for line in inconclusive or []:
            notes.append(("\n" if notes.plain else "") + "Could not check: " + printable(line),
                         "dim")
        if notes.plain:
            widgets.append(Static(notes, id="verdict-notes"))
        await self.mount_all(widgets)
        row = Horizontal(id="verdict-links")
        await self.mount(row)
        if verdict.next.action.kind != "none":
            await row.mount(ActionButton(verdict.next.action,
                                         describe(verdict.next.action, titles),
                                         id="verdict-action"))
        if verdict.articles and article_of(verdict.next.action) != verdict.articles[0]:
            article = verdict.articles[0]
            await row.mount(ArticleButton(article, titles.get(article, article),
                                          id="verdict-article"))
        self.display = True
