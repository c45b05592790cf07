"""The History screen: past sessions from the session files; open one to see its report."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from wizard.history import list_sessions, load_session, sessions_dir
from wizard.safetext import printable

VERDICT_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "error": "magenta"}


class HistoryScreen(Screen[None]):
    """Every past session, newest first; enter opens its report."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="history.close", tooltip="Close the history"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="history-intro", markup=False)
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "History"
        table = self.query_one("#history-table", DataTable)
        table.add_columns("Started (UTC)", "Target", "Verdict")
        sessions = list_sessions()
        for summary in sessions:
            verdict = summary.verdict or {}
            status = str(verdict.get("status", ""))
            if summary.unreadable:
                shown = Text("unreadable (skipped parts)", "dim italic")
            elif summary.verdict is None:
                shown = Text("cancelled" if summary.cancelled else "unfinished", "dim")
            else:
                shown = Text(f"{status.upper()}: {printable(str(verdict.get('headline', '')))}",
                             VERDICT_STYLE.get(status, ""))
            table.add_row(Text(summary.started_at.replace("+00:00", "")),
                          Text(printable(summary.host)), shown, key=str(summary.path))
        self.query_one("#history-intro", Static).update(
            f"{len(sessions)} session(s) in {sessions_dir()}. Enter opens a report."
            if sessions else "No sessions yet: every walk is recorded here as it runs.")
        table.focus()

    @on(DataTable.RowSelected, "#history-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        try:
            record = load_session(Path(event.row_key.value or ""))
        except OSError as exc:
            self.notify(f"This session file cannot be read: {exc}", severity="warning",
                        markup=False)
            return
        session = record.session()
        self.app.open_report(session, stored=session.to_dict())  # type: ignore[attr-defined]

    def action_close(self) -> None:
        self.dismiss(None)
