"""Ask for a few target fields (modal): the password before a login, a sender and recipient to
test sending, a CA file to trust. Validation is the core's field table; a password or token is
masked, returned as a Secret, and never saved or logged.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from wizard.model.secret import Secret
from wizard.model.target import FIELDS_BY_NAME, Target, TargetError

# What an action's ``ask`` names, as the field it fills.
ASK_FIELDS = {"nameserver": "nameservers", "dkim_selector": "dkim_selectors"}


def asked_fields(names: list[str] | tuple[str, ...]) -> list[str]:
    return [ASK_FIELDS.get(name, name) for name in names if ASK_FIELDS.get(name, name)
            in FIELDS_BY_NAME]


class AskScreen(ModalScreen[dict[str, Any] | None]):
    """Dismiss with ``{field: value}`` (values parsed, secrets as Secret), or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="ask.cancel",
                tooltip="Go on without these values"),
    ]

    def __init__(self, fields: list[str], prompt: str, target: Target | None = None) -> None:
        super().__init__()
        self.fields = asked_fields(fields)
        self.prompt = prompt
        self.target = target or Target()

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-box"):
            yield Static(Content(self.prompt), id="ask-prompt")
            for name in self.fields:
                spec = FIELDS_BY_NAME[name]
                with Horizontal(classes="ask-row"):
                    yield Label(spec.label, classes="ask-label")
                    current = "" if spec.kind == "secret" else spec.to_text(
                        getattr(self.target, name))
                    yield Input(current, id=f"ask-{name}", password=spec.kind == "secret",
                                placeholder=spec.placeholder, compact=True)
                yield Static("", id=f"ask-error-{name}", classes="ask-error", markup=False)
            with Horizontal(classes="actions"):
                yield Button("Use and run", id="ask-ok", variant="primary", compact=True)
                yield Button("Cancel", id="ask-cancel", compact=True)

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#ask-{self.fields[0]}", Input).focus()

    def values(self) -> dict[str, Any] | None:
        """The parsed values, or None after showing each field's problem."""
        out: dict[str, Any] = {}
        ok = True
        for name in self.fields:
            spec = FIELDS_BY_NAME[name]
            text = self.query_one(f"#ask-{name}", Input).value
            error = self.query_one(f"#ask-error-{name}", Static)
            try:
                if spec.kind == "secret":
                    if not text:
                        raise TargetError(f"{spec.label} is empty")
                    out[name] = Secret(text)
                elif not text.strip():
                    raise TargetError(f"{spec.label} is empty")
                else:
                    out[name] = spec.from_text(text)
                error.update("")
                error.display = False
            except TargetError as exc:
                error.update(str(exc))
                error.display = True
                ok = False
        return out if ok else None

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        names = [f"ask-{n}" for n in self.fields]
        index = names.index(event.input.id or "") if event.input.id in names else -1
        if 0 <= index < len(names) - 1:
            self.query_one(f"#{names[index + 1]}", Input).focus()
        else:
            self._ok()

    @on(Button.Pressed, "#ask-ok")
    def _ok(self) -> None:
        values = self.values()
        if values is not None:
            self.dismiss(values)

    @on(Button.Pressed, "#ask-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
