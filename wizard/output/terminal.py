"""How the command line speaks to the terminal, defined once: exit statuses, the colour rule,
and the one-line error. Standard library only, so every command can import it cheaply.
"""

from __future__ import annotations

import os
import sys

# DESIGN.md, "CLI (contract)": 0 nothing failed, 1 a check failed (or nothing found),
# 2 bad usage or input, 3 internal error; 130 interrupted (ctrl+c), as shells expect.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130


def use_colour(stream: object | None = None) -> bool:
    """Colour only on a terminal, never when ``NO_COLOR`` is set (https://no-color.org) or
    ``TERM=dumb``."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR", "") != "" or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def fail_usage(message: str, command: str | None = None) -> int:
    """Print ``smtp-wizard[ COMMAND]: error: MESSAGE`` (one line, untrusted text made
    printable) on stderr; returns the usage exit status."""
    from wizard.output.safetext import printable

    who = f"smtp-wizard {command}" if command else "smtp-wizard"
    print(f"{who}: error: {printable(message)}", file=sys.stderr)
    return EXIT_USAGE
