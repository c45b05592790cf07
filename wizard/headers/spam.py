"""What the receivers' spam filters wrote into the message, decoded.

Microsoft 365 (``X-Forefront-Antispam-Report``: SCL, SFV, CAT, IPV, SFTY, CTRY ...;
``X-MS-Exchange-Organization-SCL``; ``X-Microsoft-Antispam`` BCL; ``compauth`` in
Authentication-Results), SpamAssassin (``X-Spam-Status`` score, threshold and rules,
``X-Spam-Flag``) and rspamd (``X-Spamd-Result``). Meanings are data: ``data/microsoft.toml`` and
``data/spamassassin.toml``, with Microsoft's and SpamAssassin's own wording.

Pure. Only the topmost occurrence of each field is read: that is the one the final receiver
added (a sender can forge lower ones). It deliberately does not judge content.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from wizard.headers.authres import Recorded
from wizard.headers.parse import Message


@cache
def _data(name: str) -> dict[str, Any]:
    text = resources.files("wizard.headers").joinpath(f"data/{name}.toml").read_text("utf-8")
    return tomllib.loads(text)


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    found = re.search(r"-?\d+(?:\.\d+)?", text)
    return float(found.group()) if found else None


def _band(rows: list[dict[str, Any]], value: int) -> dict[str, Any] | None:
    return next((r for r in rows if r["range"][0] <= value <= r["range"][1]), None)


def forefront_fields(value: str) -> dict[str, str]:
    """``KEY:VALUE;KEY:VALUE`` of X-Forefront-Antispam-Report (first occurrence wins)."""
    out: dict[str, str] = {}
    for part in value.split(";"):
        key, sep, val = part.strip().partition(":")
        if sep and key and key.upper() not in out:
            out[key.strip().upper()] = val.strip()
    return out


def _compauth(recorded: list[Recorded]) -> dict[str, Any] | None:
    entry = next((r for r in recorded if r.method == "compauth"), None)
    if entry is None:
        return None
    table = _data("microsoft")["compauth"]
    code = entry.reason or ""
    meaning = table.get(code) or (table.get(code[:1]) if code else None)
    return {"result": entry.result, "reason": code or None, "meaning": meaning}


def read_microsoft(message: Message, recorded: list[Recorded]) -> dict[str, Any] | None:
    data = _data("microsoft")
    forefront = message.value("X-Forefront-Antispam-Report")
    scl_field = message.value("X-MS-Exchange-Organization-SCL")
    antispam = message.value("X-Microsoft-Antispam")
    compauth = _compauth(recorded)
    if forefront is None and scl_field is None and antispam is None and compauth is None:
        return None
    fields = forefront_fields(forefront) if forefront else {}
    decoded: dict[str, dict[str, Any]] = {}
    reasons: list[str] = []
    for key, val in fields.items():
        entry: dict[str, Any] = {"value": val, "field": data["fields"].get(key)}
        table = data.get(key)
        if isinstance(table, dict) and val:
            row = table.get(val.upper()) or table.get(val)
            if row:
                entry.update(meaning=row["meaning"], spam=row["spam"])
                if row["spam"]:
                    reasons.append(f"{key}:{val} ({row['meaning']})")
        decoded[key] = entry
    scl_value = _number(scl_field) if scl_field is not None else _number(fields.get("SCL"))
    out: dict[str, Any] = {"fields": decoded, "scl": None, "bcl": None, "compauth": compauth}
    if scl_value is not None:
        scl = int(scl_value)
        band = _band(data["SCL"], scl)
        out["scl"] = {"value": scl, "meaning": band["meaning"] if band else None,
                      "source": "X-MS-Exchange-Organization-SCL" if scl_field is not None
                      else "X-Forefront-Antispam-Report"}
        if band and band["spam"]:
            reasons.insert(0, f"SCL {scl} ({band['meaning']})")
    if antispam:
        found = re.search(r"\bBCL:\s*(\d+)", antispam)
        if found:
            bcl = int(found.group(1))
            band = _band(data["BCL"], bcl)
            threshold = data["bcl"]["default_threshold"]
            out["bcl"] = {"value": bcl, "meaning": band["meaning"] if band else None,
                          "default_threshold": threshold, "over_threshold": bcl >= threshold}
            if bcl >= threshold:
                reasons.append(f"BCL {bcl} ({band['meaning'] if band else 'bulk'}; the default "
                               f"threshold is {threshold})")
    # compauth=fail alone is not a spam verdict ("the message might still be allowed"):
    # it is reported beside the verdict, and the authentication findings explain it.
    out["spam"] = bool(reasons)
    out["reasons"] = reasons
    out["bulk"] = fields.get("SRV", "").upper() == "BULK" or \
        fields.get("CAT", "").upper() == "BULK" or bool(out["bcl"] and out["bcl"]["over_threshold"])
    out["category"] = fields.get("CAT") or None
    return out


def _tests(text: str) -> list[dict[str, Any]]:
    rules = _data("spamassassin")["rules"]
    out = []
    for item in re.split(r"[,\s]+", text):
        name, _, score = item.partition("=")
        name = name.strip()
        if not name or name.lower() == "none":
            continue
        out.append({"name": name, "score": _number(score) if score else None,
                    "meaning": rules.get(name.upper())})
    return out[:200]


def read_spamassassin(message: Message) -> dict[str, Any] | None:
    status = message.value("X-Spam-Status")
    status = status[:20_000] if status else status  # a real one is a few hundred bytes
    flag = message.value("X-Spam-Flag")
    score_field = message.value("X-Spam-Score")
    if status is None and flag is None and score_field is None:
        return None
    out: dict[str, Any] = {"spam": None, "score": _number(score_field), "required": None,
                           "tests": [], "version": None}
    if status:
        head = status.split(",", 1)[0].strip().lower()
        if head in ("yes", "no"):
            out["spam"] = head == "yes"
        score = re.search(r"\b(?:score|hits)=(-?[\d.]+)", status)
        required = re.search(r"\brequired=(-?[\d.]+)", status)
        tests = re.search(r"\btests=(.*?)(?=\s+[a-z_]+=|$)", status)
        version = re.search(r"\bversion=([\w.\-]+)", status)
        if score:
            out["score"] = _number(score.group(1))
        if required:
            out["required"] = _number(required.group(1))
        if tests:
            out["tests"] = _tests(tests.group(1))
        if version:
            out["version"] = version.group(1)
    if flag is not None and out["spam"] is None:
        out["spam"] = flag.strip().upper().startswith("YES")
    if out["spam"] is None and out["score"] is not None and out["required"] is not None:
        out["spam"] = out["score"] >= out["required"]
    return out


def read_rspamd(message: Message) -> dict[str, Any] | None:
    result = message.value("X-Spamd-Result")
    if result is None:
        return None
    found = re.search(r"default:\s*(True|False)\s*\[\s*(-?[\d.]+)\s*/\s*(-?[\d.]+)\s*\]",
                      result, re.I)
    symbols = re.findall(r";\s*([A-Z0-9_]+)\((-?[\d.]+)\)", result)
    return {"spam": found.group(1).lower() == "true" if found else None,
            "score": float(found.group(2)) if found else None,
            "required": float(found.group(3)) if found else None,
            "symbols": [{"name": n, "score": float(s)} for n, s in symbols[:200]]}


def read_spam(message: Message, recorded: list[Recorded]) -> dict[str, Any]:
    """Every spam signal of the message, and one overall reading: spam, not-spam or unknown."""
    microsoft = read_microsoft(message, recorded)
    spamassassin = read_spamassassin(message)
    rspamd = read_rspamd(message)
    reasons: list[str] = []
    seen = False
    if microsoft is not None and (microsoft["scl"] or microsoft["fields"]):
        seen = True
        reasons += [f"Microsoft: {r}" for r in microsoft["reasons"]]
    if spamassassin is not None and spamassassin["spam"] is not None:
        seen = True
        if spamassassin["spam"]:
            reasons.append(f"SpamAssassin: score {spamassassin['score']} (threshold "
                           f"{spamassassin['required']})")
    if rspamd is not None and rspamd["spam"] is not None:
        seen = True
        if rspamd["spam"]:
            reasons.append(f"rspamd: score {rspamd['score']} (threshold {rspamd['required']})")
    verdict = "spam" if reasons else ("not-spam" if seen else "unknown")
    return {"verdict": verdict, "reasons": reasons, "microsoft": microsoft,
            "spamassassin": spamassassin, "rspamd": rspamd}
