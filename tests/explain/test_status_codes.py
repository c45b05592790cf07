"""status_codes: every code of the IANA registry has a description."""

import csv

import pytest

from tests.explain.corpus import CORPORA, SKIP_REASON
from wizard.catalog.status_codes import describe_enhanced

REGISTRY = CORPORA / "enhanced-status-codes" / "iana-smtp-enhanced-status-codes.csv"


def _registry_codes() -> list[str]:
    with REGISTRY.open(encoding="utf-8", newline="") as handle:
        return [row["Code"] for row in csv.DictReader(handle)]


@pytest.mark.skipif(not REGISTRY.exists(), reason=SKIP_REASON)
def test_every_registry_code_has_its_own_description_in_both_classes():
    codes = _registry_codes()
    assert len(codes) >= 80
    for code in codes:
        for klass in "45":
            description = describe_enhanced(code.replace("X", klass))
            assert description and "not in the registry" not in description, code


def test_unregistered_detail_gets_its_subject_meaning():
    description = describe_enhanced("5.7.139")
    assert description is not None, "a registered class and subject are described"
    assert description.startswith("Security or policy status")


def test_text_that_is_not_an_enhanced_code_has_no_description():
    assert describe_enhanced("550") is None
