"""Open the interactive wizard. Textual is imported here, lazily, and nowhere else in wizard/."""

from __future__ import annotations

import argparse

from wizard.cli.common import fail_usage, target_from_args
from wizard.target import TargetError


def run(args: argparse.Namespace) -> int:
    try:
        target = target_from_args(args, need_host=False)
    except TargetError as exc:
        return fail_usage(str(exc))
    from screens.app import WizardApp  # lazy-ui: the only way into Textual

    app = WizardApp(target=target, run_now=bool(target.host))
    app.run()
    return app.return_code or 0
