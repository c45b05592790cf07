"""replies.parse: codes, text, command and provider out of replies and bounce excerpts."""

from wizard.explain.parse import parse, reply_class


def test_multiline_reply_continuation_lines_are_joined():
    reply = parse("550-5.7.26 This mail is unauthenticated.\r\n550-5.7.26 Gmail requires\r\n"
                  "550 5.7.26 authentication. - gsmtp")
    assert (reply.code, reply.enhanced) == (550, "5.7.26")
    assert reply.text == "This mail is unauthenticated. Gmail requires authentication. - gsmtp"


def test_reply_quoted_in_postfix_bounce_gives_code_and_command():
    reply = parse("host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: Recipient "
                  "address rejected: User unknown (in reply to RCPT TO command)")
    assert (reply.code, reply.enhanced, reply.command) == (550, "5.1.1", "RCPT")
    assert reply.text.endswith("User unknown")


def test_qmail_hash_status_is_the_enhanced_code():
    reply = parse("Sorry, no mailbox here by that name. (#5.1.1)")
    assert (reply.code, reply.enhanced) == (None, "5.1.1")


def test_dsn_smtp_diagnostic_variant_is_parsed():
    reply = parse("5.1.1 smtp;550 5.1.1 <a@example.org>... User unknown")
    assert (reply.code, reply.enhanced) == (550, "5.1.1")


def test_exim_after_rcpt_to_gives_command():
    reply = parse("SMTP error from remote mail server after RCPT TO:<a@example.jp>: "
                  "host mx.example.jp [192.0.2.9]: 550 5.2.2 <a@example.jp>... Mailbox Full")
    assert (reply.code, reply.enhanced, reply.command) == (550, "5.2.2", "RCPT")


def test_ip_addresses_and_ports_are_not_reply_codes():
    reply = parse("connect to mx.example.org[192.0.2.250]:587: Connection timed out")
    assert reply.code is None


def test_explicit_command_overrides_the_text():
    assert parse("535 5.7.8 Error: authentication failed", command="auth").command == "AUTH"


def test_gmail_is_recognised_from_gsmtp():
    assert parse("550 5.1.1 The email account does not exist. - gsmtp").provider == "gmail"


def test_microsoft_is_recognised_from_protection_outlook():
    text = "550 5.7.606 Access denied [x.eop.prod.protection.outlook.com]"
    assert parse(text).provider == "microsoft"


def test_class_comes_from_the_basic_code_first():
    assert reply_class(550, "4.2.2") == "permanent"


def test_class_falls_back_to_the_enhanced_code():
    assert reply_class(None, "4.4.7") == "temporary"


def test_class_is_unknown_without_any_code():
    assert parse("something went wrong").reply_class == "unknown"
