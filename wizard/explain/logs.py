"""Read mail-server logs: the deliveries that were deferred or bounced, one event per line.

Postfix (``postfix/smtp ... to=<a@b>, relay=..., dsn=5.1.1, status=bounced (reply)``), Exim
(``** a@b ... : SMTP error ... : 550 ...`` failures and ``== a@b ... defer ...`` deferrals),
Sendmail (``to=<a@b>, ... dsn=4.2.0, stat=Deferred: ...``) and Exchange message tracking CSV
(``#Fields:`` header or a Get-MessageTrackingLog export; FAIL, DEFER and DSN events). The format
is recognised per line, so concatenated logs work. Only parsing: what a reply means is the
engine's business, grouping is :mod:`wizard.explain.triage`'s. Lines that are not a failed or
deferred delivery (connections, successful deliveries, other programs) return None quickly.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

__all__ = ["Event", "LogReader"]


@dataclass(frozen=True, slots=True)
class Event:
    """One deferred or bounced delivery."""

    time: str
    status: str  # "deferred" or "bounced"
    recipient: str
    reply: str
    relay: str = ""
    dsn: str = ""

    @property
    def domain(self) -> str:
        return self.recipient.rpartition("@")[2].lower().strip(">") or "(no domain)"


_SYSLOG_TIME = (r"(?P<time>(?:\d{4} )?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d"
                r"|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)")
_POSTFIX = re.compile(
    r"(?:" + _SYSLOG_TIME + r" \S+ )?postfix[\w/.-]*\[\d+\]: \w+: to=<(?P<to>[^>]*)>,"
    r"(?:.*? relay=(?P<relay>[^,]*),)?(?:.*? dsn=(?P<dsn>[\d.]+),)?"
    r".*? status=(?P<status>deferred|bounced|expired)\s*\((?P<reply>.*)\)\s*$"
)
_SENDMAIL = re.compile(
    _SYSLOG_TIME + r" \S+ (?:sm-mta|sendmail)\[\d+\]: \w+: to=(?P<to>[^,]*),"
    r"(?:.*? relay=(?P<relay>[^,]*),)?.*? dsn=(?P<dsn>[45][\d.]+), stat=(?P<reply>.*)$"
)
_EXIM = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?) (?:\[\d+\] )?"
    r"\S+ (?P<flag>\*\*|==) (?P<to>\S+)(?: <[^>]*>)?(?P<rest>.*)$"
)
_EXIM_HOST = re.compile(r"\bH=(\S+)")
_SAID = re.compile(r"host \S+\[[^\]]*\] said: ")
_EXCHANGE_EVENTS = {"FAIL": "bounced", "DEFER": "deferred", "DSN": "bounced"}


class LogReader:
    """Turns log lines into :class:`Event` (keeps the Exchange CSV header it has seen)."""

    def __init__(self) -> None:
        self._fields: dict[str, int] | None = None

    def event(self, line: str) -> Event | None:
        """The deferred or bounced delivery on ``line``, else None."""
        if "postfix" in line and "status=" in line:
            return self._postfix(line)
        if " ** " in line or " == " in line:
            return self._exim(line)
        if "stat=" in line and " dsn=" in line:
            return self._sendmail(line)
        if line.startswith("#Fields:") or line.startswith('"Timestamp"') or \
                line.lower().startswith("date-time,"):
            self._header(line)
            return None
        if self._fields is not None and ("FAIL" in line or "DEFER" in line or "DSN" in line):
            return self._exchange(line)
        return None

    @staticmethod
    def _postfix(line: str) -> Event | None:
        m = _POSTFIX.search(line)
        if not m:
            return None
        status = "deferred" if m.group("status") == "deferred" else "bounced"
        relay = (m.group("relay") or "").strip()
        reply = m.group("reply")
        said = _SAID.match(reply)
        if said:  # "host mx[192.0.2.1] said: <the server's reply>": the relay is kept apart
            reply = reply[said.end():]
        return Event(m.group("time") or "", status, m.group("to"), reply,
                     "" if relay == "none" else relay, m.group("dsn") or "")

    @staticmethod
    def _exim(line: str) -> Event | None:
        m = _EXIM.match(line)
        if not m:
            return None
        rest = m.group("rest")
        status = "bounced" if m.group("flag") == "**" else "deferred"
        host = _EXIM_HOST.search(rest)
        reply = rest.split(": ", 1)[1] if ": " in rest else rest.strip()
        if host and ": " in rest[host.end():]:
            reply = rest[host.end():].split(": ", 1)[1]
        return Event(m.group("time"), status, m.group("to").strip("<>"), reply.strip(),
                     host.group(1) if host else "")

    @staticmethod
    def _sendmail(line: str) -> Event | None:
        m = _SENDMAIL.search(line)
        if not m:
            return None
        reply, dsn = m.group("reply"), m.group("dsn")
        status = "deferred" if dsn.startswith("4") or reply.startswith("Deferred") else "bounced"
        return Event(m.group("time"), status, m.group("to").strip("<> "), reply,
                     (m.group("relay") or "").strip(), dsn)

    def _header(self, line: str) -> None:
        text = line[len("#Fields:"):] if line.startswith("#Fields:") else line
        names = next(csv.reader([text.strip()]))
        self._fields = {n.strip().strip('"').lower().replace("-", ""): i
                        for i, n in enumerate(names)}

    def _exchange(self, line: str) -> Event | None:
        fields = self._fields or {}
        try:
            row = next(csv.reader([line]))
        except (csv.Error, StopIteration):
            return None

        def col(*names: str) -> str:
            for name in names:
                i = fields.get(name)
                if i is not None and i < len(row):
                    return row[i]
            return ""

        status = _EXCHANGE_EVENTS.get(col("eventid").upper())
        if status is None:
            return None
        reply = col("recipientstatus")
        if not reply:
            return None
        return Event(col("datetime", "timestamp"), status,
                     col("recipientaddress", "recipients").split(";")[0], reply,
                     col("serverhostname"))
