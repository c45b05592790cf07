"""Discovery from an email address: ask every source at once, probe, choose, say why.

:func:`discover` is the one entry for the CLI and the TUI (screens only show its result and its
progress callbacks). Each source is bounded by ``timeout``; the MX answer feeds the sources
that need it (the provider catalog, ISPDB for the MX's domain, Microsoft's Autodiscover, the
guesses). :func:`choose` is pure: a confirmed candidate beats an unconfirmed one; then the
source order (the domain's own published files and records, the provider's documentation,
ISPDB, guesses), then AUTH offered after TLS, then a valid certificate, then the order the
source gave.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from wizard.discover import autoconfig, autodiscover, confirm, guess, srv
from wizard.discover.model import Candidate, Discovery, Incoming, SourceReport, SourceResult
from wizard.dns.dmarc import org_domain
from wizard.dns.resolver import Resolver
from wizard.model.target import SUBMISSION_PORTS, validate_address

SOURCE_ORDER = ("srv", "autoconfig", "well-known", "autodiscover", "provider", "microsoft",
                "ispdb", "ispdb-mx", "guess")
THIRD_PARTY = ("ispdb", "ispdb-mx", "microsoft")

Progress = Callable[[SourceReport], None]


@dataclass
class DiscoverOptions:
    """How to ask. ``https_port``, ``ispdb_url``, ``microsoft_url`` and ``guess_ports`` exist
    for the lab and the tests (loopback servers on free ports)."""

    resolver: Resolver
    timeout: float = 10.0
    probe_timeout: float = 3.0
    ca_file: str | None = None
    third_party: bool = True
    probe: bool = True
    helo_name: str = "smtp-wizard.localhost"
    https_port: int = 443
    ispdb_url: str = autoconfig.ISPDB_URL
    microsoft_url: str = autodiscover.MICROSOFT_URL
    guess_ports: tuple[int, ...] = SUBMISSION_PORTS


async def _bounded(source: str, coro: Awaitable[SourceResult], timeout: float,
                   progress: Progress | None) -> SourceResult:
    start = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            result = await coro
    except TimeoutError:
        result = SourceResult(SourceReport(source, "error",
                                           f"no answer within {timeout:g} s (stopped waiting)"))
    result.report.duration_ms = result.report.duration_ms or int(
        (time.monotonic() - start) * 1000)
    if progress is not None:
        progress(result.report)
    return result


def _skipped(source: str, why: str, progress: Progress | None) -> SourceResult:
    result = SourceResult(SourceReport(source, "skipped", why))
    if progress is not None:
        progress(result.report)
    return result


def _rank(c: Candidate, index: int) -> tuple[int, int, int, int, int]:
    probe = c.probe or {}
    return (0 if c.confirmed else 1, SOURCE_ORDER.index(c.source),
            0 if probe.get("login_offered") else 1,
            0 if probe.get("certificate_valid") else 1, index)


def merge(results: list[SourceResult]) -> list[Candidate]:
    """Every candidate once per (host, port), in source order: the first source keeps it."""
    seen: dict[tuple[str, int], Candidate] = {}
    for result in sorted(results, key=lambda r: SOURCE_ORDER.index(r.report.source)):
        for c in result.candidates:
            seen.setdefault(c.key, c)
    return list(seen.values())


def choose(candidates: list[Candidate], probed: bool) -> Candidate | None:
    """The setting to use: the best confirmed one, else (not probed, or nothing answered from
    here) the best published one; a guess is never chosen unconfirmed."""
    ranked = sorted(enumerate(candidates), key=lambda ic: _rank(ic[1], ic[0]))
    for _, c in ranked:
        if c.confirmed or c.source != "guess":
            return c
    return None


def next_step(address: str, chosen: Candidate | None, probed: bool
              ) -> tuple[str, str, dict[str, Any]]:
    if chosen is None:
        return ("Nothing publishes the sending settings for this address: ask your provider "
                "for the SMTP server, port and security.", "provider",
                {"kind": "contact", "who": "provider"})
    settings = {"host": chosen.host, "port": chosen.port, "security": chosen.security}
    if chosen.user:
        settings["user"] = chosen.user
    if chosen.confirmed or not probed:
        return (f"Run the check with {chosen.host} port {chosen.port} ({chosen.security}), "
                f"{chosen.source_text}.", "you", {"kind": "rerun", "set": settings})
    return (f"{chosen.host} port {chosen.port} is published ({chosen.source_text}) but did not "
            "answer from this network: try from another network, or ask whether a firewall "
            "blocks outgoing mail ports.", "you", {"kind": "rerun", "set": settings})


async def discover(address: str, options: DiscoverOptions,
                   progress: Progress | None = None) -> Discovery:
    """Find the submission settings for ``address``. Raises TargetError for a bad address;
    never for the network (a source that fails is a report)."""
    start = time.monotonic()
    address = validate_address(address)
    domain = address.rpartition("@")[2].lower().rstrip(".")
    resolver, timeout, ca = options.resolver, options.timeout, options.ca_file
    own = autoconfig.urls(address, domain, options.https_port)

    def bounded(source: str, coro: Awaitable[SourceResult]) -> Awaitable[SourceResult]:
        return _bounded(source, coro, timeout, progress)

    first = [bounded("srv", srv.lookup_srv(domain, address, resolver))]
    first += [bounded(src, autoconfig.fetch_config(
        src, "from the domain's autoconfig file", url, address, resolver, timeout, ca, True))
        for src, url in own]
    first.append(bounded("autodiscover", autodiscover.fetch_pox(
        "autodiscover", "from the domain's Autodiscover", autodiscover.domain_url(
            domain, options.https_port), address, resolver, timeout, ca)))
    if options.third_party:
        first.append(bounded("ispdb", autoconfig.fetch_config(
            "ispdb", "from Mozilla's ISPDB", options.ispdb_url + domain, address, resolver,
            timeout, ca, False)))
    else:
        first.append(asyncio.sleep(0, _skipped("ispdb", "--no-third-party", progress)))

    async def after_mx() -> tuple[list[str], list[SourceResult]]:
        try:
            async with asyncio.timeout(timeout):
                hosts, _ = await guess.mx_hosts(domain, resolver)
        except TimeoutError:
            hosts = []
        t0 = time.monotonic()
        out = [guess.provider_source(address, hosts)]
        out[0].report.duration_ms = int((time.monotonic() - t0) * 1000)
        if progress is not None:
            progress(out[0].report)
        jobs: list[Awaitable[SourceResult]] = []
        base = org_domain(hosts[0]) if hosts else ""
        if not options.third_party:
            jobs.append(asyncio.sleep(0, _skipped("ispdb-mx", "--no-third-party", progress)))
        elif base and base != domain:
            jobs.append(bounded("ispdb-mx", autoconfig.fetch_config(
                "ispdb-mx", "from Mozilla's ISPDB (for the MX's domain)",
                options.ispdb_url + base, address, resolver, timeout, ca, False)))
        if out[0].provider == "microsoft":
            if options.third_party:
                jobs.append(bounded("microsoft", autodiscover.microsoft(
                    address, resolver, timeout, ca, options.microsoft_url)))
            else:
                jobs.append(asyncio.sleep(0, _skipped("microsoft", "--no-third-party",
                                                      progress)))
        out += await asyncio.gather(*jobs)
        g = guess.guess_source(address, domain, hosts, time.monotonic(), options.guess_ports)
        if progress is not None:
            progress(g.report)
        out.append(g)
        return hosts, out

    gathered = await asyncio.gather(asyncio.gather(*first), after_mx())
    results: list[SourceResult] = list(gathered[0]) + gathered[1][1]
    mx = gathered[1][0]
    candidates = merge(results)
    if options.probe and candidates:
        await confirm.probe_candidates(candidates, resolver, timeout=options.probe_timeout,
                                       ca_file=ca, helo_name=options.helo_name)
    chosen = choose(candidates, options.probe)
    step, who, action = next_step(address, chosen, options.probe)
    incoming: list[Incoming] = []
    for result in sorted(results, key=lambda r: SOURCE_ORDER.index(r.report.source)):
        for item in result.incoming:
            if all((i.host, i.port) != (item.host, item.port) for i in incoming):
                incoming.append(item)
    provider = next((r.provider for r in results if r.provider), None)
    reports = sorted((r.report for r in results), key=lambda r: SOURCE_ORDER.index(r.source))
    # Show the published and confirmed candidates, and the guesses that answered.
    shown = [c for c in candidates if c.source != "guess" or c.confirmed]
    return Discovery(address, domain, chosen, shown, incoming, reports, mx, provider, step,
                     who, action, int((time.monotonic() - start) * 1000))
