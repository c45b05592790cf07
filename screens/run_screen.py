"""The Run screen: walks the decision tree live, step by step, and shows the verdict.

The walk runs in an exclusive async worker (``escape`` cancels it); the worker posts small
messages (:mod:`screens.messages`) that this screen renders. Every event is appended to the
session file (:mod:`wizard.records.history`) as it happens. For a lab scenario the screen starts the
scenario's servers before the first walk and stops them when it closes; its
:class:`~wizard.lab.seal.Seal` (the core's rules) keeps the target on the lab, asks no questions,
and, in an exercise, closes what would reveal the verdict: this screen only obeys it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Header, ListView, RichLog, Static
from textual.worker import Worker, WorkerState

from screens.messages import TranscriptLine, WalkDone, WalkEvent
from screens.question_screen import QuestionScreen
from screens.widgets import ActionButton, ArticleButton, FindingCard, StepItem, VerdictBox
from screens.wizard_screen import WizardScreen
from wizard.lab.seal import Seal
from wizard.model.findings import (
    CheckDns,
    Contact,
    Finding,
    Read,
    Rerun,
    RetryLater,
    Step,
    article_of,
)
from wizard.model.target import Target
from wizard.model.transcript import Direction, Line
from wizard.output.safetext import printable
from wizard.records.history import SessionLog
from wizard.walk.context import CheckContext
from wizard.walk.session import Session
from wizard.walk.tree import (
    TREE,
    CheckStarted,
    FindingAdded,
    FindingUpdated,
    Question,
    QuestionAsked,
    StepFinished,
    StepStarted,
    WalkFinished,
    walk,
)

STEP_TITLES: dict[str, str] = {
    step.value: next(node.title for node in TREE if node.step is step) for step in Step}
LINE_STYLE = {
    Direction.CLIENT: ("C: ", "cyan"), Direction.SERVER: ("S: ", "green"),
    Direction.TLS: ("TLS", "magenta"), Direction.CONNECT: ("..", "dim"),
    Direction.NOTE: ("##", "dim italic"),
}


class RunScreen(WizardScreen[None]):
    """Live checks for one target (or one lab scenario)."""

    EXERCISE = False  # an exercise's seal closes what reveals the verdict until it is scored

    BINDINGS = [
        Binding("escape", "cancel_or_back", "Back", id="run.cancel",
                tooltip="Cancel the running checks; when nothing runs, go back"),
        Binding("ctrl+r", "rerun", "Re-run", id="run.rerun",
                tooltip="Run every check again (after a fix, or after editing the target)"),
        Binding("t", "toggle_transcript", "Transcript", id="run.transcript", show=False,
                tooltip="Show or hide the live SMTP transcript (secrets already removed)"),
        Binding("x", "apply", "Do next step", id="run.apply",
                tooltip="Carry out the verdict's next step: re-run with the fix, check the "
                        "DNS, read the article, or prepare the report for whoever must act"),
        Binding("a", "article", "Article", id="run.article", show=False,
                tooltip="Read the knowledge article for the verdict"),
        Binding("r", "report", "Report", id="run.report", show=False,
                tooltip="The session as Markdown and JSON: save it or copy it"),
        Binding("e", "edit", "Edit target", id="run.edit", show=False,
                tooltip="Change a field of the target and re-run"),
    ]

    def __init__(self, target: Target | None = None, scenario: Any = None,
                 latency_ms: int = 0, replay: Session | None = None) -> None:
        """``replay``: show a finished session (from History) instead of walking."""
        super().__init__()
        self.replay = replay
        self.target = target or (replay.target if replay is not None else None)
        self.scenario = scenario
        self.latency_ms = latency_ms
        self.session: Session | None = None
        self.findings: dict[str, list[Finding]] = {}
        self.shown_step = Step.CONNECT.value
        self.follow = True
        self.log_path: str | None = None
        self._lab: Any = None
        self._lab_stack: contextlib.AsyncExitStack | None = None
        self._walk: Worker[Session | None] | None = None
        self._items: list[StepItem] = []
        self._pending: list[Finding] = []
        self._run_id = 0
        self._retry: Any = None  # the timer of a scheduled "try again later"
        self.seal: Seal | None = None  # set when the lab's servers are up

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="run-body"):
            with Vertical(id="run-left"):
                yield ListView(*(StepItem(step, title) for step, title in STEP_TITLES.items()),
                               id="run-steps")
                yield Static("", id="run-status", markup=False)
            with Vertical(id="run-main"):
                yield Static("", id="run-setup", markup=False)
                yield VerdictBox(id="run-verdict")
                yield Static("", id="run-step-heading")
                yield VerticalScroll(id="run-findings")
        yield RichLog(id="run-transcript", markup=False, highlight=False, wrap=True)
        with Horizontal(id="run-actions", classes="actions"):
            yield Button("Article", id="run-article-btn", compact=True)
            yield Button("Report", id="run-report-btn", compact=True)
            yield Button("Re-run", id="run-rerun-btn", compact=True)
            yield Button("Edit target", id="run-edit-btn", compact=True)
            yield Button("Transcript", id="run-transcript-btn", compact=True)
            yield Button("Back", id="run-back-btn", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self._items = list(self.query(StepItem))
        self.query_one("#run-verdict").display = False
        self.query_one("#run-transcript").display = False
        self.query_one("#run-setup").display = False
        self.set_interval(0.1, self._spin)
        self._set_subtitle()
        self.query_one("#run-steps", ListView).focus()
        self.start()

    def _set_subtitle(self) -> None:
        if self.scenario is not None:
            self.sub_title = f"Lab: {self.scenario.name}"
        elif self.target is not None and self.target.host:
            self.sub_title = f"{self.target.host}:{self.target.effective_port}"
        elif self.target is not None and self.target.domain:
            self.sub_title = f"DNS of {self.target.domain}"

    def _spin(self) -> None:
        for item in self._items:
            if item.state == "running":
                item.tick()

    @property
    def running(self) -> bool:
        return self._walk is not None and self._walk.state in (
            WorkerState.PENDING, WorkerState.RUNNING)

    def start(self) -> None:
        """Reset the view and walk the tree (cancelling a walk still running)."""
        if self.replay is not None:
            session, self.replay = self.replay, None
            self.call_after_refresh(self._show_replay, session)
            return
        self._walk = self.run_walk()

    async def _show_replay(self, session: Session) -> None:
        """Show a finished session's findings and verdict as a walk would have."""
        from wizard.walk.tree import step_status

        await self._reset()
        for step in Step:
            found = [f for f in session.findings if f.step is step]
            self.findings[step.value] = found
            self._item(step.value).set_state(step_status(found).value if found else "skip")
        await self._finish(WalkFinished(session.verdict, session))

    # ------------------------------------------------------------ the worker

    async def _ensure_lab(self) -> None:
        if self.scenario is None or self._lab is not None:
            return
        from wizard.lab.runner import Lab

        self._status(f"Starting the lab servers for '{self.scenario.name}' ...")
        stack = contextlib.AsyncExitStack()
        self._lab = await stack.enter_async_context(Lab(self.scenario, self.latency_ms))
        self._lab_stack = stack
        self.seal = Seal.for_lab(self._lab, exercise=self.EXERCISE)
        if self.target is None:
            self.target = self.seal.home
        setup = self.query_one("#run-setup", Static)
        setup.update("Your setup: " + "  ".join(f"{k} {v}" for k, v in self.seal.setup()))
        setup.display = True
        self.refresh_bindings()
        self._set_subtitle()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys the seal closes are not shown (an exercise before its diagnosis)."""
        del parameters
        return self.seal is None or self.seal.refusal(action) is None

    def closed(self, action: str) -> bool:
        """True (and says why) when the lab's seal keeps ``action`` closed for now."""
        refusal = self.seal.refusal(action) if self.seal is not None else None
        if refusal:
            self.notify(refusal)
        return refusal is not None

    async def stop_lab(self) -> None:
        """Stop the scenario's servers (safe to call more than once)."""
        stack, self._lab_stack, self._lab = self._lab_stack, None, None
        if stack is not None:
            await stack.aclose()

    async def _complete(self, target: Target) -> Target:
        """Ask for what the run needs and the target lacks: the password of a given user
        (masked, never saved) and, before a real message goes out, a yes."""
        from screens.ask_screen import AskScreen
        from screens.confirm_screen import ConfirmScreen

        if target.host and target.user and not (target.password or target.oauth_token):
            values = await self.app.push_screen(
                AskScreen(["password"], f"Password of {target.user} (never saved, never "
                          "shown):", target), wait_for_dismiss=True)
            if values:
                target = target.with_changes(**values)
        if target.host and target.send:
            yes = await self.app.push_screen(ConfirmScreen(
                f"Send one real test message from {target.mail_from} to {target.rcpt_to}?",
                "Send it", "Test without sending"), wait_for_dismiss=True)
            if not yes:
                target = target.with_changes(send=False)
        return target

    async def _ask(self, question: Question) -> str | None:
        answer: str | None = await self.app.push_screen(QuestionScreen(question),
                                                        wait_for_dismiss=True)
        return answer

    @work(exclusive=True, group="walk", exit_on_error=False)
    async def run_walk(self) -> Session | None:
        self._run_id += 1
        run = self._run_id
        await self._reset()
        await self._ensure_lab()
        target = self.target
        if target is None or not (target.host or target.domain):
            self._status("No target: press e to fill one in.")
            return None
        target = await self._complete(target)
        self.target = target
        command = f"lab --scenario {self.scenario.name}" if self.scenario else "tui"
        log: SessionLog | None = None
        try:
            log = SessionLog.create(target, command)
            self.log_path = str(log.path)
        except OSError as exc:
            self.notify(f"The session file could not be created: {exc}", severity="warning",
                        markup=False)
        ctx = CheckContext.for_target(target)

        def on_line(line: Line) -> None:
            if log is not None:
                log.write({"type": "transcript", **line.to_dict()})
            self.post_message(TranscriptLine(line, run))

        async def ask(question: Question) -> str | None:
            return await self._ask(question)

        asks = self.seal is None or self.seal.asks()  # the lab asks no one anything

        ctx.transcript.listeners.append(on_line)
        session: Session | None = None
        try:
            async with contextlib.aclosing(walk(target, ctx, answer=ask if asks else None,
                                                command=command)) as events:
                async for event in events:
                    if log is not None:
                        log.append(event)
                    if isinstance(event, WalkFinished):
                        session = event.session
                    self.post_message(WalkEvent(event, run))
        except asyncio.CancelledError:
            if log is not None:
                log.close("cancelled")
            self.post_message(WalkDone(None, cancelled=True, run=run))
            raise
        finally:
            ctx.transcript.listeners.remove(on_line)
            if log is not None:
                log.close()
        self.post_message(WalkDone(session, run=run))
        return session

    # ------------------------------------------------------------ rendering events

    async def _reset(self) -> None:
        self.session = None
        self.findings = {}
        self.follow = True
        for item in self.query(StepItem):
            item.set_state("waiting")
        verdict = self.query_one("#run-verdict", VerdictBox)
        verdict.display = False
        await verdict.remove_children()
        self.query_one("#run-transcript", RichLog).clear()
        await self.show_step(Step.CONNECT.value)
        self._status("Running the checks ... (escape cancels)")

    def _status(self, text: str) -> None:
        self.query_one("#run-status", Static).update(text)

    def _item(self, step: str) -> StepItem:
        return self.query_one(f"#step-{step}", StepItem)

    async def on_walk_event(self, message: WalkEvent) -> None:
        if message.run != self._run_id:
            return
        event = message.event
        if isinstance(event, StepStarted):
            self._item(event.step.value).set_state("running")
            if self.follow:
                await self.show_step(event.step.value)
        elif isinstance(event, CheckStarted):
            self._status(f"{event.title} ...")
        elif isinstance(event, FindingAdded):
            finding = event.finding
            self.findings.setdefault(finding.step.value, []).append(finding)
            if finding.step.value == self.shown_step:
                if not self._pending:
                    self.call_after_refresh(self._flush_cards)
                self._pending.append(finding)
        elif isinstance(event, FindingUpdated):
            if event.finding.step.value == self.shown_step:
                await self.show_step(self.shown_step, force=True)
        elif isinstance(event, QuestionAsked):
            self._status(event.question.prompt)
        elif isinstance(event, StepFinished):
            self._item(event.step.value).set_state(event.status.value)
        elif isinstance(event, WalkFinished):
            await self._finish(event)

    async def _finish(self, event: WalkFinished) -> None:
        self.session = event.session
        verdict = event.verdict
        for item in self.query(StepItem):
            if item.state in ("waiting", "running"):
                item.set_state("skip")
        knowledge = self.wizard.knowledge
        ids = [*verdict.articles[:1], article_of(verdict.next.action)]
        titles = {i: knowledge.title(i) for i in ids if i}
        by_id = {f.id: f for f in event.session.findings}
        inconclusive = [by_id[i].title if i in by_id else i for i in verdict.inconclusive]
        await self.query_one("#run-verdict", VerdictBox).show(verdict, titles, inconclusive)
        step = next((f.step.value for f in event.session.findings
                     if f.id == verdict.finding_id), None)
        await self.show_step(step or self.shown_step, force=True)
        self._status("Done. x: do the next step, a: article, r: report, ctrl+r: run again.")

    def on_transcript_line(self, message: TranscriptLine) -> None:
        if message.run != self._run_id:
            return
        line = message.line
        prefix, style = LINE_STYLE.get(line.dir, ("  ", ""))
        self.query_one("#run-transcript", RichLog).write(
            Text.assemble((f"{prefix:<3} ", style), (printable(line.text), style)))

    def on_walk_done(self, message: WalkDone) -> None:
        if message.cancelled and message.run == self._run_id:
            for item in self.query(StepItem):
                if item.state == "running":
                    item.set_state("cancelled")
            self._status("Cancelled. ctrl+r runs the checks again.")

    async def _flush_cards(self) -> None:
        """Mount the findings that arrived since the last refresh, in one go."""
        pending = [f for f in self._pending if f.step.value == self.shown_step]
        self._pending = []
        if pending:
            box = self.query_one("#run-findings", VerticalScroll)
            await box.query(".finding-empty").remove()
            await box.mount_all([self._card(f) for f in pending])

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show a walk that crashed as such; the app turns the error into a notice."""
        self.wizard.on_worker_state_changed(event)
        if event.worker is self._walk and event.state is WorkerState.ERROR:
            for item in self._items:
                if item.state == "running":
                    item.set_state("error")
            self._status("The checks stopped with an internal error. ctrl+r tries again.")

    def _card(self, finding: Finding) -> FindingCard:
        title = (self.wizard.knowledge.title(finding.articles[0])
                 if finding.articles else None)
        return FindingCard(finding, title)

    async def show_step(self, step: str, force: bool = False) -> None:
        """Show ``step``'s findings as cards."""
        if step == self.shown_step and not force and self.query(FindingCard):
            return
        self.shown_step = step
        self._pending = []
        steps = self.query_one("#run-steps", ListView)
        index = list(STEP_TITLES).index(step)
        if steps.index != index:
            steps.index = index
        self.query_one("#run-step-heading", Static).update(
            Content(f"{STEP_TITLES[step]}"))
        box = self.query_one("#run-findings", VerticalScroll)
        await box.remove_children()
        cards = [self._card(f) for f in self.findings.get(step, [])]
        if cards:
            await box.mount_all(cards)
        else:
            await box.mount(Static("Nothing yet.", classes="finding-empty"))

    @on(ListView.Highlighted, "#run-steps")
    async def _highlighted(self, event: ListView.Highlighted) -> None:
        stale = event.item is not event.list_view.highlighted_child
        if isinstance(event.item, StepItem) and not stale and event.item.step != self.shown_step:
            await self.show_step(event.item.step)

    @on(ListView.Selected, "#run-steps")
    async def _selected(self, event: ListView.Selected) -> None:
        if isinstance(event.item, StepItem):
            self.follow = False
            await self.show_step(event.item.step)

    # ------------------------------------------------------------ actions

    @on(ArticleButton.Pressed, ".article-button")
    def _open_article(self, event: ArticleButton.Pressed) -> None:
        event.stop()
        if isinstance(event.button, ArticleButton):
            self.wizard.open_article(event.button.article_id)

    @on(Button.Pressed, "#run-article-btn")
    def action_article(self) -> None:
        if self.session is None:
            self.notify("The article appears when the checks are done.")
            return
        articles = self.session.verdict.articles
        self.wizard.open_article(articles[0] if articles else "unknown")

    @on(ActionButton.Pressed, "#verdict-action")
    def _action_pressed(self, event: ActionButton.Pressed) -> None:
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        """Carry out the verdict's action in the TUI's own terms (no flags anywhere)."""
        from screens.ask_screen import AskScreen
        from screens.next_step import apply_changes, dns_target, retry_words

        if self.closed("apply"):
            return
        if self.session is None or self.running or self.target is None:
            self.notify("The next step appears when the checks are done.")
            return
        action = self.session.verdict.next.action
        if isinstance(action, Read):
            self.wizard.open_article(action.article)
        elif isinstance(action, Contact):
            self.action_report()
        elif isinstance(action, CheckDns):
            target = dns_target(self.target, action)
            if target.domain:
                self._rerun(target)
            else:
                self.app.push_screen(AskScreen(["domain"], "Which domain's DNS?", target),
                                     lambda values: self._rerun(target.with_changes(**values))
                                     if values else None)
        elif isinstance(action, RetryLater):
            if self._retry is not None:  # pressed again: run now
                self._retry.stop()
                self._retry = None
                self._rerun(self.target)
                return
            after = action.after_s or 300
            self._retry = self.set_timer(after, lambda: self._rerun(self.target))
            self._status(f"{retry_words(after)} (x runs it now, escape cancels the wait).")
        elif isinstance(action, Rerun):
            target = apply_changes(self.target, action.changes)
            asks = list(action.asks)
            if asks:
                self.app.push_screen(
                    AskScreen(asks, "Fill in, then the checks run again:", target),
                    lambda values: self._rerun(target.with_changes(**values))
                    if values else None)
            else:
                self._rerun(target)

    def _rerun(self, target: Target) -> None:
        if self._retry is not None:
            self._retry.stop()
            self._retry = None
        if self.seal is not None:
            target, note = self.seal.keep_on_lab(target)
            if note:
                self.notify(note)
        self.target = target
        self.wizard.target = target
        self._set_subtitle()
        self.start()

    @on(Button.Pressed, "#run-report-btn")
    def action_report(self) -> None:
        if self.session is None:
            self.notify("The report is ready when the checks are done.")
            return
        self.wizard.open_report(self.session)

    @on(Button.Pressed, "#run-rerun-btn")
    def action_rerun(self) -> None:
        if self.seal is not None and self.seal.exercise:
            self.target = self.seal.home  # an exercise re-runs its own setup
        self.start()

    @on(Button.Pressed, "#run-transcript-btn")
    def action_toggle_transcript(self) -> None:
        log = self.query_one("#run-transcript", RichLog)
        log.display = not log.display

    @on(Button.Pressed, "#run-edit-btn")
    def action_edit(self) -> None:
        from screens.target_screen import TargetScreen

        if self.target is None or self.closed("edit"):
            return

        def changed(target: Target | None) -> None:
            if target is not None:
                self._rerun(target)

        self.app.push_screen(TargetScreen(self.target, edit=True), changed)

    @on(Button.Pressed, "#run-back-btn")
    async def action_back(self) -> None:
        if self._walk is not None:
            self._walk.cancel()
        await self.stop_lab()
        if len(self.app.screen_stack) > 1:
            self.dismiss(None)

    async def action_cancel_or_back(self) -> None:
        if self._retry is not None:
            self._retry.stop()
            self._retry = None
            self._status("The scheduled re-run was cancelled.")
            return
        if self.running and self._walk is not None:
            self._walk.cancel()
            self.notify("Cancelled the checks.")
        else:
            await self.action_back()

    async def on_unmount(self) -> None:
        await self.stop_lab()
