"""The one base of the errors a person can fix by changing their input (a flag, a file, a data
file), and the exit status each maps to. ``wizard/__main__.py`` turns any of them into a one-line
message and that status, once; nothing else prints-and-exits for them.

Errors a check meets on the network are not here: those are Findings, never exceptions.
"""

from __future__ import annotations

from typing import ClassVar


class WizardError(ValueError):
    """Input that cannot be used, with a one-line reason (``str()``). A ``ValueError``, so code
    that already catches that keeps working."""

    exit_status: ClassVar[int] = 2  # EXIT_USAGE (wizard.output.terminal): bad usage or input
