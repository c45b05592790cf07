"""Command-line entry point: parse arguments and dispatch to a subcommand.

Subcommand modules live in ``wizard/cli/`` and keep heavy imports inside their ``run`` function,
so ``--help`` and ``explain`` start fast. The TUI (Textual) is imported only when it is opened.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from wizard import __version__

COMMANDS = ("check", "dns", "explain", "lab", "kb", "headers")

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a one-line message, and never guesses abbreviations
    (so ``--password`` is an error, not a match for ``--password-env``)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from wizard.cli import common

    parser = _Parser(
        prog="smtp-wizard",
        description="Find out why mail will not send: live SMTP and DNS checks, explained.",
        epilog="Without a subcommand, opens the interactive wizard (target flags pre-fill it).",
    )
    parser.add_argument("--version", action="version", version=f"smtp-wizard {__version__}")
    common.add_target_args(parser)
    sub = parser.add_subparsers(dest="subcommand", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"wizard.cli.{name}")
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.subcommand is None:
            from wizard.cli import tui

            return tui.run(args)
        module = importlib.import_module(f"wizard.cli.{args.subcommand}")
        return module.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: a one-line error, never a traceback
        if os.environ.get("SMTP_WIZARD_DEBUG"):
            raise
        print(f"smtp-wizard: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("(set SMTP_WIZARD_DEBUG=1 to see the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
