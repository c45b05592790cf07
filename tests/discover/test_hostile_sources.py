"""Hostile or broken sources give a report (a finding), never a traceback: entity bombs, endless
bodies, redirects to another host, impossible ports and hosts, SRV target '.', bad TLS."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.discover.test_discover import by_source, loop, options
from tests.discover.webworld import Page, WebWorld, config_xml
from wizard.discover import safexml
from wizard.discover.autoconfig import parse_config
from wizard.discover.model import Discovery, SourceReport
from wizard.discover.run import discover
from wizard.output.discovery import render

BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1
                                               else b"&lol;" * 10) for i in range(1, 10))
        + b']><clientConfig><emailProvider>&lol9;</emailProvider></clientConfig>')
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<clientConfig>&e;</clientConfig>")
AUTOCONFIG = ("autoconfig.hostile.test", "/mail/config-v1.1.xml")
ZONE = {"hostile.test": {"MX": "10 mx.hostile.test"},
        **loop("autoconfig.hostile.test", "hostile.test", "ispdb.test")}


async def run(world: WebWorld, page: Page, **changes: Any) -> tuple[SourceReport, Discovery]:
    world.routes[AUTOCONFIG] = page
    await world.serve_dns(ZONE)
    found = await asyncio.wait_for(discover("jane@hostile.test", options(
        world, probe=False, third_party=False, **changes)), 20)
    for fmt in ("text", "json", "markdown"):
        assert render(found, fmt)  # every report renders
    return by_source(found, "autoconfig"), found


@pytest.mark.parametrize(("body", "words"), [
    (BOMB, "DOCTYPE refused"),
    (EXTERNAL, "DOCTYPE refused"),
    (b"<clientConfig><emailProvider>", "malformed XML"),
    (b"\xff\xfe\x00garbage", "malformed XML"),
    (b"<html><body>hello</body></html>", "not an autoconfig file"),
    (b"<a>" * 100 + b"</a>" * 100, "nested deeper"),
])
async def test_hostile_xml_is_refused_with_a_reason(world: WebWorld, body: bytes,
                                                    words: str) -> None:
    report, found = await run(world, Page(body=body))
    assert report.status == "error"
    assert words in report.summary
    assert found.settings is None


async def test_endless_body_is_cut_at_64_kb(world: WebWorld) -> None:
    report, _ = await run(world, Page(endless=True))
    assert report.status == "error" and "stopped reading" in report.summary


async def test_announced_huge_body_is_not_read(world: WebWorld) -> None:
    report, _ = await run(world, Page(body=b"x" * 70000))
    assert report.status == "error" and "70000 bytes announced" in report.summary


async def test_redirect_to_another_host_is_not_followed(world: WebWorld) -> None:
    report, _ = await run(world, Page(302, headers={"Location": "https://evil.test/x.xml"}))
    assert report.status == "error" and "another host" in report.summary
    assert not any(host == "evil.test" for _, host, _ in world.requests)


async def test_redirect_to_plain_http_is_not_followed(world: WebWorld) -> None:
    report, _ = await run(world, Page(301, headers={
        "Location": "http://autoconfig.hostile.test/mail/config-v1.1.xml"}))
    assert report.status == "error" and "away from HTTPS" in report.summary


async def test_port_zero_and_a_300_character_host_are_refused_entries(world: WebWorld) -> None:
    body = config_xml("smtp.hostile.test", 0).replace(
        b"</emailProvider>", b'<outgoingServer type="smtp"><hostname>' + b"a" * 300
        + b"</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer>"
        b"</emailProvider>")
    report, found = await run(world, Page(body=body))
    assert report.status == "error"
    assert any("port '0'" in p for p in report.problems)
    assert any("is not a host name" in p for p in report.problems)
    assert found.settings is None


async def test_untrusted_certificate_is_refused(world: WebWorld) -> None:
    report, _ = await run(world, Page(body=config_xml("smtp.hostile.test", 587)),
                          ca_file=None)
    assert report.status == "error" and "certificate" in report.summary


async def test_srv_target_dot_means_not_offered(world: WebWorld) -> None:
    await world.serve_dns({"_submissions._tcp.hostile.test": {"SRV": "0 0 0 ."},
                           "_submission._tcp.hostile.test": {"SRV": "0 0 0 ."}})
    found = await discover("jane@hostile.test", options(world, probe=False, third_party=False))
    srv = by_source(found, "srv")
    assert srv.status == "none" and len(srv.problems) == 2
    assert found.settings is None


def test_parse_config_fills_placeholders_and_lists_refusals() -> None:
    body = config_xml("%EMAILDOMAIN%", 587, "plain", "%EMAILLOCALPART%@corp")
    cands, incoming, problems = parse_config(body, "jane@acme.test", "autoconfig", "x", "u",
                                             True)
    assert [(c.host, c.security, c.user, c.user_form) for c in cands] == [
        ("acme.test", "none", "jane@corp", "other")]
    assert incoming == [] and problems == []
    bad = config_xml("smtp.acme.test", 587, "CARRIER-PIGEON")
    assert parse_config(bad, "j@acme.test", "a", "x", "u", True)[2] == [
        "outgoing server smtp.acme.test: socketType 'carrier-pigeon' unknown (ignored)"]


def test_safe_xml_caps_size_and_elements() -> None:
    with pytest.raises(safexml.UnsafeXml, match="larger than"):
        safexml.parse(b"<a/>" + b" " * 100, max_bytes=50)
    with pytest.raises(safexml.UnsafeXml, match="more than"):
        safexml.parse(b"<a>" + b"<b/>" * 3000 + b"</a>")
