"""Generalisation of `explain` (issue 22): accuracy on whole providers held out, next to the
in-sample figure. A report, not a gate (the floors are in tests/explain/test_generalise.py).

Three measures: the Sisimai corpus split by provider (a fixed quarter of its providers held out,
tests/explain/holdout.py), strings and bounce messages; and the project's own documented
replies, each provider classified without its own table (leave one provider out); and issue
22's batch of providers that had no table (provider_replies_i22.tsv), by group: held out by hash
(no table written, nothing tuned on them), held out for want of pages of their own, and tuned on.
"""

from __future__ import annotations

import pytest

from tests.explain.corpus import BOUNCES, SKIP_REASON
from tests.explain.explaintools import classify
from tests.explain.holdout import (
    accuracy,
    batch_rows,
    eml_rows,
    held_out,
    leave_one_out,
    score_batch,
    string_rows,
    table_rows,
)
from wizard.explain.parse import parse

pytestmark = pytest.mark.bench


@pytest.mark.skipif(not BOUNCES.exists(), reason=SKIP_REASON)
def test_corpus_split_by_provider():
    from wizard.cli.explain import _Articles, explain_bounce

    split: dict[bool, list[tuple[str, str, str]]] = {True: [], False: []}
    for r in string_rows():
        category = classify(parse(r["diagnostic_text"], r["smtp_command"] or None)).category
        split[held_out(r["provider"])].append((r["expected_reason"], category,
                                               r["diagnostic_text"]))
    articles = _Articles(())
    cache: dict[str, list[dict]] = {}
    emls: dict[bool, list[tuple[str, str, str]]] = {True: [], False: []}
    for r in eml_rows():
        if r["eml"] not in cache:
            cache[r["eml"]] = explain_bounce((BOUNCES / r["eml"]).read_bytes(), articles)
        res = cache[r["eml"]][min(int(r["recipient_index"]), len(cache[r["eml"]])) - 1]
        emls[held_out(r["provider"])].append((r["sisimai_reason"], res["category"],
                                              res["input"] + " " + r["diagnostic_code"]))
    for name, data in (("strings", split), ("eml", emls)):
        for ho in (False, True):
            share, count = accuracy(data[ho])
            raw, _ = accuracy(data[ho], disputes=False)
            print(f"{name} {'held-out' if ho else 'in-sample'}: {share:.3f} (raw {raw:.3f})"
                  f" of {count}")
    assert split[True] and split[False]


def test_documented_replies_leave_one_provider_out():
    results = leave_one_out([r for r in table_rows() if r["provider"]])
    for ho in (False, True):
        part = [(row, cat) for row, cat, _ in results if held_out(row["provider"]) == ho]
        share = sum(cat == row["category"] for row, cat in part) / len(part)
        print(f"documented replies without their own table, "
              f"{'held-out' if ho else 'training'} providers: {share:.3f} of {len(part)}")
    assert results


def test_provider_batch_by_group():
    groups: dict[str, list[tuple[bool, bool, bool]]] = {}
    per: dict[tuple[str, str], list[bool]] = {}
    for row, full, without, klass in score_batch(batch_rows()):
        group = row["held_out"] or "tuned"
        groups.setdefault(group, []).append((full == row["category"],
                                             without == row["category"], klass == row["class"]))
        per.setdefault((group, row["provider"]), []).append(full == row["category"])
    for (group, pid), hits in sorted(per.items()):
        print(f"batch {group:8} {pid:13} {sum(hits) / len(hits):.2f} of {len(hits)}")
    for group, items in sorted(groups.items()):
        n = len(items)
        print(f"batch {group}: category {sum(i[0] for i in items) / n:.3f}, without its own"
              f" table {sum(i[1] for i in items) / n:.3f}, class {sum(i[2] for i in items) / n:.3f}"
              f" of {n}")
    assert set(groups) == {"hash", "no-docs", "tuned"}
