"""The Report screen: the session as Markdown and as JSON (the ``check --format json`` schema).

Save writes the shown format to a file atomically with 0600 permissions; Copy puts it on the
clipboard. The text comes from ``wizard.output.report``, which already makes server text printable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Footer, Header, Input, Label, TabbedContent, TabPane, TextArea

from screens.wizard_screen import WizardScreen
from wizard.output.report import render
from wizard.walk.session import Session


class ReportScreen(WizardScreen[None]):
    """Show, save and copy a session's report."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="report.save",
                tooltip="Save the shown format to the file named below (0600)"),
        Binding("ctrl+t", "copy", "Copy", id="report.copy",
                tooltip="Copy the shown format to the clipboard, to paste into a ticket"),
        Binding("escape", "close", "Close", id="report.close", tooltip="Close the report"),
    ]

    def __init__(self, session: Session, stored: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.session = session
        self.markdown = render(session, "markdown", commands=False)
        self.json = (json.dumps(stored, indent=2, ensure_ascii=False) + "\n"
                     if stored is not None else render(session, "json"))
        self._edited_path = False

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="report-tabs", initial="report-md"):
            with TabPane("Markdown", id="report-md"):
                yield TextArea(self.markdown, id="report-markdown", read_only=True,
                               soft_wrap=False)
            with TabPane("JSON", id="report-js"):
                yield TextArea(self.json, id="report-json", read_only=True, soft_wrap=False)
        with Horizontal(id="report-actions", classes="actions"):
            yield Label("File", classes="report-label")
            yield Input(str(self._default_path("md")), id="report-path", compact=True)
            yield Button("Save", id="report-save", variant="primary", compact=True)
            yield Button("Copy", id="report-copy", compact=True)
            yield Button("Close", id="report-close", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Report"

    def _default_path(self, ext: str) -> Path:
        host = (self.session.target.host or self.session.target.domain or "session")
        return Path(f"smtp-wizard-{host.replace(':', '_')}.{ext}")  # in the current folder

    @property
    def fmt(self) -> str:
        active = self.query_one("#report-tabs", TabbedContent).active
        return "json" if active == "report-js" else "markdown"

    @property
    def text(self) -> str:
        return self.json if self.fmt == "json" else self.markdown

    @on(Input.Changed, "#report-path")
    def _path_edited(self, event: Input.Changed) -> None:
        self._edited_path = event.value not in (str(self._default_path("md")),
                                                str(self._default_path("json")))

    @on(TabbedContent.TabActivated, "#report-tabs")
    def _tab(self) -> None:
        if not self._edited_path:
            ext = "json" if self.fmt == "json" else "md"
            self.query_one("#report-path", Input).value = str(self._default_path(ext))

    @on(Input.Submitted, "#report-path")
    @on(Button.Pressed, "#report-save")
    def action_save(self) -> None:
        """Save to the path typed below; an existing file is replaced only after a yes."""
        from screens.clipboard import save_and_tell

        value = self.query_one("#report-path", Input).value.strip()
        if not value:
            self.query_one("#report-path", Input).focus()
            self.notify("Type a file name first.", severity="warning")
            return
        save_and_tell(self, value, self.text, f"the {self.fmt} report")

    @on(Button.Pressed, "#report-copy")
    def action_copy(self) -> None:
        from screens.clipboard import copy_and_tell

        ext = "json" if self.fmt == "json" else "md"
        copy_and_tell(self, self.text, f"report.{ext}", f"the {self.fmt} report")

    @on(Button.Pressed, "#report-close")
    def action_close(self) -> None:
        self.dismiss(None)
