"""`smtp-wizard lab`: loopback servers that reproduce each classic failure."""

from __future__ import annotations

import argparse

# wizard.lab.scenarios.LEVELS (not imported: --help must not load the lab's servers)
LEVELS = ("beginner", "intermediate", "advanced")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "lab", help="practice on loopback servers that reproduce failures",
        description="Practise on loopback servers that reproduce mail failures: one scenario "
                    "(--check, --serve, the TUI), exercises with hidden answers (--exercise), a "
                    "classroom (--serve --all), or a recorded incident (--record).")
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    parser.add_argument("--scenario", metavar="NAME", help="the scenario to start")
    files = parser.add_mutually_exclusive_group()
    files.add_argument("--scenario-file", metavar="FILE",
                       help="use this scenario file (TOML) instead of the built-ins")
    files.add_argument("--scenarios", metavar="DIR",
                       help="use the scenario files (*.toml) of this folder instead")
    parser.add_argument("--level", choices=LEVELS, help="only the scenarios of this level")
    parser.add_argument("--check", action="store_true", help="run check against it and exit")
    parser.add_argument("--serve", action="store_true", help="keep the servers up; print endpoints")
    parser.add_argument("--all", action="store_true",
                        help="with --serve: serve every scenario at once (a classroom)")
    parser.add_argument("--base-port", type=int, metavar="N",
                        help="with --serve --all: exercise k on port N+k, its nameserver N+100+k")
    parser.add_argument("--handout", metavar="FILE",
                        help="with --serve --all: write the trainees' handout (Markdown) here")
    parser.add_argument("--answers", metavar="FILE",
                        help="with --serve --all: write the trainer's answer key here")
    parser.add_argument("--exercise", action="store_true",
                        help="exercises in the TUI: numbered, answers hidden, diagnosis scored")
    parser.add_argument("--trainee", metavar="NAME",
                        help="with --exercise: whose score sheet (default: your user name)")
    parser.add_argument("--show-verdict", action="store_true",
                        help="with --exercise: show the verdict card as evidence before the "
                             "diagnosis (by default it is held back until the trainee answers)")
    parser.add_argument("--record", metavar="REPORT.json",
                        help="turn a `check --format json` report into a scenario file "
                             "(printed; redacted)")
    parser.add_argument("--keep-names", action="store_true",
                        help="with --record: keep host names, addresses and domains")
    parser.add_argument("--latency", type=int, default=0, metavar="MS",
                        help="delay every server reply and DNS answer by MS milliseconds")
    parser.add_argument("--send", action="store_true", help="with --check: send the test message")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE")
    return parser


def run(args: argparse.Namespace) -> int:
    from wizard.lab.cli import run_lab

    return run_lab(args)
