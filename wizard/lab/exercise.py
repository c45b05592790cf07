"""Exercises: scenarios shown by number only, a trainee's diagnosis scored, a score sheet kept.

A trainee walks "Exercise 3" without seeing its name or expected verdict, then states a
diagnosis: the category (what is wrong) and the fix (one of a few next steps: the right one from
``wizard/catalog/data/categories.toml`` and others drawn from other categories, in an order fixed
per
trainee and exercise). :func:`score` gives points for each, minus the hints asked for;
:class:`ScoreSheet` keeps every attempt in the data dir as JSON and Markdown
(``exercises/<trainee>.json`` and ``.md``, mode 0600, written atomically) for the trainer.

Pure logic and file I/O only: the screens are in ``screens/exercise_screen.py``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wizard.lab.scenarios import Scenario, at_level

POINTS_CATEGORY = 3
POINTS_FIX = 2
HINT_COST = 1
MAX_POINTS = POINTS_CATEGORY + POINTS_FIX
FIX_CHOICES = 4
_TRAINEE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Exercise:
    """One scenario as a trainee sees it: a number, never its name."""

    number: int
    scenario: Scenario

    @property
    def label(self) -> str:
        return f"Exercise {self.number}"

    def anonymous(self) -> Scenario:
        """The scenario with nothing that gives the answer away (name, title, description,
        hints) - what the run screen and the session file see."""
        return replace(self.scenario, name=f"exercise-{self.number}", title=self.label,
                       learn=self.label, hints=())


def exercises(scenarios: Iterable[Scenario], level: str | None = None) -> tuple[Exercise, ...]:
    """The scenarios of ``level`` (all for None), numbered from 1 in their order."""
    return tuple(Exercise(n, s) for n, s in enumerate(at_level(scenarios, level), start=1))


def trainee_slug(name: str) -> str:
    """A file-name-safe form of a trainee's name; ValueError when nothing usable is left."""
    slug = _TRAINEE.sub("-", name.strip()).strip(".-")[:64]
    if not slug:
        raise ValueError(f"trainee name {name!r} needs letters or digits")
    return slug


# ------------------------------------------------------------------ the diagnosis


@dataclass(frozen=True)
class Fix:
    """One fix a trainee may pick: a next step and who takes it."""

    text: str
    who: str
    category: str


def category_choices() -> list[tuple[str, str]]:
    """Every category id with its one-line meaning, in the data file's order."""
    from wizard.catalog.categories import guides

    return [(cid, g.meaning) for cid, g in guides().items()]


def fix_choices(expected: str, facts: dict[str, Any] | None = None, seed: str = "",
                count: int = FIX_CHOICES) -> list[Fix]:
    """The right fix for ``expected`` and ``count - 1`` others, shuffled by ``seed``."""
    from wizard.catalog.categories import fill, guide, guides

    facts = facts or {}
    right = guide(expected)
    options = [Fix(fill(right.next_step, facts), right.who, right.id)]
    seen = {options[0].text}
    others = [g for g in guides().values() if g.id not in (right.id, "unknown")]
    rng = random.Random(f"{seed}/{expected}")
    rng.shuffle(others)
    for g in others:
        text = fill(g.next_step, facts)
        if text in seen:
            continue
        seen.add(text)
        options.append(Fix(text, g.who, g.id))
        if len(options) == count:
            break
    rng.shuffle(options)
    return options


def facts_of(target: Any) -> dict[str, Any]:
    """The facts a next step names ({host}, {port}, {domain} ...) from a Target."""
    if target is None:
        return {}
    return {"host": target.host, "port": target.effective_port, "domain": target.sender_domain,
            "sending_ip": target.sending_ip, "recipient_domain": target.recipient_domain,
            "mail_from": target.mail_from, "rcpt_to": target.rcpt_to, "user": target.user}


@dataclass(frozen=True)
class Attempt:
    """A scored diagnosis, as the score sheet keeps it."""

    exercise: int
    scenario: str
    level: str
    expected: str
    answered: str
    category_right: bool
    fix: str
    fix_right: bool
    hints: int
    points: int
    max_points: int = MAX_POINTS
    at: str = ""


