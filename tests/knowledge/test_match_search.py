"""Matching replies to articles and ranked search."""

from __future__ import annotations

import re

import pytest

from tests.knowledge.kbtools import write_article
from wizard.catalog.knowledge import load_knowledge


def ids(articles) -> list[str]:
    return [a.id for a in articles]


def test_match_ranks_a_text_pattern_first(kb):
    found = ids(kb.match(554, "5.7.1", "<bob@example.org>: Relay access denied"))
    assert found[0] == "relay-denied"


def test_match_uses_a_specific_enhanced_code_without_words(kb):
    found = ids(kb.match(535, "5.7.139", ""))
    assert {"auth-disabled", "microsoft-smtp-auth-disabled"} <= set(found[:2])


def test_a_generic_enhanced_code_alone_suggests_nothing_specific(kb):
    found = ids(kb.match(None, "5.7.1", "something nobody has seen"))
    assert found == []


def test_a_generic_enhanced_code_still_confirms_a_pattern(kb):
    found = ids(kb.match(550, "5.7.1", "Client host blocked using zen.spamhaus.org"))
    assert found[0] == "blocklisted"


def test_a_basic_code_alone_is_the_last_resort(kb):
    assert "auth-failed" in ids(kb.match(535, None, ""))
    assert "auth-failed" not in ids(kb.match(535, None, "Relay access denied"))


def test_match_is_case_insensitive(kb):
    assert ids(kb.match(None, None, "SMTPCLIENTAUTHENTICATION IS DISABLED"))[0] in (
        "auth-disabled", "microsoft-smtp-auth-disabled")


def test_for_category_puts_the_category_article_first(kb):
    found = ids(kb.for_category("rate-limited"))
    assert found[0] == "rate-limited"
    assert {"microsoft-throttling", "yahoo-deferrals", "rate-limiting"} <= set(found)


@pytest.mark.parametrize(
    ("words", "first"),
    [
        ("5.7.26", "gmail-sender-requirements"),
        ("relay access denied", "relay-denied"),
        ("app password gmail", "gmail-app-passwords"),
        ("S3150", "microsoft-blocklist"),
        ("TSS04", "yahoo-deferrals"),
        ("mailbox full", "mailbox-full"),
        ("which port 587 465", "choosing-the-port"),
        ("DMARC alignment", "dmarc-basics"),
        ("greylisting", "greylisted"),
        ("5.7.139", "microsoft-smtp-auth-disabled"),
    ],
)
def test_search_ranks_the_best_article_first(kb, words, first):
    assert kb.search(words)[0][0].id == first


def test_search_finds_basic_codes(kb):
    top = ids(a for a, _ in kb.search("535", limit=5))
    assert "auth-failed" in top


def test_search_scores_are_descending_and_limited(kb):
    results = kb.search("spf dkim dmarc", limit=4)
    assert len(results) == 4
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0


def test_title_outranks_patterns_outranks_body(tmp_path):
    body = (
        "## What it means\n\nText.\n\n## Why it happens\n\n1. x\n\n## How to fix it\n\n1. x\n\n"
        "## How to check the fix\n\n`smtp-wizard kb`\n\n## References\n\n- x\n"
    )
    write_article(tmp_path, "in-title", title="Zebra crossing", patterns='["plain"]', body=body)
    write_article(tmp_path, "in-patterns", title="Other", patterns='["zebra"]', body=body)
    write_article(tmp_path, "in-body", title="Third", patterns='["plain"]',
                  body=body.replace("Text.", "A zebra."))
    kb = load_knowledge([tmp_path])
    assert ids(a for a, _ in kb.search("zebra"))[:3] == ["in-title", "in-patterns", "in-body"]


def test_search_with_nothing_to_find(kb):
    assert kb.search("") == []
    assert kb.search("the and of") == []
    assert kb.search("xyzzyplugh") == []


def test_search_does_not_match_inside_longer_codes(kb):
    exact = re.compile(r"(?<![\w.])5\.7\.2(?!\d)")
    results = kb.search("5.7.2")
    for article, _ in results:
        text = " ".join([article.title, *article.enhanced, article.body])
        assert exact.search(text), f"{article.id} only has longer codes such as 5.7.26"
    assert "gmail-sender-requirements" not in [a.id for a, _ in results]


def test_links_lists_linked_ids_and_broken_links_finds_dangling_ones(kb, tmp_path):
    app_password = kb.get("auth-app-password")
    assert app_password is not None, "a built-in article"
    assert "gmail-app-passwords" in kb.links(app_password)
    body = (
        "## What it means\n\nSee [nothing](does-not-exist.md) and [web](https://example.com/)"
        " and [ok](relay-denied.md#how-to-fix-it).\n"
    )
    write_article(tmp_path, "dangling", body=body)
    local = load_knowledge([tmp_path])
    dangling = local.get("dangling")
    assert dangling is not None, "the article just written"
    assert local.links(dangling) == ["does-not-exist", "relay-denied"]
    assert local.broken_links() == [("dangling", "does-not-exist.md")]


def test_related_tops_up_the_classifier_articles_and_drops_unknown_ids():
    from wizard.catalog.knowledge import load_knowledge

    kb = load_knowledge()
    ids = kb.related(["rate-limited", "no-such-article"], 451, "4.7.500",
                     "451 4.7.500 Server busy. Please try again later")
    assert ids[0] == "rate-limited" and "no-such-article" not in ids
    assert 1 < len(ids) <= 3
    assert kb.related(["success"], 250, "2.0.0", "queued") == ["success"]
