"""SPF records (RFC 7208 sections 4.5, 5, 6, 7): terms, parsing and syntax checks. Pure, no I/O.

``parse_record`` raises only :class:`PermError`, with a reason a person can act on. Evaluation
(``check_host``) lives in :mod:`wizard.dns.spf.evaluate`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

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
