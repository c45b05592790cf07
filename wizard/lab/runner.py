"""Start a scenario's servers on loopback, hand out the pre-filled target, and clean up.

``async with Lab(scenario) as lab: target = lab.target()`` starts the certificates, the SMTP
server (aiosmtpd, or a built-in misbehaving one), and the DNS responder with the scenario's zone,
all on 127.0.0.1 with free ports (or the ports given, for a classroom); leaving the block stops
them and deletes the temporary files on every exit path (signals: :mod:`wizard.lab.cleanup`).
A classroom passes one :class:`LabCertificates` to all its labs, so one CA file serves the class.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from wizard.lab.behaviours import make_server
from wizard.lab.certs import LabCertificates
from wizard.lab.loopback import LoopbackServer
from wizard.lab.scenarios import Scenario
from wizard.lab.smtp_server import (
    LAB_PASSWORD,
    LAB_USER,
    LabSmtpServer,
    SmtpBehaviour,
    free_port,
)
from wizard.model.secret import Secret
from wizard.model.target import Security, Target

LAB_DOMAIN = "lab.test"
LAB_IP = "127.0.0.1"
# The wizard's own default. Only scenarios about a timeout wait for it, and they set theirs
# (never-greets: 2 s); a tighter one broke STARTTLS with 40 checks at once on 2 cores.
LAB_TIMEOUT_S = 10.0


class Lab:
    """The running servers of one scenario."""

    def __init__(
        self, scenario: Scenario, latency_ms: int = 0, *, certs: LabCertificates | None = None,
        smtp_port: int = 0, dns_port: int = 0, helper_port: int = 0,
    ) -> None:
        self.scenario = scenario
        self.latency_ms = latency_ms
        self.certs: LabCertificates | None = certs
        self._own_certs = certs is None
        self._ports = (smtp_port, dns_port, helper_port)
        self.smtp: LabSmtpServer | LoopbackServer | None = None
        self.helper: LabSmtpServer | None = None  # a healthy server the port probe can find
        self.dns: Any = None
        self.port = 0
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> Lab:
        try:
            await self._start()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def _start(self) -> None:
        scenario = self.scenario
        smtp_port, dns_port, helper_port = self._ports
        if self.certs is None:
            self.certs = LabCertificates.generate()
        if self._own_certs:
            self._stack.callback(self.certs.cleanup)
        if scenario.closed_port:
            self.helper = await self._stack.enter_async_context(
                LabSmtpServer(SmtpBehaviour(), self.certs.server_context("valid"),
                              port=helper_port))
        elif scenario.smtp is not None:
            behaviour = scenario.smtp
            if self.latency_ms:
                behaviour = replace(behaviour, latency_ms=self.latency_ms)
            context = self.certs.server_context(behaviour.cert) if behaviour.tls != "none" else None
            self.smtp = await self._stack.enter_async_context(
                LabSmtpServer(behaviour, context, port=smtp_port))
        elif scenario.raw is not None:
            self.smtp = await self._stack.enter_async_context(
                make_server(scenario.raw, banner=scenario.banner, port=smtp_port))
        self.port = self.smtp.port if self.smtp else (smtp_port or free_port())
        self.dns = await self._start_dns(dns_port)

    async def _start_dns(self, port: int = 0) -> Any:
        from wizard.lab.dns_server import DnsServer
        from wizard.lab.lab_zone import zone_of

        server = DnsServer(zone_of(self.scenario), latency_ms=self.latency_ms, port=port)
        return await self._stack.enter_async_context(server)

    def target(self, **changes: Any) -> Target:
        """The scenario's pre-filled target (the lab CA trusted, the lab DNS used)."""
        values: dict[str, Any] = dict(
            host=LAB_IP, port=self.port, security=Security.STARTTLS, user=LAB_USER,
            password=LAB_PASSWORD, mail_from=f"alice@{LAB_DOMAIN}",
            rcpt_to=f"bob@{LAB_DOMAIN}", domain=LAB_DOMAIN, dkim_selectors=("lab",),
            sending_ip=LAB_IP, ca_file=self.certs.ca_file if self.certs else None,
            timeout=LAB_TIMEOUT_S, ip_blocklists=("bl.lab.test",),
            domain_blocklists=("dbl.lab.test",),
        )
        if self.helper is not None:
            values["probe_ports"] = (self.port, self.helper.port)
        values.update(self.scenario.target)
        values.update(changes)
        if isinstance(values.get("security"), str):
            values["security"] = Security(values["security"])
        if isinstance(values.get("password"), str):
            values["password"] = Secret(values["password"])
        if not values.get("user"):
            values["password"] = None
        if self.dns is not None:
            values["nameservers"] = (self.dns.nameserver,)
        else:
            values["dns"] = False
        return Target(**values)

    def endpoints(self) -> dict[str, Any]:
        """What `lab --serve` prints: where to point other clients."""
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "smtp": f"{LAB_IP}:{self.port}",
            "security": self.target().security.value,
            "user": LAB_USER,
            "password": LAB_PASSWORD,  # the lab's public training password, not a secret
            "ca_file": self.certs.ca_file if self.certs else None,
        }
        if self.dns is not None:
            host, port = self.dns.nameserver
            out["nameserver"] = f"{host}:{port}"
        if self.helper is not None:
            out["working_smtp"] = f"{LAB_IP}:{self.helper.port}"
        return out

