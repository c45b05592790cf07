"""Helpers for the TUI tests: the app with test articles, and walking to the verdict."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.pilot import Pilot

    from screens.app import WizardApp
    from screens.run_screen import RunScreen

ARTICLES = Path(__file__).resolve().parent / "articles"
SIZE = (120, 40)


def make_app(**kwargs: Any) -> WizardApp:
    from screens.app import WizardApp

    return WizardApp(knowledge_dirs=[str(ARTICLES)], **kwargs)


async def finish_walk(pilot: Pilot[Any], answers: dict[str, str | None] | None = None,
                      timeout: float = 15.0) -> RunScreen:
    """Answer the tree's questions (escape skips) until the walk is done; returns RunScreen."""
    from textual.widgets import TextArea

    from screens.question_screen import QuestionScreen
    from screens.run_screen import RunScreen

    answers = answers or {}
    app = pilot.app

    async def loop() -> RunScreen:
        while True:
            await pilot.pause(0.02)
            screen = app.screen
            if isinstance(screen, QuestionScreen):
                answer = answers.get(screen.question.id)
                if answer is None:
                    await pilot.press("escape")
                elif screen.question.choices:
                    index = [v for v, _ in screen.question.choices].index(answer)
                    await pilot.press(*(["down"] * index), "enter")
                else:
                    screen.query_one("#question-text", TextArea).text = answer
                    await pilot.press("ctrl+s")
                continue
            runs = [s for s in app.screen_stack if isinstance(s, RunScreen)]
            if runs and runs[-1].session is not None and not runs[-1].running:
                return runs[-1]

    run = await asyncio.wait_for(loop(), timeout)
    await asyncio.wait_for(app.workers.wait_for_complete(), timeout)
    await pilot.pause()
    return run


def texts(screen: DOMNode, selector: str) -> list[str]:
    """The plain text of every widget matching ``selector`` on ``screen``."""
    out = []
    for widget in screen.query(selector):
        visual = widget.render()
        out.append(str(getattr(visual, "plain", visual)))
    return out
