"""Read the receiving side of a mail server's own log: what it refused, who failed to log in,
TLS trouble, dropped sessions and rate limits, plus pflogsumm-style totals.

Postfix (syslog ``Nov 29 18:00:01 host postfix/smtpd[1]: ...``, with a year or an ISO/RFC 3339
``postlogd`` timestamp, multi-instance names such as ``postfix/submission/smtpd`` or
``postfix-out/smtp``), Dovecot auth failures and Exim's rejectlog/mainlog rejects and
``authenticator failed`` lines. One line gives at most one :class:`Incident`; every Postfix line
also feeds the :class:`Tally` (received, delivered, deferred, bounced, rejected, counted the way
pflogsumm counts them, so the two agree on the same log). Only parsing: what a reply means is the
engine's business, grouping is :mod:`wizard.explain.triage`'s. Deliveries (deferred, bounced)
stay with :mod:`wizard.explain.logs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Incident", "ServerLogReader", "Tally", "minute_key", "redact"]

_MONTHS = {m: f"{i:02d}" for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


def minute_key(time: str) -> str:
    """``MM-DD HH:MM`` for a syslog, ISO or Exim timestamp (the year is dropped so that logs in
    both forms compare), or "" when ``time`` is none of them. Sorts as time does."""
    t = time.strip()
    if len(t) >= 16 and t[4] == "-" and t[:4].isdigit():  # 2026-11-29T18:00:01 / Exim's space
        return f"{t[5:10]} {t[11:16]}"
    if len(t) >= 5 and t[:4].isdigit() and t[4] == " ":  # "2026 Nov 29 18:00:01"
        t = t[5:]
    month = _MONTHS.get(t[:3])
    if month is None or len(t) < 12:
        return ""
    day = t[4:6].strip().zfill(2)
    return f"{month}-{day} {t[7:12]}"


_SECRET = re.compile(r"(?i)(given password: |password=|passwd=|pass=)(\S+?)(?=[,)\s]|$)")


def redact(text: str) -> str:
    """``text`` with any password a verbose auth log printed replaced by ``<redacted>``."""
    if "pass" not in text.lower():
        return text
    return _SECRET.sub(r"\1<redacted>", text)


@dataclass(frozen=True, slots=True)
class Incident:
    """One thing the server refused or failed at, on the receiving side."""

    time: str
    kind: str  # reject | auth | tls | lost | limit
    reason: str  # the finer kind: relay, recipient, rbl, sasl, cipher, after-DATA ...
    reply: str  # the text to explain (the reply sent, or the warning)
    line: str  # the whole log line (redacted)
    client: str = ""  # host[ip] as logged
    ip: str = ""
    user: str = ""
    sender: str = ""
    recipient: str = ""
    stage: str = ""  # CONNECT, HELO, MAIL, RCPT, DATA, END-OF-MESSAGE, AUTH, STARTTLS ...
    detail: str = ""  # the blocklist named, the policy service ...

    @property
    def recipient_domain(self) -> str:
        return self.recipient.rpartition("@")[2].lower() if "@" in self.recipient else ""


@dataclass
class Tally:
    """Totals as pflogsumm counts them (its "Grand Totals")."""

    received: int = 0
    delivered: int = 0
    forwarded: int = 0
    deferrals: int = 0
    bounced: int = 0
    rejected: int = 0
    deferred_ids: set[str] = field(default_factory=set)

    @property
    def deferred(self) -> int:
        """Messages deferred at least once (pflogsumm's "deferred"; ``deferrals`` counts tries)."""
        return len(self.deferred_ids)

    def merge(self, other: Tally) -> None:
        self.received += other.received
        self.delivered += other.delivered
        self.forwarded += other.forwarded
        self.deferrals += other.deferrals
        self.bounced += other.bounced
        self.rejected += other.rejected
        self.deferred_ids |= other.deferred_ids

    def to_json(self) -> dict[str, int]:
        return {"received": self.received, "delivered": self.delivered,
                "forwarded": self.forwarded, "deferred": self.deferred,
                "deferrals": self.deferrals, "bounced": self.bounced, "rejected": self.rejected}


_CLIENT = r"(?P<client>[^\s\[]*\[(?P<ip>[^\]]*)\])(?::\d+)?"
_REJECT = re.compile(
    r"^(?P<qid>\w+): (?P<what>reject|milter-reject): (?P<stage>[A-Z-]+) from " + _CLIENT +
    r": (?P<reply>.*?)(?:; from=<(?P<from>[^>]*)>,? to=<(?P<to>[^>]*)>.*)?$")
_CLEANUP_REJECT = re.compile(
    r"^(?P<qid>\w+): (?P<what>reject|milter-reject): (?P<stage>header|body|END-OF-MESSAGE) "
    r"(?P<reply>.*?)(?: from " + _CLIENT + r")?; from=<(?P<from>[^>]*)>,? to=<(?P<to>[^>]*)>"
    r"(?:.*?: (?P<text>\d\.\d\.\d .*))?")
_SASL = re.compile(r"^warning: " + _CLIENT + r": SASL (?P<mech>[\w-]+) authentication failed:?"
                   r" ?(?P<why>.*?)(?:, sasl_username=(?P<user>\S+))?$")
_LOST = re.compile(r"^(?P<what>lost connection|timeout|too many errors) after (?P<stage>[\w-]+)"
                   r"(?: \(\d+ bytes\))? from " + _CLIENT)
_RATE = re.compile(r"^warning: (?P<what>Connection (?:rate|count)|Message delivery request rate"
                   r"|Recipient address rate|New TLS session rate|AUTH command rate)"
                   r" limit exceeded: \d+ from " + _CLIENT)
_TLS_FROM = re.compile(r"^(?:SSL_accept error|TLS handshake failed|warning: TLS library problem)"
                       r".*?from " + _CLIENT)
_TLS_LIB = re.compile(r"TLS library problem: (?:error:[0-9A-Fa-f]+:[^:]*:[^:]*:)?(?P<why>[^:]+)")
_CERT = re.compile(r"^(?:warning: )?(?:certificate verification failed for|"
                   r"server certificate verification failed for|Untrusted TLS connection"
                   r" established to) (?P<client>[^\s\[]*\[(?P<ip>[^\]]*)\])")
_POSTSCREEN = re.compile(r"^(?P<what>PREGREET|HANGUP|COMMAND PIPELINING|NON-SMTP COMMAND|"
                         r"BARE NEWLINE|DNSBL rank \d+)\b.*? from \[(?P<ip>[^\]]*)\]")
_RBL = re.compile(r"blocked using (?P<list>[\w.-]+)")
_DOVECOT = re.compile(r"\b(?P<svc>imap|pop3|submission|managesieve)-login: (?:Info: )?"
                      r"(?:Disconnected|Aborted login)[^(]*\((?P<why>auth failed[^)]*)\):"
                      r" user=<(?P<user>[^>]*)>.*?rip=(?P<ip>[\d.a-fA-F:]+)")
_EXIM_REJECT = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.\d+)?(?: [+-]\d{4})?(?: \[\d+\])?"
    r"(?: \S+)? (?:H=(?P<host>.*?) )?\[(?P<ip>[\d.a-fA-F:]+)\](?::\d+)?.*?"
    r"(?: F=<(?P<from>[^>]*)>)?(?P<what> rejected| temporarily rejected) (?P<stage>[A-Z]+)"
    r"(?: <(?P<to>[^>]*)>)?: (?P<reply>.*)$")
