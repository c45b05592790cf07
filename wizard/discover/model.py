"""What discovery found: candidates with their source, the sources' own reports, the answer.

Pure data. Every candidate says where it came from and how far that source can be trusted
(``authenticated``: TLS to the domain's own web server, DNSSEC-validated DNS, or the provider's
documentation in the catalog; an unsigned DNS answer or a guess is not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

UserForm = Literal["address", "local-part", "other", "unknown"]
ReportStatus = Literal["found", "none", "skipped", "error"]

SOURCE_WORDS = {
    "srv": "DNS SRV",
    "autoconfig": "the domain's autoconfig file",
    "well-known": "the domain's autoconfig file (.well-known)",
    "ispdb": "Mozilla's ISPDB",
    "ispdb-mx": "Mozilla's ISPDB (for the MX's domain)",
    "autodiscover": "the domain's Autodiscover",
    "microsoft": "Microsoft 365 Autodiscover",
    "provider": "the provider's published settings",
    "guess": "guessed",
}


@dataclass
class Candidate:
    """One (host, port, security) to try, with where it came from."""

    host: str
    port: int
    security: str  # starttls | tls | none | auto
    source: str  # a key of SOURCE_WORDS
    source_text: str  # "from the domain's autoconfig file", "Gmail's published settings", ...
    via: str  # the URL, DNS name or catalog page it came from
    authenticated: bool  # the source itself was authenticated (see the module docstring)
    user: str | None = None
    user_form: UserForm = "unknown"
    probe: dict[str, Any] | None = None  # what the probe saw, when probed
    confirmed: bool = False

    @property
    def key(self) -> tuple[str, int]:
        return (self.host, self.port)

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port, "security": self.security,
                "user": self.user, "user_form": self.user_form, "source": self.source,
                "source_text": self.source_text, "via": self.via,
                "authenticated": self.authenticated, "confirmed": self.confirmed,
                "probe": self.probe}


@dataclass
class Incoming:
    """An IMAP/POP3 server a source named (for the arrival check)."""

    protocol: str
    host: str
    port: int
    security: str
    user: str | None
    source: str
    via: str

    def to_dict(self) -> dict[str, Any]:
        return {"protocol": self.protocol, "host": self.host, "port": self.port,
                "security": self.security, "user": self.user, "source": self.source,
                "via": self.via}


@dataclass
class SourceReport:
    """What one source did: ``found`` candidates, ``none`` (nothing published), ``skipped``
    (not asked: --no-third-party, or it does not apply), ``error`` (could not be asked, or
    what it answered was refused: a bomb, a bad host, a redirect elsewhere)."""

    source: str
    status: ReportStatus
    summary: str
    via: str = ""
    tls: bool | None = None  # fetched over verified HTTPS (None: not an HTTP source)
    authenticated: bool = False
    duration_ms: int = 0
    problems: list[str] = field(default_factory=list)  # rejected entries, one line each

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "status": self.status, "summary": self.summary,
                "via": self.via, "tls": self.tls, "authenticated": self.authenticated,
                "duration_ms": self.duration_ms, "problems": self.problems}


@dataclass
class SourceResult:
    report: SourceReport
    candidates: list[Candidate] = field(default_factory=list)
    incoming: list[Incoming] = field(default_factory=list)
    provider: str | None = None  # a provider id recognised (by MX)


@dataclass
class Discovery:
    """The whole answer for one address."""

    address: str
    domain: str
    settings: Candidate | None
    candidates: list[Candidate]
    incoming: list[Incoming]
    sources: list[SourceReport]
    mx: list[str]
    provider: str | None
    next_step: str
    who: str
    action: dict[str, Any]
    duration_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        s = self.settings
        return {
            "address": self.address, "domain": self.domain,
            "settings": None if s is None else {
                "host": s.host, "port": s.port, "security": s.security, "user": s.user,
                "user_form": s.user_form, "source": s.source, "source_text": s.source_text,
                "via": s.via, "authenticated": s.authenticated, "confirmed": s.confirmed},
            "candidates": [c.to_dict() for c in self.candidates],
            "incoming": [i.to_dict() for i in self.incoming],
            "sources": [r.to_dict() for r in self.sources],
            "mx": self.mx, "provider": self.provider,
            "next_step": self.next_step, "who": self.who, "action": self.action,
            "duration_ms": self.duration_ms,
        }
