"""Turn the JSON report of a real ``check`` into a scenario file that replays it on loopback.

``scenario_from_report(report)`` reads what the report saw - the greeting, the EHLO keywords,
the certificate's flaw, the replies to AUTH, MAIL, RCPT and DATA, the DNS records the DNS step
looked up (and which names did not exist) - and writes them as a scenario (``[smtp]`` replies,
``[dns.records]`` over an empty zone, ``[target]``), expecting the report's verdict category.

Redacted: a report holds no secret, and none is added (the replay logs in with the lab's public
training account; base64-looking blobs in AUTH replies are cut out). Unless ``keep_names``, every
host name and domain of the session (the server, the sender's and recipient's domains, the
names in the greeting, EHLO, certificate, MX and PTR, and everything under them) is replaced by
a lab name (``lab.test``, ``elsewhere.test``, ``other1.test`` ...), addresses by lab ones (the
sending IP becomes 127.0.0.1, others 192.0.2.x / 2001:db8::x), and e-mail addresses by
``alice``/``bob`` ones - in replies and DNS records alike, consistently, so SPF still matches.
Names of blocklists and public resolvers stay.

What has no lab equivalent (an unknown host name, a broken TLS handshake) is said in
:attr:`Recording.notes`; the rest replays to the same category.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.lab.smtp_server import LAB_USER
from wizard.model.errors import WizardError

MAX_REPORT_BYTES = 20_000_000
SENDER_DOMAIN = "lab.test"
RECIPIENT_DOMAIN = "elsewhere.test"
GENERIC_LABELS = frozenset({
    "mail", "smtp", "mx", "mx1", "mx2", "mx3", "relay", "www", "autodiscover", "mta-sts",
    "_dmarc", "_domainkey", "_mta-sts", "_smtp", "_tls", "_tcp", "_25", "_465", "_587",
    "_spf", "spf", "outbound", "submission", "imap", "pop",
})
CERT_KINDS = {"expired": "expired", "not-yet-valid": "not-yet-valid",
              "wrong-name": "wrong-name", "self-signed": "self-signed",
              "unknown-issuer": "private-ca"}
_NAME = re.compile(r"(?<![\w.@-])((?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+"
                   r"[a-z][a-z0-9-]{0,61}[a-z0-9])\.?(?![\w-])", re.IGNORECASE)
_EMAIL = re.compile(r"([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+)@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,63})")
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.]*\d)")
_IPV6 = re.compile(r"(?<![\w:])([0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7})(?![\w:])", re.IGNORECASE)
_BLOB = re.compile(r"[A-Za-z0-9+/]{20,}={0,2}")


class RecordError(WizardError):
    """The input is not a `check --format json` report (one line)."""


@dataclass
class Recording:
    """The scenario data written by :func:`scenario_from_report`, and what could not be kept."""

    data: dict[str, dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def toml(self, source: str = "") -> str:
        from wizard.lab.scenario_file import dumps

        comment = "Recorded by `smtp-wizard lab --record`" + (f" from {source}" if source else "")
        comment += ".\nReplay: smtp-wizard lab --scenario-file THIS_FILE --check"
        for note in self.notes:
            comment += f"\nNote: {note}"
        return dumps(self.data, comment)


def read_report(path: str) -> dict[str, Any]:
    """A JSON report from a file (``-`` for stdin), size-capped; RecordError when it is not one."""
    import sys

    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_REPORT_BYTES + 1)
        else:
            with Path(path).open("rb") as handle:
                raw = handle.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        raise RecordError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    if len(raw) > MAX_REPORT_BYTES:
        raise RecordError(f"{path}: larger than {MAX_REPORT_BYTES // 1_000_000} MB: not a report")
    try:
        report = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RecordError(f"{path}: not JSON ({' '.join(str(exc).split())[:120]})") from None
    if not (isinstance(report, dict) and report.get("schema") == 1
            and isinstance(report.get("checks"), list) and isinstance(report.get("target"), dict)
            and isinstance(report.get("verdict"), dict)):
        raise RecordError(f"{path}: not a `smtp-wizard check --format json` report (schema 1)")
    return report


# ------------------------------------------------------------------ renaming


def _registrable(name: str) -> str:
    from wizard.dns.suffixes import registrable

    return registrable(name) or ".".join(name.split(".")[-2:])


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class Renamer:
    """One consistent mapping of the session's names, addresses and mailboxes to lab ones."""

    def __init__(self, keep: bool, sending_ip: str | None, blocklists: set[str]) -> None:
        self.keep = keep
        self.domains: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.ips: dict[str, str] = {}
        self.locals: dict[str, str] = {}
        self.blocklists = sorted(blocklists, key=len, reverse=True)
        if sending_ip and _ip(sending_ip) and not keep:
            self.ips[str(_ip(sending_ip))] = "127.0.0.1"

    def claim(self, name: str | None, as_domain: str | None = None) -> None:
        """Treat ``name``'s registrable domain as the session's own (renamed)."""
        if self.keep or not name or _ip(name) or "." not in name.strip("."):
            return
        base = _registrable(name.strip(".").lower())
        if base in self.domains:
            return
        if as_domain and as_domain not in self.domains.values():
            self.domains[base] = as_domain
        else:
            self.domains[base] = f"other{len(self.domains) + 1}.test"

    def _label(self, label: str) -> str:
        if label in GENERIC_LABELS or label.isdigit():
            return label
        return self.labels.setdefault(label, f"h{len(self.labels) + 1}")

    def label(self, label: str) -> str:
        """One label (a DKIM selector) as it is renamed inside names."""
        return label if self.keep else self._label(label.lower())

    def name(self, name: str) -> str:
        """A host or domain name (a trailing dot is kept)."""
        if self.keep or not name:
            return name
        dot = "." if name.endswith(".") and name != "." else ""
        plain = name.rstrip(".").lower()
        if not plain:
            return name
        if plain.endswith((".in-addr.arpa", ".ip6.arpa")):
            return self._reverse(plain) + dot
        for zone in self.blocklists:
            if plain.endswith("." + zone):
                prefix = plain[: -len(zone) - 1]
                labels = prefix.split(".")
                if len(labels) == 4 and all(x.isdigit() for x in labels):
                    ip = self.ip(".".join(reversed(labels)))
                    return ".".join(reversed(ip.split("."))) + f".{zone}{dot}"
                return f"{self.name(prefix)}.{zone}{dot}"
        base = _registrable(plain)
        mapped = self.domains.get(base)
        if mapped is None:
            return name
        below = plain[: -len(base)].rstrip(".")
        labels = [self._label(x) for x in below.split(".")] if below else []
        return ".".join([*labels, mapped]) + dot

    def _reverse(self, name: str) -> str:
        if name.endswith(".in-addr.arpa"):
            labels = name[: -len(".in-addr.arpa")].split(".")
            if len(labels) == 4:
                ip = self.ip(".".join(reversed(labels)))
                return ".".join(reversed(ip.split("."))) + ".in-addr.arpa"
            return name
        nibbles = name[: -len(".ip6.arpa")].split(".")
        if len(nibbles) == 32:
            address = ipaddress.ip_address(int("".join(reversed(nibbles)), 16))
            mapped = ipaddress.ip_address(self.ip(str(address)))
            return mapped.reverse_pointer
        return name

    def ip(self, text: str) -> str:
        address = _ip(text)
        if self.keep or address is None or address.is_loopback or address.is_unspecified:
            return text
        key = str(address)
        if key not in self.ips:
            n = 10 + len(self.ips)
            self.ips[key] = (f"192.0.2.{n % 250 + 1}" if address.version == 4
                             else f"2001:db8::{n:x}")
        return self.ips[key]

    def mailbox(self, address: str | None, role: str = "") -> str | None:
        if not address or self.keep or "@" not in address:
            return address
        local, _, domain = address.rpartition("@")
        key = local.lower()
        if key not in self.locals:
            fixed = {"sender": "alice", "recipient": "bob"}.get(role)
            taken = set(self.locals.values())
            self.locals[key] = fixed if fixed and fixed not in taken else \
                f"user{len(self.locals) + 1}"
        return f"{self.locals[key]}@{self.name(domain)}"

    def text(self, text: str) -> str:
        """Free text (a reply, a TXT record) with mailboxes, names and addresses replaced."""
        if self.keep or not text:
            return text
        out = _EMAIL.sub(lambda m: self.mailbox(m.group(0)) or m.group(0), text)
        out = _NAME.sub(lambda m: self.name(m.group(1)) + m.group(0)[len(m.group(1)):], out)
        out = _IPV4.sub(lambda m: self.ip(m.group(1)), out)
        out = _IPV6.sub(lambda m: self.ip(m.group(1)) if _ip(m.group(1)) else m.group(1), out)
        return out

    def spf(self, record: str) -> str:
        """An SPF record: ``ip4:``/``ip6:`` terms that cover the sending IP cover 127.0.0.1."""
        if self.keep:
            return record
        sending = [ipaddress.ip_address(ip) for ip, lab in self.ips.items() if lab == "127.0.0.1"]
        terms = []
        for term in record.split():
            match = re.match(r"^([+?~-]?)(ip[46]):([^/\s]+)(/\d+)?$", term, re.IGNORECASE)
            if not match:
                terms.append(self.text(term))
                continue
            qualifier, kind, address, length = match.groups()
            try:
                network = ipaddress.ip_network(f"{address}{length or ''}", strict=False)
            except ValueError:
                terms.append(self.text(term))
                continue
            if any(ip.version == network.version and ip in network for ip in sending):
                terms.append(f"{qualifier}ip4:127.0.0.1")
            else:
                terms.append(f"{qualifier}{kind.lower()}:{self.ip(str(network.network_address))}")
        return " ".join(terms)


