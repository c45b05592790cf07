"""The normaliser for the lab scenarios' golden reports (tests/lab/data/golden/NAME.json).

A `lab --scenario NAME --check --format json` report varies from run to run only in what the lab
chooses afresh each time it starts, and in time. `normalise` replaces exactly those, nothing else:

- the lab's loopback ports: the SMTP port (``target.port``), the nameservers'
  (``target.nameservers``) and the other ports a port probe found (``details.ports``), by value
  wherever they appear → ``<smtp-port>``, ``<dns-port>``, ``<lab-port-K>``;
- the lab's temporary folder (``target.ca_file``'s parent) → ``<lab-dir>``;
- durations: the keys ``duration_ms``, ``t_ms``, ``ms``, ``waited_ms`` → 0, and "N ms" in text;
- clock times: ``started_at``, ``not_before``, ``not_after`` and any ISO date or time in text;
- freshly made keys: certificate ``serial`` numbers and DKIM public keys (``p=`` base64);
- the test message's size (its Date and Message-ID vary in length): ``SIZE=N`` on MAIL FROM and
  ``size`` in the details of the ``send.*`` checks;
- the test message's ``message_id`` (made afresh for each message) → ``<message-id>``;
- the order of a DNS answer's ``records`` (an RRset has none): sorted.

Everything else (ids, statuses, categories, titles, verdicts, replies, the transcript's lines)
must match the golden file exactly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).parent / "data" / "golden"

_DURATION_KEYS = frozenset({"duration_ms", "t_ms", "ms", "waited_ms"})
_TIME_KEYS = frozenset({"started_at", "not_before", "not_after", "accepted_at"})
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}"
                  r"(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?)?")
_MS = re.compile(r"\b\d+ ms\b")
_KEY_B64 = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")
_SIZE = re.compile(r"(MAIL FROM:<[^>]*> .*?SIZE=)\d+")


class _Normaliser:
    def __init__(self, report: dict[str, Any]) -> None:
        target = report.get("target") or {}
        self.smtp_port = target.get("port")
        self.dns_ports = {int(ns.rsplit(":", 1)[1]) for ns in target.get("nameservers") or ()
                          if ns.rsplit(":", 1)[-1].isdigit()}
        self.lab_ports: dict[int, str] = {}
        self._scan(report)
        ca_file = target.get("ca_file")
        self.lab_dir = str(Path(ca_file).parent) if ca_file else None

    def _scan(self, value: Any) -> None:
        """Number the ports a port probe lists (other than the SMTP and DNS ones), in order."""
        if isinstance(value, dict):
            for row in value.get("ports") or () if isinstance(value.get("ports"), list) else ():
                port = row.get("port") if isinstance(row, dict) else None
                if (isinstance(port, int) and port != self.smtp_port
                        and port not in self.dns_ports and port not in self.lab_ports):
                    self.lab_ports[port] = f"<lab-port-{len(self.lab_ports) + 1}>"
            for item in value.values():
                self._scan(item)
        elif isinstance(value, list):
            for item in value:
                self._scan(item)

    def text(self, value: str) -> str:
        if self.lab_dir:
            value = value.replace(self.lab_dir, "<lab-dir>")
        for port in self.dns_ports:
            value = re.sub(rf"\b{port}\b", "<dns-port>", value)
        for port, name in self.lab_ports.items():
            value = re.sub(rf"\b{port}\b", name, value)
        if self.smtp_port:
            value = re.sub(rf"\b{self.smtp_port}\b", "<smtp-port>", value)
        value = _ISO.sub("<time>", value)
        value = _MS.sub("N ms", value)
        value = _SIZE.sub(r"\1<n>", value)
        return _KEY_B64.sub("<key>", value)

    def walk(self, value: Any, key: str | None = None, check_id: str = "") -> Any:
        if isinstance(value, dict):
            check_id = value.get("id", check_id) if isinstance(value.get("id"), str) else check_id
            return {k: self.walk(v, k, check_id) for k, v in value.items()}
        if isinstance(value, list):
            items = [self.walk(v, key, check_id) for v in value]
            if key == "records" and all(isinstance(v, str) for v in items):
                items.sort()
            return items
        if key in _DURATION_KEYS and isinstance(value, int | float):
            return 0
        if key in _TIME_KEYS and isinstance(value, str):
            return "<time>"
        if key == "message_id" and isinstance(value, str):
            return "<message-id>"
        if key == "serial" and isinstance(value, str):
            return "<serial>"
        if key == "size" and check_id.startswith("send.") and isinstance(value, int):
            return "<n>"
        if key == "port" and isinstance(value, int):
            if value == self.smtp_port:
                return "<smtp-port>"
            if value in self.dns_ports:
                return "<dns-port>"
            if value in self.lab_ports:
                return self.lab_ports[value]
        if isinstance(value, str):
            return self.text(value)
        return value


def normalise(report: dict[str, Any]) -> dict[str, Any]:
    """``report`` (a parsed JSON report) with its run-to-run variation replaced (module doc)."""
    result: dict[str, Any] = _Normaliser(report).walk(report)
    return result


def dumps(report: dict[str, Any]) -> str:
    """The golden file's text for a normalised report."""
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
