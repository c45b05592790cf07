"""The base of the wizard's full screens: ``self.wizard`` is the running app, typed.

Textual types ``Screen.app`` as a plain ``App``; the wizard's screens call the app's own
navigation (``start_run``, ``open_article``, ``knowledge`` ...), so they reach it through
:attr:`WizardScreen.wizard`, which checks that the app is a :class:`~screens.app.WizardApp`.
Deliberately nothing else: no bindings, styles or behaviour of its own.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import Screen

from screens.app import WizardApp

ResultT = TypeVar("ResultT")


class WizardScreen(Screen[ResultT]):
    """A screen that runs inside :class:`~screens.app.WizardApp` (or a subclass)."""

    @property
    def wizard(self) -> WizardApp:
        app = self.app
        assert isinstance(app, WizardApp), f"{type(self).__name__} needs a WizardApp"
        return app