# ------------------------------------------------------------------ reading the report


def _lookups(value: Any) -> Iterator[dict[str, Any]]:
    """Every lookup record (``{name, type, status, records?}``) nested in a finding's details."""
    if isinstance(value, dict):
        if isinstance(value.get("name"), str) and isinstance(value.get("type"), str) \
                and isinstance(value.get("status"), str):
            yield value
        for item in value.values():
            yield from _lookups(item)
    elif isinstance(value, list):
        for item in value:
            yield from _lookups(item)


def _spf_nodes(trace: Any) -> Iterator[dict[str, Any]]:
    if isinstance(trace, dict):
        if isinstance(trace.get("domain"), str) and isinstance(trace.get("record"), str):
            yield trace
        for child in trace.get("children") or ():
            yield from _spf_nodes(child)


def _reply_line(reply: Any) -> str | None:
    if not isinstance(reply, dict) or not isinstance(reply.get("code"), int):
        return None
    text = " ".join(str(reply.get("text") or "").split())
    enhanced = reply.get("enhanced")
    parts = [str(reply["code"]), *([enhanced] if enhanced else []), *([text] if text else [])]
    return " ".join(parts)


class _Report:
    def __init__(self, report: dict[str, Any]) -> None:
        self.report = report
        self.target: dict[str, Any] = report.get("target") or {}
        self.checks: dict[str, dict[str, Any]] = {}
        for check in report.get("checks") or ():
            if isinstance(check, dict) and isinstance(check.get("id"), str):
                check.setdefault("details", {})
                if not isinstance(check["details"], dict):
                    check["details"] = {}
                self.checks.setdefault(check["id"], check)

    def get(self, check_id: str) -> dict[str, Any] | None:
        return self.checks.get(check_id)

    def failed(self, check_id: str) -> dict[str, Any] | None:
        check = self.checks.get(check_id)
        return check if check and check.get("status") in ("fail", "error") else None

    def dns_checks(self) -> list[dict[str, Any]]:
        return [c for i, c in self.checks.items() if i.startswith("dns.")]


