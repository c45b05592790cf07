"""The next-step planner: one step, checked against the evidence and the chain of attempts.

Pure: no I/O. The input is what a session established (its verdict category, what the port probe
saw, which names resolve and to what, the certificate's names) plus the chain of targets already
tried in this conversation. The output is one :class:`NextStep` that

- never proposes a target (host, port, security) already tried: loop-free by construction, the
  last guard turns any such rerun into "ask the administrator";
- proposes a port for login only if it offered AUTH after TLS, a host name only if it resolves to
  the same addresses and the certificate covers it, a password again only if none was rejected;
- otherwise says who must act (``contact``).

The sentences live in ``wizard/walk/data/plan.toml``; this module only decides which one.
It does not know what a category means beyond the rules below: other categories keep the
default step they came with (still filtered by the loop guard).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from wizard.model.findings import Contact, NextStep, NoAction, Rerun, RetryLater
from wizard.smtp.probe import PortProbe, ProbeResult

MODE_WORDS = {"tls": "SSL/TLS", "starttls": "STARTTLS", "none": "no encryption",
              "auto": "Auto"}
# Categories where another port may be the answer (the probe ran).
PORT_CATEGORIES = frozenset({"connection-refused", "connection-timeout", "connection-dropped",
                             "tls-mode-mismatch", "tls-not-offered", "auth-not-offered"})
PASSWORD_CATEGORIES = frozenset({"auth-failed"})
_PREFERENCE = {"starttls": 0, "implicit-tls": 1, "plain": 2}


@dataclass(frozen=True)
class Tried:
    """One target of the chain: what a rerun changes."""

    host: str
    port: int
    security: str


@dataclass(frozen=True)
class Evidence:
    """What the planner knows about the session that just ended and the chain before it."""

    host: str
    port: int
    security: str
    status: str  # the verdict status: pass, warn, fail, error
    category: str | None = None
    user: bool = False
    timed_out_on: str | None = None  # the command waited for when a reply came too late
    probe: ProbeResult | None = None
    addresses: tuple[str, ...] = ()
    resolved: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # () = no such name
    cert_names: tuple[str, ...] = ()
    relayed_without_login: bool | None = None  # None: not tested
    chain: tuple[Tried, ...] = ()
    password_rejected: bool = False  # a 535 came back earlier in this chain
    default: NextStep | None = None  # the category's own step, used when no rule applies

    @property
    def here(self) -> Tried:
        return Tried(self.host, self.port, self.security)

    @property
    def tried(self) -> frozenset[Tried]:
        return frozenset((*self.chain, self.here))


@cache
def wording() -> dict[str, dict[str, str]]:
    text = resources.files("wizard.walk").joinpath("data/plan.toml").read_text("utf-8")
    rows = tomllib.loads(text)
    for rid, row in rows.items():
        if set(row) != {"who", "next_step"}:
            raise ValueError(f"plan.toml [{rid}]: needs exactly who and next_step")
    return rows


def _say(rule: str, action: Any, **facts: Any) -> NextStep:
    row = wording()[rule]
    return NextStep(row["next_step"].format(**facts), row["who"], action)


def _contact(rule: str, **facts: Any) -> NextStep:
    row = wording()[rule]
    return NextStep(row["next_step"].format(**facts), row["who"], Contact(row["who"]))


def _usable_ports(ev: Evidence, need_login: bool) -> list[PortProbe]:
    if ev.probe is None:
        return []
    found = [p for p in ev.probe.answering
             if (p.login_offered or not need_login) and p.security is not None
             and Tried(ev.host, p.port, p.security) not in ev.tried
             and Tried(ev.host, p.port, "auto") not in ev.tried]
    return sorted(found, key=lambda p: _PREFERENCE[p.mode])


def _port_step(ev: Evidence, need_login: bool) -> NextStep | None:
    ports = _usable_ports(ev, need_login)
    if ports:
        best = ports[0]
        return _say("port", Rerun({"port": best.port, "security": best.security}),
                    port=best.port, mode=MODE_WORDS[str(best.security)])
    if ev.probe is None:
        return None
    if not ev.probe.answering:
        return _contact("port-none-answer", host=ev.host)
    return _contact("port-no-login", host=ev.host)


def _cert_step(ev: Evidence) -> NextStep:
    names = [n for n in ev.cert_names if not n.startswith("*.")]
    for name in names:
        addresses = ev.resolved.get(name, ())
        same = bool(addresses) and bool(set(addresses) & set(ev.addresses))
        if same and Tried(name, ev.port, ev.security) not in ev.tried:
            return _say("cert-host", Rerun({"host": name}), name=name)
    why = ("a name that does not exist" if names and not any(ev.resolved.get(n) for n in names)
           else "a name of another server" if names else "no name at all")
    return _contact("cert-admin", names=", ".join(names) or "nothing", why=why, host=ev.host)


def _relay_step(ev: Evidence) -> NextStep:
    here = ev.probe.port(ev.port) if ev.probe else None
    login_here = here is not None and here.login_offered
    if login_here and not ev.user:
        return _say("login", Rerun(ask=("user", "password")))
    step = _port_step(ev, need_login=True)
    if step is not None and isinstance(step.action, Rerun):
        best = _usable_ports(ev, True)[0]
        return _say("relay-port", step.action, port=best.port,
                    mode=MODE_WORDS[str(best.security)])
    return _contact("relay-admin")


def _rule(ev: Evidence) -> NextStep:
    if ev.status == "pass":
        if ev.user and ev.relayed_without_login:
            return _say("drop-user", Rerun({"user": ""}))
        return NextStep("Nothing to do: it works.", "you", NoAction())
    if ev.timed_out_on:
        return _say("slow-command", RetryLater(60), command=ev.timed_out_on)
    category = ev.category or "unknown"
    if category == "tls-certificate" and ev.cert_names:
        return _cert_step(ev)
    if category in PASSWORD_CATEGORIES:
        if ev.password_rejected:
            return _contact("password-rejected")
        return _say("password", Rerun(ask=("password",)))
    if category == "relay-denied":
        return _relay_step(ev)
    if category == "auth-not-offered" and ev.user and ev.relayed_without_login:
        return _say("drop-user", Rerun({"user": ""}))
    if category in PORT_CATEGORIES:
        step = _port_step(ev, need_login=ev.user)
        if step is not None:
            return step
        if category == "tls-mode-mismatch":
            other = "tls" if ev.security != "tls" else "starttls"
            return _say("security", Rerun({"security": other}), port=ev.port,
                        mode=MODE_WORDS[other])
    if ev.default is not None:
        return ev.default
    return _contact("stuck", tried=_tried_words(ev))


def _tried_words(ev: Evidence) -> str:
    return "; ".join(f"{t.host} port {t.port} {MODE_WORDS.get(t.security, t.security)}"
                     for t in (*ev.chain, ev.here))


def target_after(ev: Evidence, action: Rerun) -> Tried:
    """The target a rerun leads to."""
    changes = action.changes
    return Tried(str(changes.get("host") or ev.host), int(changes.get("port") or ev.port),
                 str(changes.get("security") or ev.security))


def plan(ev: Evidence) -> NextStep:
    """The one next step (see the module docstring for what it guarantees)."""
    step = _rule(ev)
    action = step.action
    if (isinstance(action, Rerun) and action.changes.keys() & {"host", "port", "security"}
            and target_after(ev, action) in ev.tried):
            return _contact("stuck", tried=_tried_words(ev))
    if isinstance(action, Rerun) and "password" in action.asks and ev.password_rejected:
        return _contact("password-rejected")
    return step
