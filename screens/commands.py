"""Command palette providers: the wizard's actions (listed first, when nothing is typed) and
knowledge articles (by title and by text, as soon as words are typed).

The built-in providers stay (theme switching, keys, quit); these add the wizard's own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

if TYPE_CHECKING:
    from screens.app import WizardApp


def _wizard(provider: Provider) -> WizardApp:
    """The palette's app, typed (imported here: :mod:`screens.app` imports this module)."""
    from screens.app import WizardApp

    app = provider.app
    assert isinstance(app, WizardApp), "the wizard's commands need a WizardApp"
    return app


class ArticleCommands(Provider):
    """Search knowledge articles; choosing one opens it."""

    async def search(self, query: str) -> Hits:
        app = _wizard(self)
        if app.refusal("articles"):  # an exercise not yet scored: an article names the answer
            return
        matcher = self.matcher(query)
        seen: set[str] = set()
        for article in app.knowledge.all():
            label = f"Article: {article.title}"
            score = max(matcher.match(label), matcher.match(article.id) * 0.9)
            if score > 0:
                seen.add(article.id)
                yield Hit(score, matcher.highlight(label), partial(app.open_article, article.id),
                          help=article.id)
        for article in app.knowledge.search(query, limit=8):
            if article.id not in seen:
                yield Hit(0.3, Content(f"Article: {article.title}"),
                          partial(app.open_article, article.id),
                          help=f"{article.id}: mentions your words")

    async def discover(self) -> Hits:
        """Nothing before the person types: the palette opens on the actions; articles come
        up as soon as words are typed."""
        return
        yield  # pragma: no cover - makes this an async generator


class ActionCommands(Provider):
    """The wizard's actions: re-run, export, explain, lab, history, new target, help."""

    def _actions(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = _wizard(self)
        screen: Any = self.screen  # the calling screen; duck-typed: the actions it has
        actions: list[tuple[str, str, Callable[[], Any]]] = []
        if hasattr(screen, "action_apply") and not app.refusal("apply"):
            actions.append(("Do the next step", "what the verdict says to do (x)",
                            screen.action_apply))
        if hasattr(screen, "action_rerun"):
            actions.append(("Re-run the checks", "walk every step again", screen.action_rerun))
        if hasattr(screen, "action_report") and not app.refusal("report"):
            actions.append(("Export the report", "Markdown and JSON: save or copy",
                            screen.action_report))
        if not app.refusal("explain"):
            actions.append(("Explain an error", "paste an SMTP error or bounce",
                            app.action_explain))
        if not app.refusal("lab"):
            actions.append(("Open the lab", "practise on local scenario servers", app.action_lab))
        if not app.refusal("history"):
            actions.append(("Session history", "reopen past sessions", app.action_history))
        actions += [
            ("New target", "fill in a server to test", app.action_new_target),
            ("Help", "how the wizard works and its keys", app.action_help),
        ]
        return actions

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)

    async def discover(self) -> Hits:
        for name, help_text, callback in self._actions():
            yield DiscoveryHit(name, callback, help=help_text)
