"""Certificates for the lab, generated at start with ``cryptography``.

A lab CA signs a valid leaf for the lab host names (``localhost``, ``mail.lab.test`` and
127.0.0.1), an expired, a not-yet-valid, an expiring-soon and a wrong-name leaf; a self-signed
leaf stands alone, and a second CA that nobody trusts ("private CA") signs one more. Keys are
P-256 (fast to generate). Files are written to a private lab folder
(:func:`wizard.lab.cleanup.new_lab_dir`) that is removed on every exit path, signals included.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from wizard.lab import cleanup

LAB_HOSTS = ("localhost", "mail.lab.test")
LAB_IPS = ("127.0.0.1", "::1")
WRONG_NAME = "wrong-name.example.net"

_NOW = dt.datetime.now(dt.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "smtp-wizard lab"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def make_ca(common_name: str = "smtp-wizard lab CA") -> Issued:
    key = _key()
    name = _name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_NOW - dt.timedelta(days=1))
        .not_valid_after(_NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def make_leaf(
    names: tuple[str, ...] = LAB_HOSTS,
    ips: tuple[str, ...] = LAB_IPS,
    issuer: Issued | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> Issued:
    """A server certificate; self-signed when ``issuer`` is None."""
    key = _key()
    subject = _name(names[0] if names else "lab")
    san: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    san += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    signer_key = issuer.key if issuer else key
    issuer_name = issuer.cert.subject if issuer else subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or _NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or _NOW + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), False
        )
    return Issued(builder.sign(signer_key, hashes.SHA256()), key)


CERT_KINDS = ("valid", "expired", "wrong-name", "self-signed", "expiring-soon", "not-yet-valid",
              "private-ca")


@dataclass
class LabCertificates:
    """The lab CA and one leaf per kind, written as PEM files under ``directory``."""

    directory: Path
    ca: Issued
    leaves: dict[str, Issued] = field(default_factory=dict)
    owned: bool = False  # a lab folder made here (removed through wizard.lab.cleanup)

    @classmethod
    def generate(cls, directory: Path | None = None) -> LabCertificates:
        owned = directory is None
        directory = Path(directory) if directory is not None else cleanup.new_lab_dir()
        directory.mkdir(parents=True, exist_ok=True)
        ca = make_ca()
        private_ca = make_ca("smtp-wizard private CA (not trusted)")
        leaves = {
            "valid": make_leaf(issuer=ca),
            "expired": make_leaf(
                issuer=ca,
                not_before=_NOW - dt.timedelta(days=400),
                not_after=_NOW - dt.timedelta(days=30),
            ),
            "wrong-name": make_leaf(names=(WRONG_NAME,), ips=(), issuer=ca),
            "self-signed": make_leaf(issuer=None),
            "expiring-soon": make_leaf(issuer=ca, not_after=_NOW + dt.timedelta(days=5)),
            "not-yet-valid": make_leaf(
                issuer=ca,
                not_before=_NOW + dt.timedelta(days=30),
                not_after=_NOW + dt.timedelta(days=400),
            ),
            "private-ca": make_leaf(issuer=private_ca),
        }
        bundle = cls(directory, ca, leaves, owned)
        (directory / "ca.pem").write_bytes(ca.cert_pem())
        for kind, issued in leaves.items():
            (directory / f"{kind}.pem").write_bytes(issued.cert_pem())
            key_path = directory / f"{kind}.key"
            key_path.write_bytes(issued.key_pem())
            key_path.chmod(0o600)
        return bundle

    @property
    def ca_file(self) -> str:
        return str(self.directory / "ca.pem")

    def server_context(self, kind: str = "valid") -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.directory / f"{kind}.pem", self.directory / f"{kind}.key")
        return context

    def cleanup(self) -> None:
        if self.owned:
            cleanup.remove_lab_dir(self.directory)
        else:
            shutil.rmtree(self.directory, ignore_errors=True)
