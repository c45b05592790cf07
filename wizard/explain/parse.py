"""Pull an SMTP reply out of raw text: basic code, enhanced code, human text, command, provider.

Pure functions, no I/O. ``text`` may be a reply as sent (one or more lines), a line quoted in a
bounce (``host mx[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT TO command)``) or a vendor
variant (``#5.1.1``, ``5.1.1 smtp;550 ...``). What the reply means is the engine's business
(``wizard.explain.engine``); this module only finds its parts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from wizard.catalog.literals import LiteralIndex
from wizard.catalog.providers import catalog, recognise

MAX_REPLY_CHARS = 20_000
"""A reply longer than this is cut before parsing (and the cut is reported by the service)."""

COMMANDS = ("CONNECT", "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT",
            "RSET", "QUIT")

# A basic reply code: not part of a number, IP address, word, host:port or cipher
# (``SHA384:256``), not a port ("port 465", "port: 465") and not the code a client expected
# ("Expected response code 250 but got ...").
_BASIC = re.compile(r"(?<![\w.\]=/+-])(?<!\w:)(?<!port )(?<!port: )(?<!port=)"
                    r"(?<!expected )(?<!expected code )(?<!expected response code )"
                    r"(?<!expected response )(?<!expected reply code )"
                    r"([245][0-7]\d)(?=[ \t\-:,;'\")\]]|$)", re.IGNORECASE)
_ENHANCED = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)")
_LINE_PREFIX = re.compile(r"^\s*([245]\d\d)([ -])\s*(?:([245]\.\d{1,3}\.\d{1,3})\s+)?")
_SPACE = re.compile(r"\s+")
# Where an error names the error that caused it (Java, .NET, Python, Node, PHPMailer): the text
# after the last of these is the innermost cause.
_NESTED = re.compile(
    r"nested exception is:?|caused by:|inner ?exception:?|\s--->\s|"
    r"during handling of the above exception, another exception occurred:|"
    r"the above exception was the direct cause of the following exception:|"
    r"\[cause\]:|\bcause: |(?<=could not connect to smtp host\.)\s|"
    r"(?<=smtp connect\(\) failed\.)\s",
    re.IGNORECASE)
# The remote server a bounce quotes: ``host mx.example.net[192.0.2.1] said:`` (Postfix) or
# ``host mx.example.net [192.0.2.1]:`` (Exim).
_RESPONDER = re.compile(r"\bhost ([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\s?\[[0-9a-f.:]+\]"
                        r"(?: said)?:\s*(.*)", re.IGNORECASE)
_IN_REPLY_TO = re.compile(r"\s*\(in reply to [^)]*\)\s*$", re.IGNORECASE)

# How bounces say which command a reply answered (first command in this order wins).
_COMMAND_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("RCPT", ("in reply to rcpt to", "after rcpt to", "our rcpt to", "rcpt to response",
              "[rcpt_to]", "following rcpt command", "does not like recipient", "smtp:rcpt")),
    ("MAIL", ("in reply to mail from", "after mail from", "[mail_from]", "sender was rejected")),
    ("DATA", ("end of data", "after end of data", "final data", "in reply to data command",
              "for text command", "failed after i sent the message", "(data)")),
    ("EHLO", ("after ehlo", "in reply to ehlo", "my name was rejected")),
    ("HELO", ("after helo", "in reply to helo", "helo handshake", "refused to talk to me")),
    ("STARTTLS", ("in reply to starttls", "after starttls")),
    ("AUTH", ("in reply to auth", "after auth")),
    ("CONNECT", ("after initial connection", "greeting")),
    ("QUIT", ("in reply to quit", "after quit")),
)
_HINT_INDEX = LiteralIndex({
    word: [rank] for rank, (_, words) in enumerate(_COMMAND_HINTS) for word in words
})

# The end of the words with which a bounce introduces the remote server's reply.
_QUOTE_END = re.compile(r"(?:[:;]|<<<|\bsaid|\bwas|\breturned)\s*[#<'\"\[(]*\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedReply:
    """One SMTP reply pulled out of raw text (see :func:`parse`)."""

    code: int | None
    enhanced: str | None
    text: str
    command: str | None
    provider: str | None
    raw: str
    flat: str = ""
    """The whole text on one line (whitespace runs made one space), as parsed."""
    chain: tuple[str, ...] = ()
    """For a nested error, its messages from the outermost to the innermost cause (else ())."""

    @property
    def reply_class(self) -> str:
        return reply_class(self.code, self.enhanced)


def reply_class(code: int | None, enhanced: str | None) -> str:
    """success / temporary / permanent from the basic code, else the enhanced code's class."""
    first = str(code)[0] if code is not None else (enhanced[0] if enhanced else "")
    return {"2": "success", "3": "success", "4": "temporary", "5": "permanent"}.get(
        first, "unknown"
    )


