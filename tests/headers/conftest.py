"""Fixtures for the headers tests: the test messages' zone served by a real loopback DNS
responder (in-process for the analysis, in a thread for the CLI), and the messages as files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for path in (str(HERE.parents[1]), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

from mailkit import stories, zone  # noqa: E402

from tests.conftest import serve_in_thread  # noqa: E402
from wizard.dns.resolver import Resolver  # noqa: E402
from wizard.lab.dns_server import DnsServer  # noqa: E402


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
