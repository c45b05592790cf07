"""smtp-wizard core: checks, findings, reports and the CLI.

This package never imports Textual or ``screens``; the TUI is loaded lazily by the CLI.
"""

__version__ = "0.1.0"
