"""The DNS zone a scenario's lab serves: a built-in variant, edited by the file, or its own text.

``zone_of(scenario)`` starts from :func:`wizard.lab.dns_zones.zone_for` (``"empty"``: nothing),
takes out the names in ``[dns] remove``, puts in the names of ``[dns.records]``, or uses the
file's zone text instead. Listings under the lab blocklists (``bl.lab.test``, ``dbl.lab.test``)
are also served under the wizard's default blocklists, so a plain ``smtp-wizard check`` pointed
at the lab's nameserver (a classroom's handout) sees the same listing as the lab's own check.

Deliberately not here: answering queries (:mod:`wizard.lab.dns_server`).
"""

from __future__ import annotations

from typing import Any

from wizard.lab.scenarios import Scenario

LAB_ORIGIN = "lab.test."
DEFAULT_TTL = "$TTL 300\n"  # added to zone text without a $TTL (dnspython needs one)


def parse_zone_text(text: str) -> Any:
    """A scenario's zone-file text as a :class:`~wizard.lab.dns_server.Zone` (origin
    ``lab.test.``, TTL 300 unless the text sets one). Errors name ``<string>:N`` one line
    past the bad line, plus one for the added $TTL line."""
    from wizard.lab.dns_server import Zone

    prefix = "" if "$TTL" in text.upper() else DEFAULT_TTL
    return Zone.from_text(prefix + text, LAB_ORIGIN)


def _key(name: str) -> str:
    return name.rstrip(".").lower()


def _mirror_blocklists(zone: dict[str, Any]) -> None:
    from wizard.dns.dnsbl import DEFAULT_DOMAIN_LISTS, DEFAULT_IP_LISTS
    from wizard.lab.dns_zones import BLOCKLIST, DOMAIN_BLOCKLIST

    for name in list(zone):
        for lab_list, defaults in ((BLOCKLIST, DEFAULT_IP_LISTS),
                                   (DOMAIN_BLOCKLIST, DEFAULT_DOMAIN_LISTS)):
            suffix = f".{lab_list}"
            if _key(name).endswith(suffix):
                listed = _key(name)[: -len(suffix)]
                for default in defaults:
                    zone.setdefault(f"{listed}.{default}", zone[name])


def zone_of(scenario: Scenario) -> Any:
    """Zone data for :class:`wizard.lab.dns_server.DnsServer` (a dict, or a parsed Zone)."""
    from wizard.lab.dns_zones import zone_for

    if scenario.dns_zone is not None:
        return parse_zone_text(scenario.dns_zone)
    zone: dict[str, Any] = {} if scenario.dns == "empty" else zone_for(scenario.dns)
    removed = {_key(n) for n in scenario.dns_remove} | {_key(n) for n in scenario.dns_records}
    zone = {name: entry for name, entry in zone.items() if _key(name) not in removed}
    zone.update(scenario.dns_records)
    _mirror_blocklists(zone)
    return zone
