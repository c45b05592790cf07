"""Discovery end to end on loopback: the project's DNS responder, an HTTPS server with a test
CA (trusted through ``ca_file``), and lab SMTP servers for the probe."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.discover.webworld import Page, WebWorld, config_xml
from wizard.discover.run import DiscoverOptions, discover
from wizard.lab.smtp_server import LabSmtpServer, SmtpBehaviour, free_port

LOOP = {"A": "127.0.0.1"}


def loop(*names: str) -> dict[str, Any]:
    """Each name at 127.0.0.1 (the DNS responder has no wildcards)."""
    return {name: LOOP for name in names}


def options(world: WebWorld, **changes: Any) -> DiscoverOptions:
    base = DiscoverOptions(world.resolver(), timeout=3.0, probe_timeout=2.0,
                           ca_file=world.ca_file, https_port=world.port,
                           ispdb_url=f"https://ispdb.test:{world.port}/v1.1/",
                           microsoft_url=f"https://ms-autodiscover.test:{world.port}",
                           guess_ports=(free_port(),))
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def by_source(found, source: str):
    return next(r for r in found.sources if r.source == source)


async def test_srv_published_settings_are_found_and_confirmed(world: WebWorld) -> None:
    behaviour = SmtpBehaviour(tls="implicit")
    async with LabSmtpServer(behaviour, world.server_context()) as smtp:
        await world.serve_dns({
            "acme.test": {"MX": "10 mx.acme.test"},
            "_submissions._tcp.acme.test": {"SRV": f"0 1 {smtp.port} smtp.acme.test."},
            "_submission._tcp.acme.test": {"SRV": "0 0 0 ."},
            "smtp.acme.test": LOOP, "ispdb.test": LOOP, "mx.acme.test": LOOP,
        })
        found = await discover("jane@acme.test", options(world))
    s = found.settings
    assert s is not None
    assert (s.host, s.port, s.security, s.source) == ("smtp.acme.test", smtp.port, "tls", "srv")
    assert s.confirmed and s.user == "jane@acme.test" and s.user_form == "address"
    assert s.probe is not None and s.probe["certificate_valid"] is True
    assert not s.authenticated  # the loopback DNS does not sign: no DNSSEC AD bit
    srv = by_source(found, "srv")
    assert srv.status == "found"
    assert any("target '.'" in p for p in srv.problems)  # _submission says: not offered
    assert found.who == "you" and found.action["set"]["port"] == smtp.port


async def test_autoconfig_file_gives_settings_user_form_and_incoming(world: WebWorld) -> None:
    async with LabSmtpServer(SmtpBehaviour(tls="starttls"), world.server_context()) as smtp:
        world.routes[("autoconfig.acme.test", "/mail/config-v1.1.xml")] = Page(
            body=config_xml("smtp.acme.test", smtp.port, "STARTTLS", "%EMAILLOCALPART%",
                            imap=("imap.acme.test", 993)))
        await world.serve_dns({"acme.test": {"MX": "10 mx.acme.test"},
                               **loop("autoconfig.acme.test", "smtp.acme.test", "ispdb.test")})
        found = await discover("jane@acme.test", options(world))
    s = found.settings
    assert s is not None and s.source == "autoconfig"
    assert (s.host, s.port, s.security) == ("smtp.acme.test", smtp.port, "starttls")
    assert s.user == "jane" and s.user_form == "local-part"
    assert s.confirmed and s.authenticated
    assert s.probe is not None and "PLAIN" in s.probe["auth_after_tls"]
    report = by_source(found, "autoconfig")
    assert report.tls is True and report.authenticated
    assert [(i.protocol, i.host, i.port) for i in found.incoming] == [
        ("imap", "imap.acme.test", 993)]
    # The address travels in the query string, as Thunderbird sends it; SNI and Host kept.
    assert ("GET", "autoconfig.acme.test",
            "/mail/config-v1.1.xml?emailaddress=jane@acme.test") in world.requests


async def test_well_known_is_asked_when_autoconfig_host_is_absent(world: WebWorld) -> None:
    world.routes[("acme.test", "/.well-known/autoconfig/mail/config-v1.1.xml")] = Page(
        body=config_xml("mail.acme.test", 465, "SSL"))
    await world.serve_dns({"acme.test": LOOP, "ispdb.test": LOOP})
    found = await discover("jane@acme.test", options(world, probe=False))
    assert by_source(found, "autoconfig").status == "none"
    s = found.settings
    assert s is not None and (s.source, s.host, s.port, s.security) == (
        "well-known", "mail.acme.test", 465, "tls")


async def test_provider_recognised_by_mx_gives_its_documented_preset(world: WebWorld) -> None:
    await world.serve_dns({"acme.test": {"MX": "1 aspmx.l.google.com"}, "ispdb.test": LOOP})
    found = await discover("jane@acme.test", options(world, third_party=False))
    assert found.provider == "gmail"
    s = found.settings
    assert s is not None and (s.host, s.port, s.source) == ("smtp.gmail.com", 587, "provider")
    assert "Gmail" in s.source_text and s.via.startswith("https://support.google.com/")
    assert not s.confirmed  # smtp.gmail.com does not exist in the loopback DNS
    assert "did not answer" in found.next_step
    assert by_source(found, "ispdb").status == "skipped"


async def test_filter_in_front_gives_no_setting(world: WebWorld) -> None:
    await world.serve_dns({"acme.test": {"MX": "10 mx0a-1.pphosted.com"}})
    found = await discover("jane@acme.test", options(world, third_party=False))
    assert found.provider == "proofpoint"
    assert by_source(found, "provider").status == "none"
    assert "filter" in by_source(found, "provider").summary


async def test_nothing_published_is_an_honest_not_found(world: WebWorld) -> None:
    await world.serve_dns({"bare.test": {"A": "192.0.2.1"}, "ispdb.test": LOOP})
    found = await discover("jane@bare.test", options(world))
    assert found.settings is None
    assert found.who == "provider" and found.action == {"kind": "contact", "who": "provider"}
    assert by_source(found, "srv").status == "none"
    assert by_source(found, "ispdb").status == "none"  # ISPDB answered 404
    assert ("GET", "ispdb.test", "/v1.1/bare.test") in world.requests


async def test_a_guess_is_used_only_once_confirmed(world: WebWorld) -> None:
    port = free_port()
    async with LabSmtpServer(SmtpBehaviour(tls="starttls"), world.server_context(),
                             port=port):
        await world.serve_dns({"acme.test": {"MX": "10 mx.acme.test"},
                               "smtp.acme.test": LOOP})
        found = await discover("jane@acme.test",
                               options(world, third_party=False, guess_ports=(port,)))
    s = found.settings
    assert s is not None and (s.host, s.port, s.source) == ("smtp.acme.test", port, "guess")
    assert s.confirmed and s.source_text == "guessed"
    assert all(c.source != "guess" or c.confirmed for c in found.candidates)


async def test_microsoft_mx_asks_microsoft_autodiscover(world: WebWorld) -> None:
    base = f"https://ms-autodiscover.test:{world.port}"
    world.routes[("ms-autodiscover.test",
                  "/autodiscover/autodiscover.json/v1.0/jane@msft.test")] = Page(
        body=json.dumps({"Protocol": "AutodiscoverV1",
                         "Url": f"{base}/Autodiscover/Autodiscover.xml"}).encode(),
        ctype="application/json")
    world.routes[("ms-autodiscover.test", "/Autodiscover/Autodiscover.xml")] = Page(401)
    await world.serve_dns({"msft.test": {"MX": "0 msft-test.mail.protection.outlook.com"},
                           "ms-autodiscover.test": LOOP, "ispdb.test": LOOP})
    found = await discover("jane@msft.test", options(world, probe=False))
    ms = by_source(found, "microsoft")
    assert ms.status == "none" and "sign-in" in ms.summary
    assert ("POST", "ms-autodiscover.test", "/Autodiscover/Autodiscover.xml") in world.requests
    s = found.settings
    assert s is not None and (s.host, s.source) == ("smtp.office365.com", "provider")
    none = await discover("jane@msft.test", options(world, probe=False, third_party=False))
    assert by_source(none, "microsoft").status == "skipped"


POX = b"""<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
<Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
<Account><AccountType>email</AccountType><Action>settings</Action>
<Protocol><Type>IMAP</Type><Server>imap.acme.test</Server><Port>993</Port><SSL>on</SSL>
<LoginName>jane@acme.test</LoginName></Protocol>
<Protocol><Type>SMTP</Type><Server>out.acme.test</Server><Port>587</Port>
<Encryption>TLS</Encryption><LoginName>jane</LoginName></Protocol>
</Account></Response></Autodiscover>"""


async def test_domain_autodiscover_pox_is_read(world: WebWorld) -> None:
    world.routes[("autodiscover.acme.test", "/autodiscover/autodiscover.xml")] = Page(body=POX)
    await world.serve_dns(loop("autodiscover.acme.test", "acme.test"))
    found = await discover("jane@acme.test", options(world, probe=False, third_party=False))
    s = found.settings
    assert s is not None and s.source == "autodiscover"
    assert (s.host, s.port, s.security, s.user, s.user_form) == (
        "out.acme.test", 587, "starttls", "jane", "local-part")
    assert found.incoming[0].host == "imap.acme.test"


async def test_sources_are_bounded_by_the_timeout(world: WebWorld) -> None:
    await world.serve_dns({"acme.test": ["TIMEOUT"], "_submission._tcp.acme.test": ["TIMEOUT"],
                           "_submissions._tcp.acme.test": ["TIMEOUT"],
                           "autoconfig.acme.test": ["TIMEOUT"]})
    found = await asyncio.wait_for(
        discover("jane@acme.test", options(world, timeout=1.0, third_party=False)), 15)
    assert by_source(found, "srv").status == "error"
    assert found.settings is None
