"""The category ids of DESIGN.md ("Categories (contract)"), with a one-line meaning each.

Ids are a contract: add finer ones if needed, never rename.
"""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    # Reaching the server
    "dns-host-not-found": "The server's host name does not resolve to an address.",
    "connection-refused": "The host answered but nothing listens on that port.",
    "connection-timeout": "No answer at all: a firewall, or an ISP/cloud block on port 25.",
    "connection-dropped": "The server closed the connection in the middle of the session.",
    "service-unavailable": "The server refuses service (421/554 greeting, shutting down).",
    "protocol-error": "A command was out of sequence or malformed (5.5.x).",
    "server-error": "The server had a local error (451 4.3.x).",
    "mailbox-busy": "The mailbox is locked or busy; try later.",
    # TLS
    "tls-not-offered": "The server does not offer STARTTLS where encryption is needed.",
    "tls-mode-mismatch": "Implicit TLS spoken to a STARTTLS port, or the other way round.",
    "tls-required": "The server requires STARTTLS before this command (530 5.7.0).",
    "tls-handshake": "The TLS handshake failed.",
    "tls-certificate": "The server's certificate is expired, for another name, or untrusted.",
    # Authentication
    "auth-not-offered": "The server does not advertise AUTH.",
    "auth-required": "The server requires authentication before sending.",
    "auth-failed": "The user name or password was rejected.",
    "auth-app-password": "The provider wants an app password (or OAuth), not the account password.",
    "auth-disabled": "SMTP AUTH is turned off for the account or tenant.",
    "auth-mechanism": "The mechanism is unsupported or needs encryption first.",
    # Sending
    "relay-denied": "The server will not relay for this sender/recipient.",
    "sender-rejected": "The envelope sender (MAIL FROM) was refused.",
    "recipient-unknown": "The recipient mailbox does not exist.",
    "recipient-domain": "The recipient domain does not exist or has no mail host.",
    "mailbox-full": "The recipient's mailbox is over quota.",
    "mailbox-disabled": "The recipient's mailbox is disabled or suspended.",
    "message-too-large": "The message exceeds the server's size limit.",
    "message-format": "The message does not comply with RFC 5322.",
    "content-rejected": "The content was rejected as spam, virus or policy.",
    # Sender authentication and reputation
    "spf-fail": "SPF did not pass for the sending IP.",
    "dkim-fail": "DKIM did not verify.",
    "dmarc-fail": "DMARC failed: neither SPF nor DKIM passed aligned with the From domain.",
    "sender-unauthenticated": "Neither SPF nor DKIM passed.",
    "ptr-missing": "The sending IP has no (matching) reverse DNS.",
    "blocklisted": "The sending IP or domain is on a blocklist.",
    "bad-reputation": "The sender's reputation is too poor to accept mail.",
    "policy-rejected": "Rejected by a local policy.",
    # Pace
    "rate-limited": "Too much mail too fast: the server throttles the sender.",
    "too-many-connections": "Too many simultaneous connections from this client.",
    "greylisted": "Temporarily deferred on first contact; retrying later succeeds.",
    # Delivery
    "delivery-expired": "The message could not be delivered before it expired in the queue.",
    "routing-loop": "The message looped between servers.",
    # DNS configuration findings
    "dns-mx": "A problem with the domain's MX records.",
    "dns-spf": "A problem with the domain's SPF record.",
    "dns-dkim": "A problem with the domain's DKIM key records.",
    "dns-dmarc": "A problem with the domain's DMARC record.",
    "dns-ptr": "A problem with reverse DNS for the sending IP.",
    "dns-mta-sts": "A problem with the domain's MTA-STS policy.",
    "dns-tlsrpt": "A problem with the domain's TLS-RPT record.",
    "dns-dane": "A problem with the domain's DANE TLSA records.",
    # Outcomes
    "success": "The server accepted the command (2xx).",
    "unknown": "The reply could not be classified.",
}


def is_category(value: str | None) -> bool:
    return value in CATEGORIES
