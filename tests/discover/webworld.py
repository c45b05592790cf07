"""A loopback world for discovery tests: a test CA (trustme), an HTTPS server that answers by
Host header and path, and the project's DNS responder serving the test domain's names.

Routes map ``(host, path)`` to a :class:`Page`; the path includes the query string when the
route says so (autoconfig's ``?emailaddress=``). Special bodies ("endless") stream forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme

from wizard.dns.resolver import Resolver
from wizard.lab.dns_server import DnsServer

NAMES = ("acme.test", "*.acme.test", "*.bare.test", "bare.test", "*.hostile.test",
         "hostile.test", "*.msft.test", "msft.test", "ispdb.test", "ms-autodiscover.test",
         "*.mx-acme.test", "localhost")


@dataclass
class Page:
    status: int = 200
    body: bytes = b""
    ctype: str = "text/xml"
    headers: dict[str, str] = field(default_factory=dict)
    endless: bool = False


class WebWorld:
    def __init__(self, tmp: Path) -> None:
        self.ca = trustme.CA()
        self.leaf = self.ca.issue_cert(*NAMES, "127.0.0.1")
        self.ca_file = str(tmp / "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        self.routes: dict[tuple[str, str], Page] = {}
        self.requests: list[tuple[str, str, str]] = []  # (method, host, target)
        self.zone: dict[str, Any] = {}
        self.port = 0
        self._server: asyncio.Server | None = None
        self.dns: DnsServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.leaf.configure_cert(context)
        return context

    async def start(self) -> WebWorld:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0,
                                                  ssl=self.server_context())
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def serve_dns(self, zone: dict[str, Any]) -> None:
        self.dns = await DnsServer(zone).start()

    def resolver(self) -> Resolver:
        assert self.dns is not None, "serve_dns first"
        return Resolver([self.dns.nameserver], timeout=1.0)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        if self.dns is not None:
            await self.dns.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {k.lower(): v.strip() for k, _, v in
                       (line.partition(":") for line in lines[1:] if line)}
            length = int(headers.get("content-length", "0") or 0)
            if length:
                await asyncio.wait_for(reader.readexactly(length), 5)
            host = headers.get("host", "").rsplit(":", 1)[0]
            self.requests.append((method, host, target))
            page = self.routes.get((host, target)) or self.routes.get(
                (host, target.split("?")[0])) or Page(404, b"not here", "text/plain")
            extra = "".join(f"{k}: {v}\r\n" for k, v in page.headers.items())
            if page.endless:
                writer.write(f"HTTP/1.1 {page.status} X\r\nContent-Type: {page.ctype}\r\n"
                             f"Transfer-Encoding: chunked\r\n{extra}\r\n".encode())
                chunk = b"<a>" + b"x" * 16000
                while True:
                    writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    await writer.drain()
            writer.write(f"HTTP/1.1 {page.status} X\r\nContent-Type: {page.ctype}\r\n"
                         f"Content-Length: {len(page.body)}\r\n{extra}Connection: close\r\n\r\n"
                         .encode() + page.body)
            await writer.drain()
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ssl.SSLError,
                ValueError):
            return
        finally:
            writer.close()
            self._tasks.discard(task)


def config_xml(host: str, port: int, socket_type: str = "STARTTLS",
               username: str = "%EMAILADDRESS%", imap: tuple[str, int] | None = None) -> bytes:
    incoming = "" if imap is None else (
        f'<incomingServer type="imap"><hostname>{imap[0]}</hostname><port>{imap[1]}</port>'
        f"<socketType>SSL</socketType><username>{username}</username></incomingServer>")
    return (f'<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="x">'
            f"{incoming}<outgoingServer type=\"smtp\"><hostname>{host}</hostname>"
            f"<port>{port}</port><socketType>{socket_type}</socketType>"
            f"<username>{username}</username>"
            f"<authentication>password-cleartext</authentication></outgoingServer>"
            f"</emailProvider></clientConfig>").encode()
