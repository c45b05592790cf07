"""SPF (RFC 7208): record parser and a ``check_host()`` evaluator that explains itself.

Hand-written because no maintained library fits: pyspf is synchronous, brings its own DNS layer
(so it would bypass this project's resolver, which tells SERVFAIL from NXDOMAIN and shares one
cache per session), and none of them returns a *trace* (the include tree with each branch's DNS
lookup count, and which term matched the IP). This module does all of RFC 7208: every mechanism
and modifier, macros (section 7), include/redirect, exp=, the 10-lookup and 2-void-lookup limits
and the MX/PTR address limits. It passes the OpenSPF RFC 7208 suite (tests/dns/test_spf_suite.py).

``parse_record`` is pure and raises only :class:`PermError`. ``check_host`` does I/O through
:class:`wizard.dns.resolver.Resolver` and never raises: the outcome is a :class:`SpfResult`.
``analyze`` walks every branch without an IP, for the record-health report.
"""

from __future__ import annotations

import ipaddress
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from wizard.dns.resolver import Lookup, LookupStatus, Resolver

MAX_LOOKUPS = 10
MAX_VOID_LOOKUPS = 2
MAX_MX_PTR_NAMES = 10
RESULTS = ("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror")
QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
LOOKUP_TERMS = ("include", "a", "mx", "ptr", "exists")


class SpfError(Exception):
    """An SPF evaluation error; ``result`` is permerror or temperror."""

    result = "permerror"


class PermError(SpfError):
    result = "permerror"


class TempError(SpfError):
    result = "temperror"


@dataclass(frozen=True, slots=True)
class Term:
    """One mechanism (``qualifier`` set) or modifier (``qualifier`` None) of a record."""

    raw: str
    name: str
    qualifier: str | None = None
    value: str | None = None  # domain-spec / macro-string / address text
    cidr4: int | None = None
    cidr6: int | None = None

    @property
    def is_mechanism(self) -> bool:
        return self.qualifier is not None

    @property
    def counts_lookup(self) -> bool:
        return self.name in LOOKUP_TERMS or (self.name == "redirect" and not self.is_mechanism)


@dataclass(frozen=True, slots=True)
class SpfRecord:
    raw: str
    mechanisms: tuple[Term, ...]
    redirect: Term | None = None
    exp: Term | None = None
    unknown: tuple[Term, ...] = ()

    @property
    def all_term(self) -> Term | None:
        return next((t for t in self.mechanisms if t.name == "all"), None)


# ---------------------------------------------------------------------------- parsing (pure)

_MODIFIER = re.compile(r"^([A-Za-z][A-Za-z0-9_.\-]*)=(.*)$", re.S)
_MECHANISM = re.compile(r"^([+\-~?]?)([A-Za-z][A-Za-z0-9_.\-]*)(.*)$", re.S)
_DUAL_CIDR = re.compile(r"^(?P<dom>.*?)(?:/(?P<c4>\d+))?(?://(?P<c6>\d+))?$", re.S)
_MACRO_EXPAND = re.compile(r"%\{([A-Za-z])(\d*)([rR]?)([.\-+,/_=]*)\}")
_TOPLABEL = re.compile(
    r"^(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])$"
)
MACRO_LETTERS = "slodiphv"
EXP_LETTERS = "slodiphvcrt"


def is_spf_record(text: str) -> bool:
    """Whether a TXT string is an SPF version 1 record (``v=spf1`` then a space or the end)."""
    low = text[:7].lower()
    return low == "v=spf1" or low == "v=spf1 "


