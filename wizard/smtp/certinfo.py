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
from cryptography.x509.oid import ExtensionOID, NameOID

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
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
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
        self_signed=cert.issuer == cert.subject,
        serial=format(cert.serial_number, "x"),
        key=key,
    )


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


def explain_verify_failure(
    error: ssl.SSLError, cert: CertInfo | None, host: str, now: datetime | None = None
) -> tuple[str, str, str]:
    """(reason id, title, summary) for a failed verification, using the parsed cert when known.

    Reason ids: expired, not-yet-valid, wrong-name, self-signed, unknown-issuer, untrusted.
    """
    now = now or datetime.now(UTC)
    code = getattr(error, "verify_code", None)
    message = getattr(error, "verify_message", None) or str(error)
    if (cert is not None and cert.not_after < now) or code == _EXPIRED:
        when = cert.not_after.strftime("%Y-%m-%d %H:%M UTC") if cert else "an earlier date"
        return ("expired", f"The server's certificate expired on {when}",
                f"The certificate for {cert.subject if cert else host} is no longer valid. The "
                "server's administrator must renew it (e.g. with their ACME client).")
    if (cert is not None and cert.not_before > now) or code == _NOT_YET_VALID:
        when = cert.not_before.strftime("%Y-%m-%d %H:%M UTC") if cert else "a later date"
        return ("not-yet-valid", f"The server's certificate is not valid until {when}",
                "Either the certificate was issued with a future date or this computer's clock "
                "is wrong: check the date and time here first.")
    if code in (_HOSTNAME_MISMATCH, _IP_MISMATCH) or (
        cert is not None and not name_matches(host, cert.names)
        and code not in (_SELF_SIGNED_LEAF, _SELF_SIGNED_CHAIN, _NO_LOCAL_ISSUER)
    ):
        names = ", ".join(cert.names[:8]) if cert else "other names"
        return ("wrong-name", f"The certificate is for {names}, not {host}",
                f"You connected to {host} but the server's certificate names {names}. Use one "
                "of those names as the server name in your settings, or ask the administrator "
                "for a certificate that covers the name you use.")
    if code in (_SELF_SIGNED_LEAF, _SELF_SIGNED_CHAIN) or (cert is not None and cert.self_signed):
        issuer = cert.issuer if cert else "itself"
        return ("self-signed", f"The certificate is self-signed (issuer: {issuer})",
                "The server presents a certificate it signed itself, which no mail client "
                "trusts. Install a certificate from a public CA, or (in a private setup) give "
                "the wizard the CA file with --ca-file.")
    if code in (_NO_LOCAL_ISSUER, _NO_ISSUER, _LEAF_NOT_SIGNATURE):
        issuer = cert.issuer if cert else "an unknown issuer"
        return ("unknown-issuer", f"The certificate's issuer is not trusted ({issuer})",
                f"The certificate was issued by {issuer}, which is not in this computer's trust "
                "store. Either the server does not send its intermediate certificate (fix the "
                "chain on the server) or it uses a private CA (pass it with --ca-file).")
    return ("untrusted", "The server's certificate could not be verified",
            f"Verification failed: {message}.")