def _blocklists(report: _Report) -> tuple[list[str], list[str]]:
    lists: dict[str, list[str]] = {"dns.dnsbl.ip": [], "dns.dnsbl.domain": []}
    for check_id, zones in lists.items():
        check = report.get(check_id)
        for row in (check or {}).get("details", {}).get("lists") or ():
            if isinstance(row, dict) and isinstance(row.get("zone"), str):
                zones.append(row["zone"].lower())
    ip = [z.lower() for z in report.target.get("ip_blocklists") or ()] or lists["dns.dnsbl.ip"]
    domain = [z.lower() for z in report.target.get("domain_blocklists") or ()] \
        or lists["dns.dnsbl.domain"]
    return ip, domain


def _claim_names(report: _Report, renamer: Renamer) -> None:
    t = report.target
    sender = t.get("domain") or str(t.get("mail_from") or "").rpartition("@")[2] or None
    recipient = str(t.get("rcpt_to") or "").rpartition("@")[2] or None
    renamer.claim(sender, SENDER_DOMAIN)
    renamer.claim(recipient, RECIPIENT_DOMAIN)
    renamer.claim(str(t.get("user") or "").rpartition("@")[2] or None)
    renamer.claim(t.get("host"))
    for check_id in ("smtp.ehlo", "smtp.ehlo.tls"):
        renamer.claim((report.get(check_id) or {}).get("details", {}).get("server_name"))
    greeting = (report.get("connect.greeting") or {}).get("reply") or {}
    first = str(greeting.get("text") or "").split(" ", 1)[0]
    if _NAME.fullmatch(first):
        renamer.claim(first)
    cert = (report.get("tls.certificate") or {}).get("details", {})
    cert = cert.get("certificate", cert)
    for name in [cert.get("subject"), *(cert.get("names") or ())]:
        if isinstance(name, str) and not name.startswith("*"):
            renamer.claim(name)
    for check_id in ("dns.mx.sender", "dns.mx.recipient"):
        for row in (report.get(check_id) or {}).get("details", {}).get("mx") or ():
            if isinstance(row, dict) and row.get("host") not in (None, "."):
                renamer.claim(str(row["host"]))
    for name in (report.get("dns.ptr") or {}).get("details", {}).get("names") or ():
        renamer.claim(str(name))


