"""Merge several published SPF records into the one record a domain should publish instead.

Pure. The merged record authorises every server any of the records authorises: mechanisms are
kept in order without repeats, a ``redirect=`` becomes an ``include:`` (a record may hold only
one redirect, and a redirect would end the others' terms), one ``exp=`` is kept, and it ends in
the records' common ``all``, or ``~all`` when they disagree (never ``+all``). What could not be
carried over is said in the notes. It does not judge the result's lookup count: the caller walks
the merged record like a published one (:func:`wizard.dns.spf.evaluate.analyze`).
"""

from __future__ import annotations

from wizard.dns.spf.record import PermError, Term, is_spf_record, parse_term

ALL_ORDER = ("-", "~", "?", "+")


def merge_records(texts: list[str]) -> tuple[str, list[str]]:
    """(the merged record, notes on what changed beyond putting the terms together)."""
    mechanisms: list[Term] = []
    seen: set[str] = set()
    alls: list[str] = []
    exps: list[Term] = []
    others: list[Term] = []
    notes: list[str] = []

    def keep(term: Term) -> None:
        key = term.raw.lower().lstrip("+")
        if key not in seen:
            seen.add(key)
            mechanisms.append(term)

    for text in texts:
        if not is_spf_record(text):
            continue
        for raw in text.split(" ")[1:]:
            if not raw:
                continue
            try:
                term = parse_term(raw)
            except PermError as exc:
                notes.append(f"left out {raw!r}: {exc}")
                continue
            if term.name == "all" and term.is_mechanism:
                alls.append(term.qualifier or "+")
            elif term.is_mechanism:
                keep(term)
            elif term.name == "redirect":
                keep(parse_term(f"include:{term.value}"))
                notes.append(f"redirect={term.value} became include:{term.value}")
            elif term.name == "exp":
                exps.append(term)
            elif term.raw.lower() not in {o.raw.lower() for o in others}:
                others.append(term)
    if len({e.raw.lower() for e in exps}) > 1:
        notes.append(f"kept {exps[0].raw} (the records had {len(exps)} different exp=)")
    ending = _ending(alls, notes)
    terms = [t.raw for t in mechanisms] + [ending] + [t.raw for t in [*others, *exps[:1]]]
    return " ".join(["v=spf1", *terms]), notes


def _ending(alls: list[str], notes: list[str]) -> str:
    if "+" in alls:
        notes.append("'+all' left out: it authorises every server on the internet")
    usable = sorted({q for q in alls if q != "+"}, key=ALL_ORDER.index)
    if len(usable) == 1:
        return f"{usable[0]}all"
    if usable:
        notes.append(f"the records end differently ({', '.join(q + 'all' for q in usable)}): "
                     "the merge ends in ~all; make it -all once every server that sends for "
                     "the domain is listed")
    return "~all"
