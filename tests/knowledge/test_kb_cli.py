"""`smtp-wizard kb`: list, show, search, local articles and exit statuses (via subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.knowledge.kbtools import REPO, article_text, run_kb, write_article
from wizard.catalog.categories import CATEGORIES
from wizard.cli.kb import render
from wizard.output.terminal import use_colour as use_color


def test_list_shows_every_article_with_its_title(kb):
    result = run_kb("list")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == len(kb)
    listed = {line.split()[0] for line in lines}
    assert set(CATEGORIES) <= listed
    assert any(line.startswith("relay-denied") and "Relay access denied" in line for line in lines)


def test_list_json_has_the_front_matter_fields(kb):
    result = run_kb("list", "--format", "json")
    data = json.loads(result.stdout)
    assert len(data) == len(kb)
    first = {d["id"]: d for d in data}["relay-denied"]
    assert first["source"] == "builtin" and first["categories"] == ["relay-denied"]
    assert {"id", "title", "codes", "enhanced", "patterns", "steps", "path"} <= set(first)


def test_show_renders_headings_lists_code_and_links_as_plain_text():
    result = run_kb("show", "relay-denied")
    out = result.stdout
    assert result.returncode == 0
    assert out.startswith("Relay access denied\n===")
    assert "What it means\n-------------" in out and "## " not in out
    assert "  1. " in out
    assert "Amazon SES [amazon-ses]" in out and "](amazon-ses.md)" not in out
    assert "See also: amazon-ses" in out
    assert "\x1b" not in out, "no colour codes when stdout is not a terminal"
    assert "**" not in out


def test_show_raw_prints_the_markdown_source():
    out = run_kb("show", "relay-denied", "--raw").stdout
    assert out.startswith("---\nid: relay-denied\n") and "## What it means" in out


def test_show_unknown_id_is_one_line_with_close_matches_and_exit_2():
    result = run_kb("show", "relay")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "relay-denied" in result.stderr and "no article 'relay'" in result.stderr


def test_show_unknown_id_without_close_matches_points_to_list():
    result = run_kb("show", "qqqqqq")
    assert result.returncode == 2 and "kb list" in result.stderr


def test_search_prints_ranked_results_with_scores():
    result = run_kb("search", "relay", "access", "denied")
    assert result.returncode == 0
    first = result.stdout.splitlines()[0].split()
    assert first[1] == "relay-denied" and float(first[0]) > 0
    scores = [float(line.split()[0]) for line in result.stdout.splitlines()]
    assert scores == sorted(scores, reverse=True)


def test_search_finds_enhanced_codes():
    result = run_kb("search", "5.7.26", "--format", "json")
    assert json.loads(result.stdout)[0]["id"] == "gmail-sender-requirements"


def test_search_without_results_says_so_and_exits_1():
    result = run_kb("search", "xyzzyplugh")
    assert result.returncode == 1 and result.stdout == ""
    assert "no articles match" in result.stderr


def test_usage_errors_exit_2():
    assert run_kb().returncode == 2
    assert run_kb("show").returncode == 2
    assert run_kb("frobnicate").returncode == 2


def test_local_articles_are_listed_and_override_builtins(tmp_path):
    write_article(tmp_path, "relay-denied", title="Open a ticket with the mail team")
    write_article(tmp_path, "our-relay", title="Our relay is smtp.corp")
    listed = run_kb("list", "--knowledge", str(tmp_path)).stdout
    assert "Open a ticket with the mail team  (local)" in listed
    assert "Our relay is smtp.corp  (local)" in listed
    shown = run_kb("show", "relay-denied", "--knowledge", str(tmp_path)).stdout
    assert shown.startswith("Open a ticket with the mail team") and "(local:" in shown


def test_the_global_knowledge_flag_works_too(tmp_path):
    write_article(tmp_path, "our-relay", title="Our relay is smtp.corp")
    result = run_kb_global(tmp_path)
    assert result.returncode == 0 and "Our relay is smtp.corp" in result.stdout


def run_kb_global(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wizard", "--knowledge", str(directory), "kb", "show", "our-relay"],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
    )


def test_a_malformed_local_article_is_a_one_line_error_naming_the_file(tmp_path):
    (tmp_path / "broken.md").write_text(article_text("broken", categories="[nope]"))
    result = run_kb("list", "--knowledge", str(tmp_path))
    assert result.returncode == 2
    assert "broken.md" in result.stderr and "unknown category 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_control_characters_in_a_local_article_are_made_visible(tmp_path):
    evil = "## What it means\n\nHello \x1b]0;owned\x07 \x1b[31mred\n"
    write_article(tmp_path, "evil", title="Evil \x1b[2J title", body=evil)
    for args in (("show", "evil"), ("show", "evil", "--raw"), ("list",), ("search", "hello")):
        out = run_kb(*args, "--knowledge", str(tmp_path)).stdout
        assert "\x1b" not in out and "\x07" not in out, args
        assert "\\x1b" in out, args


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch, kb):
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert use_color(Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(Tty()) is False
    coloured = render(kb.get("relay-denied"), color=True, links=["amazon-ses"])
    assert "\x1b[1m" in coloured and "\x1b[36m[amazon-ses]" in coloured


def test_every_builtin_article_renders(kb):
    for article in kb.all():
        out = render(article, links=kb.links(article))
        assert out.startswith(article.title) and "](" not in out
