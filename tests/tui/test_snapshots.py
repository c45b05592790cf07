"""Snapshots of the main screens at 80x24 and 120x40 (deterministic content only).

The Run screen is not snapshotted: its findings carry ports and timings. Its content is asserted
in test_walks.py instead.

Regenerate after an intended change: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from tests.tui.tuikit import make_app
from wizard.target import Security, Target

SIZES = [(80, 24), (120, 40)]


async def steady(pilot) -> None:
    """Stop cursors blinking and drop timed notices: a slow machine must see the same."""
    await pilot.pause()
    pilot.app.clear_notifications()
    for screen in pilot.app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False
    await pilot.pause()
FORM = Target(host="smtp.example.com", port=587, security=Security.STARTTLS,
              user="alice@example.com", mail_from="alice@example.com",
              rcpt_to="bob@example.org")


@pytest.mark.parametrize("size", SIZES)
def test_target_form(snap_compare, size) -> None:
    assert snap_compare(make_app(target=FORM), terminal_size=size, run_before=steady)


def test_target_form_with_errors(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#f-port").value = "99999"
        screen.query_one("#f-rcpt_to").value = "bob"
        await pilot.press("ctrl+r")
        await steady(pilot)

    assert snap_compare(make_app(target=FORM), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_lab_picker(snap_compare, size) -> None:
    assert snap_compare(make_app(lab=True), terminal_size=size, run_before=steady)


@pytest.mark.parametrize("size", SIZES)
def test_explain(snap_compare, size) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("f2")
        pilot.app.screen.query_one("#explain-input").text = "550 5.1.1 <bbo@lab.test>: User unknown"
        await pilot.press("ctrl+r")
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_article(snap_compare, size) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.open_article("relay-denied")
        await steady(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_help(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), press=["f1"], run_before=steady)

