"""The smtp-wizard Textual application: screens, global keys, palette, and worker errors.

``WizardApp(target=..., run_now=...)`` is what ``smtp-wizard`` opens;
``WizardApp(lab=True, scenario=..., latency_ms=...)`` is what ``smtp-wizard lab`` opens. The app
only routes between screens; the checks, the tree and the knowledge base live in ``wizard/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from screens.commands import ActionCommands, ArticleCommands
from screens.kb import Knowledge
from wizard.model.target import Target
from wizard.walk.session import Session


class WizardApp(App[int]):
    """Walks the decision tree against a target (or a lab scenario) and explains the results."""

    TITLE = "smtp-wizard"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ArticleCommands, ActionCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help",
                tooltip="Show the keys of this screen and how the wizard works"),
        Binding("f2", "explain", "Explain", id="app.explain",
                tooltip="Paste an SMTP error or bounce text and see what it means"),
        Binding("f3", "history", "History", id="app.history", show=False,
                tooltip="Reopen past sessions and their reports"),
        Binding("f4", "lab", "Lab", id="app.lab", show=False,
                tooltip="Practise on built-in lab servers running on this computer"),
        Binding("f5", "headers", "Headers", id="app.headers", show=False,
                tooltip="Analyse a received message: why it failed DMARC or went to spam"),
    ]

    def __init__(
        self,
        *,
        target: Target | None = None,
        run_now: bool = False,
        lab: bool = False,
        scenario: str | None = None,
        latency_ms: int = 0,
        knowledge_dirs: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.target = target or Target()
        self.run_now = run_now
        self.lab_mode = lab
        self.scenario = scenario
        self.latency_ms = latency_ms
        self._knowledge_dirs = tuple(knowledge_dirs) or tuple(self.target.knowledge_dirs)
        self._knowledge: Knowledge | None = None

    # ------------------------------------------------------------ start-up

    def get_default_screen(self) -> Screen[Any]:
        if self.lab_mode:
            from screens.lab_screen import LabPickerScreen

            return LabPickerScreen()
        from screens.target_screen import TargetScreen

        return TargetScreen(self.target)

    def on_mount(self) -> None:
        self._load_keymap()
        if self.lab_mode and self.scenario:
            self.start_lab(self.scenario)
        elif self.run_now and self.target.host:
            self.start_run(self.target)

    def _load_keymap(self) -> None:
        """Remap keys by binding id from ``keymap.toml`` in the config dir (``id = "keys"``)."""
        import tomllib

        from wizard.records.profiles import config_dir

        path = config_dir() / "keymap.toml"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, tomllib.TOMLDecodeError) as exc:
            self.notify(f"{path} is not used: {exc}", severity="warning", markup=False)
            return
        keymap = data.get("keymap", data)
        self.set_keymap({str(k): str(v) for k, v in keymap.items() if isinstance(v, str)})

    @property
    def knowledge(self) -> Knowledge:
        if self._knowledge is None:
            self._knowledge = Knowledge(self._knowledge_dirs)
            if self._knowledge.error:
                self.notify(self._knowledge.error, severity="warning", markup=False)
        return self._knowledge

    # ------------------------------------------------------------ navigation used by screens

    def start_run(self, target: Target) -> None:
        """Open the Run screen for ``target`` and start walking at once."""
        from screens.run_screen import RunScreen

        self.push_screen(RunScreen(target=target))

    def start_lab(self, name: str) -> None:
        """Start lab scenario ``name`` and walk it (the lab stops when its Run screen closes)."""
        from screens.run_screen import RunScreen
        from wizard.lab.scenarios import get

        scenario = get(name)
        if scenario is None:
            self.notify(f"No lab scenario named {name!r}", severity="error", markup=False)
            return
        self.push_screen(RunScreen(scenario=scenario, latency_ms=self.latency_ms))

    def refusal(self, action: str) -> str | None:
        """Why ``action`` is closed now (an exercise not yet scored, below in the stack), or
        None. The rule is the lab's seal (:mod:`wizard.lab.seal`); the app only asks it."""
        for screen in reversed(self.screen_stack):
            seal = getattr(screen, "seal", None)
            if seal is not None:
                return seal.refusal(action)
        return None

    def closed(self, action: str) -> bool:
        """True (and says why) when ``action`` is closed now."""
        refusal = self.refusal(action)
        if refusal:
            self.notify(refusal)
        return refusal is not None

    def open_article(self, article_id: str) -> None:
        from screens.article_screen import ArticleScreen

        if self.closed("article"):
            return

        self.push_screen(ArticleScreen(article_id))

    def open_report(self, session: Session, stored: dict[str, Any] | None = None) -> None:
        from screens.report_screen import ReportScreen

        if self.closed("report"):
            return
        self.push_screen(ReportScreen(session, stored=stored))

    def action_help(self) -> None:
        from screens.help_screen import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        keys: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for active in self.active_bindings.values():
            binding = active.binding
            if active.node not in (self, self.screen) or not binding.description:
                continue
            if binding.action not in seen:
                seen.add(binding.action)
                keys.append((self.get_key_display(binding), binding.description,
                             binding.tooltip or active.tooltip))
        self.push_screen(HelpScreen(keys))

    def action_explain(self) -> None:
        from screens.explain_screen import ExplainScreen

        if self.closed("explain"):
            return
        if not isinstance(self.screen, ExplainScreen):
            self.push_screen(ExplainScreen())

    def action_headers(self, text: str = "") -> None:
        from screens.headers_screen import HeadersScreen

        if not isinstance(self.screen, HeadersScreen):
            self.push_screen(HeadersScreen(text))

    def action_history(self) -> None:
        from screens.history_screen import HistoryScreen

        if not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen())

    def action_lab(self) -> None:
        from screens.lab_screen import LabPickerScreen

        if not isinstance(self.screen, LabPickerScreen):
            self.push_screen(LabPickerScreen())

    def action_new_target(self) -> None:
        from screens.target_screen import TargetScreen

        if not isinstance(self.screen, TargetScreen):
            self.push_screen(TargetScreen(self.target, edit=False))

    # ------------------------------------------------------------ one place for worker failures

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed worker becomes a visible notice, never a crash.

        Worker state messages do not bubble: screens with workers forward theirs here.
        """
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"Something went wrong: {type(error).__name__}: {error}",
                        title="Internal error", severity="error", markup=False, timeout=10)
