"""Test material for the headers tests: keys generated here, messages signed here with dkimpy,
and the zone the loopback DNS responder serves for them (never real DNS).

Every message tells a story a helpdesk sees: signed and delivered intact, changed by a mailing
list, forwarded, signed with a revoked key ... ``MESSAGES`` names each one with the results the
analysis must reach; the CLI and the TUI tests both walk that table.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import dkim
import nacl.encoding
import nacl.signing
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dkim.canonicalization import CanonicalizationPolicy
from dkim.crypto import parse_pem_private_key

SENDER_IP = "192.0.2.10"
STRANGER_IP = "198.51.100.7"
LIST_IP = "203.0.113.5"
FORWARDER_IP = "203.0.113.77"
ESP_IP = "198.51.100.20"
SIGNED = [b"from", b"to", b"subject", b"date", b"message-id"]
APPENDED = b"--\r\nSent through a gateway that adds text\r\n"
# A delivery status notification (RFC 3464): a bounce, not a received message.
DSN = (b"From: MAILER-DAEMON@mx.example.net\r\nTo: alice@example.com\r\n"
       b"Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
       b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
       b"--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
       b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net"
       b"\r\n\r\nFinal-Recipient: rfc822; bob@example.net\r\nAction: failed\r\n"
       b"Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <bob@example.net>: Recipient "
       b"address rejected: User unknown\r\n\r\n--B--\r\n")


@cache
def rsa_key() -> tuple[bytes, str]:
    """(private PEM, public p= value) of a 2048-bit RSA key made for this test run."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, base64.b64encode(public).decode()


@cache
def ed25519_key() -> tuple[bytes, str]:
    key = nacl.signing.SigningKey.generate()
    return (key.encode(encoder=nacl.encoding.Base64Encoder),
            key.verify_key.encode(encoder=nacl.encoding.Base64Encoder).decode())


def zone() -> dict[str, Any]:
    """The DNS the messages need: SPF, DMARC and DKIM keys of the sender, a list, an ESP."""
    _, rsa_pub = rsa_key()
    _, ed_pub = ed25519_key()
    rsa_record = f"v=DKIM1; k=rsa; p={rsa_pub}"
    return {
        "example.com": {"TXT": f"v=spf1 ip4:{SENDER_IP} -all"},
        "mail.example.com": {"TXT": f"v=spf1 ip4:{SENDER_IP} -all", "A": SENDER_IP},
        "_dmarc.example.com": {"TXT": "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"},
        "s1._domainkey.example.com": {"TXT": rsa_record},
        "ed._domainkey.example.com": {"TXT": f"v=DKIM1; k=ed25519; p={ed_pub}"},
        "revoked._domainkey.example.com": {"TXT": "v=DKIM1; k=rsa; p="},
        "lists.example.org": {"TXT": f"v=spf1 ip4:{LIST_IP} -all"},
        "_dmarc.example.org": {"TXT": "v=DMARC1; p=none; rua=mailto:dmarc@example.org"},
        "arc._domainkey.lists.example.org": {"TXT": rsa_record},
        "esp.test": {"TXT": f"v=spf1 ip4:{ESP_IP} -all"},
        "k1._domainkey.esp.test": {"TXT": rsa_record},
        "strict.test": {"TXT": f"v=spf1 ip4:{SENDER_IP} -all"},
        "mail.strict.test": {"TXT": f"v=spf1 ip4:{SENDER_IP} -all"},
        "_dmarc.strict.test": {"TXT": "v=DMARC1; p=quarantine; adkim=s; aspf=s; "
                                      "rua=mailto:dmarc@strict.test"},
        "s1._domainkey.strict.test": {"TXT": rsa_record},
        "s1._domainkey.mail.strict.test": {"TXT": rsa_record},
        "s1._domainkey.mail.example.com": {"TXT": rsa_record},
        "nodmarc.test": {"TXT": f"v=spf1 ip4:{SENDER_IP} -all"},
        "_dmarc.lenient.test": {"TXT": "v=DMARC1; p=reject; sp=none; rua=mailto:d@lenient.test"},
        "news.lenient.test": {"TXT": "v=spf1 -all"},
    }


# ------------------------------------------------------------------------------ building

def message(*, sender: str = "Alice Example <alice@example.com>", to: str = "bob@receiver.test",
            subject: str = "Quarterly report", body: str = "Hello Bob,\r\n\r\nthe figures are "
            "attached.\r\n\r\nAlice\r\n", extra: list[str] | None = None) -> bytes:
    """A plain RFC 5322 message with CRLF line ends, as the sender's server sees it."""
    head = [f"From: {sender}", f"To: {to}", f"Subject: {subject}",
            "Date: Mon, 01 Jan 2024 10:00:00 +0000",
            "Message-ID: <20240101100000.1234@example.com>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", *(extra or [])]
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode()


