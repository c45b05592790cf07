"""Small messages the run worker posts to its screen (and tests record with message_hook)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from wizard.model.transcript import Line
from wizard.walk.session import Session
from wizard.walk.tree import Event


@dataclass
class WalkEvent(Message):
    """One event of the decision-tree walk, as the walker yielded it."""

    event: Event
    run: int = 0  # which walk of the screen this came from (stale ones are ignored)


@dataclass
class TranscriptLine(Message):
    """One (already redacted) transcript line, live."""

    line: Line
    run: int = 0


@dataclass
class WalkDone(Message):
    """The walk ended: ``session`` is None when it was cancelled."""

    session: Session | None
    cancelled: bool = False
    run: int = 0
