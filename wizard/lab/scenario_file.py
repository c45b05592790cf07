"""Read, check and write scenario files: TOML a trainer writes without Python.

::

    [scenario]                      # required
    name = "relay-from-outside"     # lower-case words joined by '-' (default: the file name)
    expected = "relay-denied"       # the verdict category the wizard must reach (required)
    title = "..."                   # one line for the trainer's list (default: the description)
    description = "..."             # what happens, for the trainer
    hint = "..."                    # or a list: shown to a trainee who asks, one at a time
    level = "beginner"              # beginner | intermediate | advanced
    [smtp]                          # optional: the server (default: a healthy one)
    behaviour = "drop-after-ehlo"   # a built-in misbehaviour instead (wizard.lab.behaviours)
    security = "starttls"           # starttls | tls | none
    certificate = "good"            # good | expired | not-yet-valid | wrong-name | self-signed
                                    # | private-ca | expiring-soon
    greeting = "220 mx.lab.test ESMTP"   # not 220: the server says this line and hangs up
    ehlo = ["PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN"]  # STARTTLS added for starttls
    auth = "535 5.7.8 ..."          # the reply to any AUTH attempt
    mail = "..."  rcpt = "..."  data = "..."   # {sender} and {rcpt} are filled in
    delay_ms = 0                    # before every reply
    auth_delay_ms = 0               # before the reply to AUTH (a failed-login penalty)
    mailboxes = ["bob@lab.test"]    # known recipients; others get 550 5.1.1
    greylist = true   greylist_retry_s = 60   rate_limit_after = 0
    require_starttls = true   auth_required = true
    [smtp.recipients]               # a reply per recipient address
    "bob@lab.test" = "552 5.2.2 <{rcpt}>: Mailbox full"
    [dns]                           # optional: the lab DNS (default: the healthy lab.test)
    variant = "spf-missing"         # a built-in zone (wizard.lab.dns_zones), or "empty"
    zone = '''...'''                # zone-file text instead ($ORIGIN lab.test. by default)
    remove = ["_dmarc.lab.test"]    # names taken out of the variant
    [dns.records]                   # names replaced in the variant
    "lab.test" = { MX = "10 mail.lab.test", TXT = ["v=spf1 -all"] }
    "slow.lab.test" = "TIMEOUT"     # or SERVFAIL, REFUSED
    [target]                        # optional: how the pre-filled target differs
    user = ""   password = "..."   security = "tls"   rcpt_to = "..."   send = true   ...

A bad file raises :class:`ScenarioFileError`, whose text is one line naming the file, the line
and the key. Nothing here starts a server (:mod:`wizard.lab.runner` does).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.lab.behaviours import BEHAVIOURS, CLOSED_PORT
from wizard.lab.scenarios import GROUPS, LEVELS, Scenario
from wizard.lab.smtp_server import ALL_MECHANISMS, SmtpBehaviour
from wizard.model.errors import WizardError

MAX_FILE_BYTES = 1_000_000
MAX_FILES = 500
CERTIFICATES = {"good": "valid", "expired": "expired", "not-yet-valid": "not-yet-valid",
                "wrong-name": "wrong-name", "self-signed": "self-signed",
                "private-ca": "private-ca", "expiring-soon": "expiring-soon"}
SERVER_SECURITY = {"starttls": "starttls", "tls": "implicit", "none": "none"}
TARGET_SECURITY = ("auto", "starttls", "tls", "none")
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REPLY = re.compile(r"^[2-5]\d\d(?:[ -].*)?$")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")


class ScenarioFileError(WizardError):
    """A scenario file that cannot be used; ``str()`` is one line: file, line, key, reason."""

    def __init__(self, path: str, line: int | None, key: str | None, message: str) -> None:
        self.path, self.line, self.key, self.message = path, line, key, message
        where = f"{path}:{line}" if line else path
        what = f"{key}: " if key else ""
        super().__init__(f"{where}: {what}{message}")



# ------------------------------------------------------------------ where a key is


class _Locator:
    """The line of each ``[table]`` header and ``key =`` in TOML text (for error messages)."""

    _HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
    _KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_.-]+))\s*=""")

    def __init__(self, text: str) -> None:
        self.raw = text.splitlines()
        self.lines: dict[tuple[str, str | None], int] = {}
        table = ""
        in_string: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            header = self._HEADER.match(line)
            if header:
                table = ".".join(p.strip().strip("\"'") for p in header.group(1).split("."))
                self.lines.setdefault((table, None), number)
                continue
            key = self._KEY.match(line)
            if key:
                name = next(g for g in key.groups() if g is not None)
                full = table
                if key.group(3) and "." in name:  # dotted key: smtp.greeting = ...
                    prefix, _, name = name.rpartition(".")
                    full = f"{table}.{prefix}" if table else prefix
                self.lines.setdefault((full, name), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_string = quote
                    break

    def text_after_key(self, line: int) -> str:
        """What follows the opening quotes of a multi-line string on ``line``."""
        text = self.raw[line - 1] if 0 < line <= len(self.raw) else ""
        for quote in ('"""', "'''"):
            if quote in text:
                return text.split(quote, 1)[1].strip()
        return ""

    def line(self, table: str, key: str | None = None) -> int | None:
        return (self.lines.get((table, key)) or self.lines.get((table, None))
                or (self.lines.get((table.rpartition(".")[0], table.rpartition(".")[2]))
                    if "." in table else None))


@dataclass
class _Context:
    path: str
    where: _Locator

    def fail(self, table: str, key: str | None, message: str) -> ScenarioFileError:
        shown = f"{table}.{key}" if key else f"[{table}]"
        return ScenarioFileError(self.path, self.where.line(table, key), shown, message)


# ------------------------------------------------------------------ value checks


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text in quotes, not {type(value).__name__}")
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _line(value: Any) -> str:
    text = _string(value)
    if "\r" in text or "\n" in text:
        raise ValueError("must be one line")
    return text


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_line(value),)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of texts in quotes")
    return tuple(_line(v) for v in value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _number(low: float, high: float, integer: bool = False) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        kinds = int if integer else int | float
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise ValueError("must be a whole number" if integer else "must be a number")
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return value

    return check


def _choice(options: Iterable[str]) -> Callable[[Any], str]:
    allowed = tuple(options)

    def check(value: Any) -> str:
        text = _string(value)
        if text not in allowed:
            raise ValueError(f"{text!r} is not one of: {', '.join(allowed)}")
        return text

    return check


def _reply(value: Any) -> str:
    """A reply line, or a list of lines of one multi-line reply (joined with CRLF, the
    continuation dashes set)."""
    lines = list(_strings(value)) if isinstance(value, list) else [_line(value)]
    if not lines:
        raise ValueError("must not be empty")
    for text in lines:
        if not _REPLY.match(text):
            raise ValueError(f"{text[:40]!r} is not a reply: start with a code 200-599, "
                             "e.g. \"550 5.1.1 No such user\"")
    if len({t[:3] for t in lines}) > 1:
        raise ValueError("every line of one reply must have the same code")
    fixed = [f"{t[:3]}-{t[4:]}" for t in lines[:-1]] + [f"{lines[-1][:3]} {lines[-1][4:]}"]
    return "\r\n".join(fixed)


def _address(value: Any) -> str:
    text = _line(value).strip()
    if not _ADDRESS.match(text):
        raise ValueError(f"{text!r} is not an address like user@example.test")
    return text


def _user(value: Any) -> str | None:
    return _line(value).strip() or None


def _category(value: Any) -> str:
    from wizard.catalog.categories import CATEGORIES

    text = _string(value)
    if text not in CATEGORIES:
        raise ValueError(f"{text!r} is not a category id (see `smtp-wizard kb list`)")
    return text


def _slug(value: Any) -> str:
    text = _string(value)
    if not _NAME.match(text) or len(text) > 64:
        raise ValueError(f"{text!r} must be lower-case words joined by '-' (max 64)")
    return text


def _addresses(value: Any) -> tuple[str, ...]:
    return tuple(_address(v) for v in _strings(value))


def _selectors(value: Any) -> tuple[str, ...]:
    from wizard.model.target import TargetError, validate_selector

    out = []
    for text in _strings(value):
        try:
            out.append(validate_selector(text))
        except TargetError as exc:
            raise ValueError(str(exc)) from None
    return tuple(out)


def _hosts(value: Any) -> tuple[str, ...]:
    from wizard.model.target import TargetError, validate_host

    out = []
    for text in _strings(value):
        try:
            out.append(validate_host(text))
        except TargetError as exc:
            raise ValueError(str(exc)) from None
    return tuple(out)


def _ip(value: Any) -> str:
    from wizard.model.target import TargetError, validate_ip

    try:
        return validate_ip(_line(value))
    except TargetError as exc:
        raise ValueError(str(exc)) from None


def _host(value: Any) -> str:
    return _hosts(value)[0]


def _variant(value: Any) -> str:
    from wizard.lab.dns_zones import VARIANTS

    return _choice((*VARIANTS, "empty"))(value)


SCHEMA: dict[str, dict[str, Callable[[Any], Any]]] = {
    "scenario": {
        "name": _slug, "expected": _category, "title": _line, "description": _string,
        "hint": _strings, "level": _choice(LEVELS), "group": _choice(GROUPS),
    },
    "smtp": {
        "behaviour": _choice(BEHAVIOURS), "security": _choice(SERVER_SECURITY),
        "certificate": _choice(CERTIFICATES), "greeting": _line, "ehlo": _strings,
        "auth": _reply, "mail": _reply, "rcpt": _reply, "data": _reply,
        "delay_ms": _number(0, 10_000, integer=True), "mailboxes": _addresses,
        "recipients": dict, "greylist": _bool, "greylist_retry_s": _number(0, 3600),
        "rate_limit_after": _number(0, 1_000_000, integer=True), "require_starttls": _bool,
        "auth_required": _bool, "auth_delay_ms": _number(0, 60_000, integer=True),
    },
    "dns": {"variant": _variant, "zone": _string, "remove": _hosts, "records": dict},
    "target": {
        "security": _choice(TARGET_SECURITY), "user": _user, "password": _line,
        "mail_from": _address, "rcpt_to": _address, "domain": _host, "send": _bool,
        "timeout": _number(0.1, 300), "dkim_selectors": _selectors, "sending_ip": _ip,
        "ip_blocklists": _hosts, "domain_blocklists": _hosts, "dns": _bool,
    },
}


# ------------------------------------------------------------------ reading


def _check_tables(data: dict[str, Any], ctx: _Context) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for table, value in data.items():
        if table not in SCHEMA:
            raise ScenarioFileError(ctx.path, ctx.where.line(table) or ctx.where.line("", table),
                                    f"[{table}]", f"unknown table; known: "
                                    f"{', '.join(f'[{t}]' for t in SCHEMA)}")
        if not isinstance(value, dict):
            raise ScenarioFileError(ctx.path, ctx.where.line("", table), table,
                                    "must be a table, written [" + table + "]")
        checked: dict[str, Any] = {}
        for key, raw in value.items():
            check = SCHEMA[table].get(key)
            if check is None:
                raise ctx.fail(table, key, f"unknown key; known in [{table}]: "
                                           f"{', '.join(SCHEMA[table])}")
            if check is dict:
                if not isinstance(raw, dict):
                    raise ctx.fail(table, key, f"must be a table, written [{table}.{key}]")
                checked[key] = raw
                continue
            try:
                checked[key] = check(raw)
            except ValueError as exc:
                raise ctx.fail(table, key, str(exc)) from None
        out[table] = checked
    if "scenario" not in out:
        raise ScenarioFileError(ctx.path, 1, "[scenario]", "missing: every scenario file "
                                "starts with a [scenario] table (name, expected, ...)")
    return out


def _recipients(raw: dict[str, Any], ctx: _Context) -> dict[str, str]:
    out: dict[str, str] = {}
    for address, reply in raw.items():
        try:
            out[_address(address).lower()] = _reply(reply)
        except ValueError as exc:
            raise ctx.fail("smtp.recipients", address, str(exc)) from None
    return out


def _records(raw: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    from wizard.lab.dns_server import Zone

    for name, entry in raw.items():
        parts = entry.items() if isinstance(entry, dict) else [(None, entry)]
        for rtype, value in parts:
            try:
                Zone.from_dict({name: {rtype: value} if rtype else value})
            except Exception as exc:  # dnspython raises many kinds for bad record text
                key = f"dns.records.{_toml_string(name)}" + (f".{rtype}" if rtype else "")
                raise ScenarioFileError(ctx.path, ctx.where.line("dns.records", name), key,
                                        _one_line(exc)) from None
    return raw


def _zone_text(text: str, ctx: _Context) -> str:
    from wizard.lab.lab_zone import DEFAULT_TTL, parse_zone_text

    try:
        parse_zone_text(text)
    except Exception as exc:  # dnspython raises SyntaxError and many DNSException kinds
        message = _one_line(exc)
        line = ctx.where.line("dns", "zone")
        at = re.match(r"^<string>:(\d+):\s*(.*)$", message)
        if at:
            shift = 0 if "$TTL" in text.upper() else DEFAULT_TTL.count("\n")
            inside = max(1, int(at.group(1)) - 1 - shift)
            message = at.group(2)
            if line is not None:
                line += inside if ctx.where.text_after_key(line) == "" else inside - 1
        raise ScenarioFileError(ctx.path, line, "dns.zone",
                                f"not a valid zone: {message}") from None
    return text


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _smtp(table: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    """Scenario fields for the [smtp] table."""
    behaviour = table.get("behaviour")
    greeting = table.get("greeting")
    scripted = set(table) - {"behaviour"}
    if behaviour:
        if scripted:
            raise ctx.fail("smtp", "behaviour", f"a built-in behaviour takes no other [smtp] "
                                                f"keys (found {', '.join(sorted(scripted))})")
        if behaviour == CLOSED_PORT:
            return {"smtp": None, "closed_port": True}
        return {"smtp": None, "raw": behaviour}
    if greeting is not None and not greeting.startswith("220"):
        if not _REPLY.match(greeting):
            raise ctx.fail("smtp", "greeting", "must start with a reply code, e.g. 220 or 421")
        if scripted - {"greeting", "delay_ms"}:
            raise ctx.fail("smtp", "greeting", "a server that refuses at the greeting takes no "
                                               "other [smtp] keys")
        return {"smtp": None, "raw": "greet-text", "banner": greeting}
    values: dict[str, Any] = {}
    if "security" in table:
        values["tls"] = SERVER_SECURITY[table["security"]]
    if "certificate" in table:
        values["cert"] = CERTIFICATES[table["certificate"]]
    if greeting is not None:
        values["greeting"] = greeting
    if "ehlo" in table:
        values.update(_ehlo(table["ehlo"], ctx))
    for key, field_name in (("auth", "auth_reply"), ("mail", "mail_reply"),
                            ("rcpt", "rcpt_reply"), ("data", "data_reply"),
                            ("delay_ms", "latency_ms"), ("mailboxes", "mailboxes"),
                            ("greylist", "greylist"), ("greylist_retry_s", "greylist_retry_s"),
                            ("rate_limit_after", "rate_limit_after"),
                            ("require_starttls", "require_starttls"),
                            ("auth_required", "auth_required"),
                            ("auth_delay_ms", "auth_delay_ms")):
        if key in table:
            values[field_name] = table[key]
    if "recipients" in table:
        values["rcpt_replies"] = _recipients(table["recipients"], ctx)
    return {"smtp": SmtpBehaviour(**values)}


def _ehlo(keywords: tuple[str, ...], ctx: _Context) -> dict[str, Any]:
    values: dict[str, Any] = {"ehlo": tuple(k for k in keywords
                                            if k.split(" ", 1)[0].upper() != "STARTTLS"),
                              "offer_auth": False, "size_limit": None}
    for keyword in keywords:
        word, _, params = keyword.partition(" ")
        word = word.upper()
        if word == "AUTH":
            mechanisms = tuple(m.upper() for m in params.split())
            values["offer_auth"] = True
            values["auth_mechanisms"] = tuple(m for m in mechanisms if m in ALL_MECHANISMS)
        elif word == "SIZE":
            if params and not params.strip().isdigit():
                raise ctx.fail("smtp", "ehlo", f"SIZE takes a number of bytes, not {params!r}")
            values["size_limit"] = int(params) if params.strip() else None
        elif word == "PIPELINING":
            values["pipelining"] = True
    return values


def _dns(table: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    if "zone" in table:
        if set(table) - {"zone"}:
            raise ctx.fail("dns", "zone", "a zone replaces everything: use it without "
                                          "variant, records or remove")
        return {"dns_zone": _zone_text(table["zone"], ctx)}
    out: dict[str, Any] = {}
    if "variant" in table:
        out["dns"] = table["variant"]
    if "records" in table:
        out["dns_records"] = _records(table["records"], ctx)
    if "remove" in table:
        out["dns_remove"] = table["remove"]
    return out


def parse(text: str, path: str = "<scenario>", default_name: str | None = None) -> Scenario:
    """The scenario a file's text describes; :class:`ScenarioFileError` if it is not one."""
    ctx = _Context(path, _Locator(text))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(at.group(1)) if at else None
        message = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", message)
        raise ScenarioFileError(path, line, None, f"not valid TOML: {message}") from None
    tables = _check_tables(data, ctx)
    head = tables["scenario"]
    name = head.get("name") or default_name
    if not name:
        raise ctx.fail("scenario", "name", "missing (lower-case words joined by '-')")
    if "name" not in head:
        try:
            name = _slug(name)
        except ValueError as exc:
            raise ctx.fail("scenario", "name", f"missing, and the file name {exc}") from None
    if "expected" not in head:
        raise ctx.fail("scenario", "expected", "missing: the category the wizard must reach "
                                               "(e.g. \"relay-denied\"; `smtp-wizard kb list`)")
    description = head.get("description", "")
    title = head.get("title") or (description.strip().splitlines() or [name])[0][:100]
    fields: dict[str, Any] = dict(
        name=name, title=title, learn=description.strip() or title, expected=head["expected"],
        level=head.get("level", "intermediate"), hints=head.get("hint", ()), source=path,
    )
    if "smtp" in tables:
        fields.update(_smtp(tables["smtp"], ctx))
    if "dns" in tables:
        fields.update(_dns(tables["dns"], ctx))
    target = dict(tables.get("target", {}))
    smtp = fields.get("smtp")
    if "security" not in target and isinstance(smtp, SmtpBehaviour) and smtp.tls == "implicit":
        target["security"] = "tls"
    fields["target"] = target
    group = head.get("group")
    if group is None:
        group = "dns" if "dns" in tables and "smtp" not in tables else "smtp"
    fields["group"] = group
    return Scenario(**fields)


def _read(path: Path, shown: str) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioFileError(shown, None, None, f"cannot read: {exc.strerror or exc}") \
            from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioFileError(shown, None, None,
                                f"larger than {MAX_FILE_BYTES // 1000} KB: not a scenario file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioFileError(shown, line, None, "not UTF-8 text") from None


def load_file(path: str | Path) -> Scenario:
    """One scenario file."""
    file = Path(path)
    if file.is_dir():
        raise ScenarioFileError(str(path), None, None,
                                "is a folder: use --scenarios for a folder of files")
    if file.exists() and not file.is_file():
        raise ScenarioFileError(str(path), None, None, "is not a regular file")
    return parse(_read(file, str(path)), str(path), default_name=file.stem)


def load_folder(folder: Any, shown: str | None = None) -> tuple[Scenario, ...]:
    """Every ``*.toml`` file of ``folder`` (a path or a package Traversable), in file-name
    order; two scenarios with one name are an error."""
    label = shown or str(folder)
    try:
        entries = sorted((e for e in folder.iterdir() if e.name.endswith(".toml")),
                         key=lambda e: e.name)
    except (OSError, AttributeError) as exc:
        raise ScenarioFileError(label, None, None, f"cannot read the folder: "
                                f"{getattr(exc, 'strerror', None) or exc}") from None
    if not entries:
        raise ScenarioFileError(label, None, None, "holds no scenario files (*.toml)")
    if len(entries) > MAX_FILES:
        raise ScenarioFileError(label, None, None, f"holds more than {MAX_FILES} files")
    out: list[Scenario] = []
    seen: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, Path):
            name = str(entry)
            text = _read(entry, name)
        else:
            name = f"{label.rstrip('/')}/{entry.name}"
            text = entry.read_text("utf-8")
        scenario = parse(text, name, entry.name.removesuffix(".toml"))
        if scenario.name in seen:
            raise ScenarioFileError(name, _Locator(text).line("scenario", "name"),
                                    "scenario.name", f"{scenario.name!r} is also the name in "
                                    f"{seen[scenario.name]}")
        seen[scenario.name] = name
        out.append(scenario)
    return tuple(out)


# ------------------------------------------------------------------ writing


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(key: str) -> str:
    return key if re.match(r"^[A-Za-z0-9_-]+$", key) else _toml_string(key)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {toml_value(v)}"
                                for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def dumps(data: dict[str, dict[str, Any]], comment: str = "") -> str:
    """Scenario data as TOML: tables in the order given; a dict value of [smtp] or [dns] becomes
    its own sub-table with one line per key."""
    out: list[str] = [f"# {line}".rstrip() for line in comment.splitlines()]
    for table, values in data.items():
        if not values:
            continue
        subtables = {k: v for k, v in values.items() if isinstance(v, dict)}
        plain = {k: v for k, v in values.items() if k not in subtables}
        if plain:
            if out:
                out.append("")
            out.append(f"[{table}]")
            out += [f"{_toml_key(k)} = {toml_value(v)}" for k, v in plain.items()]
        for key, value in subtables.items():
            if out:
                out.append("")
            out.append(f"[{table}.{_toml_key(key)}]")
            out += [f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items()]
    return "\n".join(out) + "\n"
