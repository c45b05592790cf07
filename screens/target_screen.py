"""The Target screen: what to test, validated field by field, with named profiles.

Each field is checked with the core's ``validate_*`` functions; the message appears under the
field. The password is masked, never shown again and never saved in a profile.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from wizard import profiles
from wizard.secret import Secret
from wizard.target import (
    FIELDS_BY_NAME,
    Target,
    TargetError,
    TargetField,
    target_from_texts,
)

# The form's fields, in order; labels, placeholders and validation come from the core's one
# field table (wizard.target.TARGET_FIELDS). Security is a Select after the port.
FORM: tuple[str, ...] = ("host", "port", "user", "password", "mail_from", "rcpt_to", "domain",
                         "dkim_selectors", "sending_ip", "nameservers", "ca_file")
FIELDS: tuple[TargetField, ...] = tuple(FIELDS_BY_NAME[name] for name in FORM)
SECURITY_CHOICES = (("Auto (detect)", "auto"), ("STARTTLS", "starttls"),
                    ("Implicit TLS (SSL/TLS)", "tls"), ("None (plain text)", "none"))


def form_values(target: Target) -> dict[str, str]:
    """The form's text for ``target`` (never the password)."""
    values = {f.name: f.to_text(getattr(target, f.name)) for f in FIELDS if f.kind != "secret"}
    values["security"] = target.security.value
    return values


def field_error(field_id: str, value: str) -> str | None:
    """The one-line problem with ``value`` for this field, or None."""
    spec = FIELDS_BY_NAME.get(field_id)
    if spec is None or spec.kind == "secret" or not value.strip():
        return None
    try:
        spec.from_text(value)
    except TargetError as exc:
        return str(exc)
    return None


def build_target(values: dict[str, str], base: Target,
                 password: Secret | None) -> tuple[Target | None, dict[str, str]]:
    """A Target from the form's text, or the errors per field."""
    errors = {f.name: err for f in FIELDS if (err := field_error(f.name, values.get(f.name, "")))}
    if not values.get("host", "").strip():
        errors["host"] = "host is empty: give the mail server's name, e.g. smtp.example.com"
    if errors:
        return None, errors
    target = target_from_texts(values, base)
    return target.with_changes(password=password if target.user else None), {}


