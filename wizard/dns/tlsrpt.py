"""TLS-RPT (RFC 8460): the ``_smtp._tls`` TXT record. Optional: absence is not a failure."""

from __future__ import annotations

import re
from typing import Any

from wizard.dns.resolver import Lookup, Resolver
from wizard.dns.util import error_finding, finding, lookup_facts, lookup_failed
from wizard.model.findings import Finding, Status


class TlsRptSyntaxError(ValueError):
    """A TLS-RPT record that cannot be used, with the reason."""


def parse_tlsrpt(text: str) -> list[str]:
    """The rua= destinations of a ``v=TLSRPTv1`` record. Raises TlsRptSyntaxError."""
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts or parts[0].replace(" ", "") != "v=TLSRPTv1":
        raise TlsRptSyntaxError("must start with v=TLSRPTv1")
    rua: list[str] | None = None
    for part in parts[1:]:
        key, eq, value = part.partition("=")
        if not eq:
            raise TlsRptSyntaxError(f"malformed field {part!r}")
        if key.strip() == "rua":
            rua = [u.strip() for u in value.split(",") if u.strip()]
    if not rua:
        raise TlsRptSyntaxError("no rua= destination")
    for uri in rua:
        if not re.match(r"^(mailto:[^@\s]+@[^@\s]+|https://\S+)$", uri, re.I):
            raise TlsRptSyntaxError(f"rua destination {uri!r} must be mailto: or https:")
    return rua


async def check_tlsrpt(resolver: Resolver, domain: str) -> Finding:
    return judge_tlsrpt(domain, await resolver.query(f"_smtp._tls.{domain}", "TXT"))


def judge_tlsrpt(domain: str, lookup: Lookup) -> Finding:
    fid = "dns.tlsrpt"
    if lookup_failed(lookup):
        return error_finding(fid, f"_smtp._tls.{domain}", lookup)
    facts: dict[str, Any] = {"domain": domain, "lookup": lookup_facts(lookup)}
    records = [r for r in lookup.records if r.lower().startswith("v=tlsrptv1")]
    if not records:
        return finding(fid, Status.PASS, f"No TLS-RPT record for {domain} (optional)",
                       "TLS-RPT asks senders to report TLS delivery failures to you. Optional.",
                       published=False, **facts)
    if len(records) > 1:
        return finding(fid, Status.WARN, f"{len(records)} TLS-RPT records for {domain}",
                       "Senders ignore TLS-RPT when there is more than one record.",
                       "dns-tlsrpt", records=records, **facts)
    try:
        rua = parse_tlsrpt(records[0])
    except TlsRptSyntaxError as exc:
        return finding(fid, Status.WARN, f"TLS-RPT record of {domain} is invalid", str(exc),
                       "dns-tlsrpt", record=records[0], **facts)
    return finding(fid, Status.PASS, f"TLS-RPT of {domain}: reports to {', '.join(rua)}",
                   records[0], record=records[0], rua=rua, **facts)
