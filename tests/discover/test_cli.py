"""`discover` and `check --address` through the real entry point, against loopback servers."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.discover.test_discover import loop
from tests.discover.webworld import Page, WebWorld, config_xml
from wizard.__main__ import main
from wizard.lab.smtp_server import LabSmtpServer, SmtpBehaviour


async def test_check_address_fills_the_target_and_says_from_where(
        world: WebWorld, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    async with LabSmtpServer(SmtpBehaviour(tls="starttls"), world.server_context()) as smtp:
        world.routes[("autoconfig.acme.test", "/mail/config-v1.1.xml")] = Page(
            body=config_xml("smtp.acme.test", smtp.port))
        await world.serve_dns(loop("autoconfig.acme.test", "smtp.acme.test"))
        ns = "{}:{}".format(*world.resolver().nameservers[0])
        lab = ["--nameserver", ns, "--ca-file", world.ca_file, "--no-third-party",
               "--discover-https-port", str(world.port), "--discover-guess-port", "9"]
        code = await asyncio.to_thread(main, ["check", "--address", "jane@acme.test", *lab,
                                              "--no-dns", "--no-history", "--format", "json"])
        report = json.loads(capsys.readouterr().out)
        await asyncio.to_thread(main, ["check", "--address", "jane@acme.test", *lab,
                                       "--host", "smtp.acme.test", "--port", "2",
                                       "--no-dns", "--no-history"])
        differs = capsys.readouterr().out
        found_code = await asyncio.to_thread(main, ["discover", "jane@acme.test", *lab,
                                                    "--format", "json"])
        found = json.loads(capsys.readouterr().out)
    assert report["target"]["host"] == "smtp.acme.test"
    assert report["target"]["port"] == smtp.port
    assert report["target"]["mail_from"] == "jane@acme.test"
    assert report["discovery"]["settings"]["source"] == "autoconfig"
    assert any("from the domain's autoconfig file" in n for n in report["notes"])
    assert code in (0, 1)  # the check ran (its verdict is the lab server's business)
    assert f"the domain publishes smtp.acme.test:{smtp.port}" in differs
    assert found_code == 0 and found["schema"] == 1
    assert found["settings"]["confirmed"] is True
    assert {s["source"] for s in found["sources"]} >= {"srv", "autoconfig", "ispdb"}


def test_discover_bad_address_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discover", "not-an-address"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("smtp-wizard discover: error:") and err.count("\n") == 1
