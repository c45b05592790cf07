"""The typed Action union: the JSON shape of every action stays as it was; typos fail loading."""

from __future__ import annotations

from typing import Any

import pytest

from wizard.catalog.categories import ACTION_FIELDS, guides, parse_guides
from wizard.catalog.providers import catalog
from wizard.model.findings import (
    ActionError,
    CheckDns,
    Contact,
    NextStep,
    NoAction,
    Read,
    Rerun,
    RetryLater,
    parse_action,
)

SHAPES: list[dict[str, Any]] = [
    {"kind": "rerun"},
    {"kind": "rerun", "set": {"security": "tls"}},
    {"kind": "rerun", "ask": ["user", "password"]},
    {"kind": "rerun", "set": {"host": "mx.example.com"}, "ask": ["ca_file"]},
    {"kind": "rerun", "set": {}},
    {"kind": "check-dns", "domain": None},
    {"kind": "check-dns", "domain": "example.com", "sending_ip": "192.0.2.1"},
    {"kind": "check-dns", "domain": "example.com", "dkim_selector": "s1"},
    {"kind": "retry-later", "after_s": 300},
    {"kind": "contact", "who": "your-mail-admin"},
    {"kind": "read", "article": "auth-failed"},
    {"kind": "none"},
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: str(s))
def test_json_shape_round_trips_exactly(shape: dict) -> None:
    assert parse_action(shape).to_dict() == shape
    assert NextStep("Do it.", "you", shape).to_dict()["action"] == shape


def test_kinds_are_typed() -> None:
    kinds = [type(parse_action(s)) for s in SHAPES]
    assert kinds == [Rerun] * 5 + [CheckDns] * 3 + [RetryLater, Contact, Read, NoAction]


def test_every_shipped_action_keeps_its_shape() -> None:
    for guide in guides().values():
        assert parse_action(guide.action).to_dict() == guide.action
    for provider in catalog().values():
        for step in provider.advice.values():
            assert parse_action(step.action.to_dict()) == step.action


@pytest.mark.parametrize("bad", [
    {"kind": "rerunn"}, {}, {"kind": "read", "artcle": "x"},
    {"kind": "rerun", "ask": "password"}, {"kind": "rerun", "set": ["port"]},
])
def test_malformed_actions_are_refused(bad: dict) -> None:
    with pytest.raises(ActionError):
        parse_action(bad)


def test_unknown_field_names_are_refused_when_names_are_given() -> None:
    with pytest.raises(ActionError, match="pasword"):
        parse_action({"kind": "rerun", "ask": ["pasword"]}, ACTION_FIELDS)
    with pytest.raises(ActionError, match="secuirty"):
        parse_action({"kind": "rerun", "set": {"secuirty": "tls"}}, ACTION_FIELDS)
    asked = parse_action({"kind": "rerun", "ask": ["nameserver"]}, ACTION_FIELDS)
    assert isinstance(asked, Rerun) and asked.asks == ("nameserver",)


ROW = '''[auth-failed]
meaning = "m"
headline = "h"
who = "you"
next_step = "n"
action = {ACTION}
'''


def test_a_typo_in_categories_toml_fails_loading() -> None:
    good = parse_guides(ROW.replace("{ACTION}", '{ kind = "rerun", ask = ["password"] }'))
    assert good["auth-failed"].action == {"kind": "rerun", "ask": ["password"]}
    with pytest.raises(ValueError, match=r"\[auth-failed\].*passwrd"):
        parse_guides(ROW.replace("{ACTION}", '{ kind = "rerun", ask = ["passwrd"] }'))
    with pytest.raises(ValueError, match="prot"):
        parse_guides(ROW.replace("{ACTION}", '{ kind = "rerun", set = { prot = 587 } }'))
    with pytest.raises(ValueError, match="kind"):
        parse_guides(ROW.replace("{ACTION}", '{ kind = "re-run" }'))
