"""Mail providers: recognise one from a reply's words, and read its catalog (data).

:func:`recognise` is pure and table-driven: the first matching entry wins, so big providers come
before the generic MTA fingerprints (a Gmail reply quoted by a Postfix bounce is still Gmail's).
Patterns are lower-case and matched against the lower-cased text.

:func:`catalog` reads ``wizard/data/providers/*.toml``, one file per provider: its name, its
articles, presets (host, port, security, user-name hint) and ``[advice.<category>]`` next steps
that replace a category's default when this provider gives it. The TUI's presets, the provider
question and the classifier all read these files.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from wizard.findings import NextStep


@dataclass(frozen=True)
class Preset:
    name: str
    host: str
    port: int
    security: str
    user_hint: str = ""


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    articles: tuple[str, ...] = ()
    presets: tuple[Preset, ...] = ()
    advice: dict[str, NextStep] = field(default_factory=dict)


def _load(name: str, data: dict[str, Any]) -> Provider:
    head = data.get("provider") or {}
    pid = head.get("id")
    if not pid or f"{pid}.toml" != name:
        raise ValueError(f"providers/{name}: [provider] id must match the file name")
    advice = {cat: NextStep(row["next_step"], row["who"], dict(row["action"]))
              for cat, row in (data.get("advice") or {}).items()}
    presets = tuple(Preset(p["name"], p["host"], int(p["port"]), p["security"],
                           p.get("user_hint", "")) for p in data.get("presets") or ())
    return Provider(pid, head.get("name", pid), tuple(head.get("articles", ())), presets, advice)


@cache
def catalog() -> dict[str, Provider]:
    """Every provider file, by id (loaded once)."""
    folder = resources.files("wizard").joinpath("data/providers")
    out: dict[str, Provider] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out[entry.name[:-5]] = _load(entry.name, tomllib.loads(entry.read_text("utf-8")))
    return out


def advice(provider: str | None, category: str | None) -> NextStep | None:
    """This provider's own next step for ``category``, if its file gives one."""
    known = catalog().get(provider or "")
    return known.advice.get(category or "") if known else None


def articles(provider: str | None) -> tuple[str, ...]:
    known = catalog().get(provider or "")
    return known.articles if known else ()

PROVIDERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("gmail", r"\bgsmtp\b|google\.com|gmail|googlemail|googlegroups"),
        (
            "microsoft",
            r"protection\.outlook\.com|\boutlook\.com|hotmail\.com|\blive\.com|office365"
            r"|\bprod\.outlook|storedrv|resolver\.[a-z]+\.|sender\.office\.com|onmicrosoft",
        ),
        ("yahoo", r"yahoo|yahoodns|verizonmedia|\baol\.com|\[ts[sp]\d\d\]"),
        ("icloud", r"icloud\.com|\bme\.com\b|apple\.com|mail\.mac\.com"),
        ("amazon-ses", r"amazonses|email-smtp\.[\w-]+\.amazonaws\.com|amazonaws\.com"),
        ("sendgrid", r"sendgrid"),
        ("mailgun", r"mailgun"),
        ("zoho", r"zoho\.(?:com|eu|in)"),
        ("mail.ru", r"mail\.ru\b"),
        ("tencent", r"\bqq\.com\b"),
        ("mimecast", r"mimecast"),
        ("proofpoint", r"proofpoint|pphosted"),
        ("postfix", r"\(in reply to [\w ]+ command\)|(?:recipient|sender) address rejected"
         r"|client host rejected|\bpostfix\b"),
        ("exim", r"smtp error from remote mail(?:er| server) after|\bexim\b"),
        ("qmail", r"\(#\d\.\d{1,3}\.\d{1,3}\)|qmail"),
        ("sendmail", r"\.\.\. user unknown|\bsendmail\b"),
    )
)


def recognise(text: str) -> str | None:
    """The provider or MTA named by ``text`` (a reply or bounce excerpt), else ``None``."""
    lowered = text.lower()
    for name, pattern in PROVIDERS:
        if pattern.search(lowered):
            return name
    return None
