"""Documented provider replies (tests/explain/data/provider_replies.tsv): category and class.

The table holds replies as the providers' own pages document them, each with the page it comes
from, the category it means and its class (temporary or permanent, from the reply's code). It
was compiled alongside the provider catalogs, so it checks that the data, the parser and the
tier order carry each documented reply through; the Sisimai corpus (test_corpus_accuracy) is the
measure on text nobody here wrote.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from wizard.catalog.knowledge import load_knowledge
from wizard.catalog.providers import catalog
from wizard.explain.service import ExplainService

TABLE = Path(__file__).resolve().parent / "data" / "provider_replies.tsv"
CATEGORY_FLOOR = 0.98
PROVIDERS = (  # issue 12's list: each must have documented replies in the table
    "gmail", "microsoft", "yahoo", "icloud", "zoho", "fastmail", "gmx", "yandex", "mailru",
    "orange", "comcast", "amazon-ses", "sendgrid", "mailgun", "postmark", "sparkpost",
    "mimecast", "proofpoint", "barracuda", "cisco", "postfix", "exim", "sendmail", "qmail",
    "exchange", "zimbra", "mdaemon",
)


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def results():
    service = ExplainService(load_knowledge())
    return [(row, service.explain(row["text"])) for row in _rows()]


def test_the_table_has_at_least_400_documented_replies_with_sources():
    rows = _rows()
    assert len(rows) >= 400
    assert all(row["source"].startswith("https://") for row in rows)
    assert all(row["class"] in ("temporary", "permanent", "unknown") for row in rows)


def test_every_source_page_is_named_by_a_provider_file():
    named = {url for p in catalog().values() for url in p.sources}
    unnamed = sorted({row["source"] for row in _rows()} - named)
    assert unnamed == []


def test_documented_replies_get_their_category(results):
    wrong = [(row["category"], got.category, row["text"][:90]) for row, got in results
             if got.category != row["category"]]
    share = 1 - len(wrong) / len(results)
    print(f"provider table: {share:.1%} of {len(results)} documented replies in their category")
    assert share >= CATEGORY_FLOOR, wrong[:20]


def test_documented_replies_get_their_class_every_time(results):
    wrong = [(row["class"], got.klass, row["text"][:90]) for row, got in results
             if got.klass != row["class"]]
    assert wrong == []


def test_every_listed_provider_is_covered_and_recognised(results):
    seen = Counter(got.provider for _, got in results)
    assert [p for p in PROVIDERS if seen[p] == 0] == []