def check_macro_string(text: str, exp: bool = False) -> None:
    """Raise PermError unless ``text`` is a valid macro-string (RFC 7208 section 7.1)."""
    i = 0
    letters = EXP_LETTERS if exp else MACRO_LETTERS
    while i < len(text):
        ch = text[i]
        if ch == "%":
            nxt = text[i + 1 : i + 2]
            if nxt in ("%", "_", "-"):
                i += 2
                continue
            m = _MACRO_EXPAND.match(text, i)
            if not m:
                raise PermError(f"invalid macro at {text[i:i + 12]!r}")
            if m.group(1).lower() not in letters:
                raise PermError(f"macro letter {m.group(1)!r} not allowed here")
            if m.group(2) and int(m.group(2)) == 0:
                raise PermError("macro digit transformer must be non-zero")
            i = m.end()
            continue
        if not (0x21 <= ord(ch) <= 0x7E) and not (exp and ch == " "):
            raise PermError(f"invalid character {ch!r}")
        i += 1


def check_domain_spec(text: str) -> None:
    """Raise PermError unless ``text`` is a valid domain-spec (macro-string domain-end)."""
    if not text:
        raise PermError("empty domain-spec")
    check_macro_string(text)
    if _ends_with_macro(text):
        return
    body = text[:-1] if text.endswith(".") else text
    if "." not in body:
        raise PermError(f"domain-spec {text!r} must end in a top-level label")
    top = body.rsplit(".", 1)[1]
    if not _TOPLABEL.match(top):
        raise PermError(f"domain-spec {text!r} has an invalid top-level label")


def _ends_with_macro(text: str) -> bool:
    if not text.endswith("}"):
        return False
    start = text.rfind("%{")
    return start >= 0 and bool(_MACRO_EXPAND.fullmatch(text, start)) and \
        (start == 0 or text[start - 1] != "%" or _escaped_percent_count(text, start) % 2 == 0)


def _escaped_percent_count(text: str, end: int) -> int:
    n = 0
    while end - n - 1 >= 0 and text[end - n - 1] == "%":
        n += 1
    return n


def _cidr(text: str | None, limit: int) -> int | None:
    if text is None:
        return None
    if len(text) > 1 and text.startswith("0"):
        raise PermError(f"CIDR length /{text} has a leading zero")
    value = int(text)
    if value > limit:
        raise PermError(f"CIDR length /{value} is larger than {limit}")
    return value


def parse_term(raw: str) -> Term:
    if any(not (0x21 <= ord(c) <= 0x7E) for c in raw):
        raise PermError(f"term {raw!r} contains a character outside printable ASCII")
    m = _MODIFIER.match(raw)
    if m:
        name = m.group(1).lower()
        value = m.group(2)
        if name in ("redirect", "exp"):
            check_domain_spec(value)
        else:
            check_macro_string(value)
        return Term(raw, name, None, value)
    m = _MECHANISM.match(raw)
    if not m:
        raise PermError(f"unknown term {raw!r}")
    qualifier = m.group(1) or "+"
    name = m.group(2).lower()
    rest = m.group(3)
    if name not in MECHANISMS:
        raise PermError(f"unknown mechanism {m.group(2)!r}")
    if rest and rest[0] not in ":/":
        raise PermError(f"unknown mechanism {m.group(2) + rest!r}")
    if name == "all":
        if rest:
            raise PermError(f"'all' takes no argument: {raw!r}")
        return Term(raw, name, qualifier)
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise PermError(f"{name} needs a domain: {raw!r}")
        check_domain_spec(rest[1:])
        return Term(raw, name, qualifier, rest[1:])
    if name == "ptr":
        if rest and not rest.startswith(":"):
            raise PermError(f"ptr takes no CIDR: {raw!r}")
        if rest:
            check_domain_spec(rest[1:])
        return Term(raw, name, qualifier, rest[1:] or None)
    if name in ("a", "mx"):
        cm = _DUAL_CIDR.match(rest)
        assert cm is not None
        dom = cm.group("dom")
        c4 = _cidr(cm.group("c4"), 32)
        c6 = _cidr(cm.group("c6"), 128)
        domain: str | None = None
        if dom:
            if not dom.startswith(":"):
                raise PermError(f"bad {name} mechanism {raw!r}")
            domain = dom[1:]
            check_domain_spec(domain)
        return Term(raw, name, qualifier, domain, c4, c6)
    # ip4 / ip6
    if not rest.startswith(":"):
        raise PermError(f"{name} needs an address: {raw!r}")
    addr, slash, length = rest[1:].partition("/")
    try:
        if name == "ip4":
            ipaddress.IPv4Address(addr)
            c4 = _cidr(length, 32) if slash else None
            if slash and not length:
                raise PermError(f"empty CIDR length in {raw!r}")
            return Term(raw, name, qualifier, addr, c4, None)
        ip6 = ipaddress.IPv6Address(addr)
        del ip6
        if slash and not length:
            raise PermError(f"empty CIDR length in {raw!r}")
        c6 = _cidr(length, 128) if slash else None
        return Term(raw, name, qualifier, addr, None, c6)
    except ipaddress.AddressValueError:
        raise PermError(f"invalid address in {raw!r}") from None
    except ValueError as exc:
        raise PermError(f"invalid {name} value in {raw!r}: {exc}") from None


