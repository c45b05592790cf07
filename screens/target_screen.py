"""The Target screen: what to test, validated field by field, with presets and named profiles.

Every field, label, placeholder and check comes from the core's one field table
(``wizard.model.target.TARGET_FIELDS``); provider presets come from the core's provider catalog
(``wizard/catalog/data/providers``). The password and OAuth token are masked, never shown again and
never
saved in a profile. "Only the DNS" checks a domain without a server.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    Collapsible,
    Footer,
    Header,
    Input,
    Label,
    Select,
    Static,
)

from screens.quitting import TYPED_QUIT_BINDINGS, is_first, offer_to_quit, quit_now
from screens.wizard_screen import WizardScreen
from wizard.catalog.providers import catalog
from wizard.model.secret import Secret
from wizard.model.target import (
    FIELDS_BY_NAME,
    Target,
    TargetError,
    TargetField,
    target_from_texts,
)
from wizard.records import profiles

# The form's fields, in order; security is a Select after the port. The rest sit under "More".
MAIN: tuple[str, ...] = ("host", "port", "user", "password", "mail_from", "rcpt_to")
MORE: tuple[str, ...] = ("domain", "dkim_selectors", "sending_ip", "nameservers", "ca_file",
                         "timeout", "helo_name", "oauth_token")
FLAGS: tuple[str, ...] = ("send", "verify_tls", "allow_plaintext_auth", "blocklists", "dns")
FORM: tuple[str, ...] = MAIN + MORE
FIELDS: tuple[TargetField, ...] = tuple(FIELDS_BY_NAME[name] for name in FORM)
SECRETS = ("password", "oauth_token")
FLAG_LABELS = {  # each fits beside the labels' column at 80 columns
    "send": "Send one real test message (asks before sending)",
    "verify_tls": "Verify the certificate (turn off only to inspect it)",
    "allow_plaintext_auth": "Allow the password unencrypted (trusted LAN only)",
    "blocklists": "Ask DNS blocklists about the sending IP and domain",
    "dns": "Check the domains' DNS too",
}
SECURITY_CHOICES = (("Auto (detect)", "auto"), ("STARTTLS", "starttls"),
                    ("Implicit TLS (SSL/TLS)", "tls"), ("None (plain text)", "none"))


def preset_options() -> list[tuple[str, str]]:
    """(label, "provider/index") for every preset in the provider catalog."""
    out = []
    for pid, provider in sorted(catalog().items(), key=lambda item: item[1].name.lower()):
        for index, preset in enumerate(provider.presets):
            out.append((preset.name, f"{pid}/{index}"))
    return out


def preset_values(key: str) -> tuple[dict[str, str], str, str]:
    """The form values a preset fills, its user-name hint and its name."""
    pid, _, index = key.partition("/")
    preset = catalog()[pid].presets[int(index)]
    return ({"host": preset.host, "port": str(preset.port), "security": preset.security},
            preset.user_hint, preset.name)


def form_values(target: Target) -> dict[str, Any]:
    """The form's values for ``target`` (never a secret): text fields and flags."""
    values: dict[str, Any] = {f.name: f.to_text(getattr(target, f.name))
                              for f in FIELDS if f.kind != "secret"}
    values["security"] = target.security.value
    values.update({name: bool(getattr(target, name)) for name in FLAGS})
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


def build_target(values: dict[str, Any], base: Target, password: Secret | None,
                 token: Secret | None = None, dns_only: bool = False,
                 ) -> tuple[Target | None, dict[str, str]]:
    """A Target from the form's values, or the errors per field."""
    texts = {k: v for k, v in values.items() if isinstance(v, str)}
    errors = {f.name: err for f in FIELDS if (err := field_error(f.name, texts.get(f.name, "")))}
    if dns_only:
        if not (texts.get("domain", "").strip() or texts.get("mail_from", "").strip()):
            errors["domain"] = "give the domain to check (or a sender address)"
    elif not texts.get("host", "").strip():
        errors["host"] = "host is empty: give the mail server's name, e.g. smtp.example.com"
    if errors:
        return None, errors
    target = target_from_texts(texts, base)
    flags = {name: bool(values[name]) for name in FLAGS if name in values}
    target = target.with_changes(**flags)
    if dns_only:
        domain = target.domain or target.sender_domain
        target = target.with_changes(host=None, port=None, user=None, domain=domain, dns=True)
    user = target.user
    return target.with_changes(password=password if user else None,
                               oauth_token=token if user else None), {}


