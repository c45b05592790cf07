"""The planner followed step by step over a model of the lab's server shapes.

The server model below answers like the lab scenarios do (which ports answer, in which mode,
whether they offer AUTH after TLS, relay without login, which names the certificate carries and
which names resolve). Following the planner's steps from misconfigured starts must reach ``pass``
or a step for someone else within 5 steps, never revisit a state, never ask for a login where
none was offered, and never send a rejected password again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from wizard.model.findings import Contact, NoAction, Rerun, RetryLater
from wizard.smtp.probe import DEFAULT_PORTS, PortProbe, ProbeResult
from wizard.walk.plan import Evidence, Tried, plan

HOST = "mail.lab.test"
ADDR = "127.0.0.1"
SECURITY_OF = {"starttls": "starttls", "implicit-tls": "tls", "plain": "none"}


@dataclass(frozen=True)
class Port:
    mode: str  # starttls | implicit-tls | plain
    auth: bool = True  # AUTH offered after TLS (on plain ports: never counted)
    relay_unauth: bool = False


@dataclass(frozen=True)
class Server:
    name: str
    ports: dict[int, Port]
    cert_names: tuple[str, ...] = (HOST,)
    names: dict[str, tuple[str, ...]] = field(default_factory=lambda: {HOST: (ADDR,)})

    def probe(self) -> ProbeResult:
        rows = []
        for number in sorted({*DEFAULT_PORTS, *self.ports}):
            spec = self.ports.get(number)
            if spec is None:
                rows.append(PortProbe(number, "closed"))
                continue
            after = ("PLAIN",) if spec.auth and spec.mode != "plain" else ()
            rows.append(PortProbe(number, spec.mode, "220 lab", auth_after_tls=after))  # type: ignore[arg-type]
        return ProbeResult(HOST, ADDR, tuple(rows))


SERVERS = [
    Server("healthy", {587: Port("starttls"), 465: Port("implicit-tls"), 25: Port("plain", False)}),
    Server("only-implicit-on-10465", {10465: Port("implicit-tls")}),
    Server("office-relay", {25: Port("plain", False, relay_unauth=True)}),
    Server("server-to-server-only", {25: Port("plain", False)}),
    Server("starttls-without-auth", {587: Port("starttls", False), 2525: Port("starttls")}),
    Server("cert-wrong-invalid", {587: Port("starttls")}, cert_names=("wrong.invalid",),
           names={HOST: (ADDR,), "wrong.invalid": ()}),
    Server("cert-other-name", {587: Port("starttls")}, cert_names=("other.test",),
           names={HOST: (ADDR,), "other.test": (ADDR,)}),
    Server("cert-other-server", {587: Port("starttls")}, cert_names=("elsewhere.test",),
           names={HOST: (ADDR,), "elsewhere.test": ("127.0.0.9",)}),
    Server("nothing-answers", {}),
]


@dataclass(frozen=True)
class State:
    host: str
    port: int
    security: str
    user: bool
    password_ok: bool
    outside_rcpt: bool


STARTS = {
    "wrong-port": State(HOST, 2526, "starttls", True, True, True),
    "wrong-mode": State(HOST, 587, "tls", True, True, True),
    "wrong-mode-465": State(HOST, 465, "starttls", True, True, True),
    "no-user-outside-rcpt": State(HOST, 587, "starttls", False, True, True),
    "port-25-with-user": State(HOST, 25, "none", True, True, True),
    "wrong-password": State(HOST, 587, "starttls", True, False, True),
    "cert-name-by-ip": State("127.0.0.1", 587, "starttls", True, True, True),
}


def run(server: Server, s: State, rejected: bool) -> tuple[Evidence, bool]:
    """What a check of ``s`` against ``server`` concludes (status, category, facts)."""
    base: dict[str, Any] = dict(host=s.host, port=s.port, security=s.security, user=s.user,
                addresses=server.names.get(s.host, (ADDR,) if s.host == ADDR else ()),
                resolved=server.names, password_rejected=rejected)
    spec = server.ports.get(s.port)
    if spec is None:
        return Evidence(status="fail", category="connection-refused", probe=server.probe(),
                        **base), rejected
    if SECURITY_OF[spec.mode] != s.security and not (spec.mode == "plain"
                                                      and s.security == "starttls"):
        return Evidence(status="fail", category="tls-mode-mismatch", probe=server.probe(),
                        **base), rejected
    if spec.mode == "plain" and s.security == "starttls":
        return Evidence(status="fail", category="tls-not-offered", probe=server.probe(),
                        **base), rejected
    if spec.mode != "plain" and s.host not in server.cert_names:
        return Evidence(status="fail", category="tls-certificate",
                        cert_names=server.cert_names, **base), rejected
    login = spec.auth and spec.mode != "plain"
    if s.user and not login:
        ok = spec.relay_unauth or not s.outside_rcpt
        return Evidence(status="fail", category="auth-not-offered", probe=server.probe(),
                        relayed_without_login=ok, **base), rejected
    if s.user and not s.password_ok:
        return Evidence(status="fail", category="auth-failed", **base), True
    if not s.user and s.outside_rcpt and not spec.relay_unauth:
        return Evidence(status="fail", category="relay-denied", probe=server.probe(),
                        **base), rejected
    return Evidence(status="pass", relayed_without_login=spec.relay_unauth and s.user,
                    **base), rejected


def follow(server: Server, start: State) -> list[tuple[State, str]]:
    state, rejected = start, False
    chain: tuple[Tried, ...] = ()
    seen = [state]
    path: list[tuple[State, str]] = []
    for _ in range(5):
        ev, rejected = run(server, state, rejected)
        ev = replace(ev, chain=chain)
        step = plan(ev)
        action = step.action
        path.append((state, ev.category or ev.status))
        if isinstance(action, NoAction):
            assert ev.status == "pass"
            return path
        if isinstance(action, Contact | RetryLater):
            assert step.who != "you" or isinstance(action, RetryLater)
            return path
        assert isinstance(action, Rerun), action
        changes = action.changes
        nxt = State(str(changes.get("host", state.host)), int(changes.get("port", state.port)),
                    str(changes.get("security", state.security)),
                    bool(changes.get("user", state.user)) if "user" in changes else state.user,
                    state.password_ok, state.outside_rcpt)
        if "user" in action.asks:
            nxt = replace(nxt, user=True, password_ok=True)
        if "password" in action.asks:
            assert not rejected or not ev.password_rejected, "a rejected password re-sent"
            nxt = replace(nxt, password_ok=True)
        if {"user", "password"} & set(action.asks):
            spec = server.ports.get(nxt.port)
            assert spec is not None and spec.auth and spec.mode != "plain", \
                f"asked for a login on port {nxt.port} which offers none"
        if "host" in changes:
            assert server.names.get(nxt.host), f"proposed {nxt.host}, which does not resolve"
        assert nxt not in seen, f"revisited {nxt} after {path}"
        seen.append(nxt)
        chain = (*chain, Tried(state.host, state.port, state.security))
        state = nxt
    raise AssertionError(f"no end within 5 steps: {path}")


@given(st.sampled_from(SERVERS), st.sampled_from(sorted(STARTS)))
def test_following_steps_ends_well_and_never_loops(server: Server, start: str) -> None:
    follow(server, STARTS[start])


def test_the_587_25_loop_is_gone() -> None:
    """Nothing on 587 and a user given: port 25 (no AUTH) is never proposed for a login."""
    server = Server("relay-only", {25: Port("plain", False)})
    path = follow(server, State(HOST, 587, "starttls", True, True, True))
    assert [s.port for s, _ in path] == [587]


def test_cert_for_a_name_that_does_not_exist_names_the_administrator() -> None:
    server = SERVERS[5]
    ev, _ = run(server, State(HOST, 587, "starttls", True, True, True), False)
    step = plan(ev)
    assert isinstance(step.action, Contact) and step.who == "your-mail-admin"
    assert "wrong.invalid, a name that does not exist" in step.next_step
    assert f"certificate for {HOST}" in step.next_step


def test_cert_for_another_name_of_the_same_server_moves_the_host() -> None:
    ev, _ = run(SERVERS[6], State(HOST, 587, "starttls", True, True, True), False)
    step = plan(ev)
    assert isinstance(step.action, Rerun) and step.action.changes == {"host": "other.test"}


def test_a_rejected_password_is_never_asked_again() -> None:
    ev = Evidence(HOST, 587, "starttls", "fail", "auth-failed", user=True,
                  password_rejected=True)
    step = plan(ev)
    assert isinstance(step.action, Contact) and "will not be sent again" in step.next_step


def test_a_slow_login_is_retry_later_not_a_port_change() -> None:
    ev = Evidence(HOST, 587, "starttls", "fail", "connection-timeout", user=True,
                  timed_out_on="AUTH", probe=SERVERS[0].probe())
    step = plan(ev)
    assert isinstance(step.action, RetryLater) and "AUTH" in step.next_step


def test_office_relay_with_a_user_says_remove_the_user() -> None:
    path = follow(SERVERS[2], STARTS["port-25-with-user"])
    assert [c for _, c in path] == ["auth-not-offered", "pass"]


def test_a_default_step_back_to_a_tried_target_becomes_a_step_for_the_admin() -> None:
    """The guard: whatever rule or default proposes, a target of the chain is never proposed."""
    from wizard.model.findings import NextStep

    back = NextStep("Use port 25.", "you", Rerun({"port": 25, "security": "none"}))
    ev = Evidence(HOST, 587, "starttls", "fail", "auth-not-offered", user=True, default=back,
                  chain=(Tried(HOST, 25, "none"),))
    step = plan(ev)
    assert isinstance(step.action, Contact) and step.who == "your-mail-admin"
    assert "port 25" in step.next_step and "port 587" in step.next_step