def parse_record(text: str) -> SpfRecord:
    """Parse one ``v=spf1`` record. Raises PermError (with a reason) on any syntax error."""
    if not is_spf_record(text):
        raise PermError("not an SPF record (must start with 'v=spf1')")
    if any(ord(c) > 0x7E for c in text):
        raise PermError("the record contains non-ASCII characters")
    mechanisms: list[Term] = []
    unknown: list[Term] = []
    redirect = exp = None
    for raw in text.split(" ")[1:]:
        if not raw:
            continue
        term = parse_term(raw)
        if term.is_mechanism:
            mechanisms.append(term)
        elif term.name == "redirect":
            if redirect is not None:
                raise PermError("more than one redirect= modifier")
            redirect = term
        elif term.name == "exp":
            if exp is not None:
                raise PermError("more than one exp= modifier")
            exp = term
        else:
            unknown.append(term)
    return SpfRecord(text, tuple(mechanisms), redirect, exp, tuple(unknown))


def select_record(texts: list[str]) -> str | None:
    """The one SPF record among TXT strings; None when none; PermError when several."""
    found = [t for t in texts if is_spf_record(t)]
    if len(found) > 1:
        raise PermError(f"{len(found)} SPF records published (only one is allowed)")
    return found[0] if found else None


def valid_domain(domain: str) -> bool:
    """RFC 7208 4.3: a multi-label domain, each label 1..63 characters."""
    name = domain[:-1] if domain.endswith(".") else domain
    labels = name.split(".")
    if len(labels) < 2 or len(name) > 253:
        return False
    if any(not label or len(label) > 63 for label in labels):
        return False
    if "[" in name or "]" in name:
        return False
    return not labels[-1].isdigit()


# ---------------------------------------------------------------------------- evaluation


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

    def lines(self, indent: int = 0) -> list[str]:
        """A readable tree: one line per record with its lookup count."""
        pad = "  " * indent
        head = f"{pad}{self.via} {self.domain}: {self.total_lookups} lookup(s)"
        if self.result:
            head += f", {self.result}"
        if self.error:
            head += f" ({self.error})"
        out = [head]
        for child in self.children:
            out += child.lines(indent + 1)
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
            "trace": self.trace.to_dict() if self.trace else None,
            "trace_text": self.trace.lines() if self.trace else [],
        }


def _temp_status(lookup: Lookup) -> bool:
    return not lookup.status.answered


