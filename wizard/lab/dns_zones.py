"""Ready-made lab zones for the DNS scenarios: a healthy ``lab.test`` and broken variants.

``zone_for(variant)`` returns zone data for :class:`wizard.lab.dns_server.DnsServer`;
``EXPECTED_CATEGORY[variant]`` is the category of ``run_dns_step``'s verdict for it.

The lab must run the DNS step with the Target from :func:`lab_target` (or the same fields):
``domain="lab.test"``, ``mail_from="sender@lab.test"``, ``rcpt_to="postmaster@lab.test"``,
``sending_ip="127.0.0.1"``, ``dkim_selectors=("lab",)``, ``helo_name="mail.lab.test"``,
``ip_blocklists=("bl.lab.test",)``, ``domain_blocklists=("dbl.lab.test",)`` and
``nameservers=(server.nameserver,)``. (Default blocklists would be asked of the lab server
too, and answered NXDOMAIN, but the lab lists make the ``ip-blocklisted`` variant work.)
"""

from __future__ import annotations

import base64
import copy
import functools
from typing import Any

from wizard.model.target import Target

DOMAIN = "lab.test"
SENDING_IP = "127.0.0.1"
SELECTOR = "lab"
BLOCKLIST = "bl.lab.test"
DOMAIN_BLOCKLIST = "dbl.lab.test"

# Optional: add {f"_mta-sts.{DOMAIN}": {"TXT": [MTA_STS_TXT]}} to a zone *and* serve MTA_STS_POLICY
# over HTTP, setting Target.mta_sts_base_url; without a policy server the check would fail.
MTA_STS_TXT = "v=STSv1; id=20240101T000000"
MTA_STS_POLICY = "version: STSv1\nmode: enforce\nmx: mail.lab.test\nmax_age: 86400\n"

VARIANTS = (
    "healthy", "spf-missing", "spf-two-records", "spf-too-many-lookups", "spf-fail-ip",
    "dmarc-missing", "dmarc-syntax", "dkim-missing", "dkim-short-key", "null-mx",
    "mx-no-address", "ptr-missing", "ip-blocklisted",
)

EXPECTED_CATEGORY: dict[str, str] = {
    "healthy": "success",
    "spf-missing": "dns-spf",
    "spf-two-records": "dns-spf",
    "spf-too-many-lookups": "dns-spf",
    "spf-fail-ip": "spf-fail",
    "dmarc-missing": "dns-dmarc",
    "dmarc-syntax": "dns-dmarc",
    "dkim-missing": "dns-dkim",
    "dkim-short-key": "dns-dkim",
    "null-mx": "recipient-domain",
    "mx-no-address": "recipient-domain",
    "ptr-missing": "dns-ptr",
    "ip-blocklisted": "blocklisted",
}


@functools.lru_cache(maxsize=1)
def lab_dkim_private_key() -> Any:
    """The lab's 2048-bit DKIM signing key (generated once per process)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _der(public_key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def _short_key() -> str:
    """A 512-bit RSA public key (cryptography will not generate one; public numbers suffice)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    n = (1 << 511) | 0x1F3B  # odd 512-bit modulus: enough to publish and to measure
    return _der(rsa.RSAPublicNumbers(65537, n).public_key())


def dkim_record(short: bool = False) -> str:
    key = _short_key() if short else _der(lab_dkim_private_key().public_key())
    return f"v=DKIM1; k=rsa; p={key}"


def healthy() -> dict[str, dict[str, Any]]:
    return {
        DOMAIN: {
            "MX": "10 mail.lab.test",
            "A": SENDING_IP,
            "TXT": ["v=spf1 ip4:127.0.0.1 mx -all"],
        },
        f"mail.{DOMAIN}": {"A": SENDING_IP},
        f"{SELECTOR}._domainkey.{DOMAIN}": {"TXT": [dkim_record()]},
        f"_dmarc.{DOMAIN}": {"TXT": [f"v=DMARC1; p=reject; rua=mailto:dmarc@{DOMAIN}"]},
        "1.0.0.127.in-addr.arpa": {"PTR": f"mail.{DOMAIN}."},
        f"_smtp._tls.{DOMAIN}": {"TXT": [f"v=TLSRPTv1; rua=mailto:tlsrpt@{DOMAIN}"]},
        # the lab blocklist: lists 127.0.0.2 (the standard test point), not 127.0.0.1
        f"2.0.0.127.{BLOCKLIST}": {"A": "127.0.0.2", "TXT": ["lab test listing"]},
        f"test.{DOMAIN_BLOCKLIST}": {"A": "127.0.1.2"},
    }


def zone_for(variant: str) -> dict[str, dict[str, Any]]:
    """Zone data for one variant (a fresh dict each call). ValueError for an unknown one."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown DNS lab variant {variant!r}: one of {', '.join(VARIANTS)}")
    zone = copy.deepcopy(healthy())
    apex = zone[DOMAIN]
    if variant == "spf-missing":
        del apex["TXT"]
    elif variant == "spf-two-records":
        apex["TXT"] = ["v=spf1 ip4:127.0.0.1 -all", "v=spf1 mx -all"]
    elif variant == "spf-too-many-lookups":
        apex["TXT"] = ["v=spf1 " + " ".join(f"include:spf{i}.{DOMAIN}" for i in range(1, 5))
                       + " ip4:127.0.0.1 -all"]
        for i in range(1, 5):
            zone[f"spf{i}.{DOMAIN}"] = {"TXT": [f"v=spf1 a:h{i}a.{DOMAIN} a:h{i}b.{DOMAIN} "
                                                "-all"]}
            zone[f"h{i}a.{DOMAIN}"] = {"A": "192.0.2.10"}
            zone[f"h{i}b.{DOMAIN}"] = {"A": "192.0.2.11"}
    elif variant == "spf-fail-ip":
        apex["TXT"] = ["v=spf1 ip4:192.0.2.25 -all"]
    elif variant == "dmarc-missing":
        del zone[f"_dmarc.{DOMAIN}"]
    elif variant == "dmarc-syntax":
        zone[f"_dmarc.{DOMAIN}"] = {"TXT": ["v=DMARC1; p=rejected; pct=150"]}
    elif variant == "dkim-missing":
        del zone[f"{SELECTOR}._domainkey.{DOMAIN}"]
    elif variant == "dkim-short-key":
        zone[f"{SELECTOR}._domainkey.{DOMAIN}"] = {"TXT": [dkim_record(short=True)]}
    elif variant == "null-mx":
        apex["MX"] = "0 ."
    elif variant == "mx-no-address":
        apex["MX"] = "10 gone.lab.test"
    elif variant == "ptr-missing":
        del zone["1.0.0.127.in-addr.arpa"]
    elif variant == "ip-blocklisted":
        zone[f"1.0.0.127.{BLOCKLIST}"] = {"A": "127.0.0.2",
                                          "TXT": ["lab listing: 127.0.0.1 sent spam"]}
    return zone


def lab_target(nameserver: tuple[str, int], **changes: Any) -> Target:
    """The Target the lab's DNS scenarios run with."""
    target = Target(
        domain=DOMAIN, mail_from=f"sender@{DOMAIN}", rcpt_to=f"postmaster@{DOMAIN}",
        sending_ip=SENDING_IP, dkim_selectors=(SELECTOR,), helo_name=f"mail.{DOMAIN}",
        ip_blocklists=(BLOCKLIST,), domain_blocklists=(DOMAIN_BLOCKLIST,),
        nameservers=(nameserver,), timeout=2.0,
    )
    return target.with_changes(**changes) if changes else target
