"""Command-line entry point: parse arguments and dispatch to a subcommand.

Subcommand modules live in ``wizard/cli/`` and keep heavy imports inside their ``run`` function,
so ``--help`` and ``explain`` start fast. The TUI (Textual) is imported only when it is opened.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from wizard import __version__
from wizard.model.errors import WizardError
from wizard.output.terminal import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    fail_usage,
)

COMMANDS = ("check", "discover", "dns", "explain", "lab", "kb", "headers")


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a one-line message, and never guesses abbreviations
    (so ``--password`` is an error, not a match for ``--password-env``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; given ``argv``, only its subcommand is built in full (and its module
    imported): the others are one-line entries, enough for the usage line. ``--help`` before
    the subcommand, or no subcommand, builds them all."""
    from wizard.cli import SUMMARY, common

    parser = _Parser(
        prog="smtp-wizard",
        description="Find out why mail will not send: live SMTP and DNS checks, explained.",
        epilog="Without a subcommand, opens the interactive wizard (target flags pre-fill it).",
    )
    parser.add_argument("--version", action="version", version=f"smtp-wizard {__version__}")
    common.add_target_args(parser, prefix=TOP)
    chosen = None if argv is None else _subcommand_of(parser, argv)
    sub = parser.add_subparsers(dest="subcommand", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        if chosen is None or name == chosen:
            module = importlib.import_module(f"wizard.cli.{name}")
            module.add_parser(sub)
        else:
            sub.add_parser(name, help=SUMMARY[name], add_help=False)
    return parser


def _subcommand_of(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, skipping the values of the options before it; None when
    there is none or help is asked for first."""
    options = parser._option_string_actions
    words = iter(argv)
    for word in words:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
        action = options.get(word.split("=", 1)[0])
        if word in ("-h", "--help", "--") or action is None:
            return None  # help, or something only the full parser can answer
        if action.nargs != 0 and "=" not in word:
            next(words, None)  # the option's value
    return None


TOP = "top_"  # destination prefix of the target options given before the subcommand


def _chosen_actions(parser: argparse.ArgumentParser, args: argparse.Namespace,
                    ) -> list[argparse.Action]:
    """The options of the (nested) subcommand ``args`` chose, e.g. ``kb show``."""
    out: list[argparse.Action] = []
    current: argparse.ArgumentParser | None = parser
    while current is not None:
        chooser = next((a for a in current._actions
                        if isinstance(a, argparse._SubParsersAction)), None)
        if current is not parser:
            out += current._actions
        name = getattr(args, chooser.dest, None) if chooser is not None else None
        current = chooser.choices.get(name) if chooser is not None and name else None
    return out


def merge_leading_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Target options given before the subcommand (``smtp-wizard --nameserver X dns D``) are
    honoured where the subcommand has the same option, and refused with a one-line error where
    it has not or where the option is given on both sides. Never silently dropped."""
    given = {key[len(TOP):]: value for key, value in vars(args).items()
             if key.startswith(TOP) and value is not None}
    for key in [k for k in vars(args) if k.startswith(TOP)]:
        delattr(args, key)
    if args.subcommand is None:
        for key, value in given.items():
            setattr(args, key, value)
        return
    flags = {a.dest: a.option_strings for a in parser._actions if a.dest.startswith(TOP)}
    by_flag = {flag: action for action in _chosen_actions(parser, args)
               for flag in action.option_strings}
    for key, value in given.items():
        flag = flags[TOP + key][0]
        action = by_flag.get(flag)
        if action is None:
            parser.exit(EXIT_USAGE, f"smtp-wizard: error: {flag} is not an option of "
                                    f"'{args.subcommand}'\n")
        current = getattr(args, action.dest, None)
        if current not in (None, False, action.default):
            parser.exit(EXIT_USAGE, f"smtp-wizard: error: {flag} is given both before and "
                                    f"after '{args.subcommand}'\n")
        setattr(args, action.dest, value)


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(words)
    args = parser.parse_args(words)
    merge_leading_options(parser, args)
    named = False
    try:
        if args.subcommand is None:
            from wizard.cli import tui

            return tui.run(args)
        module = importlib.import_module(f"wizard.cli.{args.subcommand}")
        named = getattr(module, "NAMED_IN_ERRORS", False)
        status: int = module.run(args)
        return status
    except WizardError as exc:  # bad input, the one mapping: a line on stderr, its exit status
        fail_usage(str(exc), args.subcommand if named else None)
        return exc.exit_status
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
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
