"""Read a server certificate and say, in plain words, why it was not trusted (pure).

The TLS library only says "certificate verify failed"; people need "expired on 3 March" or
"issued for mail.example.net, not smtp.example.com". The certificate is parsed with
``cryptography`` from the DER bytes of an unverified second handshake.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from wizard.model.findings import NextStep

EXPIRY_WARN_DAYS = 14

# OpenSSL X509_V_ERR_* codes seen in SSLCertVerificationError.verify_code
_NOT_YET_VALID = 9
_EXPIRED = 10
_SELF_SIGNED_LEAF = 18
_SELF_SIGNED_CHAIN = 19
_NO_LOCAL_ISSUER = 20
_NO_ISSUER = 2
_LEAF_NOT_SIGNATURE = 21
_HOSTNAME_MISMATCH = 62
_IP_MISMATCH = 64


@dataclass
class CertInfo:
    """The facts of a leaf certificate that a person needs to see."""

    subject: str
    issuer: str
    names: list[str]
    not_before: datetime
    not_after: datetime
    self_signed: bool
    serial: str
    key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "names": self.names,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "self_signed": self.self_signed,
            "serial": self.serial,
            "key": self.key,
        }

    def days_left(self, now: datetime | None = None) -> int:
        now = now or datetime.now(UTC)
        return (self.not_after - now).days


def _name(name: x509.Name) -> str:
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if common:
        value = common[0].value
        return value if isinstance(value, str) else value.decode(errors="replace")
    return name.rfc4514_string() or "(empty name)"


def parse_certificate(der: bytes) -> CertInfo:
    """Parse DER bytes; raises ValueError on a certificate that cannot be read."""
    cert = x509.load_der_x509_certificate(der)
    names: list[str] = []
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names += [str(n) for n in san.get_values_for_type(x509.DNSName)]
        names += [str(n) for n in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    if not names:
        names = [_name(cert.subject)]
    public = cert.public_key()
    size = getattr(public, "key_size", None)
    key = f"{type(public).__name__.removeprefix('_').replace('PublicKey', '')}"
    if size:
        key += f" {size} bits"
    return CertInfo(
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        names=names,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        self_signed=_self_signed(cert),
        serial=format(cert.serial_number, "x"),
        key=key,
    )


def _self_signed(cert: x509.Certificate) -> bool:
    """The certificate is its own issuer: same name, and its own key verifies its signature."""
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def name_matches(host: str, names: list[str]) -> bool:
    """RFC 6125 matching: exact names, one left-most wildcard label, IP addresses exactly."""
    host = host.rstrip(".").lower()
    try:
        wanted_ip = ipaddress.ip_address(host)
    except ValueError:
        wanted_ip = None
    for name in names:
        candidate = name.rstrip(".").lower()
        if wanted_ip is not None:
            try:
                if ipaddress.ip_address(candidate) == wanted_ip:
                    return True
            except ValueError:
                continue
            continue
        if candidate == host:
            return True
        if (candidate.startswith("*.") and "." in host
                and host.split(".", 1)[1] == candidate[2:]):
            return True
    return False


@dataclass(frozen=True)
class CertProblems:
    """Everything wrong with a certificate that failed verification, most important first.

    ``reasons`` ids: expired, not-yet-valid, wrong-name, self-signed, unknown-issuer (signed by a
    CA this computer does not trust), untrusted (no more precise reason known).
    """

    reasons: tuple[str, ...]
    title: str
    summary: str
    next: NextStep

    @property
    def reason(self) -> str:
        return self.reasons[0]


def _reasons(code: int | None, cert: CertInfo | None, host: str, now: datetime) -> list[str]:
    """Every problem, not only the one OpenSSL stopped at (it reports only the first)."""
    reasons: list[str] = []
    if (cert is not None and cert.not_after < now) or code == _EXPIRED:
        reasons.append("expired")
    elif (cert is not None and cert.not_before > now) or code == _NOT_YET_VALID:
        reasons.append("not-yet-valid")
    if code in (_HOSTNAME_MISMATCH, _IP_MISMATCH) or (
            cert is not None and not name_matches(host, cert.names)):
        reasons.append("wrong-name")
    if (cert is not None and cert.self_signed) or (cert is None and code == _SELF_SIGNED_LEAF):
        reasons.append("self-signed")
    elif code in (_NO_LOCAL_ISSUER, _NO_ISSUER, _LEAF_NOT_SIGNATURE, _SELF_SIGNED_CHAIN,
                  _SELF_SIGNED_LEAF):
        reasons.append("unknown-issuer")  # code 19: the chain ends in a CA not trusted here
    return reasons or ["untrusted"]


def _usable_name(cert: CertInfo | None) -> str | None:
    for name in cert.names if cert else []:
        if not name.startswith("*.") and not name[:1].isdigit() and ":" not in name:
            return name
    return None


def explain_verify_failure(
    error: ssl.SSLError, cert: CertInfo | None, host: str, now: datetime | None = None
) -> CertProblems:
    """Why verification failed, every problem named, with the one next step (pure)."""
    now = now or datetime.now(UTC)
    code = getattr(error, "verify_code", None)
    message = getattr(error, "verify_message", None) or str(error)
    reasons = _reasons(code, cert, host, now)
    names = ", ".join(cert.names[:8]) if cert else "other names"
    issuer = cert.issuer if cert else "an unknown issuer"
    said: dict[str, tuple[str, str]] = {
        "expired": (
            f"The server's certificate expired on "
            f"{cert.not_after:%Y-%m-%d %H:%M UTC}" if cert else
            "The server's certificate has expired",
            "It is no longer valid; the server's administrator must renew it (for example "
            "with their ACME client)."),
        "not-yet-valid": (
            f"The server's certificate is not valid until "
            f"{cert.not_before:%Y-%m-%d %H:%M UTC}" if cert else
            "The server's certificate is not valid yet",
            "Either it was issued with a future date or this computer's clock is wrong: check "
            "the date and time here first."),
        "wrong-name": (
            f"The certificate is for {names}, not {host}",
            f"You connected to {host} but the certificate names {names}: use one of those "
            "names as the server name, or the administrator must cover the name you use."),
        "self-signed": (
            f"The certificate is self-signed ({issuer} signed itself)",
            "No public authority vouches for it, so no mail client trusts it. The server "
            "needs a certificate from a public CA; in a private setup, trust this very "
            "certificate (CA file)."),
        "unknown-issuer": (
            f"The certificate is signed by '{issuer}', which this computer does not trust",
            f"'{issuer}' is not in this computer's trust store: it is a company's own CA "
            "(then trust it: give its certificate as the CA file, or install it), or a public "
            "CA whose intermediate certificate the server fails to send (then the "
            "administrator must fix the chain)."),
        "untrusted": ("The server's certificate could not be verified",
                      f"Verification failed: {message}."),
    }
    title = said[reasons[0]][0]
    summary = " ".join(said[r][1] for r in reasons)
    if len(reasons) > 1:
        short = {**SHORT, "unknown-issuer": f"signed by '{issuer}', which this computer does "
                                            "not trust"}
        title += " (also " + ", ".join(short[r] for r in reasons[1:]) + ")"
    return CertProblems(tuple(reasons), title, summary, _next(reasons, cert, issuer))


SHORT = {"expired": "expired", "not-yet-valid": "not yet valid", "wrong-name": "for another name",
         "self-signed": "self-signed", "untrusted": "not trusted"}


def _next(reasons: list[str], cert: CertInfo | None, issuer: str) -> NextStep:
    reason = reasons[0]
    name = _usable_name(cert)
    trust = {"self-signed", "unknown-issuer"} & set(reasons)
    if reason == "wrong-name" and name and trust:  # the name alone would not be enough
        return NextStep(f"Trust this server's certificate (give it, or the CA that signed it, as "
                        f"the CA file) and use the name on it, {name}, as the server name; then "
                        "run the check again.", "you",
                        {"kind": "rerun", "set": {"host": name}, "ask": ["ca_file"]})
    if reason == "wrong-name" and name:
        return NextStep(f"Use the name on the certificate, {name}, as the server name in "
                            "your mail client, and run the check again.", "you",
                            {"kind": "rerun", "set": {"host": name}})
    if reason == "unknown-issuer":
        return NextStep(f"Get the certificate of '{issuer}' (from your IT department) and "
                        "give it as the CA file, or install it in this computer's trust store; "
                        "then run the check again.", "you", {"kind": "rerun", "ask": ["ca_file"]})
    if reason == "not-yet-valid":
        return NextStep("Check this computer's date and time; if they are right, tell the "
                        "server's administrator that the certificate's dates are wrong.", "you",
                        {"kind": "read", "article": "tls-certificate"})
    if reason == "self-signed":
        return NextStep("Ask the server's administrator for a certificate from a public CA; in "
                        "a private setup, give this certificate as the CA file.",
                        "your-mail-admin", {"kind": "rerun", "ask": ["ca_file"]})
    return NextStep("Send this report to the server's administrator: the certificate must be "
                    "renewed or replaced.", "your-mail-admin",
                    {"kind": "contact", "who": "your-mail-admin"})
