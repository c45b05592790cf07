"""The Sisimai-labelled bounce corpus and how its reasons map onto our categories (in groups).

Sisimai's taxonomy differs from ours, so each of its reasons maps to the set of our categories
that say the same thing. Test material only: read from /work/shared/corpora, never copied.
"""

from __future__ import annotations

import csv
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpora"
BOUNCES = CORPORA / "bounces"
SKIP_REASON = f"test corpus not found at {CORPORA.resolve()} (/work/shared/corpora)"

_CONNECT = {"connection-timeout", "connection-refused", "connection-dropped"}

# Sisimai reason -> (our group name, categories that count as a match).
GROUPS: dict[str, tuple[str, set[str]]] = {
    "userunknown": ("recipient-unknown", {"recipient-unknown"}),
    "hasmoved": ("recipient-unknown", {"recipient-unknown"}),
    # Sisimai's "filtered": refused by a recipient-side filter, which mostly says "user unknown".
    "filtered": ("recipient-unknown", {"recipient-unknown", "policy-rejected",
                                        "content-rejected"}),
    "mailboxfull": ("mailbox-full", {"mailbox-full"}),
    "systemfull": ("server-error", {"server-error", "mailbox-full"}),
    "suspend": ("mailbox-disabled", {"mailbox-disabled"}),
    "hostunknown": ("recipient-domain", {"recipient-domain"}),
    "notaccept": ("recipient-domain", {"recipient-domain", "service-unavailable"}),
    "norelaying": ("relay-denied", {"relay-denied"}),
    "rejected": ("sender-rejected", {"sender-rejected", "policy-rejected"}),
    "authfailure": ("sender-authentication", {"spf-fail", "dkim-fail", "dmarc-fail",
                                               "sender-unauthenticated"}),
    "requireptr": ("ptr-missing", {"ptr-missing"}),
    "blocked": ("blocked", {"blocklisted", "bad-reputation", "ptr-missing", "policy-rejected",
                            "service-unavailable"}),
    "badreputation": ("blocked", {"bad-reputation", "blocklisted", "rate-limited"}),
    "securityerror": ("security", {"auth-required", "auth-failed", "sender-unauthenticated",
                                   "policy-rejected", "relay-denied"}),
    "policyviolation": ("policy", {"policy-rejected", "content-rejected", "message-format"}),
    "spamdetected": ("content-rejected", {"content-rejected"}),
    "virusdetected": ("content-rejected", {"content-rejected"}),
    "contenterror": ("message-format", {"message-format", "content-rejected"}),
    "notcompliantrfc": ("message-format", {"message-format"}),
    "mesgtoobig": ("message-too-large", {"message-too-large"}),
    "exceedlimit": ("message-too-large", {"message-too-large"}),
    "toomanyconn": ("pace", {"too-many-connections", "rate-limited"}),
    "speeding": ("pace", {"rate-limited", "too-many-connections"}),
    "expired": ("delivery", {"delivery-expired", *_CONNECT}),
    "networkerror": ("delivery", {"delivery-expired", "routing-loop", "recipient-domain",
                                  "dns-host-not-found", *_CONNECT}),
    "systemerror": ("server-error", {"server-error", "service-unavailable"}),
    "mailererror": ("server-error", {"server-error"}),
    "syntaxerror": ("protocol-error", {"protocol-error"}),
    "delivered": ("success", {"success"}),
    # Not delivery failures at all: a complaint (ARF) report or an auto-reply. Our categories do
    # not name them, so the honest answer is "unknown" (or success for an auto-reply).
    "feedback": ("not-a-bounce", {"unknown"}),
    "vacation": ("not-a-bounce", {"unknown", "success"}),
}

# Samples whose Sisimai label the reply's own words (or its provider's documentation) contradict:
# (text that identifies the sample, the category the words say, why). Scored with that category
# accepted as well as the group's; the README reports accuracy with and without them.
LABEL_DISPUTES: tuple[tuple[str, str, str], ...] = (
    ("550 Unknown user", "recipient-unknown",
     "the server says the user is unknown (Sisimai: rejected, from the DATA stage)"),
    ("[TSS04] Messages from", "rate-limited",
     "Yahoo documents [TSS04] as a deferral for unexpected volume (Sisimai: rejected)"),
    ("daily relay quota", "rate-limited", "a sending quota is a rate limit (Sisimai: blocked)"),
    ("550 Protocol violation", "protocol-error",
     "the words name a protocol violation (Sisimai: policyviolation)"),
    ("All recipient addresses rejected : Access denied", "recipient-unknown",
     "Microsoft documents 5.4.1 Access denied as directory-based recipient rejection"),
    ("Email flagged as Spam", "content-rejected", "the words say spam (Sisimai: rejected)"),
    ("maildrop: maildir over quota", "mailbox-full",
     "the words say the maildir is over quota (Sisimai: systemerror)"),
    ("returned was: 500 Remote server does not support TLS", "tls-not-offered",
     "the server's words say it offers no TLS (Sisimai: systemerror)"),
    ("returned was: 554 554 5.7.0 Header error", "message-format",
     "the server's words name a header error (Sisimai: filtered)"),
)

# Sisimai's own "could not decide" labels: nothing to compare against.
UNDECIDED = {"onhold", "undefined"}


def disputed(text: str) -> str | None:
    """The category a disputed sample's words say, if ``text`` is one of LABEL_DISPUTES."""
    for marker, category, _ in LABEL_DISPUTES:
        if marker in text:
            return category
    return None


def read_tsv(name: str) -> list[dict[str, str]]:
    with (BOUNCES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


_CLASSES = {"2": "success", "4": "temporary", "5": "permanent"}


def expected_class(status: str, reply_code: str, text: str) -> str | None:
    """The reply's class as labelled: its reply code, else a real DSN status the text quotes.

    Sisimai's 5.0.9xx statuses are its own codes, and a status the text does not contain (such
    as 4.0.0 for a 554 that Postfix merely deferred) is not the reply's class: neither counts.
    """
    if reply_code[:1] in _CLASSES:
        return _CLASSES[reply_code[0]]
    parts = status.split(".")
    real = len(parts) == 3 and parts[0] in _CLASSES and not parts[2].startswith("9")
    return _CLASSES[parts[0]] if real and status in text else None
