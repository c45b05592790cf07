"""The one classifier: a reply's category from rule data, in an explicit order of tiers.

Tiers, first match wins (as Sisimai orders its reason classes, never by numeric priority):

1. ``provider``  the recognised provider's documented codes
                 (``wizard/catalog/data/providers/*.toml``)
2. ``local``     patterns of a team's own articles (``--knowledge DIR``)
3. ``cause``     words that name a mechanism (SPF, DKIM, relay, loop, virus, STARTTLS required,
                 quota, listed at, reverse DNS; ``[[cause]]``): the cause outranks the symptom
4. ``text``      other words of replies (``[[text]]``)
5. ``client``    client-library and OS errors (``client_errors.toml``): after the reply words,
                 because a wrapper such as "Invalid login: 534-5.7.9 ..." says less than the
                 server reply it carries
6. ``article``   patterns of the built-in articles (each names its article's first category)
7. ``enhanced``  enhanced status codes alone (``[[enhanced]]``)
8. ``vague``     words too general to outrank a code ("denied", "rejected", "try again later";
                 ``[[vague]]``)
9. ``basic``     basic reply codes alone, by the command they answered (``[[basic]]``)

A reply that came back from a server is never read as a refused connection (nor as a timed-out
one, unless its enhanced code is a network one, x.4.x): the server answered. Only a rule written
for an enhanced code that reports a later hop's connection (Exchange Online's 4.4.316) may say so.

The rule files are the catalog's (``wizard/catalog/data``, read by :mod:`wizard.catalog.rules`).
Within a tier the file order decides. One Aho-Corasick pass over the lower-cased reply finds
every literal word and regex anchor, so only the rules whose words occur are confirmed. No I/O
here beyond loading the data once; rendering and next steps are the service's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from wizard.catalog.categories import CATEGORIES
from wizard.catalog.literals import LiteralIndex
from wizard.catalog.rules import Rule, rule_from, word_from
from wizard.catalog.status_codes import describe_enhanced
from wizard.explain.parse import _SPACE, ParsedReply, parse

if TYPE_CHECKING:
    from wizard.catalog.bundle import Bundle
    from wizard.catalog.knowledge import Article

__all__ = ["TIERS", "Classification", "Engine", "default_engine", "engine_for"]

TIERS = ("provider", "local", "cause", "text", "client", "article", "enhanced", "vague", "basic")
_NO_REPLY = frozenset(("connection-refused", "connection-timeout"))
"""Categories that mean no reply came back (see :func:`_answered`)."""
HAY_LIMIT = 8000
"""How much of the raw text (besides the parsed reply text) the words are looked for in."""


@dataclass(frozen=True)
class Classification:
    """The category a reply belongs to, why, and which articles to read (best first)."""

    category: str
    reason: str
    articles: list[str]
    provider: str | None
    tier: str | None = None
    evidence: str = ""
    rule: Rule | None = field(default=None, repr=False, compare=False)
    pattern_articles: tuple[tuple[str, int], ...] = ()
    """(article id, length of its longest pattern found) for every article pattern present."""

    @property
    def fix(self) -> str | None:
        return self.rule.fix if self.rule else None

    @property
    def note(self) -> str | None:
        return self.rule.note if self.rule else None


class Engine:
    """Rules in tier order, indexed by their literals; :meth:`classify` is pure."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: TIERS.index(r.tier)))
        keys: dict[str, list[tuple[int, int, bool]]] = {}
        always: list[int] = []
        for index, rule in enumerate(self.rules):
            if not rule.words:
                always.append(index)
                continue
            for wi, word in enumerate(rule.words):
                if not word.regex:
                    keys.setdefault(word.text, []).append((index, wi, True))
                elif word.anchors:
                    for anchor in word.anchors:
                        keys.setdefault(anchor, []).append((index, wi, False))
                elif index not in always:
                    always.append(index)
        self._index = LiteralIndex(keys)
        self._always = tuple(always)
        # Rules without words are tried on every reply: those bound to a provider only when it
        # is that provider's reply, and none of them sorted again per reply.
        self._always_any = tuple(i for i in always if not self.rules[i].provider)
        by_provider: dict[str, list[int]] = {}
        for i in always:
            provider = self.rules[i].provider
            if provider:
                by_provider.setdefault(provider, []).append(i)
        self._always_for = {p: tuple(sorted((*ids, *self._always_any)))
                            for p, ids in by_provider.items()}
        self._article_rules = frozenset(
            i for i, r in enumerate(self.rules) if r.article is not None)

    def __len__(self) -> int:
        return len(self.rules)

    def classify(self, reply: ParsedReply, command: str | None = None) -> Classification:
        """The best category for ``reply`` from all evidence together, or ``unknown`` honestly.

        A nested error is read from its innermost cause outwards: the first message that means
        something decides (``Could not connect ...; nested exception is: ... plaintext
        connection?`` is a TLS mode mismatch, not a refused connection)."""
        for inner in reversed(reply.chain[1:]):
            part = parse(inner, command or reply.command)
            found_inner = self._classify(replace(part, provider=part.provider or reply.provider),
                                         command)
            if found_inner.category != "unknown":
                return found_inner
        return self._classify(reply, command)

    def _classify(self, reply: ParsedReply, command: str | None) -> Classification:
        cmd = (command or reply.command or "").upper() or None
        flat = reply.flat or _SPACE.sub(" ", reply.raw[:HAY_LIMIT])
        # The whole text holds the parsed reply text too (unless the caller built the reply).
        original = flat[:HAY_LIMIT] if reply.flat else f"{reply.text}\n{flat[:HAY_LIMIT]}"
        hay = original.lower()
        plain: dict[int, tuple[int, int]] = {}
        maybe: set[int] = set()
        articles: dict[str, int] = {}
        for end, key, payloads in self._index.find(hay):
            for index, _, exact in payloads:
                if exact:
                    if index not in plain:
                        plain[index] = (end - len(key) + 1, end + 1)
                    if index in self._article_rules:
                        art = self.rules[index].article
                        assert art is not None, "an article rule names its article"
                        if len(key) > articles.get(art, 0):
                            articles[art] = len(key)
                else:
                    maybe.add(index)
        found: tuple[Rule, tuple[int, int] | None] | None = None
        always = self._always_for.get(reply.provider or "", self._always_any)
        hits = sorted(plain.keys() | maybe) if maybe else sorted(plain)
        for index in _merged(hits, always):
            rule = self.rules[index]
            if not rule.conditions_hold(reply.code, reply.enhanced, cmd, reply.provider):
                continue
            if rule.category in _NO_REPLY and not rule.enhanced and _answered(reply, rule.category):
                continue
            span = plain.get(index)
            if span is None and rule.words:
                span = _confirm(rule, hay)
                if span is None:
                    continue
            found = (rule, span)
            break
        ranked = tuple(sorted(articles.items(), key=lambda kv: (-kv[1], kv[0])))
        if found is None:
            return Classification("unknown", _unknown_reason(reply), ["unknown"],
                                  reply.provider, pattern_articles=ranked)
        rule, span = found
        evidence = ""
        if span:
            # Quote the server's own capitalisation when lower-casing kept the length.
            evidence = (original if len(original) == len(hay) else hay)[span[0]:span[1]]
        ids = [rule.category, *(a for a in rule.also if a != rule.category)]
        if rule.article and rule.article not in ids:
            # A team's own article (tier local) was written for exactly this wording: it comes
            # first; a built-in article's follows its category's.
            ids.insert(0 if rule.tier == "local" else 1, rule.article)
        return Classification(
            rule.category, _reason(rule.category, evidence, reply, cmd), ids, reply.provider,
            tier=rule.tier, evidence=evidence, rule=rule, pattern_articles=ranked,
        )