# ------------------------------------------------------------------ the scenario


def _smtp_table(report: _Report, renamer: Renamer, notes: list[str],
                target: dict[str, Any]) -> dict[str, Any]:
    smtp: dict[str, Any] = {}
    tcp = report.failed("connect.tcp")
    if tcp:
        if tcp.get("category") == "connection-refused":
            return {"behaviour": "closed-port"}
        target["timeout"] = 2.0
        return {"behaviour": "never-greet"}
    if report.failed("connect.resolve"):
        notes.append("the server's name did not resolve; the replay connects to the lab "
                     "server, so it finds something else")
    mode = report.failed("connect.security_mode")
    if mode:
        details = mode.get("details", {})
        if details.get("spoke") == "tls":
            target["security"] = "tls"
            return {"security": "starttls"}
        if details.get("first_bytes"):
            return {"behaviour": "tls-bytes"}
        target["security"] = "starttls"
        return {"security": "tls"}
    greeting = report.get("connect.greeting")
    if greeting and greeting.get("status") in ("fail", "error"):
        line = _reply_line(greeting.get("reply"))
        if line and not line.startswith("220"):
            return {"greeting": renamer.text(line)}
        target["timeout"] = 2.0
        return {"behaviour": "never-greet"}
    if greeting:
        line = _reply_line(greeting.get("reply"))
        if line and line.startswith("220"):
            smtp["greeting"] = renamer.text(line)
    ehlo_failed = report.failed("smtp.ehlo")
    if ehlo_failed and ehlo_failed.get("category") == "connection-dropped":
        return {"behaviour": "drop-after-ehlo"}
    before = (report.get("smtp.ehlo") or {}).get("details", {}).get("extensions") or {}
    after = (report.get("smtp.ehlo.tls") or {}).get("details", {}).get("extensions") or {}
    negotiated = str((report.get("tls.negotiated") or {}).get("details", {}).get("mode") or "")
    if negotiated.lower().startswith("implicit"):
        smtp["security"] = "tls"
    elif not any(k.upper() == "STARTTLS" for k in before):
        smtp["security"] = "none"
    keywords = after or before
    if keywords:
        smtp["ehlo"] = [renamer.text(f"{k} {v}".strip()) for k, v in keywords.items()
                        if k.upper() not in ("STARTTLS",)]
    cert = report.get("tls.certificate")
    if cert:
        details = cert.get("details", {})
        if cert.get("status") == "warn" and details.get("days_left") is not None:
            smtp["certificate"] = "expiring-soon"
        elif cert.get("status") == "fail":
            kind = CERT_KINDS.get(str(details.get("reason")))
            if kind:
                smtp["certificate"] = kind
            else:
                notes.append(f"certificate problem {details.get('reason')!r} has no lab kind")
    if report.failed("tls.handshake"):
        notes.append("the TLS handshake failed; the lab's handshake works")
    login = report.get("auth.login")
    if login and login.get("status") == "fail":
        line = _reply_line(login.get("reply"))
        if line:
            smtp["auth"] = _BLOB.sub("[redacted]", renamer.text(line))
        else:
            notes.append("AUTH failed without a reply; the replay answers 535")
            smtp["auth"] = "535 5.7.8 Authentication credentials invalid"
    for check_id, key in (("send.mail_from", "mail"), ("send.rcpt_to", "rcpt"),
                          ("send.data", "data")):
        check = report.get(check_id)
        line = _reply_line((check or {}).get("reply"))
        if line:
            smtp[key] = renamer.text(line)
    return smtp


