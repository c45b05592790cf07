"""Read an EHLO reply into the capabilities a troubleshooter cares about (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WATCHED = (
    "STARTTLS", "AUTH", "SIZE", "PIPELINING", "8BITMIME", "SMTPUTF8",
    "ENHANCEDSTATUSCODES", "CHUNKING", "DSN", "REQUIRETLS",
)


@dataclass(frozen=True)
class Capabilities:
    """Extensions from an EHLO reply (keyword -> parameter text) plus the greeting name."""

    server_name: str = ""
    extensions: dict[str, str] = field(default_factory=dict)
    esmtp: bool = True

    def has(self, keyword: str) -> bool:
        return keyword.upper() in self.extensions

    @property
    def auth_mechanisms(self) -> list[str]:
        return self.extensions.get("AUTH", "").upper().split()

    @property
    def size_limit(self) -> int | None:
        value = self.extensions.get("SIZE", "").strip()
        return int(value) if value.isdigit() and int(value) > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "server_name": self.server_name,
            "esmtp": self.esmtp,
            "extensions": dict(self.extensions),
            "starttls": self.has("STARTTLS"),
            "auth": self.auth_mechanisms,
            "size": self.size_limit,
            "pipelining": self.has("PIPELINING"),
        }


def parse_ehlo(message: str, esmtp: bool = True) -> Capabilities:
    """``message`` is the reply text without codes, one line per extension after the first."""
    lines = message.split("\n")
    extensions: dict[str, str] = {}
    for line in lines[1:]:
        keyword, _, params = line.strip().partition(" ")
        if not keyword:
            continue
        keyword = keyword.upper()
        if keyword.startswith("AUTH="):  # old Microsoft style "AUTH=LOGIN PLAIN"
            keyword, params = "AUTH", keyword[5:] + (" " + params if params else "")
        if keyword == "AUTH" and "AUTH" in extensions:
            params = " ".join(dict.fromkeys((extensions["AUTH"] + " " + params).split()))
        extensions[keyword] = params.strip()
    server_name = lines[0].split(" ", 1)[0] if lines and lines[0] else ""
    return Capabilities(server_name=server_name, extensions=extensions, esmtp=esmtp)


def describe(caps: Capabilities) -> str:
    """One line: the watched extensions present, in a fixed order."""
    present = []
    for keyword in WATCHED:
        if not caps.has(keyword):
            continue
        if keyword == "AUTH":
            present.append("AUTH " + " ".join(caps.auth_mechanisms))
        elif keyword == "SIZE" and caps.size_limit:
            present.append(f"SIZE {caps.size_limit}")
        else:
            present.append(keyword)
    return ", ".join(present) if present else "no extensions"
