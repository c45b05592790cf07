"""What every check receives besides the Target: the session's shared tools and results.

A check is ``async def check_x(target: Target, ctx: CheckContext) -> list[Finding]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.dns.resolver import Resolver
from wizard.findings import Finding
from wizard.target import Target
from wizard.transcript import Transcript


@dataclass
class CheckContext:
    target: Target
    transcript: Transcript
    resolver: Resolver
    results: list[Finding] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_target(cls, target: Target, dns_timeout: float | None = None) -> CheckContext:
        transcript = Transcript(target.secrets(), target.user)
        timeout = dns_timeout if dns_timeout is not None else min(3.0, target.timeout)
        resolver = Resolver(list(target.nameservers) or None, timeout=timeout)
        return cls(target=target, transcript=transcript, resolver=resolver)

    def finding(self, finding_id: str) -> Finding | None:
        for finding in self.results:
            if finding.id == finding_id:
                return finding
        return None