def _add(records: dict[str, dict[str, list[str]]], name: str, rtype: str, value: str) -> None:
    node = records.setdefault(name, {})
    values = node.setdefault(rtype.upper(), [])
    if value not in values:
        values.append(value)


def _dns_records(report: _Report, renamer: Renamer, sending_ip: str | None
                 ) -> dict[str, Any]:
    from wizard.lab.dns_server import BEHAVIOURS

    records: dict[str, dict[str, list[str]]] = {}
    behaviours: dict[str, str] = {}

    def value(rtype: str, text: str) -> str:
        rtype = rtype.upper()
        if rtype == "TXT":
            return renamer.spf(text) if text.lower().startswith("v=spf1") else renamer.text(text)
        if rtype in ("A", "AAAA"):
            return renamer.ip(text)
        return renamer.text(text)

    for check in report.dns_checks():
        details = check.get("details", {})
        for lookup in _lookups(details):
            name, rtype, status = renamer.name(lookup["name"]), lookup["type"], lookup["status"]
            if status == "ok":
                for text in lookup.get("records") or ():
                    _add(records, name, rtype, value(rtype, str(text)))
            elif status == "nodata":
                records.setdefault(name, {})
            elif status.lower() in BEHAVIOURS:
                behaviours[name] = status.upper()
        if check["id"] in ("dns.mx.sender", "dns.mx.recipient"):
            domain = renamer.name(str(details.get("domain") or ""))
            for row in details.get("mx") or ():
                if not isinstance(row, dict):
                    continue
                host = str(row.get("host") or ".")
                mapped = "." if host == "." else renamer.name(host.rstrip(".")) + "."
                _add(records, domain, "MX", f"{row.get('preference', 10)} {mapped}")
                for address in row.get("addresses") or ():
                    kind = "AAAA" if ":" in str(address) else "A"
                    _add(records, mapped.rstrip("."), kind, renamer.ip(str(address)))
        if check["id"].startswith("dns.dkim.") and details.get("records"):
            for text in details["records"]:
                _add(records, renamer.name(str(details.get("name"))), "TXT", str(text))
        if check["id"] in ("dns.spf.lookups", "dns.spf.eval"):
            for node in _spf_nodes(details.get("trace")):
                _add(records, renamer.name(node["domain"]), "TXT", renamer.spf(node["record"]))
                for term in node.get("terms") or ():
                    _spf_target(records, renamer, term, sending_ip)
    out: dict[str, Any] = {name: node for name, node in records.items()}
    for name, behaviour in behaviours.items():
        out.setdefault(name, behaviour)
    return out