class TargetScreen(Screen[Target | None]):
    """Say what to test. ``edit=True``: dismiss with the new Target instead of starting a run."""

    BINDINGS = [
        Binding("ctrl+r", "run", "Run checks", id="target.run",
                tooltip="Check every field, then walk the checks against this server"),
        Binding("ctrl+s", "save_profile", "Save profile", id="target.save_profile",
                tooltip="Save these fields (never the password) under the profile name"),
        Binding("escape", "cancel", "Back", id="target.back", show=False,
                tooltip="Leave without changing the target"),
    ]

    def __init__(self, target: Target | None = None, edit: bool = False) -> None:
        super().__init__()
        self.base = target or Target()
        self.edit = edit
        self._password = self.base.password

    def compose(self) -> ComposeResult:
        values = form_values(self.base)
        yield Header()
        with VerticalScroll(id="target-form"):
            yield Static("What should the wizard test? Fill in what you know; only the host is "
                         "required.", id="target-intro")
            for spec in FIELDS:
                fid = spec.name
                with Horizontal(classes="target-row"):
                    yield Label(spec.label, classes="target-label")
                    if fid == "password":
                        yield Input(id="f-password", password=True, compact=True,
                                    placeholder="(given: type to replace)" if self._password
                                    else spec.placeholder)
                    else:
                        yield Input(values.get(fid, ""), id=f"f-{fid}", compact=True,
                                    placeholder=spec.placeholder)
                yield Static("", id=f"e-{fid}", classes="target-error", markup=False)
                if fid == "port":
                    with Horizontal(classes="target-row"):
                        yield Label("Security", classes="target-label")
                        yield Select(SECURITY_CHOICES, value=values["security"],
                                     allow_blank=False, id="f-security", compact=True)
        with Horizontal(id="target-profile"):
            yield Label("Profile", classes="target-label")
            yield Input(id="profile-name", placeholder="name", compact=True)
            yield Button("Save", id="profile-save", compact=True)
            yield Select(self._profile_options(), prompt="Load a profile",
                         id="profile-select", compact=True)
        with Horizontal(id="target-actions", classes="actions"):
            yield Button("Run checks" if not self.edit else "Use and re-run",
                         id="target-run", variant="primary", compact=True)
            if self.edit:
                yield Button("Cancel", id="target-cancel", compact=True)
            else:
                yield Button("Explain an error", id="target-explain", compact=True)
                yield Button("Lab", id="target-lab", compact=True)
                yield Button("History", id="target-history", compact=True)
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape only leaves the form when it was opened to edit a running target."""
        return self.edit if action == "cancel" else True

    def on_mount(self) -> None:
        self.sub_title = "Edit the target" if self.edit else "Target"
        self.query_one("#f-host", Input).focus()

    def _profile_options(self) -> list[tuple[str, str]]:
        try:
            return [(name, name) for name in profiles.list_profiles()]
        except profiles.ProfileError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return []

    # ------------------------------------------------------------ values and validation

    def values(self) -> dict[str, str]:
        out = {f.name: self.query_one(f"#f-{f.name}", Input).value
               for f in FIELDS if f.name != "password"}
        out["security"] = str(self.query_one("#f-security", Select).value)
        return out

    def show_error(self, field_id: str, message: str | None) -> None:
        error = self.query_one(f"#e-{field_id}", Static)
        error.update(message or "")
        error.display = bool(message)
        self.query_one(f"#f-{field_id}", Input).set_class(bool(message), "-invalid")

    @on(Input.Blurred)
    def _check_field(self, event: Input.Blurred) -> None:
        field_id = (event.input.id or "").removeprefix("f-")
        if field_id in FORM:
            self.show_error(field_id, field_error(field_id, event.value))

    @on(Input.Changed)
    def _clear_error(self, event: Input.Changed) -> None:
        field_id = (event.input.id or "").removeprefix("f-")
        if field_id in FORM and field_error(field_id, event.value) is None:
            self.show_error(field_id, None)

    def current_target(self) -> Target | None:
        """The validated Target, or None after showing every field's problem."""
        typed = self.query_one("#f-password", Input).value
        password = Secret(typed) if typed else self._password
        target, errors = build_target(self.values(), self.base, password)
        for fid in FORM:
            self.show_error(fid, errors.get(fid))
        if target is None:
            first = next(fid for fid in FORM if fid in errors)
            self.query_one(f"#f-{first}", Input).focus()
            self.notify("Some fields need a fix: see the messages under them.",
                        severity="warning")
        return target

    # ------------------------------------------------------------ actions

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "profile-name":
            self.action_save_profile()
        else:
            self.action_run()

    @on(Button.Pressed, "#target-run")
    def action_run(self) -> None:
        target = self.current_target()
        if target is None:
            return
        self.app.target = target  # type: ignore[attr-defined]
        if self.edit:
            self.dismiss(target)
        else:
            self.app.start_run(target)  # type: ignore[attr-defined]

    @on(Button.Pressed, "#target-cancel")
    def action_cancel(self) -> None:
        if self.edit:
            self.dismiss(None)

    @on(Button.Pressed, "#target-explain")
    def _explain(self) -> None:
        self.app.action_explain()  # type: ignore[attr-defined]

    @on(Button.Pressed, "#target-lab")
    def _lab(self) -> None:
        self.app.action_lab()  # type: ignore[attr-defined]

    @on(Button.Pressed, "#target-history")
    def _history(self) -> None:
        self.app.action_history()  # type: ignore[attr-defined]

    @on(Button.Pressed, "#profile-save")
    def action_save_profile(self) -> None:
        name = self.query_one("#profile-name", Input).value
        if not name.strip():
            self.query_one("#profile-name", Input).focus()
            self.notify("Type a profile name first.", severity="warning")
            return
        try:
            profiles.save_profile(name, self.values())
        except (profiles.ProfileError, OSError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.query_one("#profile-select", Select).set_options(self._profile_options())
        self.notify(f"Saved profile {name.strip()!r} (without the password).", markup=False)

    @on(Select.Changed, "#profile-select")
    def _load_profile(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK:
            return
        try:
            values = profiles.load_profile(str(event.value))
        except profiles.ProfileError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        for fid in FORM:
            if fid != "password":
                self.query_one(f"#f-{fid}", Input).value = values.get(fid, "")
        security = values.get("security", "auto")
        if security in {value for _label, value in SECURITY_CHOICES}:
            self.query_one("#f-security", Select).value = security
        self.query_one("#profile-name", Input).value = str(event.value)
        self.notify(f"Loaded profile {event.value!s}.", markup=False)
