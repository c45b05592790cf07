"""Exercises in the TUI: numbered scenarios, the answer held back until the trainee answers.

:class:`ExercisePickerScreen` lists "Exercise 1 ... N" with their level and the trainee's best
score, never a scenario's name or expected verdict. :class:`ExerciseRunScreen` walks one (it is
the Run screen, on an anonymous copy of the scenario) but shows findings as evidence only - no
category, no article, no verdict card - until the trainee gives a diagnosis in
:class:`DiagnosisScreen` (the category and the fix). Then it scores it, saves it to the
trainee's score sheet, and reveals the verdict, the explanation and the article. ``h`` shows a
hint and costs a point. With ``--show-verdict`` the trainer lets the verdict card show as
evidence before the diagnosis.

Scoring and the sheet are in :mod:`wizard.lab.exercise`; this module only shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from screens.quitting import QUIT_BINDINGS, is_first, offer_to_quit, quit_now
from screens.run_screen import RunScreen
from screens.widgets import StepItem, finding_text
from screens.wizard_screen import WizardScreen
from wizard.lab.exercise import (
    HINT_COST,
    MAX_POINTS,
    Attempt,
    Exercise,
    Fix,
    ScoreSheet,
    category_choices,
    exercises,
    explanation,
    facts_of,
    fix_choices,
    score,
)
from wizard.lab.scenarios import Scenario
from wizard.model.findings import Finding
from wizard.output.actions import category_words, who_words
from wizard.output.safetext import printable
from wizard.walk.tree import WalkFinished

GENERIC_HINT = "Open the step marked ✗ (or !) and read the server's reply word by word."


class ExercisePickerScreen(WizardScreen[None]):
    """The exercises, by number and level, with the trainee's best score so far."""

    BINDINGS = [
        Binding("escape", "close", "Quit", id="exercise.close", show=False,
                tooltip="Offers to quit (the exercises are the first screen)"),
        *QUIT_BINDINGS,
    ]

    DEFAULT_CSS = """
    ExercisePickerScreen #exercise-intro, ExercisePickerScreen #exercise-sheet {
        padding: 0 1;
        color: $text-muted;
        height: auto;
    }
    ExercisePickerScreen #exercise-table {
        height: 1fr;
    }
    """

    def __init__(self, scenarios: Sequence[Scenario], trainee: str, show_verdict: bool = False,
                 folder: Any = None) -> None:
        super().__init__()
        self.exercises = exercises(scenarios)
        self.trainee = trainee
        self.show_verdict = show_verdict
        self.sheet = ScoreSheet.load(trainee, folder)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Exercises for {printable(self.trainee)}. Each one starts lab servers "
                     "with one problem (or none). Run it, read the findings and the transcript, "
                     "then give your diagnosis: what is wrong, and the fix. Up to "
                     f"{MAX_POINTS} points; each hint costs {HINT_COST}.", id="exercise-intro",
                     markup=False)
        yield DataTable(id="exercise-table", cursor_type="row", zebra_stripes=True)
        yield Static(f"Score sheet: {self.sheet.json_path}", id="exercise-sheet", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Exercises"
        table = self.query_one("#exercise-table", DataTable)
        table.add_columns("Exercise", "Level", "Best score")
        self._fill()
        table.focus()
        if self.sheet.note:
            self.notify(self.sheet.note, severity="warning", markup=False, timeout=10)

    def _fill(self) -> None:
        table = self.query_one("#exercise-table", DataTable)
        row = table.cursor_row
        table.clear()
        best = self.sheet.best()
        for exercise in self.exercises:
            done = best.get(exercise.number)
            shown = f"{done.points}/{done.max_points}" if done else "-"
            table.add_row(Text(exercise.label, "bold"), Text(exercise.scenario.level),
                          Text(shown), key=str(exercise.number))
        if self.exercises:
            table.move_cursor(row=min(max(row, 0), len(self.exercises) - 1))

    def on_screen_resume(self) -> None:
        self._fill()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return is_first(self) if action == "quit_now" else True

    def action_close(self) -> None:
        if is_first(self):
            offer_to_quit(self)
        else:
            self.dismiss(None)

    def action_quit_now(self) -> None:
        quit_now(self)

    @on(DataTable.RowSelected, "#exercise-table")
    def _start(self, event: DataTable.RowSelected) -> None:
        number = int(str(event.row_key.value))
        exercise = next(e for e in self.exercises if e.number == number)
        self.app.push_screen(ExerciseRunScreen(exercise, self.sheet, self.show_verdict,
                                               self.wizard.latency_ms))


class EvidenceCard(Vertical):
    """A finding as evidence: status, title, summary and the server's reply - no category and
    no article (they would name the answer)."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(classes=f"finding-card card-{finding.status.value}")
        self.finding = finding

    def compose(self) -> ComposeResult:
        yield Static(finding_text(self.finding), classes="finding-text")


class ExerciseRunScreen(RunScreen):
    """One exercise: the Run screen with the answer held back until the diagnosis (the
    seal, :mod:`wizard.lab.seal`, closes the keys, buttons and palette entries that reveal it)."""

    EXERCISE = True

    BINDINGS = [
        *RunScreen.BINDINGS,
        Binding("d", "diagnose", "Diagnose", id="exercise.diagnose",
                tooltip="Say what is wrong and pick the fix: scored and saved"),
        Binding("h", "hint", "Hint", id="exercise.hint",
                tooltip=f"Show a hint (costs {HINT_COST} point before you answer)"),
    ]
    DEFAULT_CSS = """
    ExerciseRunScreen #exercise-box {
        height: auto;
        max-height: 6;
        border: round $accent;
    }
    ExerciseRunScreen #exercise-panel {
        padding: 0 1;
    }
    """

    def __init__(self, exercise: Exercise, sheet: ScoreSheet, show_verdict: bool = False,
                 latency_ms: int = 0) -> None:
        super().__init__(scenario=exercise.anonymous(), latency_ms=latency_ms)
        self.exercise = exercise
        self.sheet = sheet
        self.show_verdict = show_verdict
        self.hints_used = 0
        self.hints_shown: list[str] = []
        self.attempt: Attempt | None = None
        self._last: WalkFinished | None = None

    @property
    def revealed(self) -> bool:
        return self.attempt is not None or self.show_verdict

    def on_mount(self) -> None:  # Textual runs RunScreen.on_mount too (each class's handler)
        panel = Static(Content(f"{self.exercise.label}: run the checks, read the evidence, "
                               "then press d to give your diagnosis."), id="exercise-panel")
        box = VerticalScroll(panel, id="exercise-box")  # scrolls: the verdict keeps its room
        self.query_one("#run-main", Vertical).mount(box, before=0)

    def _set_subtitle(self) -> None:
        self.sub_title = self.exercise.label

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "diagnose" and self.attempt is not None:
            return False  # scored: the footer keeps its room for what is open now
        return super().check_action(action, parameters)

    def _card(self, finding: Finding) -> Any:
        if self.revealed:
            return super()._card(finding)
        return EvidenceCard(finding)

    async def _finish(self, event: WalkFinished) -> None:
        self._last = event
        if self.revealed:
            await super()._finish(event)
            if self.attempt is None:
                self._status("Done. d: your diagnosis, h: a hint, t: the transcript.")
            return
        self.session = event.session
        for item in self.query(StepItem):
            if item.state in ("waiting", "running"):
                item.set_state("skip")
        step = next((f.step.value for f in event.session.findings
                     if f.id == event.verdict.finding_id), None)
        await self.show_step(step or self.shown_step, force=True)
        self._status(f"Done. Read the findings (t: the transcript), then d: your diagnosis. "
                     f"h: a hint (costs {HINT_COST} point).")

    def _panel(self, text: str) -> None:
        self.query_one("#exercise-panel", Static).update(Content(text))

    def action_hint(self) -> None:
        hints = list(self.exercise.scenario.hints) or [GENERIC_HINT]
        if len(self.hints_shown) >= len(hints):
            self.notify("No more hints for this exercise.")
            return
        hint = hints[len(self.hints_shown)]
        self.hints_shown.append(hint)
        if self.attempt is None:
            self.hints_used += 1
        lines = [f"Hint {i}: {printable(h)}" for i, h in enumerate(self.hints_shown, start=1)]
        lost = self.hints_used * HINT_COST
        cost = f" (hints: -{lost} point{'s' if lost != 1 else ''})" if lost else ""
        self._panel(f"{self.exercise.label}{cost}\n" + "\n".join(lines))

    def action_diagnose(self) -> None:
        if self.session is None or self.running:
            self.notify("Give your diagnosis when the checks are done.")
            return
        if self.attempt is not None:
            self.notify(f"Already scored: {self.attempt.points}/{self.attempt.max_points}.")
            return
        fixes = fix_choices(self.exercise.scenario.expected, facts_of(self.target),
                            seed=f"{self.sheet.trainee}/{self.exercise.number}")
        self.app.push_screen(DiagnosisScreen(self.exercise.label, category_choices(), fixes),
                             self._diagnosed)

    def _diagnosed(self, answer: tuple[str, Fix] | None) -> None:
        if answer is None:
            return
        category, fix = answer
        self.attempt = score(self.exercise, category, fix, self.hints_used)
        if self.seal is not None:
            self.seal.score()
        self.refresh_bindings()
        try:
            self.sheet.record(self.attempt)
        except OSError as exc:
            self.notify(f"The score sheet could not be saved: {exc}", severity="warning",
                        markup=False)
        self.call_next(self._reveal)

    async def _reveal(self) -> None:
        attempt = self.attempt
        if attempt is None:
            return
        if self._last is not None:
            await super()._finish(self._last)
        mark = {True: "right", False: "wrong"}
        said = category_words(attempt.answered)
        was = "" if attempt.category_right else f"; it was: {category_words(attempt.expected)}"
        self._panel(
            f"Score: {attempt.points}/{attempt.max_points}. What is wrong: you said "
            f"\"{said}\" ({mark[attempt.category_right]}{was}). Your fix: "
            f"{mark[attempt.fix_right]}. Hints: {attempt.hints}.\n"
            f"{printable(explanation(self.exercise), keep_newlines=True)}")
        self.query_one("#run-setup").display = False  # the panel and verdict need the room
        self._status(f"Scored and saved to {self.sheet.json_path}. a: read the article.")


class DiagnosisScreen(ModalScreen[tuple[str, Fix] | None]):
    """Pick the category (what is wrong) and the fix; dismiss with both, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="diagnosis.cancel",
                tooltip="Back to the findings without answering"),
        Binding("ctrl+s", "submit", "Submit", id="diagnosis.submit",
                tooltip="Score the category and the fix you picked"),
    ]
    DEFAULT_CSS = """
    DiagnosisScreen {
        align: center middle;
    }
    DiagnosisScreen #diagnosis-box {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    DiagnosisScreen #diagnosis-category, DiagnosisScreen #diagnosis-fix {
        height: 1fr;
        min-height: 3;
    }
    DiagnosisScreen .diagnosis-label {
        text-style: bold;
    }
    DiagnosisScreen #diagnosis-title {
        margin-bottom: 1;
    }
    DiagnosisScreen #diagnosis-choice {
        height: auto;
        color: $text-muted;
    }
    """

    def __init__(self, label: str, categories: Sequence[tuple[str, str]],
                 fixes: Sequence[Fix]) -> None:
        super().__init__()
        self.label = label
        self.categories = tuple(categories)
        self.fixes = tuple(fixes)
        self.category: str | None = None
        self.fix: Fix | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="diagnosis-box"):
            yield Static(Content(f"{self.label}: your diagnosis"), classes="diagnosis-label",
                         id="diagnosis-title")
            yield Static(Content("1. What is wrong? (enter picks)"), classes="diagnosis-label")
            yield OptionList(*(Option(Content(meaning), id=cid)
                               for cid, meaning in self.categories), id="diagnosis-category")
            yield Static(Content("2. The fix (enter picks and submits)"),
                         classes="diagnosis-label")
            yield OptionList(*(Option(Content(f"{fix.text} ({who_words(fix.who)})"), id=str(i))
                               for i, fix in enumerate(self.fixes)), id="diagnosis-fix")
            yield Static("", id="diagnosis-choice", markup=False)
            with Horizontal(classes="actions"):
                yield Button("Submit", id="diagnosis-submit", variant="primary", compact=True)
                yield Button("Cancel", id="diagnosis-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#diagnosis-category", OptionList).focus()

    def _show(self) -> None:
        meaning = dict(self.categories).get(self.category or "", "-")
        text = f"What is wrong: {meaning}   Fix: {self.fix.text if self.fix else '-'}"
        self.query_one("#diagnosis-choice", Static).update(text)

    @on(OptionList.OptionSelected, "#diagnosis-category")
    def _category(self, event: OptionList.OptionSelected) -> None:
        self.category = event.option.id
        self._show()
        self.query_one("#diagnosis-fix", OptionList).focus()

    @on(OptionList.OptionSelected, "#diagnosis-fix")
    def _fix(self, event: OptionList.OptionSelected) -> None:
        self.fix = self.fixes[int(str(event.option.id))]
        self._show()
        self.action_submit()

    @on(Button.Pressed, "#diagnosis-submit")
    def action_submit(self) -> None:
        if self.category is None or self.fix is None:
            self.notify("Pick a category and a fix first.")
            return
        self.dismiss((self.category, self.fix))

    @on(Button.Pressed, "#diagnosis-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
