"""The History screen: past sessions (TUI walks and CLI checks), searchable; the selected one's
verdict and next step in full below; open its report, run it again, or delete it.

Session files are untrusted: whatever cannot be read is shown as unreadable
(``wizard.records.history``
never raises for odd content), and every value is shown literally.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Header, Input, Static

from screens.widgets import wrapping_width
from screens.wizard_screen import WizardScreen
from wizard.model.target import target_from_report
from wizard.output.actions import category_words
from wizard.output.safetext import printable
from wizard.records.history import (
    SessionSummary,
    delete_session,
    list_sessions,
    load_session,
    sessions_dir,
)

VERDICT_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "error": "magenta"}
WHAT_WIDTH = 24  # the host or scenario column; the verdict column takes the rest and wraps
STATUS_WORDS = {"pass": "All good", "warn": "Works, with warnings", "fail": "Problem",
                "error": "Could not check"}


def local_zone() -> str:
    """The name of this computer's time zone ("CET", "UTC")."""
    return datetime.now().astimezone().tzname() or "local time"


def local_time(stamp: str) -> str:
    """A session's ISO start time in this computer's time zone, to the minute."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return printable(stamp)[:16]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class HistoryScreen(WizardScreen[None]):
    """Every past session, newest first; enter opens its report."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="history.close", tooltip="Close the history"),
        Binding("slash", "search", "Search", id="history.search",
                tooltip="Type words to keep only the sessions that mention them"),
        Binding("ctrl+r", "rerun", "Run again", id="history.rerun",
                tooltip="Run the selected session's target again (the password is asked for)"),
        Binding("delete", "delete", "Delete", id="history.delete",
                tooltip="Delete the selected session's file (asks first)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[SessionSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search: host, scenario, verdict, address ... (/)",
                    id="history-search", compact=True)
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="history-detail"):
            yield Static("", id="history-verdict", markup=False)
        with Horizontal(id="history-actions", classes="actions"):
            yield Button("Open report", id="history-open", variant="primary", compact=True)
            yield Button("Run again", id="history-rerun", compact=True)
            yield Button("Delete", id="history-delete", compact=True)
            yield Button("Close", id="history-close", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "History"
        table = self.query_one("#history-table", DataTable)
        self.sessions = list_sessions()
        self._fill("")
        table.focus()

    def _fill(self, words: str) -> None:
        table = self.query_one("#history-table", DataTable)
        table.clear(columns=True)
        started = f"Started ({local_zone()})"
        fixed = [max(16, len(started)), WHAT_WIDTH]
        table.add_column(started, width=fixed[0])
        table.add_column("What", width=fixed[1])
        table.add_column("Verdict", width=max(12, wrapping_width(self.size.width, fixed)))
        shown = [s for s in self.sessions if not words.strip() or s.matches(words)]
        for summary in shown:
            table.add_row(Text(local_time(summary.started_at)),
                          Text(printable(summary.host)[:WHAT_WIDTH]), self._short(summary),
                          key=str(summary.path), height=None)
        if not self.sessions:
            self._detail(Text("No sessions yet: every walk (and every CLI check) is recorded "
                              f"here as it runs, in {sessions_dir()}."))
        elif not shown:
            self._detail(Text("No session matches the search."))
        else:
            self._show(shown[0])

    @staticmethod
    def _short(summary: SessionSummary) -> Text:
        if summary.unreadable:
            return Text("unreadable", "dim italic")
        if summary.verdict is None:
            return Text("cancelled" if summary.cancelled else "unfinished", "dim")
        status = str(summary.verdict.get("status", ""))
        words = STATUS_WORDS.get(status, printable(status))
        category = summary.verdict.get("category")
        if status in ("fail", "warn", "error") and isinstance(category, str) and category:
            words += ": " + category_words(category)
        return Text(words[:60], VERDICT_STYLE.get(status, ""))

    def on_resize(self) -> None:
        self._fill(self.query_one("#history-search", Input).value)

    def _detail(self, text: Text) -> None:
        self.query_one("#history-verdict", Static).update(text)

    def _show(self, summary: SessionSummary) -> None:
        verdict = summary.verdict or {}
        text = Text(printable(summary.host), "bold")
        if verdict:
            status = str(verdict.get("status", ""))
            text.append(f"\n{status.upper()}: ", VERDICT_STYLE.get(status, ""))
            text.append(printable(str(verdict.get("headline", ""))))
            if verdict.get("next_step"):
                text.append("\nNext: ", "bold")
                text.append(printable(str(verdict.get("next_step"))))
        elif summary.unreadable:
            text.append("\nThis session file could not be read in full; what can be read is "
                        "in its report.", "dim")
        else:
            text.append("\nThis walk did not finish.", "dim")
        self._detail(text)

    def selected(self) -> SessionSummary | None:
        table = self.query_one("#history-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in self.sessions if str(s.path) == key), None)

    @on(DataTable.RowHighlighted, "#history-table")
    def _highlighted(self) -> None:
        summary = self.selected()
        if summary is not None:
            self._show(summary)

    @on(Input.Changed, "#history-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#history-search")
    def _search_done(self) -> None:
        self.query_one("#history-table", DataTable).focus()

    def action_search(self) -> None:
        self.query_one("#history-search", Input).focus()

    @on(DataTable.RowSelected, "#history-table")
    @on(Button.Pressed, "#history-open")
    def _open(self) -> None:
        summary = self.selected()
        if summary is None:
            return
        try:
            record = load_session(Path(summary.path))
        except OSError as exc:
            self.notify(f"This session file cannot be read: {exc}", severity="warning",
                        markup=False)
            return
        session = record.session()
        self.wizard.open_report(session, stored=session.to_dict())

    @on(Button.Pressed, "#history-rerun")
    def action_rerun(self) -> None:
        summary = self.selected()
        if summary is None:
            return
        if summary.scenario:
            self.wizard.start_lab(summary.scenario)
            return
        target = target_from_report(summary.target)
        if not (target.host or target.domain):
            self.notify("This session names no server or domain to run again.",
                        severity="warning")
            return
        self.wizard.start_run(target)

    @on(Button.Pressed, "#history-delete")
    def action_delete(self) -> None:
        from screens.confirm_screen import ConfirmScreen

        summary = self.selected()
        if summary is None:
            return

        def delete(yes: bool | None) -> None:
            if not yes:
                return
            try:
                delete_session(summary.path)
            except (OSError, ValueError) as exc:
                self.notify(f"Not deleted: {exc}", severity="error", markup=False)
                return
            self.sessions = [s for s in self.sessions if s.path != summary.path]
            self._fill(self.query_one("#history-search", Input).value)

        self.app.push_screen(ConfirmScreen(f"Delete the session {summary.host} of "
                                           f"{local_time(summary.started_at)}?", "Delete",
                                           "Keep"),
                             delete)

    @on(Button.Pressed, "#history-close")
    def action_close(self) -> None:
        self.dismiss(None)
