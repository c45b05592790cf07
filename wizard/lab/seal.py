"""What a lab run may do: the target stays on the lab's servers, and an exercise is sealed.

A :class:`Seal` is made from a running :class:`~wizard.lab.runner.Lab`. It decides, for the
front ends, three things:

- **Where the target may go.** Only the lab's own host and ports (its SMTP server, and the
  working server of a closed-port scenario). :meth:`Seal.keep_on_lab` turns any other target
  back to the lab's, and says so; ``ctrl+r`` re-runs :attr:`Seal.home`, the scenario's target.
- **What is closed before scoring.** While an exercise is not scored (:attr:`sealed`), every
  action that would reveal the verdict is refused with one plain line: the next step (``x``),
  the article, the report, explaining a pasted error, searching articles, editing the target.
  After :meth:`score` everything opens.
- **Which questions are asked.** None: the lab is the provider, and no real person's mail
  client is behind it, so "Which provider hosts this mailbox?" and "What does your mail client
  show?" never pop up in a lab run.

Pure: no I/O and no UI. The screens call it and only display its answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wizard.model.target import Target

# action id -> what opens after the diagnosis (the refusal line names it)
SEALED_ACTIONS: dict[str, str] = {
    "apply": "The next step",
    "article": "The article",
    "report": "The report",
    "explain": "Explaining an error",
    "articles": "Searching the articles",
    "edit": "Editing the setup",
    "history": "History",
    "lab": "The scenario list",
}


@dataclass
class Seal:
    """The rules of one lab run (see the module docstring)."""

    home: Target
    ports: frozenset[int]
    exercise: bool = False
    scored: bool = False

    @classmethod
    def for_lab(cls, lab: Any, exercise: bool = False) -> Seal:
        """The seal of a running lab (its target and every port it listens on)."""
        home: Target = lab.target()
        ports = {int(lab.port)}
        if getattr(lab, "helper", None) is not None:
            ports.add(int(lab.helper.port))
        return cls(home, frozenset(ports), exercise)

    @property
    def sealed(self) -> bool:
        """True while an exercise waits for its diagnosis."""
        return self.exercise and not self.scored

    def score(self) -> None:
        """The diagnosis is scored: everything opens."""
        self.scored = True

    def refusal(self, action: str) -> str | None:
        """None when ``action`` may run now, else the one line that says why not."""
        if not self.sealed or action not in SEALED_ACTIONS:
            return None
        return f"{SEALED_ACTIONS[action]} opens after your diagnosis (press d)."

    def on_lab(self, target: Target) -> bool:
        """Whether ``target`` talks only to this lab's servers."""
        return (target.host == self.home.host and target.effective_port in self.ports
                and tuple(target.nameservers) == tuple(self.home.nameservers))

    def keep_on_lab(self, target: Target) -> tuple[Target, str | None]:
        """``target`` when it stays on the lab; else the lab's host, port and nameserver with
        the other changes kept, and a line that says so."""
        if self.on_lab(target):
            return target, None
        port = target.effective_port if target.effective_port in self.ports else self.home.port
        kept = target.with_changes(host=self.home.host, port=port,
                                   nameservers=self.home.nameservers)
        return kept, (f"The lab runs only on {self.home.host}:{self.home.port}: the checks "
                      "stay there.")

    def setup(self) -> list[tuple[str, str]]:
        """What the trainee is given, as (label, value) rows: the "Your setup" panel. The
        password is the lab's training password (or the scenario's, typos included), public
        by design like the one ``lab --serve`` prints."""
        t = self.home
        rows = [("Server", f"{t.host}:{t.port} ({t.security.value})"),
                ("Address", t.mail_from or "-")]
        if t.user:
            rows.append(("User", t.user))
            rows.append(("Password", t.password.reveal() if t.password else "-"))
        else:
            rows.append(("Login", "none"))
        return rows

    @staticmethod
    def asks() -> bool:
        """Lab runs ask no questions: the lab is the provider, and no real client is there."""
        return False
