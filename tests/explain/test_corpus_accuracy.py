"""Accuracy against real bounces nobody here wrote (Sisimai's labels, compared in groups).

Sisimai's reasons map onto our categories in groups (``corpus.GROUPS``); a few labels the reply's
own words contradict are listed in ``corpus.LABEL_DISPUTES`` with the reason, and the report
prints accuracy with and without them. Floors are set just under what the classifier reaches
(with the disputes), so a regression fails. Temporary vs
permanent must match the reply's class wherever the labelled reply has one, apart from the few
documented below.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.explain.corpus import (
    BOUNCES,
    GROUPS,
    SKIP_REASON,
    UNDECIDED,
    disputed,
    expected_class,
    read_tsv,
)
from tests.explain.explaintools import classify
from wizard.cli.explain import _Articles, explain_bounce
from wizard.explain.parse import parse

pytestmark = pytest.mark.skipif(not BOUNCES.exists(), reason=SKIP_REASON)

STRINGS_FLOOR = 0.97
EML_FLOOR = 0.95
RAW_STRINGS_FLOOR = 0.95  # without the documented disputes
RAW_EML_FLOOR = 0.93

# Replies whose class we report differently from the label, on purpose:
CLASS_EXCLUSIONS = {
    # "554 4.4.7 Message expired ... <421 4.4.2 Connection timed out>": the label is the inner,
    # quoted 421; the reply itself is the outer 554.
    "Message expired: unable to deliver in 840 minutes",
    # An Apple transcript of three 554 replies and one 421: the label picks the 421.
    "ESMTP not accepting connections",
    # "550 4.4.7 QUEUE.Expired": basic and enhanced classes disagree; the basic code wins.
    "QUEUE.Expired",
}


def _score(results, disputes: bool = True):
    per_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for reason, category, text in results:
        group, accepted = GROUPS[reason]
        per_group[group][1] += 1
        per_group[group][0] += category in accepted or (disputes and disputed(text) == category)
    hits = sum(v[0] for v in per_group.values())
    total = sum(v[1] for v in per_group.values())
    return hits / total, per_group


def _report(name, overall, per_group):
    lines = [f"{name}: overall {overall:.3f}"]
    lines += [f"  {g}: {a}/{b}" for g, (a, b) in sorted(per_group.items())]
    print("\n".join(lines))


@pytest.fixture(scope="module")
def string_rows():
    return [r for r in read_tsv("sisimai-error-strings.tsv")
            if r["expected_reason"] not in UNDECIDED]


@pytest.fixture(scope="module")
def eml_results():
    articles = _Articles(())
    cache: dict[str, list[dict]] = {}
    out = []
    for row in read_tsv("expected.tsv"):
        if row["sisimai_reason"] in UNDECIDED:
            continue
        if row["eml"] not in cache:
            cache[row["eml"]] = explain_bounce((BOUNCES / row["eml"]).read_bytes(), articles)
        results = cache[row["eml"]]
        out.append((row, results[min(int(row["recipient_index"]), len(results)) - 1]))
    return out


def test_error_strings_are_classified_at_or_above_the_floor(string_rows):
    results = [(r["expected_reason"],
                classify(parse(r["diagnostic_text"], r["smtp_command"] or None)).category,
                r["diagnostic_text"])
               for r in string_rows]
    overall, per_group = _score(results)
    raw, _ = _score(results, disputes=False)
    _report(f"strings (raw {raw:.3f})", overall, per_group)
    assert overall >= STRINGS_FLOOR
    assert raw >= RAW_STRINGS_FLOOR


def test_bounce_messages_are_classified_at_or_above_the_floor(eml_results):
    results = [(r["sisimai_reason"], res["category"], res["input"] + " " + r["diagnostic_code"])
               for r, res in eml_results]
    overall, per_group = _score(results)
    raw, _ = _score(results, disputes=False)
    _report(f"eml (raw {raw:.3f})", overall, per_group)
    assert overall >= EML_FLOOR
    assert raw >= RAW_EML_FLOOR


def _class_mismatches(items):
    bad = []
    for text, label, got in items:
        if got in ("unknown", label) or label is None:
            continue
        if not any(marker in text for marker in CLASS_EXCLUSIONS):
            bad.append((label, got, text[:100]))
    return bad


def test_error_string_class_matches_the_reply(string_rows):
    items = []
    for r in string_rows:
        text = r["diagnostic_text"]
        label = expected_class(r["expected_status"], r["expected_replycode"], text)
        items.append((text, label, parse(text).reply_class))
    assert _class_mismatches(items) == []


def test_bounce_class_matches_the_reply(eml_results):
    items = [(res["input"], expected_class(r["status"], r["reply_code"], r["diagnostic_code"]),
              res["class"]) for r, res in eml_results]
    assert _class_mismatches(items) == []
