"""The Received chain: who handed the message to whom, how (TLS or not), and when.

Pure. Each ``Received:`` field (RFC 5321 4.4) is split into its clauses (``from``, ``by``,
``via``, ``with``, ``id``, ``for``) and the date after the last ``;``, tolerating the forms of
Postfix, Exim, Sendmail, qmail, Exchange / Microsoft 365, Gmail and others: the connecting IP is
taken from ``[ip]`` literals, ``(ip)`` comments (Microsoft, qmail) or bare addresses, the HELO
name from ``helo=`` (Exim), ``HELO x`` (qmail) or the first word. TLS is read from the protocol
(ESMTPS, ESMTPSA, SMTPS, ... per RFC 3848/8314) or from the cipher notes each MTA writes.

Hops are returned from the sender to the recipient (index 1 = the first). Delays are shown as
they are: a negative delay (clock skew between two servers) is flagged, never hidden or clamped.
This module does not decide which hop matters for SPF (see ``wizard.headers.spf``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from wizard.headers.parse import Message

MAX_HOPS = 100  # RFC 5321 6.3: more than 100 Received fields is a loop
CLAUSES = ("from", "by", "via", "with", "id", "for")
_TLS_PROTOCOL = re.compile(r"^(?:e?smtps|esmtpsa|utf8smtps|utf8smtpsa|lmtps|lmtpsa|"
                           r"utf8lmtps|utf8lmtpsa|esmtps?a?tls|https)$", re.I)
_TLS_NOTE = re.compile(
    r"version=TLS[\w.]*|using TLSv?[\d.]+[^)]*|\(TLS1[\d._]*\)|\btls TLS_\w+|"
    r"Google Transport Security|cipher=[\w-]+|TLSv1[\d.]*|TLS1_\d", re.I)
_IP_LITERAL = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")
_BARE_IP = re.compile(r"(?<![\w.:])((?:\d{1,3}\.){3}\d{1,3}|"
                      r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?:\d{1,3}\.){3}\d{1,3})?)"
                      r"(?![\w.:])")
_HELO = re.compile(r"\bhelo[= ]\s*([^\s)\]]+)", re.I)
_SOFTWARE = (("postfix", re.compile(r"\(Postfix\b", re.I)),
             ("exim", re.compile(r"\bExim\b", re.I)),
             ("exchange", re.compile(r"Microsoft SMTP Server|\bmapi id\b", re.I)),
             ("gmail", re.compile(r"Google Transport Security|\bgsmtp\b|mx\.google\.com|"
                                  r"\bby 2002:[0-9a-f:]+ with SMTP id", re.I)),
             ("qmail", re.compile(r"\bqmail\b", re.I)),
             ("sendmail", re.compile(r"\(\d+\.\d+\.\d+/\d+\.\d+\.\d+\)|\bSendmail\b", re.I)))


@dataclass
class Hop:
    """One Received field, read."""

    index: int
    raw: str
    field_index: int
    from_host: str | None = None
    from_ip: str | None = None
    from_rdns: str | None = None
    helo: str | None = None
    by: str | None = None
    by_ip: str | None = None
    with_: str | None = None
    tls: bool | None = None
    tls_detail: str | None = None
    id: str | None = None
    for_: str | None = None
    time: datetime | None = None
    delay_s: float | None = None
    form: str = "generic"
    notes: list[str] = field(default_factory=list)

    @property
    def clock_skew(self) -> bool:
        return self.delay_s is not None and self.delay_s < 0

    @property
    def public_from_ip(self) -> bool:
        return is_public(self.from_ip)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "from": self.from_host, "from_ip": self.from_ip,
            "from_rdns": self.from_rdns, "helo": self.helo, "by": self.by, "by_ip": self.by_ip,
            "with": self.with_, "tls": self.tls, "tls_detail": self.tls_detail, "id": self.id,
            "for": self.for_, "time": self.time.isoformat() if self.time else None,
            "delay_s": self.delay_s, "clock_skew": self.clock_skew, "form": self.form,
            "notes": list(self.notes), "raw": self.raw,
        }


_INTERNAL = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "0.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128", "::/128"))


def is_public(ip: str | None) -> bool:
    """An address another organisation could connect from: not private, shared (CGNAT),
    loopback or link-local. Documentation ranges (192.0.2.0/24 ...) count as public, so
    examples behave like real mail."""
    if not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if addr.is_multicast or addr.is_unspecified:
        return False
    return not any(addr in net for net in _INTERNAL if net.version == addr.version)


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def split_clauses(text: str) -> tuple[dict[str, tuple[list[str], list[str]]], list[str]]:
    """``{clause: (words, comments)}`` in a Received field's clause part, and leading comments.

    Words are split at top level (outside parentheses); comments keep their text. A keyword
    that repeats (rare, broken MTAs) keeps its first occurrence.
    """
    clauses: dict[str, tuple[list[str], list[str]]] = {}
    leading: list[str] = []
    current: tuple[list[str], list[str]] | None = None
    depth = 0
    word = ""
    comment = ""
    for ch in text + " ":
        if depth:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    (current[1] if current is not None else leading).append(comment.strip())
                    comment = ""
                    continue
            comment += ch
            continue
        if ch == "(":
            if word:
                current = _add_word(clauses, current, word)
                word = ""
            depth = 1
            continue
        if ch.isspace():
            if word:
                current = _add_word(clauses, current, word)
                word = ""
            continue
        word += ch
    if depth and comment:
        (current[1] if current is not None else leading).append(comment.strip())
    return clauses, leading


def _add_word(clauses: dict[str, tuple[list[str], list[str]]],
              current: tuple[list[str], list[str]] | None, word: str
              ) -> tuple[list[str], list[str]] | None:
    key = word.lower()
    if key in CLAUSES:
        if key in clauses:
            return ([], [])  # a repeated keyword: its words go nowhere
        clauses[key] = ([], [])
        return clauses[key]
    if current is not None:
        current[0].append(word)
    return current


def _split_date(value: str) -> tuple[str, str | None]:
    """The clause part and the date text after the last top-level ``;``."""
    depth = 0
    cut = -1
    for i, ch in enumerate(value):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            cut = i
    if cut < 0:
        return value, None
    return value[:cut], value[cut + 1:].strip() or None


def parse_date(text: str | None) -> datetime | None:
    """An RFC 5322 date (comments and odd spacing tolerated), in UTC; None when unreadable."""
    if not text:
        return None
    clean = re.sub(r"\([^)]*\)", " ", text)
    clean = re.sub(r"\s+", " ", clean).strip()
    try:
        when = parsedate_to_datetime(clean)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _first_ip(texts: list[str]) -> str | None:
    for text in texts:
        for found in _IP_LITERAL.findall(text):
            ip = _valid_ip(found)
            if ip:
                return ip
    for text in texts:
        for found in _BARE_IP.findall(text):
            ip = _valid_ip(found)
            if ip:
                return ip
    return None


def _host(word: str | None) -> str | None:
    if not word:
        return None
    host = word.strip("<>;,").rstrip(".")
    return host.lower() if host else None


def parse_received(value: str, index: int = 0, field_index: int = 0) -> Hop:
    """One Received field's value (unfolded) as a :class:`Hop` (``delay_s`` left unset)."""
    clause_text, date_text = _split_date(value)
    clauses, leading = split_clauses(clause_text)
    hop = Hop(index=index, raw=value, field_index=field_index, time=parse_date(date_text))
    if date_text and hop.time is None:
        hop.notes.append(f"unreadable date {date_text[:60]!r}")
    elif not date_text:
        hop.notes.append("no date")
    words, comments = clauses.get("from", ([], []))
    if words or comments:
        first = words[0] if words else None
        hop.from_ip = _first_ip(comments + ([first] if first else []))
        helo = next((m.group(1) for c in comments for m in [_HELO.search(c)] if m), None)
        rdns = None
        for comment in comments:
            head = comment.split()[0] if comment.split() else ""
            if head and not head.startswith("[") and "=" not in head and "." in head \
                    and _valid_ip(head.strip("[]")) is None:
                rdns = head.rstrip(".").lower()
                break
        first_host = _host(first)
        if first_host and first_host.startswith("[") and first_host.endswith("]"):
            first_host = None  # "from [192.0.2.1]": an address, no name
        if first_host and first_host.lower() == "unknown":
            first_host = None
        hop.helo = _host(helo) or first_host
        hop.from_rdns = rdns
        hop.from_host = rdns or first_host or _host(helo)
        if hop.from_ip is None and first and _valid_ip(first.strip("[]")):
            hop.from_ip = _valid_ip(first.strip("[]"))
    words, comments = clauses.get("by", ([], []))
    if words:
        hop.by = _host(words[0])
        hop.by_ip = _first_ip(comments)
    words, comments = clauses.get("with", ([], []))
    protocol = words[0] if words else ""
    if protocol:
        hop.with_ = " ".join(words[:3]) if protocol.lower() == "microsoft" else protocol[:40]
    if _TLS_PROTOCOL.match(protocol) or _TLS_NOTE.search(value):
        hop.tls = True
        hop.tls_detail = _tls_detail(value)
    elif re.search(r"smtp|lmtp|microsoft", protocol, re.I):
        hop.tls = False  # an SMTP hand-over without TLS; other protocols (mapi, local) say nothing
    words, _ = clauses.get("id", ([], []))
    if words:
        hop.id = words[0].strip(";")[:120]
    words, _ = clauses.get("for", ([], []))
    if words:
        hop.for_ = words[0].strip("<>;")[:200]
    hop.form = next((name for name, pattern in _SOFTWARE if pattern.search(value)), "generic")
    if not clauses and leading:
        hop.notes.append("a local note, not a hand-over between servers")
    return hop


