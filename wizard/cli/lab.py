"""`smtp-wizard lab`: loopback servers that reproduce each classic failure: list, check, serve one
scenario or a classroom, record an incident, or open the TUI on the lab (the picker, or exercises).

Scenario files (``--scenario-file``, ``--scenarios``) are read before anything starts: a bad one
is a one-line usage error (exit 2). ``--serve`` and ``--check`` stop cleanly on ctrl+c, SIGTERM
and SIGHUP: servers closed, the lab folder (certificates, keys, handout) removed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.cli import SUMMARY
from wizard.cli.common import emit, report_session
from wizard.model.target import TargetError
from wizard.output.terminal import EXIT_INTERRUPTED, EXIT_OK, fail_usage

if TYPE_CHECKING:
    from wizard.lab.scenarios import Scenario
    from wizard.walk.session import Session

# wizard.lab.scenarios.LEVELS (not imported: --help must not load the lab's servers)
LEVELS = ("beginner", "intermediate", "advanced")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "lab", help=SUMMARY["lab"],
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
    return run_lab(args)


def _list(scenarios: Sequence[Scenario], fmt: str) -> int:
    if fmt == "json":
        rows = [{"name": s.name, "title": s.title, "expected": s.expected, "group": s.group,
                 "level": s.level} for s in scenarios]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    from wizard.output.safetext import printable

    width = max(len(s.name) for s in scenarios)
    for s in scenarios:  # a trainer's title is file text: shown inert
        print(f"{s.name:<{width}}  {s.expected:<22}  {s.level:<12}  {printable(s.title)}")
    print(f"\n{len(scenarios)} scenarios. Try: smtp-wizard lab --scenario "
          f"{scenarios[0].name} --check")
    return EXIT_OK


def _command(scenario: Scenario) -> str:
    if scenario.source and not scenario.source.startswith(str(_builtin_prefix())):
        return f"lab --scenario-file {scenario.source} --check"
    return f"lab --scenario {scenario.name} --check"


def _builtin_prefix() -> str:
    from wizard.lab.scenarios import builtin_folder

    return str(builtin_folder())


async def check_scenario(scenario: Scenario, latency_ms: int = 0, send: bool = False
                         ) -> Session:
    """Start the scenario, run `check` against it, stop it; returns the Session."""
    from wizard.lab.runner import Lab
    from wizard.walk.tree import run_check

    async with Lab(scenario, latency_ms) as lab:
        target = lab.target(send=True) if send else lab.target()
        return await run_check(target, command=_command(scenario))


def run_until_stopped(coro: Coroutine[Any, Any, Any]) -> tuple[Any, str | None]:
    """Run ``coro`` until it ends or ctrl+c, SIGTERM or SIGHUP stops it (the coroutine is
    cancelled, so its ``async with`` blocks close their servers and folders). Returns its result
    and the name of the signal that stopped it, if any."""
    stopped: list[str] = []

    async def main() -> Any:
        from wizard.lab.cleanup import CLEANUP_SIGNALS

        loop = asyncio.get_running_loop()
        task = asyncio.current_task()

        def stop(signum: int) -> None:
            stopped.append(signal.Signals(signum).name)
            if task is not None:
                task.cancel()

        for signum in CLEANUP_SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup keeps SIGHUP ignored
                loop.add_signal_handler(signum, stop, signum)
        try:
            return await coro
        except asyncio.CancelledError:
            if stopped:
                return None
            raise

    try:
        result = asyncio.run(main())
    except KeyboardInterrupt:
        return None, "SIGINT"
    return result, (stopped[0] if stopped else None)


async def _serve(scenario: Scenario, latency_ms: int) -> None:
    from wizard.lab.runner import Lab
    from wizard.output.safetext import printable

    async with Lab(scenario, latency_ms) as lab:
        info = lab.endpoints()
        print(f"Lab scenario '{scenario.name}': {printable(scenario.title)}")
        for key, value in info.items():
            print(f"  {key:<12} {value}")
        host, port = info["smtp"].rsplit(":", 1)
        print("\nTry it with swaks, for example:")
        print(f"  swaks --server {host} --port {port} --tls --tls-ca-path {info['ca_file']} "
              f"--auth-user {info['user']} --auth-password '{info['password']}' "
              "--from alice@lab.test --to bob@lab.test")
        print("Press ctrl+c to stop.", flush=True)
        await asyncio.Event().wait()


async def _classroom(scenarios: Sequence[Scenario], args: argparse.Namespace) -> None:
    from wizard.lab.classroom import Classroom

    start = time.monotonic()
    async with Classroom(scenarios, args.base_port, args.latency) as room:
        took = time.monotonic() - start
        assert room.certs is not None
        handout = args.handout or str(room.certs.directory / "handout.md")
        emit(room.handout(), handout)
        if args.answers:
            emit(room.answer_key(), args.answers)
        print(f"Classroom: {len(room.seats)} lab servers on 127.0.0.1, started in {took:.1f} s. "
              f"Trust the lab CA: {room.ca_file}")
        print(room.table())
        print(f"\nHandout for the trainees (no answers): {handout}")
        if not args.handout:
            print("  (in the lab folder, removed when the lab stops: print or copy it now, or "
                  "use --handout FILE)")
        if args.answers:
            print(f"Answer key for you: {args.answers}")
        print("Press ctrl+c to stop.", flush=True)
        await asyncio.Event().wait()


def _record(args: argparse.Namespace) -> int:
    from wizard.lab.record import read_report, scenario_from_report
    from wizard.lab.scenario_file import ScenarioFileError, parse

    recording = scenario_from_report(read_report(args.record), keep_names=args.keep_names)
    text = recording.toml(Path(args.record).name if args.keep_names else "")
    try:
        parse(text, "<recorded scenario>")  # what we write must load
    except ScenarioFileError as exc:  # a bug here, not bad input
        raise RuntimeError(f"the recorded scenario does not load: {exc}") from None
    for note in recording.notes:
        print(f"smtp-wizard: note: {note}", file=sys.stderr)
    emit(text, args.output)
    return EXIT_OK


def _misuse(args: argparse.Namespace) -> str | None:
    """The first flag given without the mode it belongs to."""
    if not 0 <= args.latency <= 10_000:
        return "--latency must be between 0 and 10000 ms"
    if args.record and (args.check or args.serve or args.exercise or args.list
                        or args.scenario or args.scenario_file or args.scenarios):
        return "--record turns a report into a scenario file: use it alone"
    if args.keep_names and not args.record:
        return "--keep-names goes with --record"
    if args.all and not args.serve:
        return "--all goes with --serve (a classroom)"
    for flag, value in (("--base-port", args.base_port), ("--handout", args.handout),
                        ("--answers", args.answers)):
        if value is not None and not (args.serve and args.all):
            return f"{flag} goes with --serve --all"
    for flag, value in (("--trainee", args.trainee), ("--show-verdict", args.show_verdict)):
        if value and not args.exercise:
            return f"{flag} goes with --exercise"
    if args.exercise and (args.check or args.serve):
        return "--exercise opens the TUI: not with --check or --serve"
    if args.exercise and args.scenario:
        return "--exercise numbers the scenarios itself: choose them with --level or --scenarios"
    if args.check and args.serve:
        return "choose --check or --serve"
    return None


def _load(args: argparse.Namespace) -> tuple[Scenario, ...]:
    from wizard.lab.scenario_file import load_file, load_folder

    if args.scenario_file:
        return (load_file(args.scenario_file),)
    if args.scenarios:
        folder = Path(args.scenarios)
        if not folder.is_dir():
            from wizard.lab.scenario_file import ScenarioFileError

            raise ScenarioFileError(args.scenarios, None, None, "is not a folder")
        return load_folder(folder, args.scenarios)
    from wizard.lab.scenarios import builtins

    return builtins()


def _trainee(args: argparse.Namespace) -> str:
    from wizard.lab.exercise import trainee_slug

    name: str | None = args.trainee
    if name is None:
        import getpass

        try:
            name = getpass.getuser()
        except (OSError, KeyError):
            name = "trainee"
    try:
        trainee_slug(name)
    except ValueError as exc:  # a usage error
        raise TargetError(f"--trainee: {exc}") from None
    return name


def run_lab(args: argparse.Namespace) -> int:
    from wizard.lab.scenarios import at_level, get

    problem = _misuse(args)
    if problem:
        return fail_usage(problem)
    if args.record:
        return _record(args)
    scenarios = _load(args)
    chosen = at_level(scenarios, args.level)
    if not chosen:
        return fail_usage(f"no scenario has level {args.level!r}")
    if args.list:
        return _list(chosen, args.format)
    scenario = get(args.scenario, scenarios) if args.scenario else None
    if args.scenario and scenario is None:
        names = ", ".join(s.name for s in scenarios)
        return fail_usage(f"unknown scenario {args.scenario!r}; choose one of: {names}")
    if scenario is None and args.scenario_file:
        scenario = scenarios[0]
    if args.check:
        if scenario is None:
            return fail_usage("--check needs --scenario NAME (see --list) or --scenario-file")
        session, stopped = run_until_stopped(check_scenario(scenario, args.latency, args.send))
        if stopped:
            print(f"lab stopped ({stopped})", file=sys.stderr)
            return EXIT_INTERRUPTED
        return report_session(session, args.format, args.output)
    if args.serve:
        work = _classroom(chosen, args) if args.all else _serve(scenario or chosen[0],
                                                                 args.latency)
        _, stopped = run_until_stopped(work)
        print(f"\nlab stopped{f' ({stopped})' if stopped and stopped != 'SIGINT' else ''}",
              file=sys.stderr)
        return EXIT_OK
    trainee = None
    if args.exercise:
        trainee = _trainee(args)
    from wizard.cli.tui import open_lab

    shown = chosen if scenario is None or scenario in chosen else (*chosen, scenario)
    return open_lab(shown, scenario=scenario.name if scenario else None, latency_ms=args.latency,
                    exercise=args.exercise, trainee=trainee, show_verdict=args.show_verdict)

