"""The app `smtp-wizard lab` opens: the wizard, on a chosen set of lab scenarios.

:class:`LabApp` is :class:`~screens.app.WizardApp` with its own scenarios (the built-ins, or a
trainer's files from ``--scenario-file``/``--scenarios``, filtered by ``--level``), opening on
the lab picker, or on the exercises (``--exercise``). During exercises, the history (F3) and
the plain lab picker (F4) stay closed: they would show the answers. On SIGTERM or SIGHUP the
lab's folders are removed (:mod:`wizard.lab.cleanup`) and the app exits, restoring the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.screen import Screen

from screens.app import WizardApp
from wizard.lab.scenarios import Scenario


class LabApp(WizardApp):
    """The wizard on a set of lab scenarios (see the module docstring)."""

    def __init__(self, *, scenarios: Sequence[Scenario], scenario: str | None = None,
                 latency_ms: int = 0, exercise: bool = False, trainee: str | None = None,
                 show_verdict: bool = False, score_folder: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(lab=True, scenario=scenario, latency_ms=latency_ms, **kwargs)
        self.scenarios = tuple(scenarios)
        self.exercise_mode = exercise
        self.trainee = trainee or "trainee"
        self.show_verdict = show_verdict
        self.score_folder = score_folder

    def on_mount(self) -> None:  # Textual also runs WizardApp.on_mount (each class's handler)
        import asyncio

        from wizard.lab import cleanup

        loop = asyncio.get_running_loop()

        def stop(signum: int) -> None:
            loop.call_soon_threadsafe(self.exit, None, 128 + signum)

        cleanup.set_graceful_stop(stop)

    def on_unmount(self) -> None:
        from wizard.lab import cleanup

        cleanup.set_graceful_stop(None)

    def get_default_screen(self) -> Screen[Any]:
        if self.exercise_mode:
            from screens.exercise_screen import ExercisePickerScreen

            return ExercisePickerScreen(self.scenarios, self.trainee, self.show_verdict,
                                        self.score_folder)
        from screens.lab_screen import LabPickerScreen

        return LabPickerScreen(self.scenarios)

    def start_lab(self, name: str) -> None:
        """Start scenario ``name`` of this app's set and walk it."""
        from screens.run_screen import RunScreen
        from wizard.lab.scenarios import get

        scenario = get(name, self.scenarios)
        if scenario is None:
            self.notify(f"No lab scenario named {name!r}", severity="error", markup=False)
            return
        self.push_screen(RunScreen(scenario=scenario, latency_ms=self.latency_ms))

    def action_lab(self) -> None:
        if self.exercise_mode:
            self.notify("The scenario list is closed during exercises.")
            return
        from screens.lab_screen import LabPickerScreen

        if not isinstance(self.screen, LabPickerScreen):
            self.push_screen(LabPickerScreen(self.scenarios))

    def action_history(self) -> None:
        if self.exercise_mode:
            self.notify("History is closed during exercises: it shows past verdicts.")
            return
        super().action_history()
