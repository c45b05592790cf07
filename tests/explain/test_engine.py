"""The classifier engine: tiers in order, literal prefilter, rule data checked on load."""

from __future__ import annotations

import pytest

from wizard.catalog.literals import LiteralIndex, anchors
from wizard.catalog.rules import RuleError, load_rule_file, rule_from
from wizard.explain.engine import TIERS, Engine, default_engine
from wizard.explain.parse import parse


def classify(text: str, command: str | None = None):
    return default_engine().classify(parse(text, command), command)


def test_tiers_are_in_the_documented_order():
    assert TIERS == ("provider", "local", "cause", "text", "client", "article", "enhanced",
                     "vague", "basic")
    tiers = [rule.tier for rule in default_engine().rules]
    assert tiers == sorted(tiers, key=TIERS.index)


def test_a_provider_row_outranks_the_general_words():
    # Gmail documents 4.7.27 as SPF failing; the general words would only see a rate limit.
    result = classify("421-4.7.27 Your email has been rate limited because SPF authentication"
                      " didn't pass for this message. - gsmtp")
    assert (result.category, result.tier) == ("spf-fail", "provider")


def test_the_cause_outranks_the_symptom_in_the_words():
    assert classify("451 4.7.1 rate limited: DKIM signature failed verification").category == \
        "dkim-fail"
    assert classify("Unable to contact LDAP server. (#4.4.3) I'm not going to try again; this"
                    " message has been in the queue too long.").category == "server-error"


def test_words_outrank_a_bare_enhanced_code_and_specific_codes_outrank_catch_alls():
    assert classify("550 5.7.1 Relaying denied").category == "relay-denied"
    assert classify("535 5.7.0 something nobody wrote down").category == "auth-failed"
    assert classify("550 5.7.0 something nobody wrote down").category == "policy-rejected"


def test_every_regex_rule_has_a_literal_for_the_prefilter():
    engine = default_engine()
    unanchored = [engine.rules[i].origin for i in engine._always if engine.rules[i].words]
    assert unanchored == []


def test_evidence_is_quoted_in_the_servers_own_capitalisation():
    result = classify("550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown")
    assert result.evidence and result.evidence in "Recipient address rejected: User unknown"


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\bsorbs\b", ["sorbs"]),
    (r"(?:ip|address) (?:is )?(?:black|block)listed", ["listed"]),
    (r"(?:account|mailbox)\b.{0,40}?(?:disabled|inactive)", ["disabled", "inactive"]),
    (r"a|bcd", None),
])
def test_anchors_are_literals_every_match_contains(pattern, expected):
    assert anchors(pattern) == expected


def test_the_literal_index_finds_overlapping_keys_in_order():
    index = LiteralIndex({"relay": [1], "relay access denied": [2], "access": [3]})
    hits = [(end, key) for end, key, _ in index.find("554 relay access denied")]
    assert [key for _, key in hits] == ["relay", "access", "relay access denied"]


def test_a_rule_file_with_a_bad_regex_names_the_file_and_rule():
    with pytest.raises(RuleError, match=r"mine\.toml \[\[text\]\] #1: bad regex"):
        load_rule_file("mine.toml", '[[text]]\ncategory = "relay-denied"\nwords = ["re:(x"]\n')


def test_a_rule_needs_a_known_category_and_a_condition():
    with pytest.raises(RuleError, match="unknown category"):
        rule_from({"category": "nope", "words": ["x"]}, "text", "here")
    with pytest.raises(RuleError, match="needs words"):
        rule_from({"category": "relay-denied"}, "text", "here")


def test_first_match_wins_inside_a_tier():
    first = rule_from({"category": "relay-denied", "words": ["shared words"]}, "text", "a")
    second = rule_from({"category": "policy-rejected", "words": ["shared words"]}, "text", "b")
    engine = Engine([first, second])
    assert engine.classify(parse("550 shared words")).category == "relay-denied"
    assert Engine([second, first]).classify(parse("550 shared words")).category == \
        "policy-rejected"


def test_unknown_is_honest():
    result = classify("nothing recognisable here")
    assert result.category == "unknown" and result.articles == ["unknown"]
