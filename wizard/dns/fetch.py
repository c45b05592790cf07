"""Bounded HTTP(S) fetches whose host names come from the wizard's resolver.

Used for MTA-STS policies and mail-client autoconfiguration files. The host name of the URL is
resolved with :class:`wizard.dns.resolver.Resolver` (so ``--nameserver`` holds), the connection
goes to that address, and the name is kept for SNI, certificate checking and the ``Host``
header. ``ca_file`` replaces the system trust store, as it does for SMTP.

Every fetch is bounded: one overall deadline, a body cap (the announced length is refused
before reading, a longer stream is cut), at most ``max_redirects`` redirects and only to the
same host over HTTPS. Plain ``http`` is refused unless the caller allows it (the lab's
loopback override). It deliberately speaks only HTTP/1.1 GET and POST, one request per
connection (h11, which httpx already brings); it is not a general HTTP client.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import h11

from wizard.dns.resolver import Resolver

DEFAULT_MAX_BYTES = 64 * 1024
USER_AGENT = "smtp-wizard"


class FetchError(Exception):
    """A fetch that did not give a usable body. ``kind`` says why, for callers that word it:
    ``url``, ``dns``, ``connect``, ``tls``, ``timeout``, ``too-large``, ``announced-too-large``,
    ``redirect``, ``http``, ``protocol``."""

    def __init__(self, kind: str, message: str, *, size: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.size = size


@dataclass
class Fetched:
    """A response with its whole (capped) body, and how it was reached."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    address: str
    tls: bool
    redirects: list[str] = field(default_factory=list)
    duration_ms: int = 0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def _ip(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


async def addresses_of(host: str, resolver: Resolver) -> list[str]:
    """The host's addresses from the wizard's resolver (IPv4 first); an IP literal is itself."""
    literal = _ip(host)
    if literal:
        return [literal]
    a, aaaa = await asyncio.gather(resolver.query(host, "A"), resolver.query(host, "AAAA"))
    out = [r for r in a.records if _ip(r)] + [r for r in aaaa.records if _ip(r)]
    if not out:
        worst = a if not a.ok else aaaa
        raise FetchError("dns", f"{host} has no address ({worst.describe()})")
    return out


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Verifying client context: the system's CAs, or only ``ca_file`` when given."""
    context = ssl.create_default_context(cafile=ca_file)
    context.set_alpn_protocols(["http/1.1"])
    return context


async def fetch(
    url: str,
    resolver: Resolver,
    *,
    timeout: float,
    max_bytes: int = DEFAULT_MAX_BYTES,
    ca_file: str | None = None,
    method: str = "GET",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    max_redirects: int = 0,
    allow_http: bool = False,
) -> Fetched:
    """Fetch ``url`` within ``timeout`` seconds in all. Raises :class:`FetchError`."""
    start = time.monotonic()
    redirects: list[str] = []
    try:
        async with asyncio.timeout(timeout):
            current = url
            first_host = urlsplit(url).hostname or ""
            while True:
                result = await _once(current, resolver, max_bytes, ca_file, method, body,
                                     headers or {}, allow_http)
                location = result.headers.get("location")
                if result.status not in (301, 302, 303, 307, 308) or not location:
                    result.redirects = redirects
                    result.duration_ms = int((time.monotonic() - start) * 1000)
                    return result
                target = urljoin(current, location)
                parts = urlsplit(target)
                if (parts.hostname or "").lower() != first_host.lower():
                    raise FetchError("redirect", f"redirected to another host "
                                     f"({(parts.hostname or '?')[:100]}): not followed")
                if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
                    raise FetchError("redirect", "redirected away from HTTPS: not followed")
                if len(redirects) >= max_redirects:
                    raise FetchError("redirect", f"HTTP {result.status} redirect: not followed"
                                     if not max_redirects else "too many redirects")
                redirects.append(target)
                current = target
    except TimeoutError:
        raise FetchError("timeout", f"no complete answer within {timeout:g} s "
                         "(stopped waiting)") from None


async def _once(url: str, resolver: Resolver, max_bytes: int, ca_file: str | None,
                method: str, body: bytes, extra: dict[str, str], allow_http: bool) -> Fetched:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError("url", f"bad URL: {exc}") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchError("url", "not an http(s) URL")
    if parts.scheme == "http" and not allow_http:
        raise FetchError("url", "plain http refused (HTTPS only)")
    secure = parts.scheme == "https"
    host = parts.hostname
    port = port or (443 if secure else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    context = tls_context(ca_file) if secure else None
    last: FetchError | None = None
    for address in (await addresses_of(host, resolver))[:4]:
        try:
            reader, writer = await asyncio.open_connection(
                address, port, ssl=context, server_hostname=host if secure else None)
        except ssl.SSLCertVerificationError as exc:
            raise FetchError("tls", f"certificate of {host} not accepted: "
                             f"{exc.verify_message or exc.reason}") from None
        except ssl.SSLError as exc:
            raise FetchError("tls", f"TLS with {host} failed: {exc.reason or exc}") from None
        except OSError as exc:
            last = FetchError("connect", f"{address} port {port}: "
                              f"{exc.strerror or type(exc).__name__}")
            continue
        try:
            status, headers, data = await _exchange(reader, writer, host, parts.port, method,
                                                    target, body, extra, max_bytes)
        finally:
            writer.close()
        return Fetched(url, status, headers, data, address, secure)
    assert last is not None, "addresses_of returns at least one address or raises"
    raise last


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str,
                    port: int | None, method: str, target: str, body: bytes,
                    extra: dict[str, str], max_bytes: int) -> tuple[int, dict[str, str], bytes]:
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=16 * 1024)
    host_header = host if port is None else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" + ("" if port is None else f":{port}")
    head = [("Host", host_header), ("User-Agent", USER_AGENT), ("Connection", "close"),
            ("Accept-Encoding", "identity")]
    head += list(extra.items())
    if body or method == "POST":
        head.append(("Content-Length", str(len(body))))
    try:
        out = conn.send(h11.Request(method=method, target=target, headers=head))
        if body:
            out += conn.send(h11.Data(data=body))
        out += conn.send(h11.EndOfMessage())
        writer.write(out)
        await writer.drain()
        status = 0
        headers: dict[str, str] = {}
        data = bytearray()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                chunk = await reader.read(16384)
                conn.receive_data(chunk)
                continue
            if isinstance(event, h11.Response):
                status = event.status_code
                headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                           for k, v in event.headers}
                declared = headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes and status == 200:
                    raise FetchError("announced-too-large", f"larger than {_kb(max_bytes)} "
                                     f"({int(declared)} bytes announced)", size=int(declared))
            elif isinstance(event, h11.Data):
                data += event.data
                if len(data) > max_bytes:
                    raise FetchError("too-large",
                                     f"larger than {_kb(max_bytes)} (stopped reading)")
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                return status, headers, bytes(data)
    except h11.RemoteProtocolError as exc:
        raise FetchError("protocol", f"not a valid HTTP answer ({exc})") from None
    except ssl.SSLError as exc:
        raise FetchError("tls", f"TLS with {host} failed: {exc.reason or exc}") from None
    except OSError as exc:
        raise FetchError("connect", f"connection lost: {exc.strerror or type(exc).__name__}"
                         ) from None


def _kb(size: int) -> str:
    return f"{size // 1024} KB" if size >= 1024 else f"{size} bytes"
