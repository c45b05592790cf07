"""Help (F1): how the wizard works and the keys of the screen it was opened from."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown, Static

GUIDE = """\
## How the wizard works

1. **Target**: say which server to test (only the host is required).
2. **Run**: the checks walk the steps *connect, TLS, log in, send, DNS*. Each step shows its
   findings; a failing step stops the walk and a **verdict** names the cause, the one **next
   step** and who must take it. Press **x** to do it: the wizard applies the fix (or asks for
   what is missing) and runs again.
3. **Article**: the verdict's article explains the cause and the fix. Links open other articles.
4. **Report**: copy or save the session (Markdown for a ticket, JSON for scripts).

Nothing is sent without your say-so: the send step stops after RCPT TO. Every session is saved
as it runs (History, F3), never with the password. Practise on the built-in **Lab** (F4).
Press **ctrl+p** to search the articles and run any action.
"""


class HelpScreen(ModalScreen[None]):
    """The guide and the keys (key, description, tooltip) of the screen it was opened from."""

    BINDINGS = [
        Binding("escape,f1", "close", "Close", id="help.close", tooltip="Close the help"),
    ]

    def __init__(self, keys: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def _keys(self) -> Text:
        lines = Text()
        for key, description, tooltip in self.keys:
            lines.append(f"{key:>10}  ", "bold")
            lines.append(description)
            if tooltip:
                lines.append(f"  {tooltip}", "dim")
            lines.append("\n")
        return lines

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            with VerticalScroll(id="help-scroll"):
                yield Markdown(GUIDE, id="help-guide")
                yield Static("Keys here", id="help-keys-title")
                yield Static(self._keys(), id="help-keys")
            yield Button("Close", id="help-close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
