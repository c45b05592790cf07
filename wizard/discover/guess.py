"""The MX, the provider it identifies, and the host names mail clients guess.

Pure but for the MX lookup. A provider recognised by MX (``[[discover]]`` rows of the provider
files) gives its documented preset, authenticated by the documentation page it comes from, not
by this network. A filter in front (Proofpoint, Mimecast) is named but gives no setting: it
receives mail and says nothing about sending. Guesses (``smtp.``, ``mail.``, ``submission.``
and the MX host, on 587, 465, 25 and 2525) are never trusted until a probe confirms them.
"""

from __future__ import annotations

import time

from wizard.catalog.providers import Provider, catalog
from wizard.discover.model import Candidate, SourceReport, SourceResult, UserForm
from wizard.dns.resolver import Lookup, Resolver
from wizard.model.target import SUBMISSION_PORTS, TargetError, validate_host

GUESS_PREFIXES = ("smtp", "mail", "submission")
PORT_SECURITY = {587: "starttls", 465: "tls", 25: "starttls", 2525: "starttls"}


async def mx_hosts(domain: str, resolver: Resolver) -> tuple[list[str], Lookup]:
    lookup = await resolver.query(domain, "MX")
    hosts = []
    for rdata in sorted(lookup.rdata, key=lambda r: r.preference) if lookup.ok else []:
        name = rdata.exchange.to_text(omit_final_dot=True).lower()
        if name and name != "." and name not in hosts:
            hosts.append(name)
    return hosts[:10], lookup


def recognise_mx(hosts: list[str], providers: dict[str, Provider] | None = None
                 ) -> tuple[Provider, str, str, str] | None:
    """(provider, MX host, preset name, source page) of the first MX a provider claims."""
    for host in hosts:
        for provider in (providers or catalog()).values():
            for row in provider.mx:
                if host == row.mx or host.endswith("." + row.mx):
                    return provider, host, row.preset, row.source
    return None


def provider_source(address: str, hosts: list[str],
                    providers: dict[str, Provider] | None = None) -> SourceResult:
    found = recognise_mx(hosts, providers)
    if not found:
        return SourceResult(SourceReport("provider", "none", "the MX is no provider the catalog "
                                         "knows" if hosts else "no MX to recognise"))
    provider, host, preset_name, source = found
    preset = next((p for p in provider.presets if p.name == preset_name), None)
    if preset is None:
        return SourceResult(SourceReport(
            "provider", "none", f"the MX {host} is {provider.name}, a filter in front of the "
            "mailboxes: it says nothing about where to send", source), provider=provider.id)
    form: UserForm = "address" if "address" in preset.user_hint else "unknown"
    words = f"{provider.name}'s published settings"
    candidate = Candidate(preset.host, preset.port, preset.security, "provider", words, source,
                          True, address if form == "address" else None, form)
    return SourceResult(SourceReport("provider", "found", f"the MX {host} is {provider.name}: "
                                     f"{preset.name}", source, None, True),
                        [candidate], provider=provider.id)


def guesses(address: str, domain: str, hosts: list[str],
            ports: tuple[int, ...] = SUBMISSION_PORTS) -> list[Candidate]:
    names = [f"{p}.{domain}" for p in GUESS_PREFIXES] + hosts[:2]
    out = []
    for name in dict.fromkeys(names):
        try:
            host = validate_host(name)
        except TargetError:
            continue
        for port in ports:
            out.append(Candidate(host, port, PORT_SECURITY.get(port, "auto"), "guess",
                                 "guessed", name, False, address, "address"))
    return out


def guess_source(address: str, domain: str, hosts: list[str], start: float,
                 ports: tuple[int, ...] = SUBMISSION_PORTS) -> SourceResult:
    found = guesses(address, domain, hosts, ports)
    return SourceResult(SourceReport("guess", "found" if found else "none",
                                     f"{len(found)} host:port guesses (confirmed only by a probe)",
                                     ", ".join(dict.fromkeys(c.host for c in found)), None, False,
                                     int((time.monotonic() - start) * 1000)), found)
