"""Parse SMTP replies (as sent, or quoted inside bounce text) and classify them into categories.

Pure functions, no I/O: the SMTP checks call :func:`parse` and :func:`classify` on what the server
said; ``explain`` calls them on what a person pasted. Classification is a table of :class:`Rule`
(data): every rule whose conditions all hold is a candidate and the highest priority wins, so the
words of a reply outrank a generic code ("550 5.7.1" is relay, spam, blocklist or policy depending
on the text). Knowledge articles are not loaded here: see ``wizard.knowledge``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from wizard.categories import CATEGORIES
from wizard.providers import recognise
from wizard.status_codes import describe_enhanced

__all__ = [
    "RULES",
    "Classification",
    "ParsedReply",
    "Rule",
    "classify",
    "describe_enhanced",
    "parse",
    "reply_class",
]

COMMANDS = ("CONNECT", "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "BDAT",
            "RSET", "QUIT")

# A basic reply code: not part of a number, IP address, word or host:port.
_BASIC = re.compile(r"(?<![\w.\]=/+-])([245][0-7]\d)(?=[ \t\-:,;'\")\]]|$)")
_ENHANCED = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)")
_LINE_PREFIX = re.compile(r"^\s*([245]\d\d)([ -])\s*(?:([245]\.\d{1,3}\.\d{1,3})\s+)?")
_SPACE = re.compile(r"\s+")
_IN_REPLY_TO = re.compile(r"\s*\(in reply to [^)]*\)\s*$", re.IGNORECASE)

_COMMAND_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cmd, re.compile(pattern.lower()))
    for cmd, pattern in (
        ("RCPT", r"in reply to RCPT TO|after RCPT TO|our RCPT TO|RCPT TO response|\[RCPT_TO\]"
                 r"|following RCPT command|does not like recipient|SMTP:RCPT"),
        ("MAIL", r"in reply to MAIL FROM|after MAIL FROM|\[MAIL_FROM\]|sender was rejected"),
        ("DATA", r"end of DATA|after end of data|final DATA|in reply to DATA command|"
                 r"for TEXT command|failed after I sent the message|\(DATA\)"),
        ("EHLO", r"after EHLO|in reply to EHLO|my name was rejected"),
        ("HELO", r"after HELO|in reply to HELO|HELO handshake|refused to talk to me"),
        ("STARTTLS", r"in reply to STARTTLS|after STARTTLS"),
        ("AUTH", r"in reply to AUTH|after AUTH"),
        ("CONNECT", r"after initial connection|greeting"),
        ("QUIT", r"in reply to QUIT|after QUIT"),
    )
)

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
    lowered = text.lower()
    for command, pattern in _COMMAND_HINTS:
        if pattern.search(lowered):
            return command
    return None


def parse(text: str, command: str | None = None) -> ParsedReply:
    """Pull code, enhanced code, human text, command and provider out of ``text``.

    ``text`` may be a reply as sent (one or more lines), a line quoted in a bounce
    (``host mx[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT TO command)``) or a vendor
    variant (``#5.1.1``, ``5.1.1 smtp;550 ...``). ``command`` is the command it answered, when
    the caller knows it; otherwise the text's own hint is used.
    """
    raw = text
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
    human = _IN_REPLY_TO.sub("", human).strip() or human
    cmd = command.upper() if command else detect_command(flat)
    return ParsedReply(
        code=code,
        enhanced=enhanced,
        text=human,
        command=cmd if cmd in COMMANDS else None,
        provider=recognise(flat),
        raw=raw,
    )


@dataclass(frozen=True)
class Rule:
    """One way to recognise a category: every condition given must hold; the best priority wins.

    ``enhanced`` entries are patterns such as ``"5.7.26"``, ``"*.2.2"`` (any class) or ``"*.5.*"``
    (any detail); ``patterns`` are lower-case regular expressions matched against the lower-cased
    reply (any one suffices; faster than ``re.IGNORECASE``).
    """

    category: str
    priority: int
    patterns: tuple[str, ...] = ()
    codes: frozenset[int] = frozenset()
    enhanced: tuple[str, ...] = ()
    commands: frozenset[str] = frozenset()
    provider: str | None = None
    also: tuple[str, ...] = ()
    _text: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _enh: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.patterns:
            object.__setattr__(
                self, "_text", re.compile("|".join(f"(?:{p})" for p in self.patterns))
            )
        if self.enhanced:
            alts = [re.escape(e).replace(r"\*", r"\d+") for e in self.enhanced]
            object.__setattr__(self, "_enh", re.compile("|".join(f"(?:{a})$" for a in alts)))


def _rule(category: str, priority: int, *patterns: str, codes=(), enhanced=(), commands=(),
          provider: str | None = None, also=()) -> Rule:
    return Rule(category, priority, tuple(patterns), frozenset(codes), tuple(enhanced),
                frozenset(commands), provider, tuple(also))


R = _rule
RULES: tuple[Rule, ...] = (
    # Provider-specific codes and words.
    R("auth-disabled", 100, enhanced=("*.7.139",)),
    R("auth-disabled", 100, r"smtpclientauthentication is disabled",
      r"smtp auth(?:entication)? (?:is )?disabled", r"basic authentication is disabled"),
    R("auth-disabled", 99, r"authentication unsuccessful", enhanced=("*.7.3",),
      also=("auth-failed",)),
    R("auth-app-password", 100, codes=(534,), enhanced=("*.7.9",)),
    R("auth-app-password", 98, r"application-specific password", r"app(?:lication)? password",
      r"invalidsecondfactor", r"log ?in via your web browser", r"weblogin", r"less secure app"),
    R("auth-failed", 95, r"badcredentials", r"username and password not accepted",
      provider="gmail", also=("auth-app-password",)),
    R("rate-limited", 100, r"\[tss\d\d\]", r"unexpected volume"),
    # Microsoft's throttling codes 4.7.500-699 ("Server busy. Please try again later").
    R("rate-limited", 99, enhanced=tuple(f"4.7.{n}" for n in range(500, 700))),
    R("rate-limited", 97, r"server busy", codes=(421, 450, 451, 452)),
    R("recipient-unknown", 96, r"access denied", enhanced=("*.4.1",), provider="microsoft"),
    R("dmarc-fail", 60, enhanced=("*.7.509",)),
    R("blocklisted", 99, r"spamhaus", r"spamcop", r"\bsorbs\b", r"barracudacentral", r"dnsbl",
      r"\brbl\b", r"/rbl/", r"blocked using", r"banned sending ip", r"cloudmark",
      r"blocked for abuse", r"(?:ip|address) (?:is )?(?:black|block)listed",
      r"blacklisted by", r"\b(?:black|block) ?list(?:ed)?\b(?! url)",
      r"listed (?:at|on|in) (?:the )?\S*bl\b",
      r"client host blocked", r"ip source bloquee", r"\(bl\)", r"blocked by ldap",
      r"messages from [\d.]+ weren't sent", r"is an open relay"),
    # Sender authentication.
    R("sender-unauthenticated", 98, r"sender is unauthenticated",
      r"requires? all senders to authenticate", r"does not have authentication information",
      r"fails? to pass authentication checks", r"multiple authentication checks failed",
      r"authenticate with either spf or dkim"),
    R("dmarc-fail", 97, r"\bdmarc\b"),
    R("spf-fail", 95, r"spf (?:authentication )?did(?:n'?t| not) pass",
      r"fails? to pass spf", r"bad spf", r"per it'?s spf", r"spf (?:check )?fail",
      r"\bspf\b[^.]{0,40}(?:hard ?fail|soft ?fail|failed|not pass|did not pass)",
      r"not (?:allowed|permitted|authorized) to send[^.]{0,40}\bspf\b",
      r"sender policy framework"),
    R("dkim-fail", 95, r"\bdkim\b[^.]{0,30}(?:fail|invalid|did not pass|not verif|bad sig)",
      r"(?:no|without) (?:a )?(?:passing|valid|acceptable|author-matched) dkim"),
    R("ptr-missing", 92, r"\bptr\b", r"reverse dns", r"\brdns\b", r"reverse (?:dns )?lookup",
      r"ip name lookup failed", r"unverif\w*able sending ip", r"mismatches client ip",
      r"without a valid sender dom", r"may not be mail exchanger", r"reverse hostname"),
    R("bad-reputation", 92, r"reputation"),
    R("spf-fail", 45, enhanced=("*.7.23", "*.7.24")),
    R("dkim-fail", 45, enhanced=("*.7.20", "*.7.21", "*.7.22")),
    R("sender-unauthenticated", 45, enhanced=("*.7.26",)),
    R("ptr-missing", 45, enhanced=("*.7.25",)),
    # TLS and authentication.
    R("tls-required", 95, r"must issue a starttls", r"starttls (?:command )?first",
      r"encryption required(?! for requested auth)",
      r"requires? (?:a )?(?:secure|encrypted|tls) connection",
      r"\btls required", r"requiretls"),
    R("tls-certificate", 92, r"certificate (?:verify failed|has expired|expired|not trusted)",
      r"self[- ]signed", r"hostname mismatch", r"unable to get local issuer"),
    R("tls-handshake", 90, r"\btls\b[^.]{0,30}(?:not available|unavailable|failed|error)",
      r"handshake fail", r"tls negotiation", codes=(454,)),
    R("tls-handshake", 90, r"\btls\b[^.]{0,30}(?:not available|unavailable|failed|error)",
      r"handshake fail", r"tls negotiation", commands=("STARTTLS",)),
    R("tls-not-offered", 60, codes=(500, 502, 504), commands=("STARTTLS",)),
    R("tls-required", 45, enhanced=("*.7.10", "*.7.30")),
    R("auth-mechanism", 92, r"unrecognized authentication type",
      r"mechanism[^.]{0,20}(?:not supported|not available|unsupported|not enabled)",
      r"unsupported (?:authentication |auth )?mechanism",
      r"encryption required for requested authentication mechanism"),
    R("auth-failed", 90, r"authentication (?:failed|failure|credentials invalid)",
      r"invalid (?:credentials|login|user ?name or password)", r"incorrect (?:password|login)",
      r"password (?:incorrect|rejected|invalid)", r"login (?:failed|incorrect)"),
    R("auth-required", 90, r"authentication (?:is )?required", r"auth(?:entication)? first",
      r"(?:turn on|use|enable) smtp auth", r"must (?:authenticate|be authenticated)",
      r"unauthenticated senders? not allowed", r"authrequired", r"not authenticated",
      r"sender not authenticated", r"authentication is needed"),
    R("auth-failed", 45, enhanced=("*.7.8",)),
    R("auth-mechanism", 45, enhanced=("*.7.11", "*.7.4")),
    R("auth-failed", 35, codes=(535,)),
    R("auth-failed", 30, codes=(454, 554), commands=("AUTH",)),
    R("auth-required", 35, codes=(530,)),
    R("auth-mechanism", 35, codes=(538,)),
    R("auth-mechanism", 35, codes=(504, 534), commands=("AUTH",)),
    R("auth-mechanism", 15, codes=(504, 534)),
    # Pace.
    R("greylisted", 96, r"gr[ae]y-?list"),
    R("too-many-connections", 91, r"too many (?:concurrent |simultaneous |open )?connections",
      r"connection (?:rate|frequency|count) limit", r"(?:ip|connection) frequency limited",
      r"too many sessions", r"connection limit"),
    R("rate-limited", 90, r"rate[- ]?limit", r"too many (?:messages|recipients|emails|mails)",
      r"sending (?:rate|quota)", r"daily (?:sending |relay )?(?:quota|limit)",
      r"receiving mail at a rate", r"sent to too many recipients", r"too much mail",
      r"throttl", r"relay quota", r"exceeded[^.]{0,20}(?:sending|message) limit"),
    R("rate-limited", 45, enhanced=("*.5.3", "*.7.28")),
    R("greylisted", 70, r"try (?:again )?later", r"temporar", codes=(450, 451)),
    # Sending.
    R("relay-denied", 93, r"relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited)",
      r"not (?:permitted|allowed|authori[sz]ed|configured) to relay", r"insecure mail relay",
      r"no relaying", r"unable to relay", r"relaying (?:mail )?(?:to|from) .* not allowed",
      r"relay not permitted", r"email address is not verified"),
    R("content-rejected", 100, r"blacklisted url", r"uribl"),
    R("message-format", 93, r"rfc ?(?:5322|2822)\b", r"not (?:rfc )?compliant",
      r"multiple (?:addresses in from|subject|from|date|to)\b", r"duplicate header",
      r"header error", r"headers? too (?:large|long|many)", r"8-?bit data",
      r"invalid (?:header|from:)", r"missing (?:date|from|message-id|subject) header",
      r"media error", r"media not supported", r"malformed (?:message|header|mime)"),
    R("mailbox-full", 91, r"mailbox (?:is )?full", r"over ?quota", r"quota exceeded",
      r"exceed\w* (?:the |its )?(?:storage |mailbox )?quota", r"storage quota",
      r"disk quota", r"out of storage", r"mailfolder is full", r"mailbox exceeds",
      r"mailbox[^.]{0,20}exceeded", r"not enough disk space", r"mailbox size limit"),
    R("message-too-large", 90, r"too (?:big|large)", r"size limit", r"size exceeds",
      r"exceeds? (?:the )?(?:fixed )?maximum (?:message )?size", r"message length exceeds",
      r"message size", r"mail size", r"recipsizelimit", r"line limit exceeded"),
    R("mailbox-disabled", 91, r"(?:account|mailbox|user|recipient)\b.{0,40}?"
      r"(?:disabled|inactive|suspended|frozen|locked|discontinued|deactivated)",
      r"disabled (?:recipient|user|account|mailbox)", r"compte du destinataire est bloque",
      r"recipient account is blocked", r"disableduser"),
    R("recipient-unknown", 90, r"user unknown", r"unknown (?:user|recipient|address(?! error))",
      r"no such (?:user|recipient|mailbox)", r"user (?:not found|does not exist|doesn't exist)",
      r"recipient (?:not found|unknown|does not exist)", r"recip(?:ient)?notfound",
      r"mailbox (?:does not exist|doesn't exist|not found|unavailable|name not allowed)",
      r"no mailbox here", r"(?:address|account|mailbox) (?:does not|doesn't) exist",
      r"doesn't have an? [\w.-]+ account", r"invalid (?:recipient|address|mailbox)",
      r"address (?:couldn't|could not) be found", r"not listed in (?:the )?domino directory",
      r"ディレクトリには見つかりません", r"unknown or illegal user", r"bad destination mailbox",
      r"no longer on server", r"not our (?:customer|user)", r"has moved",
      r"no forwarding address", r"destinataire invalide", r"nosuchuser",
      r"not a valid (?:user|mailbox|recipient)", r"address (?:is )?not correct",
      r"check if address is correct", r"unknown local part", r"user not local",
      r"account that you tried to reach does not exist", r"user not exist",
      r"invalid (?:final )?delivery userid", r"not listed in public name & address book",
      r"ディレクトリのリストにありません"),
    R("recipient-unknown", 48, r"address rejected", r"no valid recipients"),
    R("recipient-domain", 88, r"host (?:or domain name )?not found", r"host unknown",
      r"unknown host", r"no such domain", r"domain (?:does not|doesn't) exist",
      r"domain name not found", r"nxdomain", r"unrout(?:e)?able address",
      r"couldn't find any host", r"illegal host", r"invalid domain", r"null mx",
      r"no mx (?:record )?found", r"doesn't receive email", r"does not accept mail",
      r"no smtp service", r"couldn't find a mail exchanger", r"domain is not reachable",
      r"name service error", r"host name lookup failure", r"dns (?:error|lookup failure)",
      r"(?<![@\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)+ does not exist", r"bad destination system"),
    R("policy-rejected", 89, r"invalid", r"rejected", r"not allowed", commands=("EHLO", "HELO")),
    R("sender-rejected", 89, r"does not exist", r"no such domain", r"unrout(?:e)?able",
      r"invalid", r"unknown", commands=("MAIL",)),
    R("sender-rejected", 91, r"sender (?:address )?(?:was )?rejected", r"domain of sender address",
      r"unroutable sender", r"(?:invalid|bad|unknown) sender", r"sender verify failed",
      r"from: domain is invalid", r"send mail as", r"purported responsible address",
      r"group you tried to contact", r"permission to post", r"not a member of this",
      r"not a registered gateway user",
      r"sender address (?:is )?invalid"),
    R("content-rejected", 82, r"\bspam\b", r"\bube\b", r"virus", r"malware",
      r"content (?:rejected|filter)", r"message content", r"suspicious", r"phishing",
      r"security (?:polic|issue)", r"potential security", r"attachment", r"mcspamsignature",
      r"scored as spam", r"message filtered", r"mail rejete"),
    R("mailbox-busy", 85, r"mailbox (?:is )?(?:busy|locked|in use)"),
    R("recipient-unknown", 45, enhanced=("*.1.1", "*.1.6", "*.1.3")),
    R("recipient-domain", 45, enhanced=("*.1.2", "*.1.10", "*.4.4")),
    R("sender-rejected", 45, enhanced=("*.1.7", "*.1.8", "*.7.27")),
    R("mailbox-full", 45, enhanced=("*.2.2",)),
    R("mailbox-disabled", 45, enhanced=("*.2.1", "*.7.13")),
    R("message-too-large", 45, enhanced=("*.3.4", "*.2.3", "*.7.16")),
    R("message-format", 35, enhanced=("*.6.*",)),
    # Reaching the server and delivery.
    R("routing-loop", 92, r"routing loop", r"mail loop", r"loops back", r"too many hops",
      r"hop count", r"loop detected"),
    R("delivery-expired", 88, r"retry timeout exceeded", r"in the queue too long",
      r"message expired", r"could not be delivered for", r"delivery time expired",
      r"envelope expired", r"giving up", r"will be deleted from queue", r"retried for",
      r"has been delayed", r"not delivered within", r"failing for a long time",
      r"delivery failed \d+ attempts", r"after multiple retries",
      r"unable to deliver[^.]{0,40}after",
      r"could not deliver for", r"delayed"),
    R("connection-timeout", 86, r"timed out", r"time-?out", r"no answer from host",
      r"error code: 10060"),
    R("connection-refused", 86, r"connection refused", r"no route to host",
      r"network is unreachable", r"host not reachable", r"unable to connect",
      r"could not connect", r"did not accept our requests to connect",
      r"able to establish an smtp connection", r"failed to connect"),
    R("connection-dropped", 85, r"lost connection", r"connection (?:reset|closed|dropped)",
      r"reset by peer", r"broken pipe", r"unexpected (?:eof|disconnect)"),
    R("connection-dropped", 70, r"network error"),
    R("service-unavailable", 84, r"service (?:not available|unavailable|refused|refuse\b)",
      r"not accepting (?:connections|messages|network messages|mail)",
      r"closing transmission channel", r"shutting down", r"service currently unavailable"),
    R("server-error", 80, r"internal (?:system |server )?error", r"local error",
      r"system error", r"temporary (?:local )?problem", r"queue file write error",
      r"insufficient (?:system )?(?:storage|disk space)", r"mailer error",
      r"operating system error", r"could not load", r"upstream error",
      r"unable to contact ldap", r"directory server", r"pipe to \|", r"procmail",
      r"transaction failed", r"insufficient permission", r"resources temporarily unavailable",
      r"temporary failure"),
    R("protocol-error", 80, r"syntax error", r"bad sequence", r"improper sequence",
      r"command not (?:recognized|implemented)", r"parameter not implemented",
      r"unrecognized command", r"need (?:rcpt|mail)\b", r"must precede",
      r"(?<!remote )protocol (?:violation|error)",
      r"invalid command", r"line too long", r"bare lf", r"rcpt first", r"malformed address"),
    R("policy-rejected", 50, r"polic(?:y|ies)", r"not allowed", r"access denied",
      r"not authori[sz]ed", r"denied", r"rejected by (?:the )?recipient domain", r"forbidden",
      r"prohibited", r"not permitted", r"blocked"),
    R("connection-timeout", 40, enhanced=("*.4.1",)),
    R("connection-dropped", 40, enhanced=("*.4.2",)),
    R("routing-loop", 45, enhanced=("*.4.6",)),
    R("delivery-expired", 45, enhanced=("*.4.7",)),
    R("server-error", 40, enhanced=("*.3.1", "*.3.5", "*.4.3", "*.4.5", "*.3.0")),
    R("service-unavailable", 40, enhanced=("*.3.2",)),
    R("protocol-error", 30, enhanced=("*.5.*",)),
    R("policy-rejected", 25, enhanced=("*.7.*",)),
    # Basic codes alone, by the command they answered.
    R("success", 50, codes=(*range(200, 300), 334, 354)),
    R("service-unavailable", 25, codes=(421, 554), commands=("CONNECT", "EHLO", "HELO")),
    R("service-unavailable", 20, codes=(421, 521)),
    R("tls-handshake", 30, codes=(454,), commands=("STARTTLS",)),
    R("tls-handshake", 12, codes=(454,)),
    R("recipient-unknown", 20, codes=(551, 553), commands=("RCPT",)),
    R("recipient-unknown", 15, codes=(551,)),
    R("sender-rejected", 20, codes=(553, 550, 501), commands=("MAIL",)),
    R("recipient-domain", 20, codes=(556,)),
    R("mailbox-disabled", 20, codes=(525,)),
    R("tls-required", 20, codes=(523,)),
    R("message-too-large", 15, codes=(552,)),
    R("server-error", 15, codes=(451, 452)),
    R("mailbox-busy", 12, codes=(450,)),
    R("protocol-error", 15, codes=(500, 501, 502, 503, 555)),
)
del R
# Best first; equal priorities keep table order (sorted() is stable), so the first match wins.
_BY_PRIORITY: tuple[Rule, ...] = tuple(sorted(RULES, key=lambda rule: -rule.priority))


@dataclass(frozen=True)
class Classification:
    """The category a reply belongs to, why, and which articles to read (best first)."""

    category: str
    reason: str
    articles: list[str]
    provider: str | None


def _matches(rule: Rule, reply: ParsedReply, hay: str, command: str | None) -> str | None:
    """Where the evidence is in ``hay`` ("start:end", or "" for code-only rules), else None."""
    if rule.codes and reply.code not in rule.codes:
        return None
    if rule._enh is not None and not (reply.enhanced and rule._enh.match(reply.enhanced)):
        return None
    if rule.commands and command not in rule.commands:
        return None
    if rule.provider and reply.provider != rule.provider:
        return None
    if rule._text is not None:
        found = rule._text.search(hay)
        return f"{found.start()}:{found.end()}" if found else None
    return ""


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


def classify(reply: ParsedReply, command: str | None = None) -> Classification:
    """The best category for ``reply`` from all evidence together, or ``unknown`` honestly."""
    cmd = (command or reply.command or "").upper() or None
    original = f"{reply.text}\n{_SPACE.sub(' ', reply.raw[:4000])}"
    hay = original.lower()
    for rule in _BY_PRIORITY:
        span = _matches(rule, reply, hay, cmd)
        if span is not None:
            break
    else:
        return Classification("unknown", _unknown_reason(reply), ["unknown"], reply.provider)
    evidence = ""
    if span:
        start, end = (int(n) for n in span.split(":"))
        # Quote the server's own capitalisation when lower-casing kept the length.
        evidence = (original if len(original) == len(hay) else hay)[start:end]
    articles = [rule.category, *(a for a in rule.also if a != rule.category)]
    return Classification(
        rule.category, _reason(rule.category, evidence, reply, cmd), articles, reply.provider
    )
