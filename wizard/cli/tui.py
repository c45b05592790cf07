"""Open the interactive wizard, or the lab's TUI. Textual is imported here, lazily, and nowhere
else in wizard/ (the import contract in pyproject.toml allows exactly these ``# lazy-ui`` doors).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from wizard.cli.common import target_from_args

if TYPE_CHECKING:
    from wizard.lab.scenarios import Scenario


def run(args: argparse.Namespace) -> int:
    target = target_from_args(args, need_host=False)
    from screens.app import WizardApp  # lazy-ui: the wizard's TUI

    app = WizardApp(target=target, run_now=bool(target.host))
    app.run()
    return app.return_code or 0


def open_lab(scenarios: Sequence[Scenario], *, scenario: str | None, latency_ms: int,
             exercise: bool, trainee: str | None, show_verdict: bool) -> int:
    """The TUI on a set of lab scenarios: the picker, a scenario's walk, or the exercises."""
    from screens.lab_app import LabApp  # lazy-ui: the lab picker and exercises live in the TUI

    app = LabApp(scenarios=scenarios, scenario=scenario, latency_ms=latency_ms,
                 exercise=exercise, trainee=trainee, show_verdict=show_verdict)
    app.run()
    return app.return_code or 0
