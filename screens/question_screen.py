"""A question from the decision tree that only the person can answer (modal).

Choices are picked from a list; free-text questions (paste your client's error) have a text
box. Escape skips the question: the walk continues without the answer.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from wizard.walk.tree import Question


class QuestionScreen(ModalScreen[str | None]):
    """Ask ``question``; dismiss with the answer (a choice id or the text), or None."""

    BINDINGS = [
        Binding("escape", "skip", "Skip", id="question.skip",
                tooltip="Skip this question: the checks go on without the answer"),
        Binding("ctrl+s", "submit", "Answer", id="question.submit",
                tooltip="Use the text typed above as the answer"),
    ]

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="question-box"):
            yield Static(Content(self.question.prompt), id="question-prompt")
            if self.question.choices:
                yield OptionList(*(Option(Content(label), id=value)
                                   for value, label in self.question.choices),
                                 id="question-choices")
            else:
                yield TextArea(id="question-text", soft_wrap=True)
            hint = ("Enter picks the highlighted answer; escape skips the question."
                    if self.question.choices else
                    "Paste the text, then ctrl+s; escape skips the question.")
            yield Static(hint, id="question-hint")
            with Horizontal(classes="actions"):
                if not self.question.choices:
                    yield Button("Answer", id="question-answer", variant="primary",
                                 compact=True)
                yield Button("Skip", id="question-skip", compact=True)

    def on_mount(self) -> None:
        if self.question.choices:
            self.query_one("#question-choices", OptionList).focus()
        else:
            self.query_one("#question-text", TextArea).focus()

    @on(OptionList.OptionSelected, "#question-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Button.Pressed, "#question-answer")
    def action_submit(self) -> None:
        if self.question.choices:
            return
        text = self.query_one("#question-text", TextArea).text
        self.dismiss(text if text.strip() else None)

    @on(Button.Pressed, "#question-skip")
    def action_skip(self) -> None:
        self.dismiss(None)
