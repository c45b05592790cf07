"""What to test: the Target, and validation of everything a user types into it.

Validation raises :class:`TargetError` with a one-line message a person can act on; the CLI turns
it into exit status 2 and the TUI into a message under the field. Nothing here does I/O except
checking that a CA file is readable.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from wizard.model.errors import WizardError
from wizard.model.secret import Secret


class TargetError(WizardError):
    """Input that cannot be tested, with a one-line reason."""


class Security(StrEnum):
    AUTO = "auto"
    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


IMPLICIT_TLS_PORTS = frozenset({465})
SUBMISSION_PORTS = (587, 465, 25, 2525)

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")


def validate_host(value: str) -> str:
    """A DNS name or an IP literal (brackets allowed around IPv6)."""
    host = value.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        raise TargetError("host is empty: give the mail server's name, e.g. smtp.example.com")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    name = host.rstrip(".")
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise TargetError(f"invalid host name {value!r}: not a valid domain name") from None
    if len(ascii_name) > 253 or not all(_LABEL.match(label) for label in ascii_name.split(".")):
        raise TargetError(
            f"invalid host name {value!r}: use letters, digits, '-' and dots"
            " (e.g. smtp.example.com)"
        )
    if ascii_name.replace(".", "").isdigit():
        raise TargetError(f"invalid host name {value!r}: looks like a broken IP address")
    return name.lower()


def validate_port(value: int | str) -> int:
    if isinstance(value, str) and not value.strip():
        raise TargetError("port is empty: give a number from 1 to 65535 (e.g. 587)")
    try:
        port = int(str(value).strip())
    except ValueError:
        raise TargetError(f"invalid port {value!r}: use a number from 1 to 65535") from None
    if not 1 <= port <= 65535:
        raise TargetError(f"port {port} is out of range: use a number from 1 to 65535")
    return port


def validate_address(value: str, what: str = "address") -> str:
    """An RFC 5321 mailbox (local@domain). The empty string is the null sender."""
    addr = value.strip()
    if addr.startswith("<") and addr.endswith(">"):
        addr = addr[1:-1]
    if addr == "" and what == "MAIL FROM":
        return ""
    if addr.count("@") < 1:
        raise TargetError(f"invalid {what} {value!r}: expected name@domain")
    local, _, domain = addr.rpartition("@")
    ascii_view = "".join(ch if ch.isascii() else "a" for ch in local)  # RFC 6531: UTF-8 ok
    if not local.isascii() and not local.isprintable():
        raise TargetError(f"invalid {what} {value!r}: the part before @ is not valid")
    if not local or len(local.encode()) > 64 or not (
            _LOCAL_PART.match(ascii_view) or _quoted(local)):
        raise TargetError(f"invalid {what} {value!r}: the part before @ is not valid")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise TargetError(f"invalid {what} {value!r}: dots in the wrong place before @")
    if any(ch.isspace() or ord(ch) < 32 for ch in addr):
        raise TargetError(f"invalid {what} {value!r}: spaces and control characters not allowed")
    if domain.startswith("[") and domain.endswith("]"):
        try:
            ipaddress.ip_address(domain[1:-1].removeprefix("IPv6:"))
        except ValueError:
            raise TargetError(f"invalid {what} {value!r}: bad address literal") from None
        return addr
    try:
        validate_host(domain)
    except TargetError:
        raise TargetError(f"invalid {what} {value!r}: {domain!r} is not a valid domain") from None
    if "." not in domain:
        raise TargetError(f"invalid {what} {value!r}: the domain needs a dot (e.g. example.com)")
    return addr


def _quoted(local: str) -> bool:
    return len(local) >= 2 and local[0] == local[-1] == '"'


def validate_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise TargetError(f"invalid IP address {value!r}") from None


def validate_nameserver(value: str) -> tuple[str, int]:
    """``IP`` or ``IP:PORT`` or ``[IPv6]:PORT``."""
    text = value.strip()
    port = 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest.startswith(":"):
            port = validate_port(rest[1:])
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        port = validate_port(port_text)
    else:
        host = text
    try:
        return str(ipaddress.ip_address(host)), port
    except ValueError:
        raise TargetError(f"invalid nameserver {value!r}: use IP or IP:PORT") from None


MAX_CA_FILE = 4 * 1024 * 1024  # a trust bundle is a few hundred KB; more is not a CA file


def validate_ca_file(value: str) -> str:
    """A readable PEM file of CA certificates that OpenSSL accepts (size-capped: ``/dev/zero``
    or an endless pipe is refused, not read forever)."""
    import ssl

    path = Path(value).expanduser()
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CA_FILE + 1)
    except OSError as exc:
        raise TargetError(f"cannot read CA file {value!r}: {exc.strerror or exc}") from None
    if len(data) > MAX_CA_FILE:
        raise TargetError(f"CA file {value!r} is larger than {MAX_CA_FILE // 1048576} MB: "
                          "not a certificate file")
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise TargetError(f"CA file {value!r} holds no PEM certificate")
    try:
        ssl.create_default_context(cadata=data.decode("ascii", "replace"))
    except (ssl.SSLError, ValueError) as exc:
        raise TargetError(f"CA file {value!r} holds a certificate OpenSSL cannot read: "
                          f"{getattr(exc, 'reason', None) or exc}") from None
    return str(path)


def validate_timeout(value: float | str) -> float:
    try:
        seconds = float(str(value).strip())
    except ValueError:
        raise TargetError(f"invalid timeout {value!r}: give seconds, e.g. 10") from None
    if not 0.1 <= seconds <= 300:
        raise TargetError(f"timeout {seconds:g} is out of range: use 0.1 to 300 seconds")
    return seconds


def validate_helo(value: str) -> str:
    """A HELO/EHLO name: a domain name (RFC 5321 4.1.1.1) or an address literal."""
    name = value.strip()
    if name.startswith("[") and name.endswith("]"):
        validate_ip(name[1:-1].removeprefix("IPv6:"))
        return name
    try:
        return validate_host(name)
    except TargetError:
        raise TargetError(f"invalid HELO name {value!r}: use your server's host name") from None


def validate_selector(value: str) -> str:
    sel = value.strip().rstrip(".")
    if not sel or not all(_LABEL.match(label) for label in sel.split(".")):
        raise TargetError(f"invalid DKIM selector {value!r}")
    return sel


@dataclass(frozen=True)
class Target:
    """Everything one session tests. The secret never leaves through ``to_dict``."""

    host: str | None = None
    port: int | None = None
    security: Security = Security.AUTO
    user: str | None = None
    password: Secret | None = field(default=None, repr=False, compare=False)
    oauth_token: Secret | None = field(default=None, repr=False, compare=False)
    mail_from: str | None = None
    rcpt_to: str | None = None
    domain: str | None = None
    dkim_selectors: tuple[str, ...] = ()
    sending_ip: str | None = None
    nameservers: tuple[tuple[str, int], ...] = ()
    ca_file: str | None = None
    timeout: float = 10.0
    allow_plaintext_auth: bool = False
    verify_tls: bool = True
    send: bool = False
    helo_name: str = "smtp-wizard.localhost"
    knowledge_dirs: tuple[str, ...] = ()
    # DNS blocklist zones for the sending IP and the sender domain; empty means the defaults.
    ip_blocklists: tuple[str, ...] = ()
    domain_blocklists: tuple[str, ...] = ()
    # Base URL override for MTA-STS policy fetches (the lab serves policies on a loopback port).
    mta_sts_base_url: str | None = None
    # Headers of a message (pasted or from an .eml) to take DKIM selectors and From from.
    message_headers: str | None = None
    # Ports to probe when connecting fails; empty means the usual 587, 465, 25, 2525.
    probe_ports: tuple[int, ...] = ()
    # Run the DNS step for the sender's and recipient's domains (check --no-dns turns it off).
    dns: bool = True
    # Ask DNS blocklists about the sending IP and the sender domain (--no-blocklists: off).
    blocklists: bool = True
    # Record the session in the History (check --no-history: off).
    history: bool = True

    @property
    def effective_port(self) -> int:
        return self.port or 587

    @property
    def implicit_tls(self) -> bool:
        """Whether TLS starts right after connecting (port 465 in auto mode, or ``tls``)."""
        if self.security is Security.TLS:
            return True
        return self.security is Security.AUTO and self.effective_port in IMPLICIT_TLS_PORTS

    @property
    def sender_domain(self) -> str | None:
        if self.domain:
            return self.domain
        if self.mail_from and "@" in self.mail_from:
            return self.mail_from.rpartition("@")[2].lower()
        return None

    @property
    def recipient_domain(self) -> str | None:
        if self.rcpt_to and "@" in self.rcpt_to:
            return self.rcpt_to.rpartition("@")[2].lower()
        return None

    def with_changes(self, **changes: Any) -> Target:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The target as reported (every ``report`` field of the table): no secret, only
        whether one was given."""
        out: dict[str, Any] = {}
        for spec in TARGET_FIELDS:
            value = getattr(self, spec.name)
            if spec.kind == "secret":
                out[spec.name] = "provided" if value else None
            elif not spec.report:
                continue
            elif spec.name == "port":
                out["port"] = self.effective_port if self.host else self.port
            elif spec.name == "nameservers":
                out["nameservers"] = [_item_text(ns) for ns in value]
            elif isinstance(value, tuple):
                out[spec.name] = list(value)
            elif isinstance(value, StrEnum):
                out[spec.name] = value.value
            else:
                out[spec.name] = value
        out["ip_blocklists"] = list(self.ip_blocklists)
        out["domain_blocklists"] = list(self.domain_blocklists)
        return out

    def secrets(self) -> list[Secret]:
        return [s for s in (self.password, self.oauth_token) if s]


