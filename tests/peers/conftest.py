"""The `mailbed` fixture: one real Postfix + Dovecot for the whole test session (or a skip).

Other test packages use it with ``from tests.peers.conftest import mailbed  # noqa: F401``
(a fixture import), or call :func:`tests.peers.mailbed.mail_bed` themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.peers.mailbed import MailBed, mail_bed, unavailable


@pytest.fixture(scope="session")
def mailbed() -> Iterator[MailBed]:
    """A running bed (see tests/peers/mailbed.py); skips, saying why, where it cannot run."""
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    with mail_bed() as bed:
        yield bed
