"""Leaving the wizard the same way everywhere: on the first screen (the one the app opened on),
``q`` quits and ``escape`` asks whether to quit; on every other screen ``escape`` goes back.

A text field keeps its ``q`` (it types the letter), so the first screens whose focus starts in
a field (the target form) show ``ctrl+q`` instead. Deliberately no other behaviour.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.screen import Screen

QUIT_BINDINGS = [
    Binding("q", "quit_now", "Quit", id="app.quit_q",
            tooltip="Quit smtp-wizard (ctrl+q quits from any screen)"),
]
TYPED_QUIT_BINDINGS = [  # the first screen starts in a text field: ctrl+q is the key shown
    Binding("ctrl+q", "quit_now", "Quit", id="app.quit_shown", priority=True,
            tooltip="Quit smtp-wizard (from any screen)"),
]


def is_first(screen: Screen[Any]) -> bool:
    """True for the screen the app opened on (nothing below it to go back to)."""
    stack = screen.app.screen_stack
    return bool(stack) and stack[0] is screen


def quit_now(screen: Screen[Any]) -> None:
    screen.app.exit()


def offer_to_quit(screen: Screen[Any]) -> None:
    """Escape on a first screen: ask, then quit on a yes."""
    from screens.confirm_screen import ConfirmScreen

    def answer(yes: bool | None) -> None:
        if yes:
            screen.app.exit()

    screen.app.push_screen(ConfirmScreen("Quit smtp-wizard?", "Quit", "Stay"), answer)
