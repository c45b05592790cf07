"""The test bed itself: each listener behaves as the wizard's tests assume (stdlib clients)."""

from __future__ import annotations

import imaplib
import smtplib
import time
from collections.abc import Callable
from email.message import EmailMessage

import pytest

from tests.peers.mailbed import MailBed

TIMEOUT_S = 10


def _message(to: str, msgid: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = "alice@bed.test", to, "bed", msgid
    msg.set_content("test bed message\n")
    return msg


def _wait_for(predicate: Callable[[], bool], what: str, bed: MailBed,
              limit_s: float = 15.0) -> None:
    deadline = time.monotonic() + limit_s
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not seen in {limit_s} s\n{bed.log()}"
        time.sleep(0.1)


def test_submission_starttls_login_and_delivery_to_inbox_and_junk(mailbed: MailBed) -> None:
    with smtplib.SMTP(mailbed.address, mailbed.ports["submission"], timeout=TIMEOUT_S) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("auth"), "AUTH must be offered only after STARTTLS"
        smtp.starttls(context=mailbed.client_context())
        smtp.ehlo()
        assert smtp.has_extn("auth")
        smtp.login("alice@bed.test", mailbed.users["alice@bed.test"])
        smtp.send_message(_message("bob@bed.test", "<t1@bed.test>"),
                          to_addrs=["bob@bed.test", "bob+junk@bed.test"])
    _wait_for(lambda: any(b"<t1@bed.test>" in m for m in mailbed.messages("bob@bed.test")),
              "delivery to bob's INBOX", mailbed)
    _wait_for(lambda: any(b"<t1@bed.test>" in m for m in mailbed.messages("bob@bed.test", "Junk")),
              "delivery to bob's Junk", mailbed)


def test_implicit_tls_port_and_wrong_password_is_slow_535(mailbed: MailBed) -> None:
    with smtplib.SMTP_SSL(mailbed.address, mailbed.ports["submissions"], timeout=TIMEOUT_S,
                          context=mailbed.client_context()) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("auth")
        started = time.monotonic()
        with pytest.raises(smtplib.SMTPAuthenticationError) as err:
            smtp.user, smtp.password = "alice@bed.test", "not-the-password"
            smtp.auth("PLAIN", smtp.auth_plain)
        waited = time.monotonic() - started
    assert err.value.smtp_code == 535
    assert b"5.7.8" in err.value.smtp_error
    # Dovecot's auth_failure_delay: the reply is late (what the wizard must call a slow reply).
    # Dovecot counts the delay from a whole-second clock: it is between delay - 1 s and delay.
    assert waited >= mailbed.auth_failure_delay_s - 1.2


def test_relay_port_offers_no_auth_and_refuses_outside_recipients(mailbed: MailBed) -> None:
    with smtplib.SMTP(mailbed.address, mailbed.ports["relay"], timeout=TIMEOUT_S) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("auth")
        smtp.mail("someone@example.org")
        code, reply = smtp.rcpt("friend@example.com")
        assert code == 554 and b"Relay access denied" in reply
        code, _ = smtp.rcpt("alice@bed.test")
        assert code == 250
        code, reply = smtp.rcpt("nobody@bed.test")
        assert code == 550 and b"5.1.1" in reply


def test_hold_and_bounce_addresses(mailbed: MailBed) -> None:
    with smtplib.SMTP(mailbed.address, mailbed.ports["relay"], timeout=TIMEOUT_S) as smtp:
        smtp.send_message(_message("hold@bed.test", "<held@bed.test>"),
                          from_addr="alice@bed.test", to_addrs=["hold@bed.test"])
        smtp.send_message(_message("bounce@bed.test", "<bounced@bed.test>"),
                          from_addr="alice@bed.test", to_addrs=["bounce@bed.test"])
    _wait_for(lambda: "hold@bed.test" in mailbed.queue(), "the held message in the queue", mailbed)
    assert "!" in mailbed.queue()  # postqueue marks held mail with "!"
    _wait_for(lambda: any(b"<bounced@bed.test>" in m for m in mailbed.messages("alice@bed.test")),
              "the bounce in alice's INBOX", mailbed)


def test_imap_starttls_login_lists_junk_special_use(mailbed: MailBed) -> None:
    imap = imaplib.IMAP4(mailbed.address, mailbed.ports["imap"], timeout=TIMEOUT_S)
    try:
        imap.starttls(ssl_context=mailbed.client_context())
        imap.login("bob@bed.test", mailbed.users["bob@bed.test"])
        status, lines = imap.list()
        assert status == "OK"
        assert any(isinstance(line, bytes) and b"\\Junk" in line and line.endswith(b"Junk")
                   for line in lines)
    finally:
        imap.logout()
    with (imaplib.IMAP4_SSL(mailbed.address, mailbed.ports["imaps"], timeout=TIMEOUT_S,
                            ssl_context=mailbed.client_context()) as imaps,
          pytest.raises(imaplib.IMAP4.error)):
        imaps.login("bob@bed.test", "wrong")
