"""A classroom: every chosen scenario served at once on loopback, a table, and a handout.

``async with Classroom(scenarios, base_port=N) as room`` starts one lab per scenario, numbered
from 1 in the order given (the numbers of ``lab --exercise`` for the same choice), all sharing
one lab CA. With ``base_port`` the ports are reproducible: exercise k listens for SMTP on
``N + k``, its nameserver on ``N + 100 + k`` (UDP and TCP), and a closed-port exercise's working
server on ``N + 200 + k``. Leaving the block stops every server and removes the lab folder.

:meth:`Classroom.table` is what the trainer's terminal shows; :meth:`Classroom.handout` is a
printable Markdown sheet for trainees: endpoints, credentials and the command for each exercise,
never a scenario's name, description, hints or expected verdict (:meth:`answer_key` has those,
for the trainer only).
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wizard.lab.certs import LabCertificates
from wizard.lab.runner import Lab
from wizard.lab.scenarios import Scenario
from wizard.model.errors import WizardError

MAX_SEATS = 99  # the port layout of --base-port leaves 100 ports per kind
PORTS_PER_CLASS = 300
PASSWORD_ENV = "LAB_PASSWORD"


class ClassroomError(WizardError):
    """The class cannot start (a port in use, too many scenarios); one line."""


def check_base_port(base_port: int, seats: int) -> None:
    if seats > MAX_SEATS:
        raise ClassroomError(f"--base-port serves at most {MAX_SEATS} scenarios, not {seats}")
    if not 1024 <= base_port <= 65535 - PORTS_PER_CLASS:
        raise ClassroomError(f"--base-port must be between 1024 and {65535 - PORTS_PER_CLASS} "
                             f"(it uses the {PORTS_PER_CLASS} ports from there)")


@dataclass
class Seat:
    """One served scenario."""

    number: int
    scenario: Scenario
    lab: Lab

    def row(self) -> dict[str, Any]:
        target = self.lab.target()
        host, port = self.lab.dns.nameserver
        return {
            "number": self.number,
            "smtp": f"{target.host}:{target.port}",
            "security": target.security.value,
            "nameserver": f"{host}:{port}",
            "user": target.user,
            "password": target.password.reveal() if target.password else None,
        }

    def command(self, ca_file: str) -> str:
        """The `smtp-wizard check --evidence-only` line that points at this seat, as the lab's
        own check runs: it prints what was seen, never the verdict, category or next step."""
        t = self.lab.target()
        args = ["smtp-wizard", "check", "--host", t.host or "", "--port", str(t.port),
                "--security", t.security.value]
        if t.user:
            args += ["--user", t.user, "--password-env", PASSWORD_ENV]
        args += ["--mail-from", t.mail_from or "", "--rcpt-to", t.rcpt_to or ""]
        if t.dns:
            args += ["--domain", t.sender_domain or ""]
            for selector in t.dkim_selectors:
                args += ["--dkim-selector", selector]
            args += ["--sending-ip", t.sending_ip or ""]
        else:
            args.append("--no-dns")
        for host, port in t.nameservers:
            args += ["--nameserver", f"{host}:{port}"]
        args += ["--ca-file", ca_file, "--timeout", f"{t.timeout:g}", "--evidence-only"]
        if t.send:
            args.append("--send")
        line = " ".join(shlex.quote(a) for a in args)
        if t.user and t.password:
            line = f"{PASSWORD_ENV}={shlex.quote(t.password.reveal())} {line}"
        return line


class Classroom:
    """The servers of many scenarios at once (see the module docstring)."""

    def __init__(self, scenarios: Sequence[Scenario], base_port: int | None = None,
                 latency_ms: int = 0) -> None:
        if base_port is not None:
            check_base_port(base_port, len(scenarios))
        self.scenarios = tuple(scenarios)
        self.base_port = base_port
        self.latency_ms = latency_ms
        self.seats: list[Seat] = []
        self.certs: LabCertificates | None = None
        self._stack = contextlib.AsyncExitStack()

    def _ports(self, number: int) -> dict[str, int]:
        if self.base_port is None:
            return {}
        return {"smtp_port": self.base_port + number,
                "dns_port": self.base_port + 100 + number,
                "helper_port": self.base_port + 200 + number}

    async def __aenter__(self) -> Classroom:
        try:
            self.certs = LabCertificates.generate()
            self._stack.callback(self.certs.cleanup)
            for number, scenario in enumerate(self.scenarios, start=1):
                ports = self._ports(number)
                try:
                    lab = await self._stack.enter_async_context(
                        Lab(scenario, self.latency_ms, certs=self.certs, **ports))
                except OSError as exc:
                    used = ", ".join(str(p) for p in ports.values()) or "a free port"
                    raise ClassroomError(f"exercise {number} cannot listen on {used}: "
                                         f"{exc.strerror or exc}") from None
                self.seats.append(Seat(number, scenario, lab))
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    @property
    def ca_file(self) -> str:
        return self.certs.ca_file if self.certs else ""

    def rows(self) -> list[dict[str, Any]]:
        return [seat.row() for seat in self.seats]

    def table(self) -> str:
        """The trainer's table: number, host:port, security, nameserver, credentials."""
        head = ("#", "smtp", "security", "nameserver", "user", "password")
        rows = [(str(r["number"]), r["smtp"], r["security"], r["nameserver"],
                 r["user"] or "(no login)", r["password"] or "-") for r in self.rows()]
        widths = [max(len(x) for x in column) for column in zip(head, *rows, strict=True)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                 for row in (head, *rows)]
        return "\n".join(lines)

    def handout(self, title: str = "smtp-wizard lab") -> str:
        """The trainees' sheet (Markdown): no names, descriptions, hints or answers."""
        from wizard.output.safetext import markdown_inline

        today = datetime.now(UTC).strftime("%Y-%m-%d")
        out = [f"# {markdown_inline(title)}: exercises", "",
               f"{today}. {len(self.seats)} lab mail servers run on your trainer's computer "
               "(127.0.0.1: run the commands there). Each one has one problem, or none. For each "
               "exercise, run its command, read the findings and the transcript, and write down "
               "**what is wrong** (the category) and **the fix**.", "",
               f"Every command trusts the lab's certificate authority (`{self.ca_file}`) and asks "
               "the lab's own nameserver, which serves the domain `lab.test`.", "",
               "| # | server | security | nameserver |", "|---|---|---|---|"]
        for r in self.rows():
            out.append(f"| {r['number']} | {r['smtp']} | {r['security']} | {r['nameserver']} |")
        for seat in self.seats:
            r = seat.row()
            login = (f"user `{markdown_inline(r['user'])}`, password "
                     f"`{markdown_inline(r['password'] or '')}`" if r["user"] else "no login")
            t = seat.lab.target()
            out += ["", f"## Exercise {seat.number}", "",
                    f"Your setup: server {r['smtp']} ({r['security']}), address "
                    f"`{markdown_inline(t.mail_from or '-')}`, {login}.", "",
                    "```sh", seat.command(self.ca_file), "```", "",
                    "What is wrong: ______________________  "
                    "The fix: ______________________________"]
        return "\n".join(out) + "\n"

    def answer_key(self) -> str:
        """For the trainer: each number's scenario and expected verdict."""
        from wizard.catalog.categories import guide
        from wizard.output.safetext import markdown_inline

        out = ["# Answer key (trainer only)", "",
               "| # | scenario | expected | fix |", "|---|---|---|---|"]
        for seat in self.seats:
            g = guide(seat.scenario.expected)
            out.append(f"| {seat.number} | {markdown_inline(seat.scenario.name)} | "
                       f"{seat.scenario.expected} | {markdown_inline(g.next_step)} |")
        return "\n".join(out) + "\n"
