"""What `smtp-wizard lab` does: list, check, serve, or open the TUI on the lab."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from wizard.cli.common import EXIT_OK, fail_usage, report_session
from wizard.lab.scenarios import SCENARIOS, Scenario, get


def _list(fmt: str) -> int:
    if fmt == "json":
        rows = [{"name": s.name, "title": s.title, "expected": s.expected, "group": s.group}
                for s in SCENARIOS]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(len(s.name) for s in SCENARIOS)
    for s in SCENARIOS:
        print(f"{s.name:<{width}}  {s.expected:<22}  {s.title}")
    print(f"\n{len(SCENARIOS)} scenarios. Try: smtp-wizard lab --scenario healthy --check")
    return EXIT_OK


async def check_scenario(scenario: Scenario, latency_ms: int = 0, send: bool = False):
    """Start the scenario, run `check` against it, stop it; returns the Session."""
    from wizard.lab.runner import Lab
    from wizard.tree import run_check

    async with Lab(scenario, latency_ms) as lab:
        target = lab.target(send=True) if send else lab.target()
        return await run_check(target, command=f"lab --scenario {scenario.name} --check")


async def _serve(scenario: Scenario, latency_ms: int) -> None:
    from wizard.lab.runner import Lab

    async with Lab(scenario, latency_ms) as lab:
        info = lab.endpoints()
        print(f"Lab scenario '{scenario.name}': {scenario.title}")
        for key, value in info.items():
            print(f"  {key:<12} {value}")
        host, port = info["smtp"].rsplit(":", 1)
        print("\nTry it with swaks, for example:")
        print(f"  swaks --server {host} --port {port} --tls --tls-ca-path {info['ca_file']} "
              f"--auth-user {info['user']} --auth-password '{info['password']}' "
              "--from alice@lab.test --to bob@lab.test")
        print("Press ctrl+c to stop.", flush=True)
        await asyncio.Event().wait()


def run_lab(args: argparse.Namespace) -> int:
    if args.list:
        return _list(args.format)
    if args.latency < 0 or args.latency > 10_000:
        return fail_usage("--latency must be between 0 and 10000 ms")
    scenario = get(args.scenario) if args.scenario else None
    if args.scenario and scenario is None:
        names = ", ".join(s.name for s in SCENARIOS)
        return fail_usage(f"unknown scenario {args.scenario!r}; choose one of: {names}")
    if args.check:
        if scenario is None:
            return fail_usage("--check needs --scenario NAME (see --list)")
        session = asyncio.run(check_scenario(scenario, args.latency, args.send))
        return report_session(session, args.format, args.output)
    if args.serve:
        try:
            asyncio.run(_serve(scenario or SCENARIOS[0], args.latency))
        except KeyboardInterrupt:
            print("\nlab stopped", file=sys.stderr)
        return EXIT_OK
    from screens.app import WizardApp  # lazy-ui: the lab picker lives in the TUI

    app = WizardApp(lab=True, scenario=scenario.name if scenario else None,
                    latency_ms=args.latency)
    app.run()
    return app.return_code or 0
