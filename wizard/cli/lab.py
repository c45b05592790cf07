"""`smtp-wizard lab`: loopback servers that reproduce each classic failure."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("lab", help="practice on loopback servers that reproduce failures")
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    parser.add_argument("--scenario", metavar="NAME", help="the scenario to start")
    parser.add_argument("--check", action="store_true", help="run check against it and exit")
    parser.add_argument("--serve", action="store_true", help="keep the servers up; print endpoints")
    parser.add_argument("--latency", type=int, default=0, metavar="MS",
                        help="delay every server reply and DNS answer by MS milliseconds")
    parser.add_argument("--send", action="store_true", help="with --check: send the test message")
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE")
    return parser


def run(args: argparse.Namespace) -> int:
    from wizard.lab.cli import run_lab

    return run_lab(args)
