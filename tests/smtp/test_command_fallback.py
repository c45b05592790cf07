"""The command fallback is data (rules.toml [[fallback]]), checked when it loads: a permanent
refusal of MAIL, RCPT or DATA whose words say nothing still names what was refused."""

from __future__ import annotations

import pytest

from wizard.catalog.rules import RuleError, command_fallbacks, load_rule_file
from wizard.model.findings import Reply
from wizard.smtp.interpret import interpret


@pytest.mark.parametrize(("command", "category"), [
    ("MAIL", "sender-rejected"), ("rcpt", "recipient-unknown"), ("DATA", "content-rejected")])
def test_an_unexplained_permanent_refusal_is_named_by_its_command(command, category):
    found, _, articles = interpret(Reply(554, None, "zzz qqq"), command)
    assert found == category and articles == [category, "unknown"]


def test_a_temporary_or_other_command_reply_is_left_unknown():
    assert interpret(Reply(499, None, "zzz qqq"), "RCPT")[0] == "unknown"
    assert interpret(Reply(599, None, "zzz qqq"), "EHLO")[0] == "unknown"


def test_the_fallback_rows_are_not_engine_rules():
    from wizard.catalog.rules import builtin_rules

    assert command_fallbacks() and all(r.tier == "fallback" for r in command_fallbacks())
    assert not [r for r in builtin_rules() if r.tier == "fallback"]


@pytest.mark.parametrize("row", [
    'category = "sender-rejected"\ncommands = ["MAIL"]\n',              # no codes
    'category = "sender-rejected"\ncodes = ["5xx"]\n',                  # no commands
    'category = "sender-rejected"\ncommands = ["MAIL"]\ncodes = ["5xx"]\nwords = ["x"]\n',
    'category = "no-such"\ncommands = ["MAIL"]\ncodes = ["5xx"]\n',     # unknown category
])
def test_a_bad_fallback_row_is_refused_when_it_loads(row):
    with pytest.raises(RuleError):
        load_rule_file("mine.toml", "[[fallback]]\n" + row)