def _normalise_enhanced(match: re.Match[str]) -> str:
    klass, subject, detail = match.groups()
    return f"{klass}.{int(subject)}.{int(detail)}"


def _join_multiline(text: str) -> str | None:
    """A raw multi-line reply (``550-5.7.26 ...`` lines) as one line, or None if not one."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or not all(_LINE_PREFIX.match(line) for line in lines):
        return None
    first = _LINE_PREFIX.match(lines[0])
    assert first is not None
    head = " ".join(p for p in (first.group(1), first.group(3)) if p)
    bodies = [_LINE_PREFIX.sub("", line, count=1).strip() for line in lines]
    return f"{head} " + " ".join(b for b in bodies if b)


def _find_code(flat: str) -> re.Match[str] | None:
    """The basic code of the server's reply: an error code before a success one (a bounce may
    quote a whole transcript); a code repeated as the final answer; at the start or after a
    quote; else the first."""
    found = list(_BASIC.finditer(flat))
    candidates = [m for m in found if m.group(1)[0] in "45"] or found
    if not candidates:
        return None
    if len(candidates) == 1 and candidates[0].start() == 0:
        return candidates[0]  # the common case: the text starts with its one code
    counts = Counter(m.group(1) for m in candidates if m.group(1) != "503")
    top, top_count = counts.most_common(1)[0] if counts else ("", 0)
    if top_count >= 2 and counts[candidates[0].group(1)] < 2:
        return next(m for m in candidates if m.group(1) == top)
    for match in candidates:
        before = flat[max(0, match.start() - 40): match.start()]
        if not flat[: match.start()].strip(" #<'\"[(") or _QUOTE_END.search(before):
            return match
    for match in candidates:
        if _ENHANCED.match(flat, match.end() + 1):
            return match
    return candidates[0]


def detect_command(text: str) -> str | None:
    """The SMTP command a bounce says the reply answered, if it says so."""
    ranks = [payloads[0] for _, _, payloads in _HINT_INDEX.find(text.lower())]
    return _COMMAND_HINTS[min(ranks)][0] if ranks else None


def parse(text: str, command: str | None = None) -> ParsedReply:
    """Pull code, enhanced code, human text, command and provider out of ``text``.

    ``text`` may be a reply as sent (one or more lines), a line quoted in a bounce
    (``host mx[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT TO command)``) or a vendor
    variant (``#5.1.1``, ``5.1.1 smtp;550 ...``). ``command`` is the command it answered, when
    the caller knows it; otherwise the text's own hint is used.
    """
    raw = text
    text = text[:MAX_REPLY_CHARS]
    flat = _join_multiline(text) or _SPACE.sub(" ", text).strip()
    code = None
    enhanced = None
    human = flat
    match = _find_code(flat)
    if match:
        code = int(match.group(1))
        rest = flat[match.end():].lstrip(" -:")
        enh = _ENHANCED.match(rest)
        if enh:
            enhanced = _normalise_enhanced(enh)
            rest = rest[enh.end():]
        human = rest.strip()
    if enhanced is None:
        enh = _ENHANCED.search(flat)
        if enh:
            enhanced = _normalise_enhanced(enh)
            if not match and enh.start() == 0:
                human = flat[enh.end():].strip()
    if "in reply to" in human or "In reply to" in human or "IN REPLY TO" in human:
        human = _IN_REPLY_TO.sub("", human).strip() or human
    if code is not None and enhanced and f"{code}" in human:
        # Continuation prefixes folded into one line ("... multiple 550 5.7.1 addresses ...").
        for prefix in (f" {code}-{enhanced} ", f" {code} {enhanced} "):
            human = human.replace(prefix, " ")
            flat = flat.replace(prefix, " ")
    cmd = command.upper() if command else detect_command(flat)
    return ParsedReply(
        code=code,
        enhanced=enhanced,
        text=human,
        command=cmd if cmd in COMMANDS else None,
        provider=_provider(flat, enhanced),
        raw=raw,
        flat=flat,
        chain=chain(flat),
    )


def chain(flat: str) -> tuple[str, ...]:
    """A nested error's messages, outermost first (``()`` when it names no inner cause)."""
    parts = [p.strip(" ;:.,") for p in _NESTED.split(flat)]
    parts = [p for p in parts if p]
    return tuple(parts) if len(parts) > 1 else ()


def _provider(flat: str, enhanced: str | None) -> str | None:
    """The provider that wrote the reply: the responder a bounce quotes (``host X[ip] said:``)
    with its own words, not the relay that wrapped them; else whoever the whole text names."""
    quoted = _RESPONDER.search(flat)
    if quoted:
        own = recognise(f"{quoted.group(1)} {_IN_REPLY_TO.sub('', quoted.group(2))}", enhanced)
        if own:
            return own
    whole = recognise(flat, enhanced)
    if quoted and whole and catalog()[whole].kind == "mta":
        return None  # the relay that quoted an unknown responder did not write the reply
    return whole