def _answered(reply: ParsedReply, category: str) -> bool:
    """Whether a server's reply is the evidence, so it cannot mean ``category`` (no reply)."""
    if reply.code is None or reply.code < 400:
        return False
    if category == "connection-timeout":
        return reply.enhanced is not None and reply.enhanced[2:4] != "4."
    return True


def _merged(first: list[int], second: tuple[int, ...]) -> Iterable[int]:
    """Two ascending index lists as one (the always-tried rules keep their place in order)."""
    if not first:
        yield from second
        return
    j = 0
    for index in first:
        while j < len(second) and second[j] < index:
            yield second[j]
            j += 1
        if j < len(second) and second[j] == index:
            j += 1
        yield index
    yield from second[j:]


def _confirm(rule: Rule, hay: str) -> tuple[int, int] | None:
    """The span of the first literal word found, else of the earliest regex match, else None."""
    best: tuple[int, int] | None = None
    for word in rule.words:
        if not word.regex:
            pos = hay.find(word.text)
            if pos >= 0:
                return pos, pos + len(word.text)
            continue
        match = word.compiled.search(hay)
        if match is not None:
            span = match.span()
            if best is None or span[0] < best[0]:
                best = span
    return best


# --- reasons -----------------------------------------------------------------------------------


def _code_words(reply: ParsedReply, command: str | None) -> str:
    parts = [str(reply.code) if reply.code is not None else "", reply.enhanced or ""]
    codes = " ".join(p for p in parts if p)
    if not codes:
        return ""
    return f"{codes} to {command}" if command else codes


