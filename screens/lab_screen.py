"""The Lab picker: every built-in scenario with what the wizard should conclude.

Choosing one opens the Run screen, which starts the scenario's servers on 127.0.0.1, walks
them, and stops them when it closes.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from wizard.lab.scenarios import SCENARIOS


class LabPickerScreen(Screen[None]):
    """Pick a lab scenario to walk."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="lab.close",
                tooltip="Close the lab (when opened from the target form)"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Practice on servers that run on this computer. Pick a scenario and press "
                     "enter: the wizard starts it and walks the checks.", id="lab-intro")
        yield DataTable(id="lab-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="lab-learn", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Lab"
        table = self.query_one("#lab-table", DataTable)
        table.add_columns("Scenario", "Expected verdict", "What happens")
        for scenario in SCENARIOS:
            table.add_row(Text(scenario.name, "bold"), Text(scenario.expected),
                          Text(scenario.title), key=scenario.name)
        table.focus()

    @on(DataTable.RowHighlighted, "#lab-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        scenario = next((s for s in SCENARIOS if s.name == event.row_key.value), None)
        if scenario is not None:
            self.query_one("#lab-learn", Static).update(f"{scenario.name}: {scenario.learn}")

    @on(DataTable.RowSelected, "#lab-table")
    def _start(self, event: DataTable.RowSelected) -> None:
        self.app.start_lab(str(event.row_key.value))  # type: ignore[attr-defined]

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss(None)
