"""Thunderbird's autoconfiguration format (``config-v1.1.xml``): where to fetch it, how to read it.

:func:`parse_config` is pure: it turns a file into candidates and incoming servers, filling
``%EMAILADDRESS%``, ``%EMAILLOCALPART%`` and ``%EMAILDOMAIN%``, and lists every entry it refused
(a port outside 1-65535, a host that is not a host name, an unknown socket type) as a problem
instead of failing. :func:`fetch_config` fetches one URL over verified HTTPS (the wizard's
resolver, 64 KB, no redirect to another host) and parses it as untrusted XML.

Trust (the format's own caveat): a file fetched over HTTPS from the domain's own
``autoconfig.`` or ``.well-known`` address is authenticated by its certificate; Mozilla's ISPDB
over HTTPS is a third party's word; a lookup by the MX's domain is only as good as that
(unsigned) MX answer, so it is not marked authenticated.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from urllib.parse import quote

from wizard.discover import safexml
from wizard.discover.model import (
    Candidate,
    Incoming,
    ReportStatus,
    SourceReport,
    SourceResult,
    UserForm,
)
from wizard.dns.fetch import FetchError, fetch
from wizard.dns.resolver import Resolver
from wizard.model.target import TargetError, validate_host

MAX_BYTES = 64 * 1024
ISPDB_URL = "https://autoconfig.thunderbird.net/v1.1/"
SOCKET_TYPES = {"ssl": "tls", "starttls": "starttls", "plain": "none"}


def urls(address: str, domain: str, https_port: int = 443) -> list[tuple[str, str]]:
    """The domain's own two addresses, in the order Thunderbird asks them."""
    port = "" if https_port == 443 else f":{https_port}"
    return [
        ("autoconfig", f"https://autoconfig.{domain}{port}/mail/config-v1.1.xml"
                       f"?emailaddress={quote(address, safe='@')}"),
        ("well-known", f"https://{domain}{port}/.well-known/autoconfig/mail/config-v1.1.xml"),
    ]


def fill(template: str, address: str) -> tuple[str, UserForm]:
    local, _, domain = address.rpartition("@")
    if template == "%EMAILADDRESS%":
        form: UserForm = "address"
    elif template == "%EMAILLOCALPART%":
        form = "local-part"
    else:
        form = "other"
    value = (template.replace("%EMAILADDRESS%", address).replace("%EMAILLOCALPART%", local)
             .replace("%EMAILDOMAIN%", domain))
    return value, form


def _server(node: ET.Element | None, address: str, problems: list[str], what: str
            ) -> tuple[str, int, str, str | None, UserForm] | None:
    host_text = safexml.text(node, "hostname")
    port_text = safexml.text(node, "port")
    sock = safexml.text(node, "socketType").lower()
    host_text = fill(host_text, address)[0]
    shown = host_text[:60] + ("..." if len(host_text) > 60 else "")
    try:
        host = validate_host(host_text)
    except TargetError:
        problems.append(f"{what}: host {shown!r} is not a host name (ignored)")
        return None
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        problems.append(f"{what} {host}: port {port_text[:10]!r} is not 1-65535 (ignored)")
        return None
    if sock not in SOCKET_TYPES:
        problems.append(f"{what} {host}: socketType {sock[:20]!r} unknown (ignored)")
        return None
    user_text = safexml.text(node, "username")
    if not user_text:
        return host, int(port_text), SOCKET_TYPES[sock], None, "unknown"
    user, form = fill(user_text, address)
    return host, int(port_text), SOCKET_TYPES[sock], user, form


def parse_config(data: bytes, address: str, source: str, source_text: str, via: str,
                 authenticated: bool) -> tuple[list[Candidate], list[Incoming], list[str]]:
    """Candidates (SMTP), incoming servers and refused entries. Raises UnsafeXml."""
    root = safexml.parse(data, MAX_BYTES)
    if root.tag != "clientConfig":
        raise safexml.UnsafeXml(f"not an autoconfig file (root <{root.tag[:30]}>)")
    candidates: list[Candidate] = []
    incoming: list[Incoming] = []
    problems: list[str] = []
    for provider in root.findall("emailProvider")[:4]:
        for node in provider.findall("outgoingServer")[:10]:
            if node.get("type", "").lower() != "smtp":
                continue
            got = _server(node, address, problems, "outgoing server")
            if got:
                host, port, security, user, form = got
                candidates.append(Candidate(host, port, security, source, source_text, via,
                                            authenticated, user, form))
        for node in provider.findall("incomingServer")[:10]:
            kind = node.get("type", "").lower()
            if kind not in ("imap", "pop3"):
                continue
            got = _server(node, address, problems, f"incoming {kind} server")
            if got:
                host, port, security, user, _ = got
                incoming.append(Incoming(kind, host, port, security, user, source, via))
    return candidates, incoming, problems


async def fetch_config(source: str, source_text: str, url: str, address: str,
                       resolver: Resolver, timeout: float, ca_file: str | None,
                       authenticated: bool) -> SourceResult:
    """Fetch and read one autoconfig URL; every failure is a report, never an exception."""
    start = time.monotonic()

    def report(status: ReportStatus, summary: str, problems: list[str] | None = None,
               tls: bool | None = None) -> SourceReport:
        return SourceReport(source, status, summary, url, tls, authenticated and status == "found",
                            int((time.monotonic() - start) * 1000), problems or [])

    try:
        got = await fetch(url, resolver, timeout=timeout, max_bytes=MAX_BYTES, ca_file=ca_file,
                          max_redirects=3)
    except FetchError as exc:
        status: ReportStatus = "none" if exc.kind in ("dns", "connect") else "error"
        return SourceResult(report(status, f"not fetched: {exc}"))
    if got.status == 404 or got.status == 410:
        return SourceResult(report("none", f"HTTP {got.status}: no file published", tls=True))
    if got.status != 200:
        return SourceResult(report("error", f"HTTP {got.status}", tls=True))
    try:
        candidates, incoming, problems = parse_config(got.body, address, source, source_text,
                                                      url, authenticated)
    except safexml.UnsafeXml as exc:
        return SourceResult(report("error", f"file refused: {exc}", tls=True))
    if not candidates:
        return SourceResult(report("none" if not problems else "error",
                                   "the file names no usable SMTP server", problems, tls=True),
                            incoming=incoming)
    return SourceResult(report("found", f"{len(candidates)} SMTP server(s)", problems, tls=True),
                        candidates, incoming)
