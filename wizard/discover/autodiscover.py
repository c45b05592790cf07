"""Outlook-style Autodiscover: the POX file (``autodiscover.xml``) and Microsoft 365's v2 JSON.

The domain's own ``https://autodiscover.DOMAIN/autodiscover/autodiscover.xml`` is asked with the
Outlook request (a POST naming the address), as Outlook and Thunderbird do; hosters that publish
it list their IMAP and SMTP servers there. When the MX points at Microsoft, Microsoft's v2 JSON
endpoint gives the POX URL for the address (a third party: left out with ``--no-third-party``).
Microsoft 365 answers the POX request only after sign-in (HTTP 401): that is reported as such,
and the provider catalog's documented settings stand. :func:`parse_pox` is pure; redirects in
the file (``redirectAddr``/``redirectUrl``) are reported, not followed.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit

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
MICROSOFT_URL = "https://autodiscover-s.outlook.com"
# Hosts a Microsoft JSON answer may send the POX request to (its own).
MICROSOFT_SUFFIXES = ("outlook.com", "office365.com", "office.com")
REQUEST = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/'
    'requestschema/2006"><Request><EMailAddress>{address}</EMailAddress>'
    "<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/"
    "responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>"
)


def request_body(address: str) -> bytes:
    safe = address.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return REQUEST.format(address=safe).encode()


def _security(node: ET.Element | None, port: int) -> str:
    encryption = safexml.text(node, "Encryption").lower()
    if encryption == "ssl":
        return "tls"
    if encryption == "tls":  # Outlook's word for STARTTLS
        return "starttls"
    if encryption == "none":
        return "none"
    if safexml.text(node, "SSL").lower() == "off":
        return "none"
    return "tls" if port in (465, 993, 995) else "starttls"


def parse_pox(data: bytes, address: str, source: str, source_text: str, via: str,
              authenticated: bool) -> tuple[list[Candidate], list[Incoming], list[str]]:
    """SMTP candidates, incoming servers and problems from a POX response. Raises UnsafeXml."""
    root = safexml.parse(data, MAX_BYTES)
    if root.tag != "Autodiscover":
        raise safexml.UnsafeXml(f"not an Autodiscover answer (root <{root.tag[:30]}>)")
    account = root.find("Response/Account")
    problems: list[str] = []
    if account is None:
        error = safexml.text(root, "Response/Error/Message")
        raise safexml.UnsafeXml(f"no account in the answer{': ' + error[:100] if error else ''}")
    action = safexml.text(account, "Action")
    if action in ("redirectAddr", "redirectUrl"):
        where = safexml.text(account, "RedirectAddr") or safexml.text(account, "RedirectUrl")
        problems.append(f"the answer redirects ({action} {where[:80]!r}): not followed")
    candidates: list[Candidate] = []
    incoming: list[Incoming] = []
    for node in account.findall("Protocol")[:20]:
        kind = safexml.text(node, "Type").upper()
        if kind not in ("SMTP", "IMAP", "POP3"):
            continue
        server = safexml.text(node, "Server")
        port_text = safexml.text(node, "Port")
        try:
            host = validate_host(server)
        except TargetError:
            problems.append(f"{kind}: server {server[:60]!r} is not a host name (ignored)")
            continue
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            problems.append(f"{kind} {host}: port {port_text[:10]!r} is not 1-65535 (ignored)")
            continue
        port = int(port_text)
        login = safexml.text(node, "LoginName") or None
        form: UserForm = "address"
        if login and login != address:
            form = "local-part" if login == address.rpartition("@")[0] else "other"
        if kind == "SMTP":
            candidates.append(Candidate(host, port, _security(node, port), source, source_text,
                                        via, authenticated, login or address, form))
        else:
            incoming.append(Incoming(kind.lower(), host, port, _security(node, port),
                                     login or address, source, via))
    return candidates, incoming, problems


def _report(source: str, status: ReportStatus, summary: str, via: str, start: float,
            authenticated: bool = False, problems: list[str] | None = None,
            tls: bool | None = True) -> SourceReport:
    return SourceReport(source, status, summary, via, tls, authenticated,
                        int((time.monotonic() - start) * 1000), problems or [])


async def fetch_pox(source: str, source_text: str, url: str, address: str,
                    resolver: Resolver, timeout: float, ca_file: str | None,
                    start: float | None = None) -> SourceResult:
    start = start or time.monotonic()
    try:
        got = await fetch(url, resolver, timeout=timeout, max_bytes=MAX_BYTES, ca_file=ca_file,
                          method="POST", body=request_body(address),
                          headers={"Content-Type": "text/xml"}, max_redirects=2)
    except FetchError as exc:
        status: ReportStatus = "none" if exc.kind in ("dns", "connect") else "error"
        return SourceResult(_report(source, status, f"not fetched: {exc}", url, start,
                                    tls=None))
    if got.status in (401, 403):
        return SourceResult(_report(source, "none", f"HTTP {got.status}: the server answers "
                                    "only after sign-in", url, start))
    if got.status != 200:
        return SourceResult(_report(source, "none" if got.status in (404, 405) else "error",
                                    f"HTTP {got.status}", url, start))
    try:
        candidates, incoming, problems = parse_pox(got.body, address, source, source_text,
                                                   url, True)
    except safexml.UnsafeXml as exc:
        return SourceResult(_report(source, "error", f"answer refused: {exc}", url, start))
    if not candidates:
        return SourceResult(_report(source, "none", "the answer names no SMTP server", url,
                                    start, problems=problems), incoming=incoming)
    return SourceResult(_report(source, "found", f"{len(candidates)} SMTP server(s)", url,
                                start, True, problems), candidates, incoming)


async def microsoft(address: str, resolver: Resolver, timeout: float, ca_file: str | None,
                    base_url: str = MICROSOFT_URL) -> SourceResult:
    """Microsoft 365's v2 JSON lookup, then the POX URL it names (on a Microsoft host)."""
    start = time.monotonic()
    source, words = "microsoft", "from Microsoft 365 Autodiscover"
    url = (f"{base_url.rstrip('/')}/autodiscover/autodiscover.json/v1.0/"
           f"{quote(address, safe='@')}?Protocol=AutodiscoverV1")
    try:
        got = await fetch(url, resolver, timeout=timeout, max_bytes=MAX_BYTES, ca_file=ca_file)
    except FetchError as exc:
        return SourceResult(_report(source, "error", f"not fetched: {exc}", url, start,
                                    tls=None))
    if got.status != 200:
        return SourceResult(_report(source, "none", f"HTTP {got.status}", url, start))
    try:
        answer = json.loads(got.body)
        pox = str(answer["Url"])
    except (ValueError, KeyError, TypeError):
        return SourceResult(_report(source, "error", "the JSON answer names no URL", url, start))
    host = (urlsplit(pox).hostname or "").lower()
    allowed = host == (urlsplit(base_url).hostname or "").lower() or any(
        host == s or host.endswith("." + s) for s in MICROSOFT_SUFFIXES)
    if urlsplit(pox).scheme != "https" or not allowed:
        return SourceResult(_report(source, "error", f"the JSON answer points at "
                                    f"{pox[:80]!r}: not a Microsoft HTTPS address", url, start))
    remaining = max(0.1, timeout - (time.monotonic() - start))
    return await fetch_pox(source, words, pox, address, resolver, remaining, ca_file, start)


def domain_url(domain: str, https_port: int = 443) -> str:
    port = "" if https_port == 443 else f":{https_port}"
    return f"https://autodiscover.{domain}{port}/autodiscover/autodiscover.xml"
