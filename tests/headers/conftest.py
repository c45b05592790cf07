"""Fixtures for the headers tests: the test messages' zone served by a real loopback DNS
responder (in-process for the analysis, in a thread for the CLI), and the messages as files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import serve_in_thread
from tests.headers.mailkit import stories, zone
from wizard.dns.resolver import Resolver
from wizard.lab.dns_server import DnsServer


@pytest.fixture
async def dns():
    """A DnsServer serving the test zone (in this test's event loop)."""
    async with DnsServer(zone()) as server:
        yield server


@pytest.fixture
def resolver(dns: DnsServer) -> Resolver:
    """The project's resolver, asking only the loopback DnsServer."""
    return Resolver([dns.nameserver], timeout=1.0)


@pytest.fixture(scope="module")
def nameserver() -> Iterator[str]:
    """``IP:PORT`` of a DnsServer in a background thread, for the real CLI in a subprocess."""
    with serve_in_thread(DnsServer(zone())) as server:
        yield f"{server.host}:{server.port}"


@pytest.fixture(scope="module")
def eml_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("eml")
    for name, story in stories().items():
        (folder / f"{name}.eml").write_bytes(story.data)
    return folder
