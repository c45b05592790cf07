"""Issue 21's acceptance on a real Postfix + Dovecot: from ordinary failing starting points,
`check --follow` (on a terminal, answering as the user would) ends in a pass or in a step for
someone else, never tries a target twice, never goes to a host that does not resolve, and never
sends a refused password again."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.peers.mailbed import MailBed
from tests.peers.ptycli import run_on_pty

ALICE = "alice@bed.test"
WRONG = "wrong-Pa55word-xyz"
MAX_ATTEMPTS = 6  # the first run and up to five followed steps


def _has_follow() -> bool:
    return "--follow" in run_cli("check", "--help").stdout


pytestmark = pytest.mark.skipif(
    not _has_follow(),
    reason="needs `check --follow` (issue 21 item 7, helper i21-wire): not on main yet")

# name -> (port key, extra args, password given up front or None)
STARTS: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "wrong-port": ("closed-587", ("--user", ALICE, "--rcpt-to", "bob@bed.test"), "right"),
    "wrong-mode-starttls-on-implicit": (
        "submissions", ("--security", "starttls", "--user", ALICE, "--rcpt-to", "bob@bed.test"),
        "right"),
    "wrong-mode-tls-on-starttls": (
        "submission", ("--security", "tls", "--user", ALICE, "--rcpt-to", "bob@bed.test"),
        "right"),
    "no-user-outside-recipient": ("submission", ("--rcpt-to", "friend@example.com"), None),
    "wrong-password": ("submission", ("--user", ALICE, "--rcpt-to", "bob@bed.test"), "wrong"),
    "outside-recipient-on-relay-port": ("relay", ("--rcpt-to", "friend@example.com"), None),
    "outside-recipient-on-relay-port-with-user": (
        "relay", ("--user", ALICE, "--rcpt-to", "friend@example.com"), "right"),
}


def _port(bed: MailBed, key: str) -> int:
    return 587 if key == "closed-587" else bed.ports[key]


def _failed_logins(bed: MailBed) -> int:
    log = bed.root / "postfix.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return text.count(f"authentication failed: (reason unavailable), sasl_username={ALICE}")


def _resolves(host: str) -> bool:
    try:
        return bool(socket.getaddrinfo(host, None))
    except OSError:
        return False


def _targets(path: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    """Each attempt's (host, port, security), the path's changes applied in turn."""
    now: dict[str, Any] = {}
    out = []
    for entry in path:
        now.update(entry["target"])
        out.append((str(now.get("host")), int(now.get("port", 0)), str(now.get("security"))))
    return out


def follow(bed: MailBed, name: str, tmp_path: Path) -> tuple[dict[str, Any], list[str], int]:
    key, extra, given = STARTS[name]
    report_file = tmp_path / f"{name}.json"
    env = {}
    args = ["check", "--follow", "--host", bed.address, "--port", str(_port(bed, key)),
            "--ca-file", str(bed.ca_file), "--mail-from", ALICE, "--no-dns", "--no-history",
            "--timeout", "8", "--format", "json", "--output", str(report_file), *extra]
    if given is not None:
        env["BED_PASSWORD"] = bed.users[ALICE] if given == "right" else WRONG
        args += ["--password-env", "BED_PASSWORD"]
    before = _failed_logins(bed)
    # What a person at the terminal answers when asked: the real account, and the submission
    # port when asked for one (the provider's settings page would say so).
    run = run_on_pty(args, {"User": ALICE, "Password": bed.users[ALICE],
                            "Recipient": "bob@bed.test",
                            "Port": str(bed.ports["submission"])}, env=env)
    assert run.returncode in (0, 1), f"{name}: exit {run.returncode}\n{run.screen}"
    for secret in (bed.users[ALICE], WRONG):
        assert secret not in run.screen, f"{name}: a password was shown"
        assert secret not in report_file.read_text(), f"{name}: a password is in the report"
    report: dict[str, Any] = json.loads(report_file.read_text())
    return report, run.prompts, _failed_logins(bed) - before


@pytest.mark.parametrize("name", list(STARTS))
def test_following_the_next_steps_ends_well(mailbed: MailBed, name: str,
                                            tmp_path: Path) -> None:
    report, prompts, refused = follow(mailbed, name, tmp_path)
    path = report.get("path")
    assert isinstance(path, list) and path, f"{name}: no path in the report"
    targets = _targets(path)
    chain = " -> ".join(f"{p}/{s}:{e['verdict']['category'] or e['verdict']['status']}"
                        for (_h, p, s), e in zip(targets, path, strict=True))
    verdict = report["verdict"]
    where = f"{name}: {chain}; ends {verdict['status']}/{verdict['category']} " \
            f"({verdict['who']}: {verdict['next_step']}); prompts {prompts}"
    print(where)  # the chains followed (shown with -s / -rA)
    assert len(path) <= MAX_ATTEMPTS, where
    # No loop: a target comes back only once, right after its password was refused (the same
    # server asked again with a newly typed password is a new attempt, not a loop).
    for i, target in enumerate(targets):
        earlier = [j for j in range(i) if targets[j] == target]
        assert not earlier or (earlier == [i - 1] and path[i - 1].get("password_rejected")), \
            f"a target was tried twice: {where}"
    assert all(_resolves(host) for host, _p, _s in targets), f"a host does not resolve: {where}"
    ends_well = verdict["status"] in ("pass", "warn") or verdict["who"] != "you"
    assert ends_well, f"the chain ends on a step for the user: {where}"
    # A refused password is never sent again (Postfix's own log counts the failed logins).
    assert refused == (1 if name == "wrong-password" else 0), where
    # A login is asked for only when the port the chain goes to offers one.
    login_ports = {mailbed.ports["submission"], mailbed.ports["submissions"]}
    if any(p.startswith(("User", "Password")) for p in prompts):
        assert targets[-1][1] in login_ports, f"a login was asked where none is offered: {where}"