def _tls_detail(value: str) -> str | None:
    for pattern in (r"using (TLSv?[\d.]+ with cipher [\w-]+)",
                    r"version=(TLS[\w.]+)[, ]+cipher=([\w-]+)",
                    r"\((TLS1[\d._]*)\)\s*tls\s+(TLS_\w+)",
                    r"(Google Transport Security)",
                    r"version=(TLSv?[\d.]+)"):
        found = re.search(pattern, value, re.I)
        if found:
            return " ".join(found.groups())
    return None


def read_hops(message: Message) -> list[Hop]:
    """The Received chain from the sender (index 1) to the recipient, with per-hop delays."""
    fields = message.all("Received")
    fields = fields[:MAX_HOPS]
    hops = [parse_received(f.value, 0, f.index) for f in reversed(fields)]
    previous: datetime | None = None
    for number, hop in enumerate(hops, 1):
        hop.index = number
        if hop.time is not None and previous is not None:
            hop.delay_s = round((hop.time - previous).total_seconds(), 3)
            if hop.delay_s < 0:
                hop.notes.append(f"clock skew: {-hop.delay_s:g} s earlier than the hop before")
        if hop.time is not None:
            previous = hop.time
    return hops


def delays(hops: list[Hop], date: datetime | None) -> dict[str, Any]:
    """Total delay (first to last timed hop) and the delay from the Date field to hop 1."""
    times = [h.time for h in hops if h.time is not None]
    total = round((times[-1] - times[0]).total_seconds(), 3) if len(times) >= 2 else None
    from_date = round((times[0] - date).total_seconds(), 3) \
        if times and date is not None else None
    return {"total_s": total, "date_to_first_hop_s": from_date,
            "clock_skew_hops": [h.index for h in hops if h.clock_skew],
            "untimed_hops": [h.index for h in hops if h.time is None]}
