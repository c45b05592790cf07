"""The OpenSPF RFC 7208 conformance suite, through the real resolver and a loopback responder.

Each scenario's ``zonedata`` is served by :class:`wizard.lab.dns_server.DnsServer`; each test
asks :func:`wizard.dns.spf.check_mail_from` through :class:`wizard.dns.resolver.Resolver`.
A list-valued ``result`` accepts any member (as the suite defines).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard.dns.resolver import Resolver
from wizard.dns.spf import check_mail_from
from wizard.lab.dns_server import DnsServer

SUITE = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "spf" / "rfc7208-tests.yml"


def _load() -> list[tuple[str, str, dict, dict]]:
    if not SUITE.exists():
        return []
    import yaml

    cases = []
    with SUITE.open(encoding="utf-8") as handle:
        for doc in yaml.safe_load_all(handle):
            if not doc:
                continue
            for name, test in doc["tests"].items():
                cases.append((doc["description"], name, test, doc["zonedata"]))
    return cases


CASES = _load()


@pytest.mark.skipif(not CASES, reason="SPF suite not found: needs ../shared/corpora/spf")
def test_suite_has_203_tests() -> None:
    assert len(CASES) == 203


@pytest.mark.skipif(not CASES, reason="SPF suite not found: needs ../shared/corpora/spf")
@pytest.mark.parametrize(("scenario", "name", "test", "zonedata"), CASES,
                         ids=[f"{c[1]}" for c in CASES])
async def test_rfc7208(scenario: str, name: str, test: dict, zonedata: dict) -> None:
    async with DnsServer(zonedata) as server:
        resolver = Resolver([server.nameserver], timeout=0.3)
        result = await check_mail_from(resolver, test["host"], test["mailfrom"], test["helo"])
    expected = test["result"] if isinstance(test["result"], list) else [test["result"]]
    assert result.result in expected, (
        f"{scenario} / {name}: got {result.result} ({result.reason}), want {expected}"
    )
    if "explanation" in test and result.result == "fail":
        assert (result.explanation or "DEFAULT") == test["explanation"]