def facts_of(target: Target | None) -> dict[str, Any]:
    """The session facts a next step may name (see ``categories.toml``)."""
    if target is None:
        return {}
    return {
        "host": target.host, "port": target.effective_port if target.host else None,
        "domain": target.sender_domain, "sending_ip": target.sending_ip,
        "recipient_domain": target.recipient_domain, "mail_from": target.mail_from,
        "rcpt_to": target.rcpt_to, "user": target.user,
    }


# ---------------------------------------------------------------- the fields, declared once

FieldKind = Literal["text", "list", "flag", "choice", "secret"]
_SPLIT = re.compile(r"[,\s]+")


@dataclass(frozen=True)
class TargetField:
    """One Target field for every front end: the CLI flag, the form's label and placeholder,
    how typed text becomes a value (and back), and where the field goes.

    ``flag`` is the CLI option (``None``: not on the command line; ``invert`` flags such as
    ``--no-verify`` set the field to False). ``scope`` "check" fields only exist on ``check``.
    ``profile``: saved in TUI profiles (never a secret). ``report``: shown in reports.
    """

    name: str
    label: str
    kind: FieldKind = "text"
    flag: str | None = None
    help: str = ""
    placeholder: str = ""
    parse: Callable[[str], Any] | None = None
    invert: bool = False
    scope: Literal["target", "check"] = "target"
    profile: bool = True
    report: bool = True
    form: bool = True
    choices: tuple[str, ...] = ()

    def from_text(self, text: str) -> Any:
        """The typed text as this field's value (raises TargetError); "" is the default."""
        text = text.strip()
        if self.kind == "list":
            check = self.parse or str
            return tuple(check(item) for item in _SPLIT.split(text) if item)
        if not text:
            return _DEFAULTS[self.name]
        if self.kind == "flag":
            return text.lower() in ("1", "true", "yes", "on")
        if self.kind == "choice":
            if text not in self.choices:
                raise TargetError(f"{self.label}: choose one of {', '.join(self.choices)}")
            return Security(text) if self.name == "security" else text
        return self.parse(text) if self.parse else text

    def to_text(self, value: Any) -> str:
        """The value as the form (and a profile) shows it."""
        if value is None or self.kind == "secret":
            return ""
        if self.kind == "list":
            return ", ".join(_item_text(v) for v in value)
        if self.kind == "flag":
            return "yes" if value else "no"
        return str(value.value if isinstance(value, StrEnum) else value)