def _lower_first(sentence: str) -> str:
    """Lower-case the first letter unless the word is an acronym ("SMTP", "DKIM")."""
    if len(sentence) > 1 and sentence[1].islower():
        return sentence[0].lower() + sentence[1:]
    return sentence


def _reason(category: str, evidence: str, reply: ParsedReply, command: str | None) -> str:
    codes = _code_words(reply, command)
    meaning = _lower_first(CATEGORIES[category])
    if evidence:
        snippet = evidence if len(evidence) <= 60 else evidence[:57] + "..."
        with_codes = f" (reply {codes})" if codes else ""
        return f'The words "{snippet}"{with_codes} mean: {meaning}'
    if reply.enhanced:
        desc = describe_enhanced(reply.enhanced)
        return f'Reply {codes} ("{desc}") means: {meaning}'
    return f"Reply code {codes} means: {meaning}"


def _unknown_reason(reply: ParsedReply) -> str:
    desc = describe_enhanced(reply.enhanced) if reply.enhanced else None
    if desc:
        return (f"Nothing in the reply matches a known problem; {reply.enhanced} means"
                f' "{desc}".')
    if reply.code is not None:
        return f"Nothing in the reply matches a known problem; reply code {reply.code} alone is" \
               " too general to say more."
    return "No SMTP reply code or known wording was found in this text."


# --- building engines --------------------------------------------------------------------------


def provider_rules() -> list[Rule]:
    """Every provider file's documented codes, as rules bound to that provider."""
    from wizard.catalog.providers import catalog

    out: list[Rule] = []
    for provider in catalog().values():
        out.extend(provider.rules)
    return out


def article_rules(articles: Iterable[Article], tier: str) -> list[Rule]:
    """One rule per article with patterns: its words name its first category."""
    out = []
    for article in articles:
        if not article.patterns or not article.categories:
            continue
        where = f"{article.path.name} patterns"
        words = tuple(word_from(p, where) for p in article.patterns)
        rule = rule_from({"category": article.categories[0], "words": ["x"]}, tier, where)
        from dataclasses import replace

        out.append(replace(rule, words=words, article=article.id))
    return out


_DEFAULT: list[tuple[Bundle, Engine]] = []
"""The default engine and the catalog bundle it was built from (rebuilt when that changes)."""


def default_engine() -> Engine:
    """Provider catalogs, the built-in rule files and the built-in article patterns, from the
    catalog's bundle (:mod:`wizard.catalog.bundle`, cached between runs); built once per bundle."""
    from wizard.catalog.bundle import builtin

    bundle = builtin()
    if not _DEFAULT or _DEFAULT[0][0] is not bundle:
        rules = [r for p in bundle.catalog.values() for r in p.rules]
        engine = Engine([*rules, *bundle.rules, *article_rules(bundle.articles, "article")])
        _DEFAULT[:] = [(bundle, engine)]
        _LOCAL.clear()
    return _DEFAULT[0][1]


_LOCAL: dict[tuple[str, ...], Engine] = {}


def engine_for(local_articles: Iterable[Article] = ()) -> Engine:
    """The default engine, plus a team's own article patterns (tier ``local``) when given."""
    local = [a for a in local_articles if a.patterns]
    if not local:
        return default_engine()
    key = tuple(sorted(f"{a.path}:{a.id}" for a in local))
    if key not in _LOCAL:
        base = default_engine()
        overridden = {a.id for a in local}
        kept = [r for r in base.rules if not (r.tier == "article" and r.article in overridden)]
        _LOCAL[key] = Engine([*kept, *article_rules(local, "local")])
    return _LOCAL[key]
