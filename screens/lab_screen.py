"""The Lab picker: every scenario (built-in, or a trainer's files) with its level and what happens.

The expected verdict is not shown by default, so a trainee looking over the list is not told
the answer; a trainer presses ``v`` to show it (a column, and a line in the detail pane).
Choosing a scenario opens the Run screen, which starts its servers on 127.0.0.1, walks them,
and stops them when it closes. A trainer's file text is shown inert (no markup, control
characters as ``\\xNN``). Exercises (answers hidden, diagnosis scored) are in
:mod:`screens.exercise_screen`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from screens.quitting import QUIT_BINDINGS, is_first, offer_to_quit, quit_now
from screens.widgets import wrapping_width
from screens.wizard_screen import WizardScreen
from wizard.lab.scenarios import Scenario, builtins
from wizard.output.safetext import printable

MIN_WHAT = 16  # the narrowest "What happens" column worth showing


class LabPickerScreen(WizardScreen[None]):
    """Pick a lab scenario to walk."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="lab.close",
                tooltip="Close the lab (on the first screen: offers to quit)"),
        Binding("v", "toggle_answers", "Answers", id="lab.answers",
                tooltip="Show or hide each scenario's expected verdict (for the trainer)"),
        *QUIT_BINDINGS,
    ]

    def __init__(self, scenarios: Sequence[Scenario] | None = None) -> None:
        super().__init__()
        self.scenarios = tuple(scenarios) if scenarios is not None else builtins()
        self.show_answers = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Practice on servers that run on this computer. Pick a scenario and press "
                     "enter: the wizard starts it and walks the checks.", id="lab-intro")
        yield DataTable(id="lab-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="lab-learn", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Lab"
        self._fill()
        self.query_one("#lab-table", DataTable).focus()

    def _fill(self) -> None:
        table = self.query_one("#lab-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        columns = [("Scenario", max((len(s.name) for s in self.scenarios), default=8)),
                   ("Level", max((len(s.level) for s in self.scenarios), default=5))]
        if self.show_answers:
            columns.insert(1, ("Expected verdict",
                               max((len(s.expected) for s in self.scenarios), default=16)))
        for label, width in columns:
            table.add_column(label, width=max(width, len(label)))
        fixed = [max(w, len(label)) for label, w in columns]
        left = wrapping_width(self.size.width, fixed)
        what = left >= MIN_WHAT  # too narrow: the column goes; the pane below says it
        if what:
            table.add_column("What happens", width=left)
        for scenario in self.scenarios:
            cells = [Text(scenario.name, "bold"), Text(scenario.level)]
            if self.show_answers:
                cells.insert(1, Text(scenario.expected))
            if what:
                cells.append(Text(printable(scenario.title)))
            table.add_row(*cells, key=scenario.name, height=None)
        if self.scenarios:
            table.move_cursor(row=min(max(row, 0), len(self.scenarios) - 1))

    def on_resize(self) -> None:
        self._fill()

    def _scenario(self, name: object) -> Scenario | None:
        return next((s for s in self.scenarios if s.name == name), None)

    def _describe(self, scenario: Scenario) -> None:
        text = f"{scenario.name}: {printable(scenario.learn, keep_newlines=True)}"
        if self.show_answers:
            text += f"\nExpected verdict: {scenario.expected}"
        self.query_one("#lab-learn", Static).update(text)

    @on(DataTable.RowHighlighted, "#lab-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        scenario = self._scenario(event.row_key.value)
        if scenario is not None:
            self._describe(scenario)

    @on(DataTable.RowSelected, "#lab-table")
    def _start(self, event: DataTable.RowSelected) -> None:
        from screens.run_screen import RunScreen

        scenario = self._scenario(event.row_key.value)
        if scenario is not None:
            self.app.push_screen(RunScreen(scenario=scenario,
                                           latency_ms=self.wizard.latency_ms))

    def action_toggle_answers(self) -> None:
        self.show_answers = not self.show_answers
        self._fill()
        table = self.query_one("#lab-table", DataTable)
        if self.scenarios:
            scenario = self.scenarios[max(0, table.cursor_row)]
            self._describe(scenario)
        self.notify("Expected verdicts shown." if self.show_answers
                    else "Expected verdicts hidden.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return is_first(self) if action == "quit_now" else True

    def action_close(self) -> None:
        if is_first(self):
            offer_to_quit(self)
        else:
            self.dismiss(None)

    def action_quit_now(self) -> None:
        quit_now(self)
