"""Loading articles: the front matter subset, local directories, overrides, errors, speed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.knowledge.kbtools import REPO, article_text, write_article
from wizard.catalog import knowledge
from wizard.catalog.knowledge import KnowledgeError, load_knowledge, parse_front_matter


def test_front_matter_subset_handles_quotes_comments_and_multiline_lists():
    text = (
        "---\n"
        "# a comment line\n"
        "id: x   # trailing comment\n"
        'title: "Quoted: with # hash, and comma"\n'
        "codes: [550, 554]\n"
        "patterns: ['a, b', \"c # d\",\n"
        "           e]\n"
        "---\n"
        "body\n"
    )
    fields, body, start = parse_front_matter(text)
    assert fields == {
        "id": "x",
        "title": "Quoted: with # hash, and comma",
        "codes": [550, 554],
        "patterns": ["a, b", "c # d", "e"],
    }
    assert body == "body\n" and start == 9


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("id: x\n", "no front matter"),
        ("---\nid: x\n", "not closed"),
        ("---\nid x\n---\n", "expected 'key: value'"),
        ("---\nid: x\nid: y\n---\n", "duplicate key"),
        ("---\ncodes: [550, 554\n---\n", "no closing ']'"),
        ('---\ntitle: "open\n---\n', "unterminated"),
    ],
)
def test_front_matter_errors_say_what_is_wrong(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_front_matter(text)


def test_builtin_load_is_cached():
    """The built-in set is parsed once per process (its speed is measured in tests/bench)."""
    knowledge._BUILTIN = None
    first = knowledge.builtin_articles()
    assert len(first) >= 60 and len(load_knowledge()) == len(first)
    cached = knowledge._BUILTIN
    again = knowledge.builtin_articles()
    assert knowledge._BUILTIN is cached  # not parsed a second time
    assert all(x is y for x, y in zip(again, first, strict=True))


def test_articles_carry_their_fields_and_source(kb):
    article = kb.get("relay-denied")
    assert article is not None and article.source == "builtin"
    assert article.title == "Relay access denied"
    assert "relay access denied" in article.patterns
    assert 550 in article.codes and "5.7.1" in article.enhanced and article.steps == ["send"]
    assert not article.body.startswith("---") and article.body.startswith("## What it means")
    assert article.path.name == "relay-denied.md"


def test_a_local_directory_adds_articles(tmp_path):
    write_article(tmp_path, "our-relay", title="Use smtp.corp")
    kb = load_knowledge([tmp_path])
    article = kb.get("our-relay")
    assert article is not None and article.source == "local" and article.title == "Use smtp.corp"
    assert kb.get("relay-denied") is not None


def test_a_local_article_overrides_the_builtin_with_the_same_id(tmp_path):
    write_article(tmp_path, "relay-denied", title="Open a ticket with the mail team")
    local = load_knowledge([str(tmp_path)]).get("relay-denied")
    assert local is not None and local.title == "Open a ticket with the mail team"
    assert local.source == "local"
    builtin = load_knowledge().get("relay-denied")
    assert builtin is not None and builtin.source == "builtin", "builtin cache unchanged"


def test_later_directories_override_earlier_ones(tmp_path):
    write_article(tmp_path / "team", "our-relay", title="Team")
    write_article(tmp_path / "mine", "our-relay", title="Mine")
    kb = load_knowledge([tmp_path / "team", tmp_path / "mine"])
    article = kb.get("our-relay")
    assert article is not None and article.title == "Mine"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"categories": "[no-such-category]"}, "unknown category 'no-such-category'"),
        ({"id": "other-id"}, "does not match the file name"),
        ({"enhanced": '["5.7"]'}, "enhanced code '5.7'"),
        ({"codes": "[999]"}, "not an SMTP reply code"),
        ({"steps": "[deliver]"}, "unknown step 'deliver'"),
        ({"pattern": '["typo key"]'}, "unknown front matter key 'pattern'"),
        ({"title": ""}, "non-empty 'title'"),
        ({"codes": "550"}, "'codes' must be a list"),
    ],
)
def test_a_malformed_local_article_names_the_file_and_the_problem(tmp_path, fields, problem):
    path = tmp_path / "bad-one.md"
    path.write_text(article_text("bad-one", **fields), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge([tmp_path])
    assert str(path) in str(info.value) and problem in str(info.value)
    assert isinstance(info.value, ValueError)


def test_a_local_article_without_front_matter_is_an_error(tmp_path):
    (tmp_path / "notes.md").write_text("# Just notes\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"notes\.md: no front matter"):
        load_knowledge([tmp_path])


def test_a_missing_directory_is_an_error(tmp_path):
    with pytest.raises(KnowledgeError, match="not a directory"):
        load_knowledge([tmp_path / "missing"])


def test_windows_line_endings_are_accepted(tmp_path):
    text = article_text("crlf-article").replace("\n", "\r\n")
    (tmp_path / "crlf-article.md").write_bytes(text.encode())
    article = load_knowledge([tmp_path]).get("crlf-article")
    assert article is not None and article.title == "A local article"


def test_the_knowledge_module_imports_neither_textual_nor_yaml():
    code = (
        "import sys, wizard.catalog.knowledge as k; k.load_knowledge()\n"
        "bad = [m for m in ('textual', 'yaml', 'screens') if m in sys.modules]\n"
        "sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True)
    assert result.returncode == 0, result.stderr
