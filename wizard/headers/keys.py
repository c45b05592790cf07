"""DKIM and ARC public keys, fetched through the project's resolver before dkimpy runs.

dkimpy asks for keys through a synchronous ``dnsfunc``. Rather than let it query the network
itself (bypassing ``--nameserver`` and the resolver's NXDOMAIN/SERVFAIL/timeout distinctions),
every key name the message's signatures need is looked up first with the async
:class:`~wizard.dns.resolver.Resolver`, concurrently, and dkimpy gets :func:`dnsfunc_for`: a
function that answers from those results and never touches the network.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable

from wizard.dns.resolver import Lookup, Resolver
from wizard.dns.util import lookup_failed

# dkimpy logs every failure as an error; the analysis reports them itself.
QUIET_LOG = logging.getLogger("smtp_wizard.dkimpy")
QUIET_LOG.addHandler(logging.NullHandler())
QUIET_LOG.propagate = False

_TAG = re.compile(r"(?:^|;)\s*([a-z]+)\s*=\s*([^;]*)", re.I)


def signature_tags(value: str) -> dict[str, str]:
    """A DKIM-Signature / ARC header's tags, leniently (the first of a repeated tag wins;
    whitespace inside values such as b=, bh= and h= is removed)."""
    tags: dict[str, str] = {}
    for name, raw in _TAG.findall(value):
        key = name.lower()
        if key not in tags:
            tags[key] = re.sub(r"\s+", "", raw) if key in ("b", "bh", "h", "z") else raw.strip()
    return tags


def key_name(selector: str, domain: str) -> str:
    return f"{selector}._domainkey.{domain}".lower().rstrip(".")


async def fetch_keys(resolver: Resolver, names: Iterable[str]) -> dict[str, Lookup]:
    """TXT lookups of every key name, concurrently (the resolver de-duplicates)."""
    wanted = sorted(set(names))
    lookups = await asyncio.gather(*(resolver.query(name, "TXT") for name in wanted))
    return dict(zip(wanted, lookups, strict=True))


def key_record(lookup: Lookup | None) -> str | None:
    """The first non-empty TXT string of a key lookup (what dkimpy itself would use)."""
    if lookup is None or not lookup.ok:
        return None
    records = [r for r in lookup.records if r.strip()]
    return records[0] if records else None


def dnsfunc_for(lookups: dict[str, Lookup]) -> Callable[..., bytes | None]:
    """A dkimpy ``dnsfunc`` answering from prefetched lookups only (never the network)."""
    import dkim

    def get_txt(name: bytes | str, timeout: float = 5) -> bytes | None:
        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        lookup = lookups.get(text.lower().rstrip("."))
        if lookup is not None and lookup_failed(lookup):
            raise dkim.DnsTimeoutError(lookup.describe())
        record = key_record(lookup)
        return record.encode("utf-8") if record is not None else None

    return get_txt
