"""`smtp-wizard dns` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("dns", help="(not built yet)")


def run(args: argparse.Namespace) -> int:
    print("smtp-wizard dns: not built yet", file=sys.stderr)
    return 3
