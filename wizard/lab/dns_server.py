"""A real loopback DNS responder for the lab and the tests (UDP and TCP, dnspython messages).

It serves zone data given as a dict or as zone-file text, answers authoritatively, follows
in-zone CNAMEs (stopping at loops, as a real server does), tells NXDOMAIN from NODATA (empty
non-terminals exist), sets TC over UDP when an answer does not fit (512 bytes, or the EDNS size)
so clients retry over TCP, and can be told to time out, SERVFAIL or REFUSE for a name.
``latency_ms`` delays every answer, to measure how many sequential round trips a check costs.

Dict form (the OpenSPF suite's ``zonedata`` shape, plus a mapping shorthand)::

    {"example.com": [{"TXT": "v=spf1 -all"}, {"MX": [10, "mail.example.com"]},
                     {"A": "192.0.2.1"}, {"TXT": ["part one", "part two"]}],
     "slow.example.com": ["TIMEOUT"],      # also "SERVFAIL", "REFUSED"
     "other.example.com": {"A": ["192.0.2.1", "192.0.2.2"], "MX": "10 mx.example.com"}}

In the list form a TXT/SPF list is one record of several strings; in the mapping form a list is
several records. Other types take presentation format ("10 mx.example.com"). Following the
corpora README: an SPF (type 99) record is also served as TXT unless the name has its own TXT,
``{"TXT": "NONE"}`` means no TXT at all, and ``TIMEOUT`` applies to the types the name has no
records of. Binds only 127.0.0.1 on a free port (the same port for UDP and TCP), or on a given one.

It keeps up with a class (40 checks at once, each some 30 queries in a burst): without latency a
UDP query is answered at once in the datagram callback (no task per query); a query seen before
(the same bytes but for its id) gets the cached answer with its own id, without parsing or
building anything; and the UDP socket asks for a receive buffer of :data:`UDP_RECEIVE_BUFFER`
so a burst that arrives while the process waits for a CPU queues instead of being dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CNAME
import dns.rdtypes.ANY.MX
import dns.rdtypes.ANY.TXT
import dns.rdtypes.txtbase
import dns.rrset
import dns.zone

Behaviour = str  # "timeout" | "servfail" | "refused"
BEHAVIOURS = ("timeout", "servfail", "refused")
HOST = "127.0.0.1"
# Bytes of queued datagrams the kernel may hold for the UDP socket (capped by net.core.rmem_max;
# the default of ~200 KB holds only a few hundred queries).
UDP_RECEIVE_BUFFER = 4 * 1024 * 1024
QUERY_LOG_LIMIT = 100_000
ANSWER_CACHE_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class QueryLog:
    """One query the server received."""

    t: float
    name: str
    rdtype: str
    transport: str


def _txt(rdtype: dns.rdatatype.RdataType, strings: Iterable[str | bytes]) -> dns.rdata.Rdata:
    chunks: list[bytes] = []
    for s in strings:
        raw = s.encode("utf-8") if isinstance(s, str) else bytes(s)
        if not raw:
            chunks.append(b"")
        for i in range(0, len(raw), 255):
            chunks.append(raw[i : i + 255])
    return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, rdtype, chunks or [b""])


def _rdata(rdtype_text: str, value: Any, many_is_strings: bool) -> list[dns.rdata.Rdata]:
    rdtype = dns.rdatatype.from_text(rdtype_text.upper())
    if rdtype in (dns.rdatatype.TXT, dns.rdatatype.SPF):
        if isinstance(value, (list, tuple)):
            if many_is_strings:
                return [_txt(rdtype, [str(v) for v in value])]
            return [_txt(rdtype, [str(v)]) for v in value]
        return [_txt(rdtype, [str(value)])]
    if rdtype == dns.rdatatype.MX and isinstance(value, (list, tuple)) and len(value) == 2 \
            and isinstance(value[0], int):
        exchange = dns.name.from_text(str(value[1]) or ".", origin=dns.name.root)
        return [dns.rdtypes.ANY.MX.MX(dns.rdataclass.IN, rdtype, int(value[0]), exchange)]
    values = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for v in values:
        text = str(v)
        if rdtype in (dns.rdatatype.CNAME, dns.rdatatype.PTR, dns.rdatatype.NS) \
                and not text.endswith("."):
            text += "."
        out.append(dns.rdata.from_text(
            dns.rdataclass.IN, rdtype, text, origin=dns.name.root, relativize=False
        ))
    return out


class Zone:
    """Records by name and type, per-name behaviours, and the set of existing names."""

    def __init__(self) -> None:
        self.records: dict[dns.name.Name, dict[int, list[dns.rdata.Rdata]]] = {}
        self.behaviour: dict[dns.name.Name, Behaviour] = {}
        self.no_txt: set[dns.name.Name] = set()
        self.existing: set[dns.name.Name] = set()
        self.version = 0  # bumped on every change: answers cached for an older one are stale

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Zone:
        zone = cls()
        for owner, entries in data.items():
            name = dns.name.from_text(owner, origin=dns.name.root)
            node = zone.records.setdefault(name, {})
            zone.existing.add(name)
            items: list[tuple[Mapping[str, Any] | str, bool]]
            if isinstance(entries, Mapping):
                items = [({k: v}, False) for k, v in entries.items()]
            elif isinstance(entries, str):
                items = [(entries, True)]
            else:
                items = [(e, True) for e in entries]
            for entry, list_form in items:
                if isinstance(entry, str):
                    word = entry.strip().lower()
                    if word not in BEHAVIOURS:
                        raise ValueError(f"{owner}: unknown behaviour {entry!r}")
                    zone.behaviour[name] = word
                    continue
                for rtype, value in entry.items():
                    if rtype.upper() == "TXT" and value == "NONE":
                        zone.no_txt.add(name)
                        continue
                    rdatas = _rdata(rtype, value, many_is_strings=list_form)
                    node.setdefault(rdatas[0].rdtype, []).extend(rdatas)
            zone._spf_as_txt(name)
        zone._index()
        return zone

    @classmethod
    def from_text(cls, text: str, origin: str | None = None) -> Zone:
        parsed = dns.zone.from_text(
            text, origin=origin, relativize=False, check_origin=False
        )
        zone = cls()
        for name, node in parsed.nodes.items():
            entry = zone.records.setdefault(name, {})
            for rdataset in node.rdatasets:
                entry.setdefault(rdataset.rdtype, []).extend(rdataset)
            zone.existing.add(name)
            zone._spf_as_txt(name)
        zone._index()
        return zone

    def _spf_as_txt(self, name: dns.name.Name) -> None:
        node = self.records[name]
        spf = node.get(dns.rdatatype.SPF)
        if spf and dns.rdatatype.TXT not in node and name not in self.no_txt:
            texts = []
            for r in spf:
                assert isinstance(r, dns.rdtypes.txtbase.TXTBase)  # SPF rdata is TXT-shaped
                texts.append(_txt(dns.rdatatype.TXT, r.strings))
            node[dns.rdatatype.TXT] = texts

    def _index(self) -> None:
        for name in list(self.existing):
            parent = name
            while len(parent) > 1:
                parent = parent.parent()
                self.existing.add(parent)

    def set_behaviour(self, name: str, behaviour: Behaviour | None) -> None:
        key = dns.name.from_text(name, origin=dns.name.root)
        self.version += 1
        if behaviour is None:
            self.behaviour.pop(key, None)
        elif behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}")
        else:  # set explicitly: every query for the name behaves so, records or not
            self.behaviour[key] = "always-timeout" if behaviour == "timeout" else behaviour

    def answer(self, query: dns.message.Message) -> dns.message.Message | None:
        """The response to ``query``, or None to stay silent (a timeout)."""
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        response.flags &= ~dns.flags.AD
        if query.opcode() != dns.opcode.QUERY or len(query.question) != 1:
            response.set_rcode(dns.rcode.NOTIMP)
            return response
        question = query.question[0]
        qname, qtype = question.name, question.rdtype
        node = self.records.get(qname, {})
        behaviour = self.behaviour.get(qname)
        if behaviour == "always-timeout" or (
            behaviour == "timeout" and qtype not in node and dns.rdatatype.CNAME not in node
        ):
            return None
        if behaviour == "servfail":
            response.set_rcode(dns.rcode.SERVFAIL)
            return response
        if behaviour == "refused":
            response.set_rcode(dns.rcode.REFUSED)
            return response
        current = qname
        seen = {current}
        for _ in range(16):
            node = self.records.get(current, {})
            cname = node.get(dns.rdatatype.CNAME)
            if not cname or qtype in (dns.rdatatype.CNAME, dns.rdatatype.ANY):
                break
            rrset = dns.rrset.from_rdata_list(current, 300, cname[:1])
            response.answer.append(rrset)
            alias = cname[0]
            assert isinstance(alias, dns.rdtypes.ANY.CNAME.CNAME)  # stored under CNAME
            current = alias.target
            if current in seen or self.behaviour.get(current):
                return response
            seen.add(current)
        node = self.records.get(current, {})
        if qtype == dns.rdatatype.ANY:
            for rdatas in node.values():
                response.answer.append(dns.rrset.from_rdata_list(current, 300, rdatas))
        elif qtype in node:
            response.answer.append(dns.rrset.from_rdata_list(current, 300, node[qtype]))
        elif current not in self.existing:
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response


class DnsServer:
    """``async with DnsServer(zone) as server: ... server.nameserver`` -> ("127.0.0.1", port)."""

    def __init__(
        self,
        zone: Mapping[str, Any] | str | Zone,
        latency_ms: float = 0,
        origin: str | None = None,
        behaviours: Mapping[str, Behaviour] | None = None,
        port: int = 0,
    ) -> None:
        if isinstance(zone, Zone):
            self.zone = zone
        elif isinstance(zone, str):
            self.zone = Zone.from_text(zone, origin)
        else:
            self.zone = Zone.from_dict(zone)
        for name, behaviour in (behaviours or {}).items():
            self.zone.set_behaviour(name, behaviour)
        self.latency_ms = latency_ms
        self.host = HOST
        self.port = port
        self.log: list[QueryLog] = []
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        # (transport, query bytes after the id) -> (zone version, reply or None, name, type)
        self._answers: dict[tuple[str, bytes], tuple[int, bytes | None, str, str]] = {}

    @property
    def nameserver(self) -> tuple[str, int]:
        return (self.host, self.port)

    def set_behaviour(self, name: str, behaviour: Behaviour | None) -> None:
        self.zone.set_behaviour(name, behaviour)

    async def start(self) -> DnsServer:
        from wizard.lab.loopback import LISTEN_BACKLOG

        loop = asyncio.get_running_loop()
        last: OSError | None = None
        for _ in range(1 if self.port else 20):
            transport, _proto = await loop.create_datagram_endpoint(
                lambda: _Udp(self), local_addr=(HOST, self.port)
            )
            sock = transport.get_extra_info("socket")
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_RECEIVE_BUFFER)
            port = transport.get_extra_info("sockname")[1]
            try:
                self._tcp = await asyncio.start_server(self._handle_tcp, HOST, port,
                                                       backlog=LISTEN_BACKLOG)
            except OSError as exc:  # the TCP port is taken: try another pair
                transport.close()
                last = exc
                if self.port:
                    raise
                continue
            self._udp = transport
            self.port = port
            return self
        raise OSError(f"no free port pair for the DNS server: {last}")

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._tcp is not None:
            self._tcp.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._tcp.wait_closed(), 2)
            self._tcp = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> DnsServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _record(self, query: dns.message.Message, transport: str) -> None:
        if query.question:
            q = query.question[0]
            self._log(q.name.to_text(omit_final_dot=True), dns.rdatatype.to_text(q.rdtype),
                      transport)

    def _log(self, name: str, rdtype: str, transport: str) -> None:
        if len(self.log) >= QUERY_LOG_LIMIT:  # a server up all day keeps the recent half
            del self.log[: QUERY_LOG_LIMIT // 2]
        self.log.append(QueryLog(time.monotonic(), name, rdtype, transport))

    async def _respond(self, wire: bytes, transport: str) -> bytes | None:
        query = self._parse(wire, transport)
        if query is None:
            return None
        response = self.zone.answer(query)
        if response is None:
            return None
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)
        return self._wire(query, response, transport)

    def _parse(self, wire: bytes, transport: str) -> dns.message.Message | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        self._record(query, transport)
        return query

    def answer_now(self, wire: bytes, transport: str = "udp") -> bytes | None:
        """The reply to ``wire`` computed at once (no latency), or None to stay silent."""
        key = (transport, wire[2:])
        cached = self._answers.get(key)
        if cached is not None and cached[0] == self.zone.version and len(wire) >= 12:
            _, reply, name, rtype = cached
            self._log(name, rtype, transport)
            return None if reply is None else wire[:2] + reply[2:]
        query = self._parse(wire, transport)
        if query is None:
            return None
        response = self.zone.answer(query)
        reply = None if response is None else self._wire(query, response, transport)
        if len(self._answers) >= ANSWER_CACHE_LIMIT:
            self._answers.clear()
        if query.question:
            q = query.question[0]
            self._answers[key] = (self.zone.version, reply, q.name.to_text(omit_final_dot=True),
                                  dns.rdatatype.to_text(q.rdtype))
        return reply

    def _wire(self, query: dns.message.Message, response: dns.message.Message,
              transport: str) -> bytes:
        try:
            data = response.to_wire(max_size=65535)
        except dns.exception.DNSException:  # too big even for TCP: say so honestly
            response.answer.clear()
            response.set_rcode(dns.rcode.SERVFAIL)
            data = response.to_wire()
        if transport == "udp":
            limit = max(512, query.payload) if query.edns >= 0 else 512
            if len(data) > limit:
                response.answer.clear()
                response.authority.clear()
                response.additional.clear()
                response.flags |= dns.flags.TC
                data = response.to_wire()
        return data

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _udp_reply(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = await self._respond(data, "udp")
        if reply is not None and self._udp is not None:
            self._udp.sendto(reply, addr)

    async def _handle_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                header = await reader.readexactly(2)
                (length,) = struct.unpack("!H", header)
                wire = await reader.readexactly(length)
                reply = (await self._respond(wire, "tcp") if self.latency_ms
                         else self.answer_now(wire, "tcp"))
                if reply is None:
                    continue  # stay silent: the client times out
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: DnsServer) -> None:
        self.server = server

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        server = self.server
        if server.latency_ms:
            server._spawn(server._udp_reply(data, addr))
            return
        reply = server.answer_now(data)
        if reply is not None and server._udp is not None:
            server._udp.sendto(reply, addr)
