"""Facts a reply reveals: the sending IP, the sender's domain, the server, the recipient.

They fill a category's next step ("{domain}", "{sending_ip}" ...) and the next command
(``smtp-wizard dns example.org --sending-ip 198.51.100.7``). Pure and heuristic: a fact that is
not clearly there stays out rather than being guessed. The server's own address (``host
mx.example.org[192.0.2.1]``) is never taken for the sending IP.
"""

from __future__ import annotations

import re

__all__ = ["extract"]

_IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"
_IP = re.compile(rf"(?<![\w.:])({_IPV4})(?![\w.])")
_IP6 = re.compile(r"(?<![\w:])([0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7})(?![\w:])")
_SERVER_IP = re.compile(
    rf"(?:host|connect to|to|from host|server|h=|relay=)\s*([\w.-]+)\s?[\[(]"
    rf"({_IPV4}|[0-9a-f:]+)[\])]",
    )
_HOST = re.compile(r"(?:\bhost|\bconnect to|\bserver|\bhost:)\s+([a-z0-9-]+(?:\.[a-z0-9-]+)+)")
_CLIENT_HOST = re.compile(
    r"(?:enotfound|eai_again|resolve host:?|unknownhostexception:?|lookup|no such host is known"
    r"\s*\(?|connect(?: to)?|econnrefused|etimedout)\s+\[?([a-z0-9-]+(?:\.[a-z0-9-]+)+)\]?"
    r"(?::(\d{1,5}))?")
_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.+=!#$%&'*/?^`{|}~-_")
_HOSTCHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")
_DOMAIN = r"([a-z0-9][a-z0-9.-]*\.[a-z]{2,})"
_SENDER_DOMAIN = tuple(re.compile(p) for p in (
    rf"mail from domain \[?{_DOMAIN}\]?",
    rf"domain of (?:sender )?address \S*@{_DOMAIN}",
    rf"unauthenticated email from {_DOMAIN}",
    rf"sending domain \[?{_DOMAIN}\]?",
    rf"\bspf \[?{_DOMAIN}\]? with ip",
    rf"\bspf (?:record )?(?:for|of) \[?{_DOMAIN}\]?",
    rf"\bdkim (?:domain )?\[?{_DOMAIN}\]?",
    rf"\bdmarc (?:policy )?(?:of|for) \[?{_DOMAIN}\]?",
    rf"\bfrom domain \[?{_DOMAIN}\]?",
    rf"sender address \[?<?\S*@{_DOMAIN}",
    rf"\bdomain \[?{_DOMAIN}\]? (?:has|does|is)\b",
))
_SENDING_HINT = re.compile(
    r"(?:\bip\b|address|from|client host|sending|sender|messages from|connecting)[^\[\]\d]{0,25}"
    rf"\[?({_IPV4})")


_DOMAIN_WORDS = ("domain", "spf", "dkim", "dmarc", "sender address", "unauthenticated email")
_CLIENT_WORDS = ("enotfound", "eai_again", "resolve host", "unknownhost", "lookup",
                 "no such host", "connect", "econnrefused", "etimedout")


def _public_ip(text: str) -> bool:
    """Not loopback, unspecified or multicast (and a well-formed address)."""
    if ":" in text:
        import ipaddress

        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            return False
        return not (ip.is_loopback or ip.is_unspecified or ip.is_multicast)
    octets = text.split(".")
    if len(octets) != 4 or any(len(o) > 3 or int(o) > 255 for o in octets):
        return False
    first = int(octets[0])
    return first not in (0, 127) and first < 224


def _first_address(text: str) -> str | None:
    """The first e-mail address in ``text`` (lower-case), found from its '@' outwards."""
    at = text.find("@")
    while at > 0:
        start = at
        while start > 0 and text[start - 1] in _LOCAL:
            start -= 1
        end = at + 1
        while end < len(text) and text[end] in _HOSTCHARS:
            end += 1
        local, domain = text[start:at], text[at + 1:end].strip(".-")
        if local and "." in domain and domain.rsplit(".", 1)[1].isalpha():
            return f"{local}@{domain}"
        at = text.find("@", at + 1)
    return None


def extract(text: str, category: str | None = None,
            only: tuple[str, ...] | None = None) -> dict[str, str]:
    """The facts found in ``text`` (keys as in ``wizard.catalog.categories.fill``), only those
    present;
    ``only`` limits the search to those facts (a batch needs just what its next step uses)."""
    facts: dict[str, str] = {}
    flat = text[:20_000].lower()  # the patterns are lower-case: no IGNORECASE to compile
    want = set(only) if only is not None else None
    need_ip = want is None or "sending_ip" in want
    need_host = want is None or bool(want & {"host", "port"})
    ips = _IP.findall(flat) if need_ip and "." in flat else []
    if not ips and need_ip and "::" in flat:
        ips = _IP6.findall(flat)
    brackets = ("[" in flat or "(" in flat) and (ips or not need_ip)
    server = list(_SERVER_IP.finditer(flat)) if brackets else []
    server_ips = {m.group(2) for m in server}
    if need_host:
        host = server[0].group(1) if server else None
        if host is None and ("host" in flat or "server" in flat or "connect" in flat):
            found = _HOST.search(flat)
            host = found.group(1) if found else None
        client = _CLIENT_HOST.search(flat) if any(w in flat for w in _CLIENT_WORDS) else None
        if client:
            host = host or client.group(1)
            if client.group(2):
                facts["port"] = client.group(2)
        if host and not _IP.fullmatch(host):
            facts["host"] = host.rstrip(".")
        elif host and client and host == client.group(1):
            facts["host"] = host
    if need_ip:
        candidates = [ip for ip in ips if ip not in server_ips and _public_ip(ip)]
        if len(candidates) > 1:  # prefer the address the words call the sender's
            hinted = _SENDING_HINT.search(flat)
            if hinted and hinted.group(1) in candidates:
                candidates.insert(0, hinted.group(1))
        if candidates:
            facts["sending_ip"] = candidates[0]
    if (want is None or "domain" in want) and any(word in flat for word in _DOMAIN_WORDS):
        for pattern in _SENDER_DOMAIN:
            found = pattern.search(flat)
            if found:
                facts["domain"] = found.group(1).rstrip(".")
                break
    need_address = want is None or bool(want & {"rcpt_to", "recipient_domain", "mail_from",
                                                "domain"})
    address = _first_address(flat) if need_address and "@" in flat else None
    if address:
        domain = address.rpartition("@")[2]
        facts["rcpt_to"] = address
        facts["recipient_domain"] = domain
        if category == "sender-rejected":
            facts["mail_from"] = address
            facts.setdefault("domain", domain)
    if want is not None:
        facts = {k: v for k, v in facts.items() if k in want}
    return facts
