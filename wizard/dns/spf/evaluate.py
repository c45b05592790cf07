"""SPF ``check_host()`` (RFC 7208 sections 4-8) as an iterative walk that explains itself.

The walk keeps its own stack of records (no Python recursion), so no record set can exhaust the
interpreter's stack, and it stops at RFC 7208's limits: 10 DNS-querying terms (4.6.4), 2 void
lookups (4.6.4), 10 MX/PTR names per term, and :data:`MAX_DEPTH` nested include/redirect (deeper
nesting always needs more than 10 lookups). ``analyze`` (the record-health walk without an IP)
keeps counting past 10 to say by how much a record is over, up to :data:`ANALYZE_MAX_LOOKUPS`.

Lookups are fetched ahead by :class:`wizard.dns.spf.prefetch.Prefetcher` (a record's terms all at
once, included records as they arrive) and walked in order from the resolver's cache, so the
counting stays exact: only the terms the walk evaluates are counted.

``check_host``, ``check_mail_from`` and ``analyze`` never raise: the outcome is a
:class:`SpfResult` with a trace (the include tree with each branch's lookup count).
"""

from __future__ import annotations

import ipaddress
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from wizard.dns.resolver import Lookup, LookupStatus, Resolver
from wizard.dns.spf.prefetch import Prefetcher, mx_hosts
from wizard.dns.spf.record import (
    _MACRO_EXPAND,
    LOOKUP_TERMS,
    MAX_LOOKUPS,
    MAX_MX_PTR_NAMES,
    MAX_VOID_LOOKUPS,
    QUALIFIERS,
    PermError,
    SpfError,
    SpfRecord,
    TempError,
    Term,
    check_macro_string,
    parse_record,
    select_record,
    valid_domain,
)

MAX_DEPTH = MAX_LOOKUPS + 1  # include/redirect nesting below the top record
ANALYZE_MAX_LOOKUPS = 2 * MAX_LOOKUPS  # the health walk stops counting here

IP = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass
class TraceNode:
    """One evaluated record: its terms, its lookups, and the records it included."""

    domain: str
    via: str  # "top", "include", "redirect"
    record: str | None = None
    result: str | None = None
    lookups: int = 0  # lookup-counting terms evaluated in this record itself
    void_lookups: int = 0
    terms: list[dict[str, Any]] = field(default_factory=list)
    children: list[TraceNode] = field(default_factory=list)
    error: str | None = None

    @property
    def total_lookups(self) -> int:
        return self.lookups + sum(c.total_lookups for c in self.children)

    @property
    def branch_lookups(self) -> int:
        """What this record costs its parent: its own include/redirect term plus its lookups."""
        return self.total_lookups + (0 if self.via == "top" else 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "via": self.via,
            "record": self.record,
            "result": self.result,
            "lookups": self.lookups,
            "total_lookups": self.total_lookups,
            "void_lookups": self.void_lookups,
            "terms": self.terms,
            "error": self.error,
            "children": [c.to_dict() for c in self.children],
        }

    def lines(self, results: bool = True, indent: int = 0) -> list[str]:
        """A readable tree, one line per record: its DNS lookups (an include counts itself),
        and with ``results`` what the record said about the IP."""
        label = self.domain if self.via == "top" else (
            f"include:{self.domain}" if self.via == "include" else f"redirect={self.domain}")
        n = self.branch_lookups
        head = f"{'  ' * indent}{label}: {n} DNS lookup{'' if n == 1 else 's'}"
        if self.error:
            head += f"; {self.error}"
        elif results and self.result:
            head += f"; result {self.result}"
        out = [head]
        for child in self.children:
            out += child.lines(results, indent + 1)
        return out


@dataclass
class SpfResult:
    result: str
    domain: str
    ip: str | None
    sender: str
    record: str | None = None
    explanation: str | None = None
    reason: str | None = None
    matched: dict[str, Any] | None = None  # {"domain", "term"} of the term that decided
    lookups: int = 0
    void_lookups: int = 0
    trace: TraceNode | None = None
    limit_exceeded_at: list[str] | None = None  # include path where the 10th lookup was passed
    warnings: list[str] = field(default_factory=list)
    complete: bool = True  # False when the health walk stopped before the end (the caps above)

    def to_dict(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "domain": self.domain,
            "ip": self.ip,
            "sender": self.sender,
            "record": self.record,
            "explanation": self.explanation,
            "reason": self.reason,
            "matched": self.matched,
            "lookups": self.lookups,
            "void_lookups": self.void_lookups,
            "limit_exceeded_at": self.limit_exceeded_at,
            "complete": self.complete,
            "trace": self.trace.to_dict() if self.trace else None,
            "trace_text": self.trace.lines(results=self.ip is not None) if self.trace else [],
        }


