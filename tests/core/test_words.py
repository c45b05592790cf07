"""The wording tables live in one data file (wizard/catalog/data/words.toml), checked on load."""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard.catalog.categories import WHO
from wizard.catalog.words import WordsError, parse_words, words
from wizard.model.findings import Contact, RetryLater
from wizard.output.actions import describe

DATA = Path(__file__).resolve().parents[2] / "wizard" / "catalog" / "data" / "words.toml"


def test_every_who_table_words_exactly_the_who_values():
    w = words()
    for table in (w.who, w.who_short, w.who_explain):
        assert set(table) == set(WHO)


def test_the_actions_read_their_words_from_the_file():
    assert describe(Contact(who="provider")) == f"Send this report to {words().who['provider']}"
    assert describe(RetryLater(after_s=600)) == "Try again in 10 minutes"


def _without(table: str, key: str) -> str:
    text = DATA.read_text("utf-8")
    start = text.index(f"[{table}]")
    line = text.index(f"\n{key} = ", start)
    return text[:line] + text[text.index("\n", line + 1):]


def test_a_missing_who_row_is_refused_naming_the_table():
    with pytest.raises(WordsError, match=r"\[who_short\]: missing provider"):
        parse_words(_without("who_short", "provider"))


def test_an_unknown_field_name_is_refused():
    with pytest.raises(WordsError, match=r"\[field\]: unknown key\(s\) hots"):
        parse_words(DATA.read_text("utf-8").replace('\nhost = "the server name"',
                                                    '\nhots = "the server name"'))


def test_an_unknown_or_missing_table_is_refused():
    with pytest.raises(WordsError, match="unknown table"):
        parse_words(DATA.read_text("utf-8") + "\n[colours]\nred = \"red\"\n")
    text = DATA.read_text("utf-8")
    start = text.index("[retry]")
    with pytest.raises(WordsError, match=r"\[retry\] is missing"):
        parse_words(text[:start])