class _Evaluator:
    def __init__(
        self,
        resolver: Resolver,
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None,
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

    # -- counting
    def _count(self, node: TraceNode, term: str) -> None:
        self.lookups += 1
        node.lookups += 1
        if self.lookups > MAX_LOOKUPS:
            if self.limit_at is None:
                self.limit_at = [*self.path, term]
            if not self.analyze:
                raise PermError(f"more than {MAX_LOOKUPS} DNS lookups (at {term} in {node.domain})")

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

    async def _addresses(self, name: str) -> Lookup:
        return await self._query(name, "AAAA" if self.v6 else "A")

    async def _query(self, name: str, rdtype: str) -> Lookup:
        """A lookup; a name that cannot exist (empty or over-long label) is NXDOMAIN."""
        labels = name.rstrip(".").split(".")
        if any(not label or len(label) > 63 for label in labels) or len(name) > 253:
            return Lookup(name, rdtype, LookupStatus.NXDOMAIN, error="not a valid domain name")
        return await self.resolver.query(name, rdtype)

    # -- macros
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
            if nxt == "%":
                out.append("%")
                i += 2
                continue
            if nxt == "_":
                out.append(" ")
                i += 2
                continue
            if nxt == "-":
                out.append("%20")
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
        if letter == "s":
            return self.sender
        if letter == "l":
            return self.local
        if letter == "o":
            return self.sender_domain
        if letter == "d":
            return domain
        if letter == "h":
            return self.helo
        if letter == "v":
            return "ip6" if self.v6 else "in-addr"
        if letter == "r":
            return "unknown"
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
        names = await self._validated_names()
        low = domain.lower().rstrip(".")
        for name in names:
            if name.lower() == low:
                return name
        for name in names:
            if name.lower().endswith("." + low):
                return name
        return names[0] if names else "unknown"

    async def _validated_names(self) -> list[str]:
        if self.ip is None:
            return []
        ptr = await self.resolver.query(self.ip.reverse_pointer, "PTR")
        if not ptr.ok:
            return []
        out: list[str] = []
        for target in [r.rstrip(".") for r in ptr.records][:MAX_MX_PTR_NAMES]:
            addrs = await self._addresses(target)
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

    # -- check_host
    async def check_host(self, domain: str, via: str, parent: TraceNode | None) -> tuple[
        str, str | None, TraceNode
    ]:
        node = TraceNode(domain=domain, via=via)
        if parent is not None:
            parent.children.append(node)
        else:
            self.root = node
        try:
            result, explanation = await self._check_host(domain, node)
        except SpfError as exc:
            node.result = exc.result
            node.error = str(exc)
            raise
        node.result = result
        return result, explanation, node

    async def _check_host(self, domain: str, node: TraceNode) -> tuple[str, str | None]:
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
        node.record = text
        record = parse_record(text)
        self.path.append(domain.lower())
        try:
            return await self._evaluate(record, domain, node)
        finally:
            self.path.pop()

    async def _evaluate(
        self, record: SpfRecord, domain: str, node: TraceNode
    ) -> tuple[str, str | None]:
        for term in record.mechanisms:
            before = self.lookups
            entry: dict[str, Any] = {"term": term.raw}
            node.terms.append(entry)
            try:
                matched = await self._mechanism(term, domain, node)
            finally:
                entry["lookups"] = self.lookups - before
            entry["matched"] = matched
            if matched and not self.analyze:
                result = QUALIFIERS[term.qualifier or "+"]
                info: dict[str, Any] = {"domain": domain, "term": term.raw}
                if term.name == "include":
                    info["via"] = self._inner_match
                self.matched = info
                explanation = None
                if result == "fail" and record.exp is not None:
                    explanation = await self._explanation(record.exp, domain)
                return result, explanation
        if record.redirect is not None and (record.all_term is None or not self.analyze):
            entry = {"term": record.redirect.raw}
            node.terms.append(entry)
            before = self.lookups
            self._count(node, record.redirect.raw)
            target = await self.target_domain(record.redirect, domain)
            entry["lookups"] = self.lookups - before
            self.matched = None
            result, explanation, _child = await self.check_host(target, "redirect", node)
            if result == "none":
                raise PermError(f"redirect={target}: the domain has no SPF record")
            self.matched = {"domain": domain, "term": record.redirect.raw, "via": self.matched}
            return result, explanation
        self.matched = None
        return "neutral", None

    async def _mechanism(self, term: Term, domain: str, node: TraceNode) -> bool:
        name = term.name
        ip = self.ip
        if name == "all":
            return True
        if name in ("ip4", "ip6"):
            if ip is None:
                return False
            if name == "ip4":
                net = ipaddress.ip_network(f"{term.value}/{_or(term.cidr4, 32)}", strict=False)
            else:
                net = ipaddress.ip_network(f"{term.value}/{_or(term.cidr6, 128)}", strict=False)
            return ip.version == net.version and ip in net
        if name in LOOKUP_TERMS:
            self._count(node, term.raw)
        target = await self.target_domain(term, domain)
        if name == "include":
            result, _exp, _child = await self.check_host(target, "include", node)
            self._inner_match = self.matched
            if result == "none":
                raise PermError(f"include:{target}: the domain has no SPF record")
            return result == "pass"
        if name == "exists":
            lookup = await self._query(target, "A")
            if _temp_status(lookup):
                raise TempError(f"exists:{target}: {lookup.describe()}")
            self._void(node, lookup)
            return bool(lookup.records) and ip is not None
        if name == "a":
            lookup = await self._addresses(target)
            if _temp_status(lookup):
                raise TempError(f"a:{target}: {lookup.describe()}")
            self._void(node, lookup)
            return self._in_any(lookup.records, term)
        if name == "mx":
            mx = await self._query(target, "MX")
            if _temp_status(mx):
                raise TempError(f"mx:{target}: {mx.describe()}")
            self._void(node, mx)
            hosts = sorted(mx.rdata, key=lambda r: r.preference)
            if len(hosts) > MAX_MX_PTR_NAMES:
                raise PermError(
                    f"mx:{target} has {len(hosts)} MX records (limit {MAX_MX_PTR_NAMES})"
                )
            for rdata in hosts:
                host = rdata.exchange.to_text(omit_final_dot=True)
                if not host or host == ".":
                    continue
                lookup = await self._addresses(host)
                if _temp_status(lookup):
                    raise TempError(f"mx:{target}: address of {host}: {lookup.describe()}")
                if self._in_any(lookup.records, term):
                    return True
            return False
        if name == "ptr":
            if ip is None:
                return False
            names = await self._validated_names()
            low = target.lower()
            return any(n.lower() == low or n.lower().endswith("." + low) for n in names)
        raise PermError(f"unknown mechanism {name}")  # pragma: no cover - parser rejects these

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


STATUS_WORDS = {
    LookupStatus.NXDOMAIN: "the domain does not exist",
    LookupStatus.NODATA: "no TXT record",
}


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _same_ip(text: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    try:
        return ipaddress.ip_address(text) == ip
    except ValueError:
        return False


def _parse_ip(ip: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if ip is None:
        return None
    return ipaddress.ip_address(ip.strip())


async def check_host(
    resolver: Resolver, ip: str, domain: str, sender: str, helo: str = "unknown"
) -> SpfResult:
    """RFC 7208 ``check_host(ip, domain, sender)``; never raises."""
    evaluator = _Evaluator(resolver, _parse_ip(ip), sender, helo)
    out = SpfResult(result="none", domain=domain, ip=ip, sender=evaluator.sender)
    node: TraceNode | None = None
    try:
        result, explanation, node = await evaluator.check_host(domain, "top", None)
        out.result = result
        out.explanation = explanation
        out.matched = evaluator.matched
    except SpfError as exc:
        out.result = exc.result
        out.reason = str(exc)
    return _finish(out, evaluator, node)


def _finish(out: SpfResult, evaluator: _Evaluator, node: TraceNode | None) -> SpfResult:
    node = node or evaluator.root
    out.trace = node
    out.record = node.record if node else None
    out.lookups = evaluator.lookups
    out.void_lookups = evaluator.voids
    out.limit_exceeded_at = evaluator.limit_at
    if out.reason is None and node is not None and out.result == "none":
        out.reason = node.error
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


async def analyze(resolver: Resolver, domain: str) -> SpfResult:
    """Walk every branch without an IP: the worst-case lookup count and where it passes 10."""
    evaluator = _Evaluator(resolver, None, f"postmaster@{domain}", domain, analyze=True)
    out = SpfResult(result="none", domain=domain, ip=None, sender=evaluator.sender)
    root = TraceNode(domain=domain, via="top")
    evaluator.root = root
    try:
        result, _exp = await evaluator._check_host(domain, root)
        root.result = result
        out.result = result
    except SpfError as exc:
        root.result = exc.result
        root.error = str(exc)
        out.result = exc.result
        out.reason = str(exc)
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


# ---------------------------------------------------------------------------- findings

EVAL_STATUS = {"pass": "pass", "fail": "fail", "softfail": "warn", "neutral": "warn",
               "none": "warn", "permerror": "fail", "temperror": "error"}


def _top_includes(trace: TraceNode | None) -> list[dict[str, Any]]:
    if trace is None:
        return []
    # the include/redirect term itself is one lookup, counted in the parent's record
    return [{"via": c.via, "domain": c.domain, "lookups": c.total_lookups + 1}
            for c in trace.children]


def judge_record(domain: str, lookup: Lookup) -> tuple[Any, SpfRecord | None]:
    """The dns.spf.record finding, and the parsed record when there is one."""
    from wizard.dns.util import error_finding, finding, lookup_facts, lookup_failed
    from wizard.findings import Status

    fid = "dns.spf.record"
    if lookup_failed(lookup):
        return error_finding(fid, f"the SPF record of {domain}", lookup, "dns-spf"), None
    facts: dict[str, Any] = {"domain": domain, "lookup": lookup_facts(lookup)}
    found = [t for t in lookup.records if is_spf_record(t)]
    if not found:
        why = f"{domain} does not exist (NXDOMAIN)" if lookup.status is LookupStatus.NXDOMAIN \
            else f"{domain} has no TXT record starting with v=spf1"
        return finding(fid, Status.FAIL, f"No SPF record for {domain}",
                       f"{why}. Receivers cannot tell which servers may send for it; many "
                       "reject or junk such mail. Publish e.g. 'v=spf1 mx -all'.", "dns-spf",
                       **facts), None
    if len(found) > 1:
        return finding(fid, Status.FAIL, f"{len(found)} SPF records for {domain} (permerror)",
                       "RFC 7208 allows one v=spf1 record; with several every check ends in "
                       "permerror. Merge them into one: " + " | ".join(found), "dns-spf",
                       records=found, **facts), None
    facts["record"] = found[0]
    try:
        record = parse_record(found[0])
    except PermError as exc:
        return finding(fid, Status.FAIL, f"SPF record of {domain} has a syntax error",
                       f"{exc}. Every check ends in permerror.", "dns-spf", error=str(exc),
                       **facts), None
    risks: list[str] = []
    all_term = record.all_term
    if all_term is not None and all_term.qualifier == "+":
        risks.append("'+all' authorizes every server on the internet: anyone can send as you")
    elif all_term is not None and all_term.qualifier == "?":
        risks.append("'?all' makes the record say nothing about other servers (neutral)")
    elif all_term is None and record.redirect is None:
        risks.append("no '-all' or '~all' at the end: unlisted servers get 'neutral'")
    if any(t.name == "ptr" for t in record.mechanisms):
        risks.append("'ptr' is slow and deprecated (RFC 7208 5.5): use ip4/ip6/a instead")
    facts["policy"] = ({"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
                       [all_term.qualifier or "+"] if all_term else None)
    if risks:
        return finding(fid, Status.WARN, f"SPF record of {domain} has risks", "; ".join(risks)
                       + ".", "dns-spf", risks=risks, **facts), record
    return finding(fid, Status.PASS, f"SPF record of {domain} is valid", found[0],
                   **facts), record


def judge_lookups(domain: str, res: SpfResult) -> Any:
    from wizard.dns.util import finding
    from wizard.findings import Status

    fid = "dns.spf.lookups"
    facts = {"domain": domain, "lookups": res.lookups, "void_lookups": res.void_lookups,
             "limit": MAX_LOOKUPS, "void_limit": MAX_VOID_LOOKUPS,
             "includes": _top_includes(res.trace),
             "limit_exceeded_at": res.limit_exceeded_at,
             "trace": res.trace.to_dict() if res.trace else None,
             "trace_text": res.trace.lines() if res.trace else []}
    if res.result == "temperror":
        return finding(fid, Status.ERROR, f"Could not follow the SPF includes of {domain}",
                       f"{res.reason}. This says nothing about the record itself.", "dns-spf",
                       **facts)
    if res.lookups > MAX_LOOKUPS:
        path = " -> ".join(res.limit_exceeded_at or [])
        heavy = ", ".join(f"{i['domain']} ({i['lookups']})" for i in facts["includes"])
        return finding(fid, Status.FAIL, f"SPF of {domain} needs {res.lookups} DNS lookups "
                       f"(limit {MAX_LOOKUPS})", f"The 11th lookup happens at {path}. Receivers "
                       f"return permerror, which many treat as fail. Per include: {heavy}. "
                       "Remove includes you no longer use, or replace them with ip4/ip6.",
                       "dns-spf", **facts)
    if res.void_lookups > MAX_VOID_LOOKUPS or res.result == "permerror":
        return finding(fid, Status.FAIL, f"SPF of {domain} ends in permerror",
                       f"{res.reason}.", "dns-spf", **facts)
    return finding(fid, Status.PASS, f"SPF of {domain} needs {res.lookups} of {MAX_LOOKUPS} "
                   "DNS lookups", f"{res.void_lookups} void lookup(s).", **facts)


def judge_eval(fid: str, res: SpfResult, what: str) -> Any:
    from wizard.dns.util import finding

    status = EVAL_STATUS[res.result]
    category = {"fail": "spf-fail", "softfail": "spf-fail", "permerror": "dns-spf",
                "temperror": "dns-spf", "neutral": "spf-fail", "none": "dns-spf"}.get(res.result)
    matched = res.matched
    chain: list[str] = []
    while matched:
        chain.append(f"{matched['term']} (in {matched['domain']})")
        matched = matched.get("via")
    where = f" Decided by {' -> '.join(chain)}." if chain else ""
    explanation = f" Explanation: {res.explanation}." if res.explanation else ""
    titles = {
        "pass": f"SPF passes for {res.ip} sending as {res.domain}",
        "fail": f"SPF fails: {res.ip} is not allowed to send for {res.domain}",
        "softfail": f"SPF softfail: {res.ip} is probably not allowed to send for {res.domain}",
        "neutral": f"SPF neutral: {res.domain} says nothing about {res.ip}",
        "none": f"SPF none: {res.domain} has no SPF record",
        "permerror": f"SPF permerror for {res.domain}",
        "temperror": f"SPF temperror for {res.domain} (a DNS lookup failed)",
    }
    summary = {
        "pass": f"check_host({res.ip}, {res.domain}) = pass.{where}",
        "fail": f"check_host = fail.{where}{explanation} Add {res.ip} (or its include) to the "
                "SPF record, or send through a server that is listed.",
        "softfail": f"check_host = softfail.{where} Mail is often junked: add {res.ip} to the "
                    "record.",
        "neutral": f"check_host = neutral.{where} Receivers treat this like no SPF.",
        "none": "No SPF record: receivers cannot authenticate the sender.",
        "permerror": f"{res.reason}.",
        "temperror": f"{res.reason}. Retry; this is not an SPF verdict.",
    }[res.result]
    if what:
        summary = f"{what}: {summary}"
    return finding(fid, status, titles[res.result], summary,
                   category if status != "pass" else None, **res.to_dict())
