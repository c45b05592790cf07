"""A password or token that never prints itself.

``str()``, ``repr()`` and ``format()`` all give ``****``; only :meth:`Secret.reveal` returns the
value, and only the AUTH code calls it. :meth:`Secret.forms` lists every encoding of the value
that could end up on the wire (used by the transcript to redact and by tests to search).
"""

from __future__ import annotations

import base64


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

    def __reduce__(self):  # pragma: no cover - guard against pickling secrets
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
