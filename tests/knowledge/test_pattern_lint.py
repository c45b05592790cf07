"""Articles' patterns feed the classifier: each classifies to a category its article lists, and
a team's own article teaches explain its wording without code."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.explain.explaintools import classify
from tests.knowledge.kbtools import REPO, write_article
from wizard.catalog.knowledge import load_knowledge
from wizard.explain.parse import parse


def test_no_article_pattern_classifies_to_a_category_its_article_lacks(kb):
    wrong = []
    for article in kb.all():
        for pattern in article.patterns:
            got = classify(parse(pattern)).category
            if got not in article.categories:
                wrong.append((article.id, pattern, got))
    assert wrong == []


def test_every_pattern_is_in_the_engine(kb):
    from wizard.explain.engine import default_engine

    in_engine = {(r.article, w.text) for r in default_engine().rules if r.tier == "article"
                 for w in r.words}
    missing = [(a.id, p) for a in kb.all() for p in a.patterns if a.categories and
               (a.id, p) not in in_engine]
    assert missing == []


def test_a_teams_article_teaches_explain_its_relays_wording(tmp_path):
    write_article(tmp_path / "kb", "our-relay", title="Our relay's quota",
                  categories="[rate-limited]", patterns='["xq relay budget exhausted"]')
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-m", "wizard", "explain", "--knowledge", str(tmp_path / "kb"),
         "--format", "json", "451 4.3.0 XQ relay budget exhausted for today"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    data = json.loads(out.stdout)
    assert data["category"] == "rate-limited"
    assert "our-relay" in [a["id"] for a in data["articles"]]


def test_a_local_article_outranks_the_built_in_words(tmp_path):
    from wizard.explain.service import ExplainService

    write_article(tmp_path, "our-greylist", title="Our greylisting", categories="[greylisted]",
                  patterns='["user unknown, try again"]')
    service = ExplainService(load_knowledge([tmp_path]))
    assert service.explain("450 user unknown, try again").category == "greylisted"
    assert ExplainService().explain("450 user unknown, try again").category != "greylisted"