def score(exercise: Exercise, category: str, fix: Fix, hints: int = 0) -> Attempt:
    """Points for a diagnosis: the category, the fix, minus the hints (never below 0)."""
    expected = exercise.scenario.expected
    category_right = category == expected
    fix_right = fix.category == expected
    points = (POINTS_CATEGORY if category_right else 0) + (POINTS_FIX if fix_right else 0)
    points = max(0, points - HINT_COST * hints)
    return Attempt(exercise.number, exercise.scenario.name, exercise.scenario.level, expected,
                   category, category_right, fix.text, fix_right, hints, points,
                   at=datetime.now(UTC).isoformat(timespec="seconds"))


def explanation(exercise: Exercise) -> str:
    """What the exercise was about, for after the diagnosis (plain text)."""
    from wizard.catalog.categories import guide

    g = guide(exercise.scenario.expected)
    return (f"{exercise.label} was '{exercise.scenario.name}': {exercise.scenario.title}. "
            f"{exercise.scenario.description} The wizard's verdict: {g.meaning} "
            f"Fix: {g.next_step}")


# ------------------------------------------------------------------ the score sheet


@dataclass
class ScoreSheet:
    """Every attempt of one trainee, kept in ``folder`` as JSON and Markdown."""

    trainee: str
    folder: Path
    attempts: list[Attempt] = field(default_factory=list)
    note: str | None = None  # set when an unreadable sheet was moved aside

    @classmethod
    def default_folder(cls) -> Path:
        from wizard.records.history import data_dir

        return data_dir() / "exercises"

    @property
    def json_path(self) -> Path:
        return self.folder / f"{trainee_slug(self.trainee)}.json"

    @property
    def markdown_path(self) -> Path:
        return self.json_path.with_suffix(".md")

    @classmethod
    def load(cls, trainee: str, folder: Path | None = None) -> ScoreSheet:
        """The trainee's sheet (empty when new). An unreadable sheet is renamed aside, never
        overwritten, and :attr:`note` says where it went."""
        sheet = cls(trainee, Path(folder or cls.default_folder()))
        path = sheet.json_path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            rows = data["attempts"]
            sheet.attempts = [Attempt(**row) for row in rows]
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as exc:
            aside = path.with_name(f"{path.name}.unreadable-{datetime.now(UTC):%Y%m%dT%H%M%S}")
            try:
                path.rename(aside)
                sheet.note = f"{path} could not be read ({type(exc).__name__}); kept as {aside}"
            except OSError as err:
                sheet.note = f"{path} could not be read or moved: {err}"
            sheet.attempts = []
        return sheet

    def best(self) -> dict[int, Attempt]:
        """The best attempt per exercise number."""
        out: dict[int, Attempt] = {}
        for attempt in self.attempts:
            kept = out.get(attempt.exercise)
            if kept is None or attempt.points > kept.points:
                out[attempt.exercise] = attempt
        return out

    def record(self, attempt: Attempt) -> None:
        self.attempts.append(attempt)
        self.save()

    def to_dict(self) -> dict[str, Any]:
        best = self.best()
        return {"schema": 1, "trainee": self.trainee,
                "total": sum(a.points for a in best.values()),
                "max": MAX_POINTS * len(best),
                "attempts": [asdict(a) for a in self.attempts]}

    def markdown(self) -> str:
        from wizard.output.safetext import markdown_inline as md_cell

        data = self.to_dict()
        lines = [f"# Score sheet: {md_cell(self.trainee)}", "",
                 f"Best scores: **{data['total']} / {data['max']}** over "
                 f"{len(self.best())} exercise(s); {len(self.attempts)} attempt(s) in all.", "",
                 "| exercise | scenario | level | expected | answered | fix | hints | points | "
                 "when |", "|---|---|---|---|---|---|---|---|---|"]
        for a in self.attempts:
            lines.append(
                f"| {a.exercise} | {md_cell(a.scenario)} | {a.level} | {a.expected} | "
                f"{md_cell(a.answered)} {'✓' if a.category_right else '✗'} | "
                f"{'✓' if a.fix_right else '✗'} | {a.hints} | {a.points}/{a.max_points} | "
                f"{a.at} |")
        return "\n".join(lines) + "\n"

    def save(self) -> None:
        from wizard.output.files import write_atomic

        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self.json_path, json.dumps(self.to_dict(), indent=2) + "\n")
        write_atomic(self.markdown_path, self.markdown())