class _Stopped(PermError):
    """The health walk hit one of its caps: the record is over the limit, counting stops."""


@dataclass
class _Pending:
    """An include/redirect whose record is being walked: how to resume the parent after it."""

    kind: str  # "include" | "redirect"
    term: Term
    entry: dict[str, Any]
    before: int
    target: str


@dataclass
class _Frame:
    """One record on the walk's stack."""

    domain: str
    node: TraceNode
    text: str | None = None  # the record to use instead of asking DNS (the top record only)
    record: SpfRecord | None = None
    loaded: bool = False
    index: int = 0
    pending: _Pending | None = None
    in_path: bool = False


def _temp_status(lookup: Lookup) -> bool:
    return not lookup.status.answered


STATUS_WORDS = {
    LookupStatus.NXDOMAIN: "the domain does not exist",
    LookupStatus.NODATA: "no TXT record",
}


class Evaluator:
    """One ``check_host`` (or health walk): the counters, the macro context and the stack."""

    def __init__(
        self,
        resolver: Resolver,
        ip: IP | None,
        sender: str,
        helo: str,
        analyze: bool = False,
    ) -> None:
        self.resolver = resolver
        self.ip = ip
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            self.ip = ip.ipv4_mapped
        local, _, sdomain = sender.rpartition("@")
        self.sender = f"{local or 'postmaster'}@{sdomain}"
        self.local = local or "postmaster"
        self.sender_domain = sdomain
        self.helo = helo
        self.analyze = analyze
        self.lookups = 0
        self.voids = 0
        self.path: list[str] = []
        self.limit_at: list[str] | None = None
        self.matched: dict[str, Any] | None = None
        self._inner_match: dict[str, Any] | None = None
        self.root: TraceNode | None = None
        cap = ANALYZE_MAX_LOOKUPS if analyze else MAX_LOOKUPS
        self.prefetcher = Prefetcher(self, budget=2 * cap)

    # -- counting
    def _count(self, node: TraceNode, term: str) -> None:
        self.lookups += 1
        node.lookups += 1
        if self.lookups > MAX_LOOKUPS:
            if self.limit_at is None:
                self.limit_at = [*self.path, term]
            if not self.analyze:
                raise PermError(f"more than {MAX_LOOKUPS} DNS lookups (at {term} in {node.domain})")
            if self.lookups > ANALYZE_MAX_LOOKUPS:
                raise _Stopped(f"more than {ANALYZE_MAX_LOOKUPS} DNS lookups: stopped counting "
                               f"(the limit is {MAX_LOOKUPS})")

    def _void(self, node: TraceNode, lookup: Lookup) -> None:
        if lookup.status in (LookupStatus.NXDOMAIN, LookupStatus.NODATA) or (
            lookup.ok and not lookup.records
        ):
            self.voids += 1
            node.void_lookups += 1
            if self.voids > MAX_VOID_LOOKUPS and not self.analyze:
                raise PermError(
                    f"more than {MAX_VOID_LOOKUPS} void lookups (the last: {lookup.name})"
                )

    @property
    def v6(self) -> bool:
        return isinstance(self.ip, ipaddress.IPv6Address)

    async def addresses(self, name: str) -> Lookup:
        return await self.query(name, "AAAA" if self.v6 else "A")

    async def query(self, name: str, rdtype: str) -> Lookup:
        """A lookup; a name that cannot exist (empty or over-long label) is NXDOMAIN."""
        labels = name.rstrip(".").split(".")
        if any(not label or len(label) > 63 for label in labels) or len(name) > 253:
            return Lookup(name, rdtype, LookupStatus.NXDOMAIN, error="not a valid domain name")
        return await self.resolver.query(name, rdtype)

    # -- macros (RFC 7208 section 7)
    async def expand(self, text: str, domain: str, exp: bool = False) -> str:
        check_macro_string(text, exp)
        out: list[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch != "%":
                out.append(ch)
                i += 1
                continue
            nxt = text[i + 1]
            if nxt in "%_-":
                out.append({"%": "%", "_": " ", "-": "%20"}[nxt])
                i += 2
                continue
            m = _MACRO_EXPAND.match(text, i)
            assert m is not None
            letter, digits, rev, delims = m.groups()
            value = await self._macro_value(letter.lower(), domain)
            parts = re.split("[" + re.escape(delims or ".") + "]", value)
            if rev:
                parts.reverse()
            if digits:
                parts = parts[-int(digits):]
            value = ".".join(parts)
            if letter.isupper():
                value = urllib.parse.quote(value, safe="-._~")
            out.append(value)
            i = m.end()
        return "".join(out)

    async def _macro_value(self, letter: str, domain: str) -> str:
        ip = self.ip
        fixed = {"s": self.sender, "l": self.local, "o": self.sender_domain, "d": domain,
                 "h": self.helo, "v": "ip6" if self.v6 else "in-addr", "r": "unknown"}
        if letter in fixed:
            return fixed[letter]
        if letter == "t":
            return str(int(time.time()))
        if ip is None:
            return "unknown" if letter == "p" else "0.0.0.0"
        if letter == "i":
            if self.v6:
                return ".".join(ip.exploded.replace(":", "").upper())
            return str(ip)
        if letter == "c":
            return str(ip)
        if letter == "p":
            return await self._validated_name(domain)
        raise PermError(f"unknown macro letter {letter!r}")

    async def _validated_name(self, domain: str) -> str:
        names = await self.validated_names()
        low = domain.lower().rstrip(".")
        for name in names:
            if name.lower() == low:
                return name
        for name in names:
            if name.lower().endswith("." + low):
                return name
        return names[0] if names else "unknown"

    async def validated_names(self) -> list[str]:
        if self.ip is None:
            return []
        ptr = await self.resolver.query(self.ip.reverse_pointer, "PTR")
        if not ptr.ok:
            return []
        out: list[str] = []
        for target in [r.rstrip(".") for r in ptr.records][:MAX_MX_PTR_NAMES]:
            addrs = await self.addresses(target)
            if addrs.ok and any(_same_ip(a, self.ip) for a in addrs.records):
                out.append(target)
        return out

    async def target_domain(self, term: Term, domain: str) -> str:
        if not term.value:
            return domain
        expanded = await self.expand(term.value, domain)
        expanded = expanded.rstrip(".")
        while len(expanded) > 253 and "." in expanded:
            expanded = expanded.split(".", 1)[1]
        return expanded

    # -- the walk
    async def run(self, domain: str, root: TraceNode, text: str | None = None) -> tuple[
        str, str | None
    ]:
        """check_host(domain) from ``root``; ``text`` replaces the top record's TXT lookup."""
        self.root = root
        stack = [_Frame(domain, root, text)]
        handed: tuple[str, str | None] | None = None
        try:
            while True:
                frame = stack[-1]
                step = await self._step(frame, handed, len(stack) - 1)
                handed = None
                if isinstance(step, _Frame):
                    stack.append(step)
                    continue
                frame.node.result = step[0]
                if frame.in_path:
                    self.path.pop()
                stack.pop()
                if not stack:
                    return step
                handed = step
        except SpfError as exc:
            for frame in stack:
                frame.node.result = exc.result
                frame.node.error = str(exc)
                if frame.pending is not None:
                    frame.pending.entry.setdefault("lookups", self.lookups - frame.pending.before)
            raise
        finally:
            self.prefetcher.close()

    async def _load(self, frame: _Frame, depth: int) -> tuple[str, str | None] | None:
        """Fetch and parse the frame's record; a result when there is none to walk."""
        frame.loaded = True
        domain, node = frame.domain, frame.node
        if frame.text is None:
            if not valid_domain(domain):
                node.error = "not a valid domain name"
                return "none", None
            if self.analyze and domain.lower() in self.path:
                raise PermError(f"include loop: {' -> '.join([*self.path, domain])}")
            lookup = await self.resolver.query(domain, "TXT")
            if _temp_status(lookup):
                raise TempError(f"TXT lookup for {domain} failed: {lookup.describe()}")
            text = select_record(lookup.records)
            if text is None:
                node.error = "no SPF record" if lookup.ok else STATUS_WORDS[lookup.status]
                return "none", None
        else:
            text = frame.text
        node.record = text
        frame.record = parse_record(text)
        self.path.append(domain.lower())
        frame.in_path = True
        self.prefetcher.record_loaded(frame.record, domain, depth)
        return None

    async def _step(
        self, frame: _Frame, handed: tuple[str, str | None] | None, depth: int
    ) -> _Frame | tuple[str, str | None]:
        """Advance one record until it is decided or needs an included record walked first."""
        if not frame.loaded:
            done = await self._load(frame, depth)
            if done is not None:
                return done
        record, domain, node = frame.record, frame.domain, frame.node
        assert record is not None
        if handed is not None:
            pending, frame.pending = frame.pending, None
            assert pending is not None
            result, explanation = handed
            if pending.kind == "redirect":
                if result == "none":
                    raise PermError(f"redirect={pending.target}: the domain has no SPF record")
                self.matched = {"domain": domain, "term": pending.term.raw, "via": self.matched}
                return result, explanation
            self._inner_match = self.matched
            pending.entry["lookups"] = self.lookups - pending.before
            if result == "none":
                raise PermError(f"include:{pending.target}: the domain has no SPF record")
            pending.entry["matched"] = result == "pass"
            frame.index += 1
            if result == "pass" and not self.analyze:
                return await self._decide(pending.term, record, domain)
        while frame.index < len(record.mechanisms):
            term = record.mechanisms[frame.index]
            entry: dict[str, Any] = {"term": term.raw}
            node.terms.append(entry)
            before = self.lookups
            if term.name == "include":
                try:
                    self._count(node, term.raw)
                    target = await self.target_domain(term, domain)
                except SpfError:
                    entry["lookups"] = self.lookups - before
                    raise
                frame.pending = _Pending("include", term, entry, before, target)
                return self._child(frame, target, "include", depth)
            try:
                matched = await self._mechanism(term, domain, node)
            finally:
                entry["lookups"] = self.lookups - before
            entry["matched"] = matched
            frame.index += 1
            if matched and not self.analyze:
                return await self._decide(term, record, domain)
        if record.redirect is not None and (record.all_term is None or not self.analyze):
            entry = {"term": record.redirect.raw}
            node.terms.append(entry)
            before = self.lookups
            try:
                self._count(node, record.redirect.raw)
                target = await self.target_domain(record.redirect, domain)
            finally:
                entry["lookups"] = self.lookups - before
            self.matched = None
            frame.pending = _Pending("redirect", record.redirect, entry, before, target)
            return self._child(frame, target, "redirect", depth)
        self.matched = None
        return "neutral", None

    @staticmethod
    def _child(frame: _Frame, target: str, via: str, depth: int) -> _Frame:
        if depth >= MAX_DEPTH:  # only the health walk gets here: each level costs a lookup
            raise _Stopped(f"include/redirect nested more than {MAX_DEPTH} deep")
        child = TraceNode(domain=target, via=via)
        frame.node.children.append(child)
        return _Frame(target, child)

    async def _decide(self, term: Term, record: SpfRecord, domain: str) -> tuple[str, str | None]:
        result = QUALIFIERS[term.qualifier or "+"]
        info: dict[str, Any] = {"domain": domain, "term": term.raw}
        if term.name == "include":
            info["via"] = self._inner_match
        self.matched = info
        explanation = None
        if result == "fail" and record.exp is not None:
            explanation = await self._explanation(record.exp, domain)
        return result, explanation

    async def _mechanism(self, term: Term, domain: str, node: TraceNode) -> bool:
        """Whether a mechanism other than include matches the IP (RFC 7208 section 5)."""
        name = term.name
        ip = self.ip
        if name == "all":
            return True
        if name in ("ip4", "ip6"):
            return self.in_network(term)
        if name in LOOKUP_TERMS:
            self._count(node, term.raw)
        target = await self.target_domain(term, domain)
        if name == "exists":
            lookup = await self.query(target, "A")
            if _temp_status(lookup):
                raise TempError(f"exists:{target}: {lookup.describe()}")
            self._void(node, lookup)
            return bool(lookup.records) and ip is not None
        if name == "a":
            lookup = await self.addresses(target)
            if _temp_status(lookup):
                raise TempError(f"a:{target}: {lookup.describe()}")
            self._void(node, lookup)
            return self._in_any(lookup.records, term)
        if name == "mx":
            mx = await self.query(target, "MX")
            if _temp_status(mx):
                raise TempError(f"mx:{target}: {mx.describe()}")
            self._void(node, mx)
            hosts = mx_hosts(mx)
            if len(mx.rdata) > MAX_MX_PTR_NAMES:
                raise PermError(
                    f"mx:{target} has {len(mx.rdata)} MX records (limit {MAX_MX_PTR_NAMES})"
                )
            for host in hosts:
                lookup = await self.addresses(host)
                if _temp_status(lookup):
                    raise TempError(f"mx:{target}: address of {host}: {lookup.describe()}")
                if self._in_any(lookup.records, term):
                    return True
            return False
        if name == "ptr":
            if ip is None:
                return False
            names = await self.validated_names()
            low = target.lower()
            return any(n.lower() == low or n.lower().endswith("." + low) for n in names)
        raise PermError(f"unknown mechanism {name}")  # pragma: no cover - parser rejects these

    def in_network(self, term: Term) -> bool:
        """An ip4/ip6 term against the IP (False without an IP)."""
        if self.ip is None:
            return False
        if term.name == "ip4":
            net = ipaddress.ip_network(f"{term.value}/{_or(term.cidr4, 32)}", strict=False)
        else:
            net = ipaddress.ip_network(f"{term.value}/{_or(term.cidr6, 128)}", strict=False)
        return self.ip.version == net.version and self.ip in net

    def _in_any(self, addresses: list[str], term: Term) -> bool:
        if self.ip is None:
            return False
        length = _or(term.cidr6, 128) if self.v6 else _or(term.cidr4, 32)
        for addr in addresses:
            try:
                net = ipaddress.ip_network(f"{addr}/{length}", strict=False)
            except ValueError:
                continue
            if self.ip.version == net.version and self.ip in net:
                return True
        return False

    async def _explanation(self, exp: Term, domain: str) -> str | None:
        try:
            target = await self.target_domain(exp, domain)
        except SpfError:
            return None
        if not valid_domain(target):
            return None
        lookup = await self.resolver.query(target, "TXT")
        if not lookup.ok or len(lookup.records) != 1:
            return None
        text = lookup.records[0]
        if any(ord(c) > 0x7E for c in text):
            return None
        try:
            return await self.expand(text, domain, exp=True)
        except SpfError:
            return None


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _same_ip(text: str, ip: IP) -> bool:
    try:
        return ipaddress.ip_address(text) == ip
    except ValueError:
        return False


def _parse_ip(ip: str | None) -> IP | None:
    if ip is None:
        return None
    return ipaddress.ip_address(ip.strip())


async def check_host(
    resolver: Resolver, ip: str, domain: str, sender: str, helo: str = "unknown"
) -> SpfResult:
    """RFC 7208 ``check_host(ip, domain, sender)``; never raises."""
    evaluator = Evaluator(resolver, _parse_ip(ip), sender, helo)
    out = SpfResult(result="none", domain=domain, ip=ip, sender=evaluator.sender)
    root = TraceNode(domain=domain, via="top")
    try:
        result, explanation = await evaluator.run(domain, root)
        out.result = result
        out.explanation = explanation
        out.matched = evaluator.matched
    except SpfError as exc:
        out.result = exc.result
        out.reason = str(exc)
    return _finish(out, evaluator, root)


def _finish(out: SpfResult, evaluator: Evaluator, root: TraceNode) -> SpfResult:
    out.trace = root
    out.record = root.record
    out.lookups = evaluator.lookups
    out.void_lookups = evaluator.voids
    out.limit_exceeded_at = evaluator.limit_at
    if out.reason is None and out.result == "none":
        out.reason = root.error
    return out


async def check_mail_from(
    resolver: Resolver, ip: str, mail_from: str, helo: str
) -> SpfResult:
    """The MAIL FROM check: the sender's domain, or ``postmaster@<helo>`` for the null sender."""
    if not mail_from:
        return await check_host(resolver, ip, helo, f"postmaster@{helo}", helo)
    domain = mail_from.rpartition("@")[2] if "@" in mail_from else mail_from
    sender = mail_from if "@" in mail_from else f"postmaster@{mail_from}"
    return await check_host(resolver, ip, domain, sender, helo)


async def analyze(resolver: Resolver, domain: str, record: str | None = None) -> SpfResult:
    """Walk every branch without an IP: the worst-case lookup count and where it passes 10.

    ``record`` is walked instead of the domain's published record (e.g. a proposed merge).
    """
    evaluator = Evaluator(resolver, None, f"postmaster@{domain}", domain, analyze=True)
    out = SpfResult(result="none", domain=domain, ip=None, sender=evaluator.sender)
    root = TraceNode(domain=domain, via="top")
    try:
        result, _exp = await evaluator.run(domain, root, record)
        out.result = result
    except SpfError as exc:
        out.result = exc.result
        out.reason = str(exc)
        out.complete = not isinstance(exc, _Stopped)
    out = _finish(out, evaluator, root)
    if evaluator.lookups > MAX_LOOKUPS and out.result not in ("permerror", "temperror"):
        out.result = "permerror"
        out.reason = (
            f"{evaluator.lookups} DNS lookups when nothing matches (limit {MAX_LOOKUPS})"
        )
    if evaluator.voids > MAX_VOID_LOOKUPS and out.result not in ("permerror", "temperror"):
        out.result = "permerror"
        out.reason = f"{evaluator.voids} void lookups (limit {MAX_VOID_LOOKUPS})"
    return out