def _spf_target(records: dict[str, dict[str, list[str]]], renamer: Renamer, term: Any,
                sending_ip: str | None) -> None:
    """An ``a:name`` term whose address the report does not hold: give it one that matches
    the sending IP exactly when the term matched."""
    if not isinstance(term, dict):
        return
    match = re.match(r"^[+?~-]?a:([^/\s]+)", str(term.get("term") or ""), re.IGNORECASE)
    if not match:
        return
    name = renamer.name(match.group(1))
    if name in records and ("A" in records[name] or "AAAA" in records[name]):
        return
    matched = bool(term.get("matched"))
    address = renamer.ip(sending_ip) if matched and sending_ip else "192.0.2.250"
    _add(records, name, "AAAA" if ":" in address else "A", address)


def scenario_from_report(report: dict[str, Any], keep_names: bool = False,
                         name: str = "recorded-incident") -> Recording:
    """The scenario that replays ``report`` (see the module docstring)."""
    data = _Report(report)
    verdict = report.get("verdict") or {}
    expected = verdict.get("category")
    from wizard.catalog.categories import is_category

    if not is_category(expected):
        raise RecordError("the report's verdict has no category to replay")
    t = data.target
    ip_lists, domain_lists = _blocklists(data)
    sending_ip = t.get("sending_ip") if isinstance(t.get("sending_ip"), str) else None
    renamer = Renamer(keep_names, sending_ip, set(ip_lists) | set(domain_lists))
    _claim_names(data, renamer)
    notes: list[str] = []
    target: dict[str, Any] = {}
    mailboxes = {key: renamer.mailbox(t[key], role)
                 for key, role in (("mail_from", "sender"), ("rcpt_to", "recipient"))
                 if isinstance(t.get(key), str) and "@" in t[key]}
    smtp = _smtp_table(data, renamer, notes, target)
    security = t.get("security")
    if security in ("auto", "starttls", "tls", "none"):
        target.setdefault("security", security)
    target["user"] = LAB_USER if t.get("user") or t.get("oauth_token") else ""
    target.update(mailboxes)
    if isinstance(t.get("domain"), str) and t["domain"]:
        target["domain"] = renamer.name(t["domain"])
    if sending_ip:
        target["sending_ip"] = renamer.ip(sending_ip) if not keep_names else sending_ip
    selectors = [renamer.label(s) for s in t.get("dkim_selectors") or () if isinstance(s, str)]
    if selectors:
        target["dkim_selectors"] = selectors
    if ip_lists:
        target["ip_blocklists"] = ip_lists
    if domain_lists:
        target["domain_blocklists"] = domain_lists
    if t.get("send") is True:
        target["send"] = True
    dns_checks = data.dns_checks()
    if not dns_checks:
        target["dns"] = False
    title = str(verdict.get("headline") or "A recorded incident")
    head = {"name": name, "title": renamer.text(title)[:100], "expected": expected,
            "level": "intermediate",
            "description": "Recorded from a real check: " + renamer.text(title) + "."}
    scenario: dict[str, dict[str, Any]] = {"scenario": head}
    if smtp:
        scenario["smtp"] = smtp
    if dns_checks:
        scenario["dns"] = {"variant": "empty",
                           "records": _dns_records(data, renamer, sending_ip)}
    scenario["target"] = target
    return Recording(scenario, notes)
