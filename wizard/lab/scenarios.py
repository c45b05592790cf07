"""The lab's scenarios, as data: what runs, what the target is, what the wizard should conclude.

Each scenario names the servers it needs (an SMTP behaviour or a raw misbehaving server, a DNS
zone variant, a certificate kind), how the pre-filled target differs from the healthy one, and
the **expected verdict category**. The integration tests walk this list, so a scenario added
here is tested by existing code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.lab.smtp_server import LAB_HOSTNAME, RawMode, SmtpBehaviour


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    learn: str  # what the learner should find
    expected: str  # the verdict category the wizard must reach
    smtp: SmtpBehaviour | None = field(default_factory=SmtpBehaviour)
    raw: RawMode | None = None
    banner: str = ""
    dns: str = "healthy"  # zone variant from wizard.lab.dns_zones
    closed_port: bool = False  # point the target at a port where nothing listens
    target: dict[str, Any] = field(default_factory=dict)  # overrides of the healthy target
    group: str = "smtp"


def _s(name: str, title: str, learn: str, expected: str, **kw: Any) -> Scenario:
    return Scenario(name, title, learn, expected, **kw)


SMTP_SCENARIOS: tuple[Scenario, ...] = (
    _s("healthy", "Everything works (STARTTLS, login, sender, recipient)",
       "What a good session looks like: every step passes.", "success"),
    _s("implicit-tls", "Implicit TLS, like port 465, done right",
       "TLS starts at the first byte; the rest is the same.", "success",
       smtp=SmtpBehaviour(tls="implicit"), target={"security": "tls"}),
    _s("tls-to-plaintext-port", "The client speaks implicit TLS to a STARTTLS port",
       "The 'wrong version number' error means: this port wants STARTTLS.",
       "tls-mode-mismatch", target={"security": "tls"}),
    _s("plaintext-to-tls-port", "The client speaks plain text to an implicit-TLS port",
       "A silent server on 465 is waiting for TLS, not broken.", "tls-mode-mismatch",
       smtp=SmtpBehaviour(tls="implicit"), target={"security": "starttls"}),
    _s("tls-bytes-instead-of-banner", "The server answers with TLS bytes instead of 220",
       "Binary bytes at the greeting mean a TLS port.", "tls-mode-mismatch",
       smtp=None, raw="tls-bytes", target={"security": "starttls"}),
    _s("starttls-not-offered", "The server offers no STARTTLS",
       "Without STARTTLS the password would travel in clear: the wizard refuses.",
       "tls-not-offered", smtp=SmtpBehaviour(tls="none")),
    _s("tls-required", "530 5.7.0 Must issue a STARTTLS command first",
       "The client tried to send without TLS; the server insists on it.", "tls-required",
       smtp=SmtpBehaviour(require_starttls=True),
       target={"security": "none", "user": None}),
    _s("cert-expired", "The server's certificate has expired",
       "The finding names the expiry date.", "tls-certificate",
       smtp=SmtpBehaviour(cert="expired")),
    _s("cert-wrong-name", "The certificate is for another host name",
       "The finding lists the names the certificate covers.", "tls-certificate",
       smtp=SmtpBehaviour(cert="wrong-name")),
    _s("cert-self-signed", "The certificate is self-signed",
       "Nobody vouches for a self-signed certificate.", "tls-certificate",
       smtp=SmtpBehaviour(cert="self-signed")),
    _s("cert-expiring-soon", "The certificate expires in a few days",
       "Everything works today, with a warning to renew.", "success",
       smtp=SmtpBehaviour(cert="expiring-soon")),
    _s("wrong-password", "535 5.7.8 wrong user name or password",
       "The server rejected the credentials.", "auth-failed",
       target={"password": "not-the-password"}),
    _s("app-password-required", "534 5.7.9 Application-specific password required",
       "Gmail-style accounts with 2-step verification need an app password.",
       "auth-app-password",
       smtp=SmtpBehaviour(auth_reply="534 5.7.9 Application-specific password required. Learn "
                                     "more at https://support.google.com/mail/"
                                     "?p=InvalidSecondFactor gsmtp")),
    _s("smtp-auth-disabled", "535 5.7.139 SMTP AUTH disabled for the tenant",
       "Microsoft 365 turns SMTP AUTH off by default.", "auth-disabled",
       smtp=SmtpBehaviour(auth_reply="535 5.7.139 Authentication unsuccessful, "
                                     "SmtpClientAuthentication is disabled for the Tenant.")),
    _s("auth-not-offered", "The server offers no AUTH at all",
       "This port or server is not for logged-in submission.", "auth-not-offered",
       smtp=SmtpBehaviour(offer_auth=False)),
    _s("relay-denied", "554 5.7.1 Relay access denied",
       "Without logging in, a server only takes mail for its own domains.", "relay-denied",
       target={"user": None, "rcpt_to": "friend@elsewhere.test"}),
    _s("unknown-recipient", "550 5.1.1 the recipient does not exist",
       "A typo in the recipient's address.", "recipient-unknown",
       smtp=SmtpBehaviour(mailboxes=("bob@lab.test",)), target={"rcpt_to": "bbo@lab.test"}),
    _s("mailbox-full", "552 5.2.2 the recipient's mailbox is full",
       "Nothing the sender can fix; tell the recipient.", "mailbox-full",
       smtp=SmtpBehaviour(rcpt_replies={"bob@lab.test": "552 5.2.2 <bob@lab.test>: "
                                                        "Mailbox full, quota exceeded"})),
    _s("message-too-large", "552 5.3.4 the message is bigger than SIZE allows",
       "The server announces its limit in EHLO (SIZE).", "message-too-large",
       smtp=SmtpBehaviour(size_limit=300)),
    _s("sender-rejected", "553 5.1.8 the sender's domain is refused",
       "Use a sender address on a real domain you may send for.", "sender-rejected",
       smtp=SmtpBehaviour(mail_reply="553 5.1.8 <alice@lab.test>: Sender address rejected: "
                                     "Domain not found")),
    _s("greylisting", "450 4.2.0 greylisted: try again later",
       "A temporary refusal that clears when the sender retries.", "greylisted",
       smtp=SmtpBehaviour(greylist=True)),
    _s("rate-limited", "451 4.7.0 too many messages",
       "Slow down; the limit resets with time.", "rate-limited",
       smtp=SmtpBehaviour(rate_limit_after=0)),
    _s("too-many-connections", "421 4.7.0 too many connections from your address",
       "Open fewer connections at once.", "too-many-connections",
       smtp=None, raw="greet-text",
       banner=f"421 4.7.0 {LAB_HOSTNAME} Error: too many connections from 127.0.0.1"),
    _s("greeting-421", "421 at the greeting: service not available",
       "The server refuses every session right now.", "service-unavailable",
       smtp=None, raw="greet-421"),
    _s("never-greets", "The server accepts the connection but never says 220",
       "A stalled server or proxy: the wizard times out on the greeting.",
       "connection-timeout", smtp=None, raw="never-greet", target={"timeout": 2.0}),
    _s("closed-port", "Nothing listens on the port",
       "Connection refused: wrong port. The wizard probes the usual ones.",
       "connection-refused", closed_port=True),
    _s("dropped-after-ehlo", "The server hangs up right after EHLO",
       "A crash or an anti-spam drop mid-session.", "connection-dropped",
       smtp=None, raw="drop-after-ehlo", target={"user": None}),
    _s("spam-rejected", "554 5.7.1 the message is rejected as spam at DATA",
       "Content filters judge the message itself.", "content-rejected",
       smtp=SmtpBehaviour(data_reply="554 5.7.1 Message rejected as spam by content filter"),
       target={"send": True}),
    _s("gmail-unauthenticated", "550 5.7.26 unauthenticated sender (Gmail style)",
       "Gmail refuses mail that passes neither SPF nor DKIM.", "sender-unauthenticated",
       smtp=SmtpBehaviour(data_reply="550-5.7.26 This mail has been blocked because the sender "
                                     "is unauthenticated.\r\n550 5.7.26 Gmail requires all "
                                     "senders to authenticate with either SPF or DKIM. gsmtp"),
       target={"send": True}),
)


def _dns_scenarios() -> tuple[Scenario, ...]:
    try:
        from wizard.lab.dns_zones import EXPECTED_CATEGORY
    except ImportError:
        return ()
    titles = {
        "spf-missing": "The domain has no SPF record",
        "spf-two-records": "The domain has two SPF records (permerror)",
        "spf-too-many-lookups": "SPF needs more than 10 DNS lookups",
        "spf-fail-ip": "SPF does not allow the sending IP",
        "dmarc-missing": "The domain has no DMARC record",
        "dmarc-syntax": "The DMARC record has a syntax error",
        "dkim-missing": "The DKIM key is not published",
        "dkim-short-key": "The DKIM key is too short",
        "null-mx": "The recipient domain has a null MX (accepts no mail)",
        "mx-no-address": "The MX host has no address",
        "ptr-missing": "The sending IP has no reverse DNS (PTR)",
        "ip-blocklisted": "The sending IP is on a (lab) blocklist",
    }
    out = []
    for variant, category in EXPECTED_CATEGORY.items():
        if variant == "healthy":
            continue
        out.append(Scenario(
            name=f"dns-{variant}", title=titles.get(variant, f"DNS: {variant}"),
            learn="The SMTP steps pass; the DNS step explains what receivers will object to.",
            expected=category, dns=variant, group="dns"))
    return tuple(out)


SCENARIOS: tuple[Scenario, ...] = SMTP_SCENARIOS + _dns_scenarios()


def get(name: str) -> Scenario | None:
    return next((s for s in SCENARIOS if s.name == name), None)
