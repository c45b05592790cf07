"""Test inputs for the explain benchmarks: a realistic mail log and many distinct replies.

The log mixes Postfix and Exim lines as a busy relay writes them: successful deliveries,
connections and queue manager lines between the deferred and bounced ones, whose replies come
from a few hundred real templates while addresses, IPs, queue ids and times vary. The distinct
replies are real reply texts with random words and ids woven in, so no two share a template
(the per-template cache cannot help). Deterministic (seeded); written to a file by the test.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / ".." / "shared" / "corpora" / "bounces" / "sisimai-error-strings.tsv"
PROVIDER_TABLE = REPO / "tests" / "explain" / "data" / "provider_replies.tsv"

_DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "example.org", "example.net", "icloud.com",
            "gmx.de", "mail.ru", "corp.example", "example.co.jp", "orange.fr", "comcast.net"]
_RELAYS = {"gmail.com": "gmail-smtp-in.l.google.com", "outlook.com":
           "outlook-com.olc.protection.outlook.com", "yahoo.com": "mta5.am0.yahoodns.net",
           "icloud.com": "mx01.mail.icloud.com", "gmx.de": "mx00.gmx.net"}
_WORDS = [
    "mailbox", "quota", "policy", "relay", "message", "server", "domain", "network", "account",
    "sender", "recipient", "delivery", "temporary", "permanent", "system", "blocked", "rejected",
    "user", "address", "spam", "content", "limit", "volume", "reputation", "connection",
    "session", "transaction", "header", "attachment",
]


def reply_texts() -> list[str]:
    """Real reply texts: the Sisimai strings and the provider documentation table."""
    texts: list[str] = []
    if CORPUS.exists():
        for row in CORPUS.read_text(encoding="utf-8").splitlines()[1:]:
            cols = row.split("\t")
            if len(cols) > 5 and cols[5].strip():
                texts.append(cols[5])
    if PROVIDER_TABLE.exists():
        for row in PROVIDER_TABLE.read_text(encoding="utf-8").splitlines()[1:]:
            cols = row.split("\t")
            if cols and cols[0].strip():
                texts.append(cols[0])
    return texts


def _ip(rng: random.Random) -> str:
    return ".".join(str(n) for n in (rng.randint(1, 223), rng.randint(0, 255),
                                     rng.randint(0, 255), rng.randint(1, 254)))


def _qid(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789ABCDEF") for _ in range(10))


def _user(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10)))


def mail_log(lines: int, seed: int = 7) -> list[str]:
    """``lines`` lines of a Postfix/Exim log; about 60 % are deferred or bounced deliveries."""
    rng = random.Random(seed)
    replies = [t for t in reply_texts() if len(t) < 400][:300] or ["550 5.1.1 User unknown"]
    out: list[str] = []
    for n in range(lines):
        second = n // 40
        stamp = f"Nov 29 {10 + second // 3600 % 12:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
        pick = rng.randrange(len(replies))
        domain = _DOMAINS[pick % len(_DOMAINS)]  # a reply comes from one destination, as in life
        relay = _RELAYS.get(domain, f"mx{1 + pick % 2}.{domain}")
        rcpt = f"{_user(rng)}@{domain}"
        kind = rng.random()
        if kind < 0.6:
            reply = replies[pick]
            ip = _ip(rng)
            if rng.random() < 0.7:
                status = "deferred" if reply.lstrip()[:1] == "4" else "bounced"
                out.append(
                    f"{stamp} mx1 postfix/smtp[{rng.randint(1000, 99999)}]: {_qid(rng)}: "
                    f"to=<{rcpt}>, relay={relay}[{ip}]:25, delay={rng.random() * 9:.1f}, "
                    f"delays=0.1/0/0.3/0.2, dsn=5.0.0, status={status} (host {relay}[{ip}] "
                    f"said: {reply} (in reply to RCPT TO command))")
            else:
                flag = "==" if reply.lstrip()[:1] == "4" else "**"
                out.append(
                    f"2026-11-29 {stamp[7:]} 1{_qid(rng)[:5]}-000{rng.randint(100, 999)}-Ab "
                    f"{flag} {rcpt} R=dnslookup T=remote_smtp H={relay} [{ip}]: SMTP error "
                    f"from remote mail server after RCPT TO:<{rcpt}>: {reply}")
        elif kind < 0.85:
            ip = _ip(rng)
            out.append(
                f"{stamp} mx1 postfix/smtp[{rng.randint(1000, 99999)}]: {_qid(rng)}: "
                f"to=<{rcpt}>, relay={relay}[{ip}]:25, delay=0.4, delays=0.1/0/0.1/0.2, "
                f"dsn=2.0.0, status=sent (250 2.0.0 OK {_qid(rng)} - gsmtp)")
        else:
            out.append(f"{stamp} mx1 postfix/smtpd[{rng.randint(1000, 99999)}]: connect from "
                       f"unknown[{_ip(rng)}]")
    return out


def distinct_replies(count: int, seed: int = 11) -> list[str]:
    """``count`` replies, no two alike even with ids masked: real texts with random words."""
    rng = random.Random(seed)
    replies = [t for t in reply_texts() if len(t) < 300] or ["550 5.1.1 User unknown"]
    out = []
    for n in range(count):
        base = replies[n % len(replies)]
        words = " ".join(rng.choice(_WORDS) for _ in range(3))
        out.append(f"{base} ({words} {_user(rng)} {n})")
    return out
