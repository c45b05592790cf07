"""What developers paste: client-library, OS and mail-program errors get a category and a fix."""

from __future__ import annotations

import pytest

from wizard.explain.service import ExplainService

CASES = [
    ("Error: getaddrinfo ENOTFOUND smtp.gmial.com", "dns-host-not-found"),
    ("Error: connect ECONNREFUSED 127.0.0.1:587", "connection-refused"),
    ("Error: connect ETIMEDOUT 192.0.2.10:25", "connection-timeout"),
    ("Error: read ECONNRESET", "connection-dropped"),
    ("Error: Invalid login: 535 Authentication failed", "auth-failed"),
    ("Error: Greeting never received", "tls-mode-mismatch"),
    ("Error: self signed certificate in certificate chain", "tls-certificate"),
    ("smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted.')",
     "auth-failed"),
    ("smtplib.SMTPServerDisconnected: Connection unexpectedly closed", "tls-mode-mismatch"),
    ("smtplib.SMTPNotSupportedError: SMTP AUTH extension not supported by server.",
     "auth-not-offered"),
    ("ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1129)",
     "tls-mode-mismatch"),
    ("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed:"
     " unable to get local issuer certificate (_ssl.c:1006)", "tls-certificate"),
    ("socket.gaierror: [Errno -2] Name or service not known", "dns-host-not-found"),
    ("System.Net.Mail.SmtpException: Failure sending mail. ---> System.IO.IOException: Unable to"
     " read data from the transport connection: net_io_connectionclosed.", "tls-mode-mismatch"),
    ("System.Net.Mail.SmtpException: The SMTP server requires a secure connection or the client"
     " was not authenticated. The server response was: 5.7.0 Authentication Required",
     "auth-required"),
    ("MailKit.Security.AuthenticationException: 535: 5.7.3 Authentication unsuccessful",
     "auth-disabled"),
    ("javax.mail.AuthenticationFailedException: 535-5.7.8 Username and Password not accepted.",
     "auth-failed"),
    ("javax.mail.MessagingException: Could not convert socket to TLS", "tls-handshake"),
    ("SMTP Error: Could not authenticate.", "auth-failed"),
    ("SMTP Error: Could not connect to SMTP host. Failed to connect to server",
     "connection-refused"),
    ("smtp: server doesn't support AUTH", "auth-not-offered"),
    ("net/smtp: unencrypted connection", "auth-mechanism"),
    ("curl: (67) Login denied", "auth-failed"),
    ("curl: (35) error:0A00010B:SSL routines::wrong version number", "tls-mode-mismatch"),
    ("140736417:error:1408F10B:SSL routines:ssl3_get_record:wrong version number",
     "tls-mode-mismatch"),
    ("Outlook: 0x800CCC0E Cannot connect to the server", "connection-refused"),
    ("Sending reported error (0x8004210B): The operation timed out waiting for a response from"
     " the sending (SMTP) server.", "connection-timeout"),
    ("Sending of the message failed. The message could not be sent because the connection to"
     " Outgoing server (SMTP) smtp.example.com was lost in the middle of the transaction.",
     "connection-dropped"),
    ("Cannot send message using the server smtp.example.com.", "connection-refused"),
]


@pytest.fixture(scope="module")
def service():
    return ExplainService()


@pytest.mark.parametrize(("text", "category"), CASES, ids=[c[0][:40] for c in CASES])
def test_a_pasted_client_error_gets_its_category_and_a_fix(service, text, category):
    result = service.explain(text)
    assert result.category == category
    assert result.next.next_step and result.next.who


def test_a_client_wrapper_yields_to_the_server_reply_inside_it(service):
    result = service.explain("Error: Invalid login: 534-5.7.9 Application-specific password"
                             " required. Learn more at https://support.google.com/mail/?p=Invalid"
                             "SecondFactor - gsmtp")
    assert (result.category, result.provider) == ("auth-app-password", "gmail")


def test_the_fix_names_what_the_error_revealed(service):
    result = service.explain("Error: getaddrinfo ENOTFOUND smtp.gmial.com")
    assert "spelling" in result.next.next_step
    assert result.facts["host"] == "smtp.gmial.com"
    assert result.next_command == "smtp-wizard check --host <host>"
