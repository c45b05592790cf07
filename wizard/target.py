"""What to test: the Target, and validation of everything a user types into it.

Validation raises :class:`TargetError` with a one-line message a person can act on; the CLI turns
it into exit status 2 and the TUI into a message under the field. Nothing here does I/O except
checking that a CA file is readable.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from wizard.secret import Secret


class TargetError(ValueError):
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
    if not local or len(local) > 64 or not (_LOCAL_PART.match(local) or _quoted(local)):
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


def validate_ca_file(value: str) -> str:
    path = Path(value).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TargetError(f"cannot read CA file {value!r}: {exc.strerror or exc}") from None
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise TargetError(f"CA file {value!r} holds no PEM certificate")
    return str(path)


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
        """The target as reported: no secret, only whether one was given."""
        return {
            "host": self.host,
            "port": self.effective_port if self.host else self.port,
            "security": self.security.value,
            "user": self.user,
            "password": "provided" if self.password else None,
            "oauth_token": "provided" if self.oauth_token else None,
            "mail_from": self.mail_from,
            "rcpt_to": self.rcpt_to,
            "domain": self.domain,
            "dkim_selectors": list(self.dkim_selectors),
            "sending_ip": self.sending_ip,
            "nameservers": [f"{ip}:{port}" for ip, port in self.nameservers],
            "ca_file": self.ca_file,
            "timeout": self.timeout,
            "allow_plaintext_auth": self.allow_plaintext_auth,
            "verify_tls": self.verify_tls,
            "send": self.send,
            "ip_blocklists": list(self.ip_blocklists),
            "domain_blocklists": list(self.domain_blocklists),
            "blocklists": self.blocklists,
        }

    def secrets(self) -> list[Secret]:
        return [s for s in (self.password, self.oauth_token) if s]
