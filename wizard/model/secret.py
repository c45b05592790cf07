"""A password or token that never prints itself.

``str()``, ``repr()`` and ``format()`` all give ``****``; only :meth:`Secret.reveal` returns the
value, and only the AUTH code calls it. :meth:`Secret.forms` lists every encoding of the value
that could end up on the wire (used by the transcript to redact and by tests to search).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import warnings
from typing import NoReturn
from urllib.parse import quote, quote_plus, unquote_plus


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('****')"

    def __str__(self) -> str:
        return "****"

    def __format__(self, spec: str) -> str:
        return "****"

    def __reduce__(self) -> NoReturn:  # pragma: no cover - guard against pickling secrets
        raise TypeError("a Secret cannot be pickled")


def secret_forms(value: str, user: str | None = None) -> set[str]:
    """The password and every base64 form of it a SMTP AUTH exchange can carry (PLAIN, LOGIN,
    XOAUTH2 blobs, and the value's own encoding at each alignment inside any larger blob)."""
    if not value:
        return set()
    raw = value.encode()
    forms = {value, base64.b64encode(raw).decode()}
    if user is not None:
        u = user.encode()
        for blob in (b"\0" + u + b"\0" + raw, u + b"\0" + u + b"\0" + raw,
                     b"user=" + u + b"\x01auth=Bearer " + raw + b"\x01\x01"):
            forms.add(base64.b64encode(blob).decode())
    # base64 of the value at each alignment inside a larger blob: the middle part is stable.
    for prefix in (b"", b"\0", b"\0\0"):
        encoded = base64.b64encode(prefix + raw).decode()
        skip = (len(prefix) * 4 + 2) // 3 + 1
        core = encoded[skip:-3]
        if len(core) >= 8:
            forms.add(core)
    return forms


def echo_forms(value: str) -> set[str]:
    """The re-encodings a server could echo back (hex, URL, JSON and C escapes), besides
    :func:`secret_forms`; every one of them differs from ordinary text only by the value."""
    if not value:
        return set()
    raw = value.encode()
    return {raw.hex(), raw.hex().upper(), quote(value, safe=""), quote_plus(value, safe=""),
            json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1],
            value.encode("unicode_escape").decode("ascii"), repr(value)[1:-1]}


MIN_PIECE = 6  # a prefix or suffix of the secret this long, or half of it, is hidden too


_B64 = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2}){4,}")


def _unbase64(part: str) -> str | None:
    try:
        return base64.b64decode(part, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


def _unescape(chunk: str) -> list[str]:
    try:
        with warnings.catch_warnings():  # "invalid escape sequence": fine, kept as it is
            warnings.simplefilter("ignore", DeprecationWarning)
            escaped = chunk.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except (UnicodeDecodeError, ValueError):
        return []
    return [escaped, escaped.encode("latin-1", "ignore").decode("utf-8", "replace")]


def decoded_views(chunk: str) -> list[str]:
    """``chunk`` as text, and as what it decodes to if it is base64 (any alignment), hex, URL
    or backslash escapes: where a re-encoded secret would show in plain letters."""
    views = [chunk, unquote_plus(chunk)]
    if "\\" in chunk:
        views += _unescape(chunk)
    for match in _B64.finditer(chunk):
        word = match.group().rstrip("=").replace("-", "+").replace("_", "/")
        for skip in range(4):
            part = word[skip:]
            part = part[: len(part) - len(part) % 4]
            decoded = _unbase64(part) if len(part) >= 8 else None
            if decoded is not None:
                views.append(decoded)
    for match in _HEX.finditer(chunk):
        digits = match.group()
        for skip in (0, 1):
            part = digits[skip: len(digits) - (len(digits) - skip) % 2]
            views.append(bytes.fromhex(part).decode("utf-8", "replace"))
    return views
