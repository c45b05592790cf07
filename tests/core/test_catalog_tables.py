"""One home per table (issue 20): the tables the walk reads live in the catalog's data files
and are checked when they load."""

from __future__ import annotations

import pytest

from wizard.catalog.categories import _check, guide, guides
from wizard.model.findings import Step

ROW = {"meaning": "m", "headline": "h", "who": "you", "next_step": "n",
       "action": {"kind": "none"}}


def test_category_step_and_group_come_from_the_data_file() -> None:
    assert guide("connection-refused").step is Step.CONNECT
    assert guide("connection-refused").group == "reach"
    assert guide("auth-failed").step is Step.AUTH and guide("auth-failed").group is None
    assert guide("tls-certificate").step is Step.TLS
    assert guide("dns-dane").group == "side"
    assert guide("relay-denied").step is Step.SEND  # no step given: send
    assert guide("no-such-category").step is Step.SEND


def test_every_group_is_known() -> None:
    assert {g.group for g in guides().values()} <= {None, "reach", "side"}


@pytest.mark.parametrize("bad", [{"step": "resolve"}, {"group": "far"}])
def test_a_misspelt_step_or_group_is_refused_at_load(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"categories.toml \[x\]"):
        _check("x", {**ROW, **bad})


def test_one_severity_order_worst_first() -> None:
    from wizard.model.findings import Status, worst
    from wizard.walk.tree import step_status

    assert worst([Status.PASS, Status.SKIP]) is Status.PASS
    assert worst([Status.WARN, Status.ERROR, Status.FAIL]) is Status.ERROR
    assert worst([]) is Status.SKIP
    assert step_status([]) is Status.SKIP
