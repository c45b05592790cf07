"""What every check receives besides the Target: the session's tools and what earlier checks
established, as typed fields.

A check is ``async def check_x(target: Target, ctx: CheckContext) -> list[Finding]``. Checks read
and write the fields below; whether the walk goes on after a failure is the tree's decision
(``wizard.walk.tree``), never a flag a check sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wizard.dns.resolver import Resolver
from wizard.model.findings import Finding
from wizard.model.target import Target
from wizard.model.transcript import Transcript

if TYPE_CHECKING:
    from wizard.explain.service import ExplainService
    from wizard.smtp.capabilities import Capabilities
    from wizard.smtp.probe import ProbeResult
    from wizard.smtp.session import SmtpSession


@dataclass
class CheckContext:
    target: Target
    transcript: Transcript
    resolver: Resolver
    results: list[Finding] = field(default_factory=list)
    # Set by the connect step: the server's addresses, the one that answered, the open session
    # and what its last EHLO offered; ``implicit_tls`` is the mode in use (auto detects it).
    addresses: list[str] = field(default_factory=list)
    address: str | None = None
    smtp: SmtpSession | None = None
    caps: Capabilities | None = None
    implicit_tls: bool = False
    # Set by the AUTH step.
    authenticated: bool = False
    # Set by the port probe (when the port failed): what each usual port offered.
    probe: ProbeResult | None = None
    # What reads a server's reply: the explain service over the built-in articles and the
    # target's own (``--knowledge``); given, or built on first use (see :attr:`explain`).
    explain_service: ExplainService | None = None

    @classmethod
    def for_target(cls, target: Target, dns_timeout: float | None = None) -> CheckContext:
        transcript = Transcript(target.secrets(), target.user)
        timeout = dns_timeout if dns_timeout is not None else min(3.0, target.timeout)
        resolver = Resolver(list(target.nameservers) or None, timeout=timeout)
        return cls(target=target, transcript=transcript, resolver=resolver)

    @property
    def explain(self) -> ExplainService:
        """The session's explain service: a live reply reads the same as in ``explain``."""
        if self.explain_service is None:
            from wizard.explain.service import ExplainService

            kb = None
            if self.target.knowledge_dirs:
                from wizard.catalog.knowledge import load_knowledge

                kb = load_knowledge(list(self.target.knowledge_dirs))
            self.explain_service = ExplainService(kb)
        return self.explain_service

    def finding(self, finding_id: str) -> Finding | None:
        for finding in self.results:
            if finding.id == finding_id:
                return finding
        return None
