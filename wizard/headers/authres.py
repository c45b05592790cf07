"""What each receiver recorded: Authentication-Results (RFC 8601), ARC-Authentication-Results
(RFC 8617) and Received-SPF (RFC 7208 9.1), per authserv-id.

Pure and tolerant: real fields bend the grammar (Microsoft omits the authserv-id and writes
``action=none`` without a ptype; comments sit anywhere), so the parser reads what it can and
never raises. Each method result becomes one :class:`Recorded` with its properties
(``header.d``, ``smtp.mailfrom`` ...), reason and comment, and the position of the field it came
from, so the analysis can tell which hop recorded it.

What a recorded result *means* for the message (and whether to trust it) is decided elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wizard.headers.parse import Message

AR_FIELDS = ("Authentication-Results", "ARC-Authentication-Results",
             "Authentication-Results-Original")
RESULTS = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy",
           "hardfail", "bestguesspass", "unknown", "error")


@dataclass
class Recorded:
    """One method's result as a receiver recorded it."""

    header: str
    authserv_id: str | None
    method: str
    result: str
    reason: str | None = None
    comment: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    instance: int | None = None  # ARC-Authentication-Results i=
    field_index: int = 0
    hop: int | None = None  # set by the analysis: which hop added the field

    def prop(self, *names: str) -> str | None:
        for name in names:
            value = self.properties.get(name)
            if value:
                return value
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"authserv_id": self.authserv_id, "method": self.method, "result": self.result,
                "reason": self.reason, "comment": self.comment,
                "properties": dict(self.properties), "header": self.header,
                "instance": self.instance, "hop": self.hop}


def _strip_comments(text: str) -> tuple[str, list[str]]:
    """``text`` with (nested) comments removed outside quoted strings, and the comments."""
    out: list[str] = []
    comments: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    current = ""
    for ch in text:
        if escaped or ch == "\\":
            escaped = not escaped
            if depth:
                current += ch
            else:
                out.append(ch)
            continue
        if quoted:
            out.append(ch)
            if ch == '"':
                quoted = False
            continue
        if depth == 0 and ch == '"':
            quoted = True
            out.append(ch)
            continue
        if ch == "(":
            depth += 1
            if depth > 1:
                current += ch
            continue
        if ch == ")" and depth:
            depth -= 1
            if depth == 0:
                comments.append(current.strip())
                current = ""
                out.append(" ")
            else:
                current += ch
            continue
        if depth:
            current += ch
        else:
            out.append(ch)
    if depth and current.strip():
        comments.append(current.strip())
    return "".join(out), comments


def _split_top(text: str, sep: str = ";") -> list[str]:
    """Split at ``sep`` outside quoted strings and comments."""
    parts: list[str] = []
    depth = 0
    quoted = False
    current = ""
    for ch in text:
        if quoted:
            current += ch
            if ch == '"':
                quoted = False
            continue
        if ch == '"' and depth == 0:
            quoted = True
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    return parts


_PAIR = re.compile(r'([A-Za-z0-9_.\-/]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]*)')


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(k, v[1:-1] if v.startswith('"') and v.endswith('"') else v)
            for k, v in _PAIR.findall(text)]


def _resinfo(text: str, header: str, authserv: str | None, index: int,
             instance: int | None) -> Recorded | None:
    bare, comments = _strip_comments(text)
    pairs = _pairs(bare)
    if not pairs:
        return None
    method, result = pairs[0]
    method = method.split("/")[0].lower()
    if "." in method:
        return None  # a property without a method: not a resinfo
    out = Recorded(header, authserv, method, result.lower(), field_index=index,
                   instance=instance, comment="; ".join(c for c in comments if c) or None)
    for key, value in pairs[1:]:
        low = key.lower()
        if low == "reason":
            out.reason = value
        else:
            out.properties[low] = value
    return out


def parse_authres(value: str, header: str = "Authentication-Results", index: int = 0
                  ) -> list[Recorded]:
    """Every method result in one Authentication-Results (or ARC-A-R) field value."""
    parts = _split_top(value)
    instance = None
    if header.lower() == "arc-authentication-results" and parts:
        found = re.match(r"\s*i\s*=\s*(\d+)\s*$", _strip_comments(parts[0])[0])
        if found:
            instance = int(found.group(1))
            parts = parts[1:]
    if not parts:
        return []
    words = _strip_comments(parts[0])[0].split()
    authserv: str | None = None
    if words and "=" in words[0]:
        rest = parts  # Microsoft: no authserv-id, the first part is already a result
    else:
        authserv = words[0].strip('"').lower() if words else None
        rest = parts[1:]
    out: list[Recorded] = []
    for part in rest:
        if _strip_comments(part)[0].strip().lower() in ("", "none"):
            continue
        result = _resinfo(part, header, authserv, index, instance)
        if result is not None:
            out.append(result)
    return out


def parse_received_spf(value: str, index: int = 0) -> Recorded | None:
    """A Received-SPF field: ``result (comment) key=value; ...``."""
    bare, comments = _strip_comments(value)
    words = bare.split()
    if not words:
        return None
    result = words[0].rstrip(";").lower()
    if result not in RESULTS:
        return None
    pairs = dict((k.lower(), v) for k, v in _pairs(bare[len(words[0]):]))
    receiver = pairs.get("receiver")
    if receiver is None and comments:
        found = re.match(r"([\w.-]+\.[a-z]{2,}):", comments[0], re.I)
        receiver = found.group(1).lower() if found else None
    props = {}
    for key, prop in (("client-ip", "smtp.client-ip"), ("envelope-from", "smtp.mailfrom"),
                      ("helo", "smtp.helo"), ("identity", "identity")):
        if pairs.get(key):
            props[prop] = pairs[key]
    return Recorded("Received-SPF", receiver, "spf", result,
                    comment="; ".join(c for c in comments if c) or None, properties=props,
                    field_index=index)


def read_recorded(message: Message) -> list[Recorded]:
    """Every recorded result of the message, top (newest) field first."""
    out: list[Recorded] = []
    wanted = {name.lower(): name for name in AR_FIELDS}
    for hf in message.fields:
        if hf.key in wanted:
            out.extend(parse_authres(hf.value, wanted[hf.key], hf.index))
        elif hf.key == "received-spf":
            found = parse_received_spf(hf.value, hf.index)
            if found is not None:
                out.append(found)
    return out


_DESIGNATES = re.compile(
    r"designates ([0-9A-Fa-f:.]+) as (?:permitted|not permitted)|sender IP is ([0-9A-Fa-f:.]+)|"
    r"client-ip=([0-9A-Fa-f:.]+)|does not designate ([0-9A-Fa-f:.]+)|"
    r"\bip[=: ]\s*\[?([0-9A-Fa-f:.]+)", re.I)


def client_ip(recorded: Recorded) -> str | None:
    """The connecting IP a receiver says it checked, if it names one."""
    import ipaddress

    named = recorded.prop("smtp.client-ip", "smtp.remote-ip", "policy.iprev", "client-ip")
    candidates = [named] if named else []
    if recorded.comment:
        for match in _DESIGNATES.finditer(recorded.comment):
            candidates.extend(g for g in match.groups() if g)
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate.strip("[]")))
        except ValueError:
            continue
    return None