def _item_text(value: Any) -> str:
    if isinstance(value, tuple):  # a nameserver (ip, port)
        host, port = value
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return str(value)


def _address(what: str) -> Callable[[str], str]:
    return lambda value: validate_address(value, what)


TARGET_FIELDS: tuple[TargetField, ...] = (
    TargetField("host", "Host", flag="--host", help="mail server host name or IP",
                placeholder="smtp.example.com (the server to test)", parse=validate_host),
    TargetField("port", "Port", flag="--port",
                help="port (default 587; 465 means implicit TLS in auto mode)",
                placeholder="blank: 587", parse=validate_port),
    TargetField("security", "Security", kind="choice", flag="--security",
                choices=tuple(s.value for s in Security),
                help="auto (default): detect implicit TLS or STARTTLS on any port"),
    TargetField("user", "User", flag="--user",
                help="user name for SMTP AUTH (the password is prompted for)",
                placeholder="login name (blank: do not log in)"),
    TargetField("password", "Password", kind="secret", profile=False, report=False,
                placeholder="never saved, never shown again"),
    TargetField("oauth_token", "OAuth token", kind="secret", profile=False, report=False,
                placeholder="sign-in token (OAuth) instead of a password"),
    TargetField("mail_from", "Sender", flag="--mail-from",
                help="envelope sender to test (MAIL FROM)", placeholder="you@example.com",
                parse=_address("MAIL FROM")),
    TargetField("rcpt_to", "Recipient", flag="--rcpt-to", help="recipient to test (RCPT TO)",
                placeholder="someone@example.org", parse=_address("RCPT TO")),
    TargetField("domain", "Domain", flag="--domain",
                help="sender domain for the DNS step (default: MAIL FROM's)",
                placeholder="blank: the sender's domain", parse=validate_host),
    TargetField("dkim_selectors", "DKIM selector", kind="list", flag="--dkim-selector",
                help="DKIM selector to check (repeatable)", placeholder="e.g. s1, google",
                parse=validate_selector),
    TargetField("sending_ip", "Sending IP", flag="--sending-ip",
                help="the IP your mail leaves from (for SPF, PTR, blocklists)",
                placeholder="the public IP mail leaves from", parse=validate_ip),
    TargetField("nameservers", "Nameserver", kind="list", flag="--nameserver",
                help="ask this nameserver, IP[:PORT] (repeatable)",
                placeholder="blank: system resolver; IP or IP:PORT", parse=validate_nameserver),
    TargetField("ca_file", "CA file", flag="--ca-file", help="trust these CA certificates (PEM)",
                placeholder="PEM file to trust (blank: system CAs)", parse=validate_ca_file),
    TargetField("timeout", "Timeout (s)", flag="--timeout",
                help="seconds per network operation (default 10)", placeholder="blank: 10",
                parse=validate_timeout),
    TargetField("helo_name", "HELO name", flag="--helo",
                help="the name to say in EHLO/HELO (default smtp-wizard.localhost)",
                placeholder="name your computer gives when it connects",
                parse=validate_helo),
    TargetField("allow_plaintext_auth", "Password without TLS", kind="flag",
                flag="--allow-plaintext-auth",
                help="allow sending credentials without TLS (off by default)"),
    TargetField("verify_tls", "Verify certificate", kind="flag", flag="--no-verify", invert=True,
                help="do not verify the server certificate (reported loudly)", profile=False),
    TargetField("blocklists", "Blocklists", kind="flag", flag="--no-blocklists", invert=True,
                help="do not ask DNS blocklists about the sending IP and domain"),
    TargetField("send", "Send a test message", kind="flag", flag="--send", scope="check",
                help="actually send one clearly marked test message", profile=False),
    TargetField("dns", "DNS checks", kind="flag", flag="--no-dns", invert=True, scope="check",
                help="skip the DNS step"),
    TargetField("history", "Record in History", kind="flag", flag="--no-history", invert=True,
                scope="check", help="do not record this check in the session history",
                profile=False, report=False, form=False),
    TargetField("knowledge_dirs", "Knowledge folders", kind="list", flag="--knowledge",
                help="extra knowledge articles (may override built-in ids)", profile=False,
                report=False, form=False),
)