def sign(msg: bytes, selector: str = "s1", domain: str = "example.com", *,
         algorithm: str = "rsa-sha256", length: bool = False,
         headers: list[bytes] | None = None) -> bytes:
    """``msg`` with a DKIM-Signature on top (dkimpy; relaxed/simple as it defaults)."""
    key = ed25519_key()[0] if algorithm.startswith("ed25519") else rsa_key()[0]
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                    signature_algorithm=algorithm.encode(), include_headers=headers or SIGNED,
                    length=length)
    return sig + msg


def sign_expiring(msg: bytes, expires_in: int, selector: str = "s1",
                  domain: str = "example.com") -> bytes:
    """A DKIM-Signature with ``x=`` (dkimpy's ``sign`` has no x= option, so its own header
    generator signs the fields given here: t= a day before x=)."""
    signer = dkim.DKIM(msg)
    policy = CanonicalizationPolicy.from_c_value(b"relaxed/relaxed")
    body_hash = base64.b64encode(hashlib.sha256(policy.canonicalize_body(signer.body)).digest())
    expires = int(time.time()) + expires_in
    fields = [(b"v", b"1"), (b"a", b"rsa-sha256"), (b"c", b"relaxed/relaxed"),
              (b"d", domain.encode()), (b"s", selector.encode()),
              (b"t", str(expires - 86400).encode()), (b"x", str(expires).encode()),
              (b"h", b" : ".join(SIGNED)), (b"bh", body_hash), (b"b", b"0" * 60)]
    signer.signature_algorithm = b"rsa-sha256"
    signer.hasher = hashlib.sha256
    header = signer.gen_header(fields, SIGNED, policy, b"DKIM-Signature",
                               parse_pem_private_key(rsa_key()[0]))
    return b"DKIM-Signature: " + header + msg


def prepend(msg: bytes, *fields: str) -> bytes:
    """Header fields added on top, in the order given (the first ends up topmost)."""
    return "".join(f + "\r\n" for f in fields).encode() + msg


def received(origin: str, ip: str, by: str, when: str, proto: str = "ESMTPS") -> str:
    return (f"Received: from {origin} ({origin} [{ip}])\r\n\tby {by} (Postfix) with {proto} "
            f"id {abs(hash((origin, by))) % 10**8:08X}\r\n\tfor <bob@receiver.test>; {when}")


SUBMISSION = ("Received: from laptop.example.com (unknown [10.0.0.5])\r\n\tby mail.example.com "
              "(Postfix) with ESMTPSA id 11AA22BB\r\n\tfor <bob@receiver.test>; "
              "Mon, 01 Jan 2024 10:00:00 +0000")


def deliver(signed: bytes, *, ip: str = SENDER_IP, origin: str = "mail.example.com",
            return_path: str = "alice@example.com", recorded: str | None = None,
            extra: list[str] | None = None) -> bytes:
    """``signed`` as the receiver stores it: its Received, Authentication-Results, Return-Path."""
    fields = [f"Return-Path: <{return_path}>"]
    if recorded:
        fields.append(f"Authentication-Results: mx.receiver.test;\r\n\t{recorded}")
    fields += extra or []
    fields.append(received(origin, ip, "mx.receiver.test", "Mon, 01 Jan 2024 10:00:03 +0000"))
    return prepend(signed, *fields)


def via_list(signed: bytes) -> bytes:
    """Through a mailing list at lists.example.org that tags the subject, adds a footer and
    seals with ARC (dkimpy's ARC signing), then to the receiver, who records what it saw."""
    at_list = prepend(signed,
                      "Authentication-Results: lists.example.org;\r\n\tdkim=pass header.d="
                      "example.com header.s=s1;\r\n\tspf=pass smtp.mailfrom=alice@example.com",
                      received("mail.example.com", SENDER_IP, "lists.example.org",
                               "Mon, 01 Jan 2024 10:00:02 +0000"))
    changed = at_list.replace(b"Subject: Quarterly report", b"Subject: [team] Quarterly report")
    changed = changed + b"--\r\nteam mailing list: https://lists.example.org/team\r\n"
    changed = prepend(changed, "List-Id: Team <team.lists.example.org>",
                      "List-Post: <mailto:team@lists.example.org>")
    seal = dkim.arc_sign(changed, b"arc", b"lists.example.org", rsa_key()[0],
                         b"lists.example.org")
    sealed = b"".join(seal) + changed
    return prepend(sealed, "Return-Path: <team-bounces@lists.example.org>",
                   "Authentication-Results: mx.receiver.test;\r\n\tdkim=fail (body hash did not "
                   "verify) header.d=example.com;\r\n\tspf=pass smtp.mailfrom="
                   "team-bounces@lists.example.org;\r\n\tarc=pass;\r\n\tdmarc=fail "
                   "header.from=example.com",
                   received("lists.example.org", LIST_IP, "mx.receiver.test",
                            "Mon, 01 Jan 2024 10:00:09 +0000"))