_EXIM_AUTH = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.\d+)?(?: [+-]\d{4})?(?: \[\d+\])?"
    r" (?P<auth>\w+) authenticator failed for (?P<host>.*?)\[(?P<ip>[\d.a-fA-F:]+)\].*?:"
    r" (?P<reply>\d{3}.*?)(?: \(set_id=(?P<user>[^)]*)\))?$")


def _restriction(reply: str) -> tuple[str, str]:
    """Which of Postfix's restrictions fired, from the reply it sent (and the list named)."""
    low = reply.lower()
    rbl = _RBL.search(reply)
    if rbl:
        return "rbl", rbl.group("list")
    if "relay access denied" in low:
        return "relay", ""
    if "greylist" in low or "policy" in low or "spf" in low:
        return "policy", ""
    if "recipient address rejected" in low:
        return "recipient", ""
    if "sender address rejected" in low:
        return "sender", ""
    if "helo command rejected" in low:
        return "helo", ""
    if "client host rejected" in low:
        return "client", ""
    if "message size exceeds" in low or "too large" in low:
        return "size", ""
    if "pipelining" in low or "data command rejected" in low:
        return "protocol", ""
    return "other", ""


class ServerLogReader:
    """Turns receiving-side log lines into :class:`Incident` and counts the :class:`Tally`."""

    def __init__(self) -> None:
        self.tally = Tally()

    def feed(self, line: str) -> Incident | None:
        """Count ``line`` and return the problem it records, if any."""
        at = line.find("postfix")
        if at > 0:
            return self._postfix(line, at)
        if "-login: " in line and "auth failed" in line:
            return self._dovecot(line)
        if "rejected " in line or "authenticator failed" in line:
            return self._exim(line)
        return None

    # --- Postfix ---------------------------------------------------------------------------

    def _postfix(self, line: str, at: int) -> Incident | None:
        bracket = line.find("[", at)
        end = line.find("]: ", bracket)
        if bracket < 0 or end < 0:
            return None
        prog = line[at:bracket]
        if " " in prog:
            return None
        daemon = prog.rpartition("/")[2]
        msg = line[end + 3:]
        time = line[:at].rstrip().rpartition(" ")[0]
        if daemon == "smtpd" or daemon == "postscreen":
            return self._smtpd(time, line, msg, daemon)
        if daemon == "cleanup":
            if "reject: " in msg:
                m = _CLEANUP_REJECT.match(msg)
                if m:
                    self.tally.rejected += 1
                    return self._reject(time, line, m, m.group("text") or m.group("reply"),
                                        cleanup=True)
            return None
        if daemon == "pickup":
            if ": uid=" in msg or ": sender=" in msg:
                self.tally.received += 1
            return None
        if "status=" in msg:
            self._status(msg)
            return None
        if daemon in ("smtp", "lmtp") and ("verification failed" in msg or
                                           msg.startswith("Untrusted TLS")):
            m = _CERT.match(msg)
            if m:
                return Incident(time, "tls", "certificate-out", msg, redact(line),
                                m.group("client"), m.group("ip"))
        return None

    def _status(self, msg: str) -> None:
        s = msg.find(", status=")
        if s < 0 or "to=<" not in msg or " relay=" not in msg or "delay=" not in msg:
            return
        status = msg[s + 9:].split(" ", 1)[0]
        if status == "sent":
            if "forwarded as " in msg:
                self.tally.forwarded += 1
            else:
                self.tally.delivered += 1
        elif status == "deferred":
            self.tally.deferrals += 1
            self.tally.deferred_ids.add(msg.split(":", 1)[0])
        elif status == "bounced":
            self.tally.bounced += 1

    def _smtpd(self, time: str, line: str, msg: str, daemon: str) -> Incident | None:
        head = msg[:12]
        if head.startswith(("connect from", "disconnect fr", "Anonymous TLS", "Trusted TLS",
                            "Verified TLS", "CONNECT from", "PASS ", "WHITELISTED")):
            return None
        colon = msg.find(": ")
        if 0 < colon <= 12 and msg[:colon].isalnum() and not msg.startswith("warning:"):
            rest = msg[colon + 2:]
            if rest.startswith("client="):
                self.tally.received += 1
                return None
            if rest.startswith(("reject:", "milter-reject:")):
                if rest.startswith("reject:"):
                    self.tally.rejected += 1
                m = _REJECT.match(msg)
                return self._reject(time, line, m, m.group("reply")) if m else None
            return None
        if msg.startswith("warning: "):
            if "authentication failed" in msg:
                m = _SASL.match(msg)
                if m:
                    why = m.group("why") or ""
                    if why == "UGFzc3dvcmQ6":  # base64 of "Password:": failed at the password
                        why = "wrong password"
                    return Incident(time, "auth", "sasl", f"535 5.7.8 SASL {m.group('mech')}"
                                    f" authentication failed: {why}".rstrip(": "),
                                    redact(line), m.group("client"), m.group("ip"),
                                    user=m.group("user") or "", stage="AUTH")
                return None
            if "limit exceeded" in msg:
                m = _RATE.match(msg)
                if m:
                    return Incident(time, "limit", m.group("what").lower().replace(" ", "-"),
                                    "421 4.7.0 Error: too many connections", redact(line),
                                    m.group("client"), m.group("ip"))
                return None
            if "TLS library problem" in msg:
                return self._tls(time, line, msg)
            return None
        if msg.startswith(("SSL_accept error", "TLS handshake failed")):
            return self._tls(time, line, msg)
        if msg.startswith(("lost connection after", "timeout after", "too many errors after")):
            m = _LOST.match(msg)
            if m:
                what = m.group("what")
                kind = "limit" if what == "too many errors" else "lost"
                stage = m.group("stage")
                reason = "too-many-errors" if kind == "limit" else (
                    "after-STARTTLS" if stage == "STARTTLS" else
                    "after-AUTH" if stage == "AUTH" else "lost")
                return Incident(time, kind, reason, f"{what} after {stage}", redact(line),
                                m.group("client"), m.group("ip"), stage=stage)
            return None
        if daemon == "postscreen":
            m = _POSTSCREEN.match(msg)
            if m:
                what = m.group("what")
                reason = "dnsbl" if what.startswith("DNSBL") else what.lower().replace(" ", "-")
                return Incident(time, "limit", f"postscreen-{reason}", msg, redact(line),
                                f"[{m.group('ip')}]", m.group("ip"))
        return None

    def _tls(self, time: str, line: str, msg: str) -> Incident | None:
        m = _TLS_FROM.match(msg)
        why = ""
        lib = _TLS_LIB.search(msg)
        if lib:
            why = lib.group("why").strip()
        low = msg.lower()
        reason = ("cipher" if "no shared cipher" in low or "no suitable" in low or
                  "unsupported protocol" in low or "version" in low else
                  "certificate" if "certificate" in low else "handshake")
        return Incident(time, "tls", reason, f"TLS handshake failed: {why or msg}",
                        redact(line), m.group("client") if m else "", m.group("ip") if m else "",
                        stage="STARTTLS")

    def _reject(self, time: str, line: str, m: re.Match[str], reply: str,
                cleanup: bool = False) -> Incident:
        what, stage = m.group("what"), m.group("stage")
        if what == "milter-reject":
            reason, detail = "milter", ""
        elif cleanup:
            reason, detail = "content", stage
        else:
            reason, detail = _restriction(reply)
        return Incident(time, "reject", reason, reply, redact(line), m.group("client") or "",
                        m.group("ip") or "", sender=m.group("from") or "",
                        recipient=m.group("to") or "", stage=stage.upper(), detail=detail)

    # --- Dovecot and Exim ------------------------------------------------------------------

    @staticmethod
    def _dovecot(line: str) -> Incident | None:
        m = _DOVECOT.search(line)
        if not m:
            return None
        time = line[:m.start()].strip()
        time = " ".join(time.split(" ")[:3]) if not time[:4].isdigit() else time.split(" ")[0]
        return Incident(time, "auth", m.group("svc"), f"535 5.7.8 {m.group('why')}",
                        redact(line), m.group("ip"), m.group("ip"), user=m.group("user"),
                        stage="AUTH")

    @staticmethod
    def _exim(line: str) -> Incident | None:
        if "authenticator failed" in line:
            m = _EXIM_AUTH.match(line)
            if not m:
                return None
            return Incident(m.group("time"), "auth", "exim", m.group("reply"), redact(line),
                            f"{m.group('host')}[{m.group('ip')}]", m.group("ip"),
                            user=m.group("user") or "", stage="AUTH")
        m = _EXIM_REJECT.match(line)
        if not m:
            return None
        reply = m.group("reply")
        reason, detail = _restriction(reply)
        if reason == "other" and "relay not permitted" in reply.lower():
            reason = "relay"
        return Incident(m.group("time"), "reject", reason, reply, redact(line),
                        f"{m.group('host') or ''}[{m.group('ip')}]", m.group("ip"),
                        sender=m.group("from") or "", recipient=m.group("to") or "",
                        stage=m.group("stage"), detail=detail)