FIELDS_BY_NAME: dict[str, TargetField] = {f.name: f for f in TARGET_FIELDS}
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Target)
                             if not callable(f.default_factory)}
_DEFAULTS["port"] = None



def target_from_texts(values: dict[str, str], base: Target | None = None) -> Target:
    """A Target from typed texts (a form or a profile); unknown keys are ignored. Raises
    TargetError naming the first bad field."""
    changes: dict[str, Any] = {}
    for name, text in values.items():
        spec = FIELDS_BY_NAME.get(name)
        if spec is None or spec.kind == "secret":
            continue
        changes[name] = spec.from_text(str(text))
    return (base or Target()).with_changes(**changes)


def target_from_report(data: dict[str, Any]) -> Target:
    """A reported target (``Target.to_dict``, e.g. from a session file) back as a Target.

    Untrusted: a value that does not validate (a newer version's, a hand-edited file's) is left
    at its default rather than raising; no secret was ever stored.
    """
    changes: dict[str, Any] = {}
    for spec in TARGET_FIELDS:
        if not spec.report or spec.kind == "secret" or spec.name not in data:
            continue
        value = data[spec.name]
        if isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif value is None:
            continue
        else:
            text = str(value)
        try:
            changes[spec.name] = spec.from_text(text)
        except (TargetError, ValueError):
            continue
    for name in ("ip_blocklists", "domain_blocklists"):
        items = data.get(name)
        if isinstance(items, list) and all(isinstance(i, str) for i in items):
            changes[name] = tuple(items)
    return Target().with_changes(**changes)