def forwarded(signed: bytes) -> bytes:
    """Forwarded unchanged by forward.example.net (no envelope rewriting): SPF breaks at the
    receiver, DKIM survives."""
    at_forwarder = prepend(signed, received("mail.example.com", SENDER_IP,
                                            "mx.forward.example.net",
                                            "Mon, 01 Jan 2024 10:00:02 +0000"))
    return prepend(at_forwarder, "Return-Path: <alice@example.com>",
                   received("mx.forward.example.net", FORWARDER_IP, "mx.receiver.test",
                            "Mon, 01 Jan 2024 10:00:05 +0000"))


# ------------------------------------------------------------------------------ the stories

@dataclass(frozen=True)
class Story:
    """One test message and what the analysis must find."""

    name: str
    data: bytes
    dkim: list[tuple[str, str]]  # (result, problem or "") per signature, topmost first
    arc: str
    spf: str
    dmarc: str
    status: str
    category: str
    spf_receiver: str | None = None
    dmarc_aligned: tuple[bool, bool] | None = None  # (spf_aligned, dkim_aligned)
    more: dict[str, Any] = field(default_factory=dict)


@cache
def stories() -> dict[str, Story]:
    base = message()
    submitted = prepend(base, SUBMISSION)
    signed = sign(submitted)
    out = [
        Story("valid", deliver(signed), [("pass", "")], "none", "pass", "pass", "pass",
              "success", dmarc_aligned=(True, True)),
        Story("body-changed", deliver(signed.replace(b"figures are attached",
                                                     b"figures are NOT attached")),
              [("fail", "body")], "none", "pass", "pass", "warn", "success"),
        Story("header-changed", deliver(signed.replace(b"Subject: Quarterly report",
                                                       b"Subject: Quarterly report (urgent)")),
              [("fail", "header")], "none", "pass", "pass", "warn", "success"),
        Story("expired", deliver(prepend(sign_expiring(message(), -2 * 86400), SUBMISSION)),
              [("fail", "expired")], "none", "pass", "pass", "warn", "success"),
        Story("length-appended", deliver(sign(submitted, length=True) + APPENDED),
              [("pass", "")], "none", "pass", "pass", "warn", "success",
              more={"unsigned_bytes": len(APPENDED)}),
        Story("ed25519", deliver(sign(submitted, "ed", algorithm="ed25519-sha256")),
              [("pass", "")], "none", "pass", "pass", "pass", "success"),
        Story("revoked-key", deliver(sign(submitted, "revoked"), ip=STRANGER_IP,
                                     origin="relay.other.test"),
              [("permerror", "key")], "none", "fail", "fail", "fail", "dmarc-fail"),
        Story("arc-list", via_list(signed), [("fail", "body")], "pass", "pass", "fail", "fail",
              "dmarc-fail", dmarc_aligned=(False, False), more={"suspect": "lists.example.org"}),
        Story("forwarded", forwarded(signed), [("pass", "")], "none", "pass", "pass", "warn",
              "success", spf_receiver="fail"),
        Story("spf-pass", deliver(submitted), [], "none", "pass", "pass", "warn", "success",
              dmarc_aligned=(True, False)),
        Story("spf-fail", deliver(submitted, ip=STRANGER_IP, origin="relay.other.test"), [],
              "none", "fail", "fail", "fail", "dmarc-fail", dmarc_aligned=(False, False)),
        Story("relaxed-subdomain", deliver(sign(submitted, domain="mail.example.com",
                                                selector="s1"),
                                           return_path="bounce@mail.example.com"),
              [("pass", "")], "none", "pass", "pass", "pass", "success",
              dmarc_aligned=(True, True)),
        Story("not-aligned-esp", deliver(sign(submitted, "k1", "esp.test"), ip=ESP_IP,
                                         origin="out.esp.test",
                                         return_path="bounce@esp.test"),
              [("pass", "")], "none", "pass", "fail", "fail", "dmarc-fail",
              dmarc_aligned=(False, False)),
        Story("strict-aligned", deliver(sign(prepend(message(sender="Alice <alice@strict.test>"),
                                                     SUBMISSION), "s1", "strict.test"),
                                        return_path="bounce@mail.strict.test"),
              [("pass", "")], "none", "pass", "pass", "pass", "success",
              dmarc_aligned=(False, True)),
        Story("strict-not-aligned", deliver(sign(prepend(message(
            sender="Alice <alice@strict.test>"), SUBMISSION), "s1", "mail.strict.test"),
            return_path="bounce@mail.strict.test"),
              [("pass", "")], "none", "pass", "fail", "fail", "dmarc-fail",
              dmarc_aligned=(False, False)),
    ]
    return {s.name: s for s in out}
