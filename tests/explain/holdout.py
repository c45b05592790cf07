"""The Sisimai corpus split by provider: whole providers held out from tuning.

Each labelled sample names the mail system it comes from (``lhost-postfix-07.eml``: the
bouncing MTA; ``rhost-google-02.eml``: the remote host). A provider is held out when the first
byte of ``sha256("held-out" + name)`` is divisible by 4: a fixed quarter or so of the providers,
chosen by no one. Rules are tuned by looking at the training providers' misses only; the
held-out figure is the one that says whether the rules generalise. Test material only.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from tests.explain.corpus import GROUPS, UNDECIDED, disputed, read_tsv
from wizard.explain.engine import Engine, default_engine
from wizard.explain.parse import parse

SALT = "held-out"


def provider_of(sample: str) -> str:
    """``p5-sisimai/.../lhost-postfix-07.eml`` -> ``lhost-postfix``."""
    return re.sub(r"-\d+\.eml$", "", sample.rsplit("/", 1)[-1])


def held_out(provider: str) -> bool:
    return hashlib.sha256((SALT + provider).encode()).digest()[0] % 4 == 0


def string_rows() -> list[dict[str, str]]:
    """The labelled error strings Sisimai decided, each with its ``provider``."""
    rows = [r for r in read_tsv("sisimai-error-strings.tsv")
            if r["expected_reason"] not in UNDECIDED]
    for row in rows:
        row["provider"] = provider_of(row["sample"])
    return rows


def eml_rows() -> list[dict[str, str]]:
    """The labelled bounce messages' recipients, each with its ``provider``."""
    rows = [r for r in read_tsv("expected.tsv") if r["sisimai_reason"] not in UNDECIDED]
    for row in rows:
        row["provider"] = provider_of(row["eml"])
    return rows


def hit(reason: str, category: str, text: str, disputes: bool = True) -> bool:
    """Whether ``category`` is right for a sample Sisimai labelled ``reason``."""
    accepted = GROUPS[reason][1]
    return category in accepted or (disputes and disputed(text) == category)


def accuracy(results: Iterable[tuple[str, str, str]], disputes: bool = True) -> tuple[float, int]:
    """(share right, count) of (reason, category, text) triples."""
    items = list(results)
    if not items:
        return 0.0, 0
    right = sum(hit(r, c, t, disputes) for r, c, t in items)
    return right / len(items), len(items)


# --- the project's own table of documented provider replies, one provider left out at a time ---

TABLE = Path(__file__).resolve().parent / "data" / "provider_replies.tsv"


def table_rows() -> list[dict[str, str]]:
    """provider_replies.tsv, each row with the ``provider`` whose file names its source page."""
    from wizard.catalog.providers import catalog

    owner: dict[str, str] = {}
    for pid, provider in catalog().items():
        for url in provider.sources:
            owner.setdefault(url, pid)
    with TABLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        row["provider"] = owner.get(row["source"], "")
    return rows


def engine_without(provider: str) -> Engine:
    """The built-in engine as if ``provider`` had no table: its documented codes and every
    rule bound to it are gone (recognising it still works, but says nothing by itself)."""
    return Engine([r for r in default_engine().rules if r.provider != provider])


def leave_one_out(rows: Iterable[dict[str, str]]) -> list[tuple[dict[str, str], str, str]]:
    """(row, category, class) for each row, classified without its own provider's table."""
    engines: dict[str, Engine] = {}
    out = []
    for row in rows:
        pid = row["provider"]
        if pid not in engines:
            engines[pid] = engine_without(pid)
        reply = parse(row["text"])
        out.append((row, engines[pid].classify(reply).category, reply.reply_class))
    return out


# --- issue 22's provider batch: documented replies of providers that had no table ---------------

BATCH = Path(__file__).resolve().parent / "data" / "provider_replies_i22.tsv"


def batch_rows() -> list[dict[str, str]]:
    """provider_replies_i22.tsv: replies quoted by the pages in its ``source`` column, each with
    its ``provider`` and ``held_out`` (``hash``: held out by the hash of its name, ``no-docs``: no
    table since no page of the provider's own was found, empty: tuned on)."""
    with BATCH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def score_batch(rows: Iterable[dict[str, str]]) -> list[tuple[dict[str, str], str, str, str]]:
    """(row, category with every table, category without its own table, class) for each row."""
    engines: dict[str, Engine] = {}
    out = []
    for row in rows:
        pid = row["provider"]
        if pid not in engines:
            engines[pid] = engine_without(pid)
        reply = parse(row["text"])
        out.append((row, default_engine().classify(reply).category,
                    engines[pid].classify(reply).category, reply.reply_class or ""))
    return out
