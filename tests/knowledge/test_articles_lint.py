"""Lint every built-in article: front matter, categories, sections, links, coverage."""

from __future__ import annotations

import re

import pytest

from knowledge import ARTICLES_DIR
from tests.explain.explaintools import all_rules
from tests.knowledge.kbtools import REPO
from wizard.catalog.categories import CATEGORIES
from wizard.catalog.knowledge import SECTIONS, KnowledgeBase, load_article

FILES = sorted(ARTICLES_DIR.glob("*.md"))
TOPICS = (
    "gmail-sender-requirements", "gmail-app-passwords", "microsoft-smtp-auth-disabled",
    "microsoft-blocklist", "microsoft-throttling", "yahoo-deferrals", "amazon-ses",
    "choosing-the-port", "reading-reply-codes", "spf-basics", "dkim-keys", "dmarc-basics",
    "spam-rejections", "rate-limiting", "developer-mistakes", "troubleshooting-checklist",
)


def test_articles_ship_inside_the_knowledge_package():
    assert ARTICLES_DIR == REPO / "knowledge"
    assert len(FILES) >= len(CATEGORIES) + len(TOPICS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_front_matter_is_valid_and_id_is_the_file_name(path):
    article = load_article(path, "builtin")  # raises KnowledgeError on any problem
    assert article.id == path.stem
    assert article.title and article.categories and article.steps
    assert all(cat in CATEGORIES for cat in article.categories)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_all_five_sections_are_present_in_order(path):
    body = load_article(path, "builtin").body
    headings = re.findall(r"^## (.+?)\s*$", body, re.MULTILINE)
    assert headings == list(SECTIONS)
    assert not re.search(r"^# ", body, re.MULTILINE), "the title belongs in the front matter"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_sections_have_the_promised_shape(path):
    body = load_article(path, "builtin").body
    parts = dict(
        (m.group(1), m.group(2).strip())
        for m in re.finditer(r"^## (.+?)\n(.*?)(?=^## |\Z)", body, re.MULTILINE | re.DOTALL)
    )
    assert all(parts[name] for name in SECTIONS), "no empty sections"
    assert re.search(r"^\d+\. ", parts["How to fix it"], re.MULTILINE), "fix steps are numbered"
    assert "smtp-wizard " in parts["How to check the fix"], "say which command to re-run"
    assert re.search(r"RFC \d+|[A-Z][a-z]+", parts["References"])


def test_ids_are_unique_and_every_category_has_its_own_article(kb: KnowledgeBase):
    ids = [load_article(p, "builtin").id for p in FILES]
    assert len(ids) == len(set(ids))
    missing = [cat for cat in CATEGORIES if kb.get(cat) is None]
    assert missing == []
    for cat in CATEGORIES:
        assert kb.for_category(cat)[0].id == cat


def test_the_provider_and_topic_articles_exist(kb: KnowledgeBase):
    assert [t for t in TOPICS if kb.get(t) is None] == []


def test_every_article_the_classifier_can_name_exists(kb: KnowledgeBase):
    named = {rule.category for rule in all_rules()} | {a for rule in all_rules() for a in rule.also}
    named |= {"unknown"}
    assert sorted(a for a in named if kb.get(a) is None) == []


def test_links_resolve(kb: KnowledgeBase):
    assert kb.broken_links() == []


def test_links_are_relative_article_links_or_absolute_urls(kb: KnowledgeBase):
    for article in kb.all():
        for target in re.findall(r"\]\(([^)]+)\)", article.body):
            assert re.fullmatch(r"[a-z0-9-]+\.md(#[\w-]+)?|https?://\S+", target), (
                article.id, target)


def test_enhanced_codes_are_well_formed_and_patterns_lower_case(kb: KnowledgeBase):
    for article in kb.all():
        assert all(re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", e) for e in article.enhanced)
        assert all(p == p.lower() for p in article.patterns)


def test_articles_have_no_trailing_whitespace_or_tabs():
    for path in FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line == line.rstrip() and "\t" not in line, f"{path.name}:{number}"
