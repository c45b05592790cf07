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

from screens.wizard_screen import WizardScreen
from wizard.lab.scenarios import Scenario, builtins
from wizard.output.safetext import printable


class LabPickerScreen(WizardScreen[None]):
    """Pick a lab scenario to walk."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="lab.close",
                tooltip="Close the lab (when opened from the target form)"),
        Binding("v", "toggle_answers", "Answers", id="lab.answers",
                tooltip="Show or hide each scenario's expected verdict (for the trainer)"),
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
        columns = ["Scenario", "Level", "What happens"]
        if self.show_answers:
            columns.insert(1, "Expected verdict")
        table.add_columns(*columns)
        for scenario in self.scenarios:
            cells = [Text(scenario.name, "bold"), Text(scenario.level),
                     Text(printable(scenario.title))]
            if self.show_answers:
                cells.insert(1, Text(scenario.expected))
            table.add_row(*cells, key=scenario.name)
        if self.scenarios:
            table.move_cursor(row=min(row, len(self.scenarios) - 1))

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

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss(None)