class TargetScreen(WizardScreen[Target | None]):
    """Say what to test. ``edit=True``: dismiss with the new Target instead of starting a run."""

    BINDINGS = [
        Binding("ctrl+r", "run", "Run checks", id="target.run",
                tooltip="Check every field, then walk the checks against this server"),
        Binding("ctrl+s", "save_profile", "Save profile", id="target.save_profile",
                tooltip="Save these fields (never the password) under the profile name"),
        Binding("escape", "cancel", "Back", id="target.back", show=False,
                tooltip="Leave without changing the target (on the first screen: quit)"),
        *TYPED_QUIT_BINDINGS,
    ]

    def __init__(self, target: Target | None = None, edit: bool = False) -> None:
        super().__init__()
        self.base = target or Target()
        self.edit = edit
        self._password = self.base.password
        self._token = self.base.oauth_token

    def _row(self, spec: TargetField, values: dict[str, Any]) -> ComposeResult:
        fid = spec.name
        with Horizontal(classes="target-row"):
            yield Label(spec.label, classes="target-label")
            if fid in SECRETS:
                given = self._password if fid == "password" else self._token
                yield Input(id=f"f-{fid}", password=True, compact=True,
                            placeholder="(given: type to replace)" if given
                            else spec.placeholder)
            else:
                yield Input(values.get(fid, ""), id=f"f-{fid}", compact=True,
                            placeholder=spec.placeholder)
        yield Static("", id=f"e-{fid}", classes="target-error", markup=False)

    def compose(self) -> ComposeResult:
        values = form_values(self.base)
        yield Header()
        with VerticalScroll(id="target-form"):
            yield Static("What should the wizard test? Only the host is required; a preset "
                         "fills it in for the big providers.", id="target-intro")
            with Horizontal(classes="target-row"):
                yield Label("Preset", classes="target-label")
                yield Select(preset_options(), prompt="Pick a provider (optional)",
                             id="f-preset", compact=True)
            for spec in (FIELDS_BY_NAME[name] for name in MAIN):
                yield from self._row(spec, values)
                if spec.name == "port":
                    with Horizontal(classes="target-row"):
                        yield Label("Security", classes="target-label")
                        yield Select(SECURITY_CHOICES, value=values["security"],
                                     allow_blank=False, id="f-security", compact=True)
            yield Checkbox("Only the DNS of a domain (give it under More options)",
                           value=not self.base.host and bool(self.base.domain), id="f-dns-only",
                           compact=True)
            with Collapsible(title="More options: DNS, certificates, timeout, HELO, sending",
                             id="target-more", collapsed=True):
                for spec in (FIELDS_BY_NAME[name] for name in MORE):
                    yield from self._row(spec, values)
                for name in FLAGS:
                    yield Checkbox(FLAG_LABELS[name], value=bool(values[name]), id=f"f-{name}",
                                   compact=True)
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
        """Escape leaves the form opened to edit a running target, or offers to quit on the
        first screen; ctrl+q is shown on the first screen."""
        if action == "cancel":
            return self.edit or is_first(self)
        if action == "quit_now":
            return is_first(self)
        return True

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

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: self.query_one(f"#f-{f.name}", Input).value
                               for f in FIELDS if f.name not in SECRETS}
        out["security"] = str(self.query_one("#f-security", Select).value)
        out.update({name: self.query_one(f"#f-{name}", Checkbox).value for name in FLAGS})
        return out

    @property
    def dns_only(self) -> bool:
        return self.query_one("#f-dns-only", Checkbox).value

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

    @on(Select.Changed, "#f-preset")
    def _preset(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK:
            return
        values, hint, name = preset_values(str(event.value))
        self.query_one("#f-host", Input).value = values["host"]
        self.query_one("#f-port", Input).value = values["port"]
        self.query_one("#f-security", Select).value = values["security"]
        user = self.query_one("#f-user", Input)
        user.placeholder = hint or user.placeholder
        self.query_one("#f-dns-only", Checkbox).value = False
        self.notify(f"Filled in the settings of {name}. User name: {hint}.", markup=False)
        user.focus()

    def current_target(self) -> Target | None:
        """The validated Target, or None after showing every field's problem."""
        typed = self.query_one("#f-password", Input).value
        password = Secret(typed) if typed else self._password
        typed_token = self.query_one("#f-oauth_token", Input).value
        token = Secret(typed_token) if typed_token else self._token
        target, errors = build_target(self.values(), self.base, password, token, self.dns_only)
        for fid in FORM:
            self.show_error(fid, errors.get(fid))
        if target is None:
            first = next(fid for fid in FORM if fid in errors)
            if first in MORE:
                self.query_one("#target-more", Collapsible).collapsed = False
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
        self.wizard.target = target
        if self.edit:
            self.dismiss(target)
        else:
            self.wizard.start_run(target)

    @on(Button.Pressed, "#target-cancel")
    def action_cancel(self) -> None:
        if self.edit:
            self.dismiss(None)
        elif is_first(self):
            offer_to_quit(self)

    def action_quit_now(self) -> None:
        quit_now(self)

    @on(Button.Pressed, "#target-explain")
    def _explain(self) -> None:
        self.wizard.action_explain()

    @on(Button.Pressed, "#target-lab")
    def _lab(self) -> None:
        self.wizard.action_lab()

    @on(Button.Pressed, "#target-history")
    def _history(self) -> None:
        self.wizard.action_history()

    @on(Button.Pressed, "#profile-save")
    def action_save_profile(self) -> None:
        name = self.query_one("#profile-name", Input).value
        if not name.strip():
            self.query_one("#profile-name", Input).focus()
            self.notify("Type a profile name first.", severity="warning")
            return
        values = {k: ("yes" if v else "no") if isinstance(v, bool) else v
                  for k, v in self.values().items()}
        try:
            profiles.save_profile(name, values)
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
            if fid not in SECRETS:
                self.query_one(f"#f-{fid}", Input).value = values.get(fid, "")
        for name in FLAGS:
            if name in values:
                self.query_one(f"#f-{name}", Checkbox).value = values[name] == "yes"
        security = values.get("security", "auto")
        if security in {value for _label, value in SECURITY_CHOICES}:
            self.query_one("#f-security", Select).value = security
        self.query_one("#profile-name", Input).value = str(event.value)
        self.notify(f"Loaded profile {event.value!s}.", markup=False)
