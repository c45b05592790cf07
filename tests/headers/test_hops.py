"""The Received chain of real-world forms: order, hosts, IPs, TLS, times, delays, skew."""

from __future__ import annotations

from tests.headers.samples import EXIM, GMAIL, MICROSOFT_365, POSTFIX, SENDMAIL_QMAIL
from wizard.headers.hops import delays, parse_received, read_hops
from wizard.headers.parse import parse_message
from wizard.headers.spf import receiver_hop, sender_hop


def hops_of(text: str):
    return read_hops(parse_message(text.encode()))


def test_microsoft_365_chain_from_sender_to_mailbox() -> None:
    hops = hops_of(MICROSOFT_365)
    assert [h.index for h in hops] == [1, 2, 3, 4, 5]
    assert (hops[0].from_ip, hops[0].by, hops[0].form) == ("10.0.0.5", "mail.example.com",
                                                          "postfix")
    entry = hops[1]
    assert (entry.from_host, entry.from_ip) == ("mail.example.com", "192.0.2.10")
    assert entry.by == "bn2pepf000044a4.mail.protection.outlook.com"
    assert entry.by_ip == "10.167.243.155"
    assert (entry.with_, entry.tls, entry.form) == ("Microsoft SMTP Server", True, "exchange")
    assert entry.tls_detail == "TLS1_3 TLS_AES_256_GCM_SHA384"
    assert entry.id == "15.20.7362.11"
    assert hops[2].from_ip == "2603:10b6:408:10d:cafe::3c"
    assert hops[4].with_ == "HTTPS"
    assert [h.delay_s for h in hops] == [None, 2.0, 1.0, 0.0, 1.0]


def test_microsoft_internal_hand_offs_do_not_count_as_crossing() -> None:
    hops = hops_of(MICROSOFT_365)
    sender, receiver = sender_hop(hops, "example.com"), receiver_hop(hops)
    assert sender is not None and sender.index == 2
    assert receiver is not None and receiver.index == 2


def test_gmail_chain_with_google_forms() -> None:
    hops = hops_of(GMAIL)
    assert len(hops) == 3
    smtp_in = hops[1]
    assert (smtp_in.from_host, smtp_in.from_rdns, smtp_in.from_ip) == (
        "mail.example.com", "mail.example.com", "192.0.2.10")
    assert (smtp_in.by, smtp_in.tls, smtp_in.for_) == ("mx.google.com", True, "bob@gmail.com")
    assert smtp_in.form == "gmail"
    assert smtp_in.time.isoformat() == "2024-03-05T14:22:30+00:00"  # -0800 (PST) read as UTC
    last = hops[2]
    assert last.from_host is None and last.by == "2002:a05:7208:3188:b0:81:5e2b:3bd0"
    assert last.id == "p8csp1234567rbf"


def test_postfix_tls_note_and_clock_skew_is_flagged_not_hidden() -> None:
    hops = hops_of(POSTFIX)
    mx, lmtp = hops
    assert mx.tls and mx.tls_detail == "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384"
    assert (mx.from_ip, mx.by, mx.id) == ("192.0.2.10", "mx.example.org", "4Tq2XY")
    assert lmtp.delay_s == -2.0 and lmtp.clock_skew
    assert any("clock skew" in n for n in lmtp.notes)
    assert lmtp.tls is False
    summary = delays(hops, None)
    assert summary["clock_skew_hops"] == [2] and summary["total_s"] == -2.0


def test_exim_helo_envelope_and_tls() -> None:
    (hop,) = hops_of(EXIM)
    assert (hop.from_ip, hop.helo, hop.by, hop.with_) == (
        "192.0.2.10", "mail.example.com", "mx.example.net", "esmtps")
    assert hop.tls and hop.tls_detail == "TLS1.3 TLS_AES_256_GCM_SHA384"
    assert (hop.id, hop.for_, hop.form) == ("1rhVbA-00GXyZ-2f", "bob@example.net", "exim")
    assert hop.time.isoformat() == "2024-03-05T14:22:31+00:00"


def test_sendmail_and_qmail_forms() -> None:
    qmail_local, qmail, sendmail = hops_of(SENDMAIL_QMAIL)
    assert qmail_local.from_host is None and qmail_local.by is None
    assert "local note" in qmail_local.notes[0]
    assert (qmail.from_host, qmail.helo, qmail.from_ip, qmail.tls) == (
        "mail.example.org", "mail.example.org", "198.51.100.8", False)
    assert (sendmail.form, sendmail.tls, sendmail.from_ip) == ("sendmail", True, "198.51.100.9")
    assert sendmail.time.isoformat() == "2024-03-05T14:22:31+00:00"


def test_exim_ip_literal_without_a_name() -> None:
    hop = parse_received("from [192.0.2.10] (port=4312 helo=mail.example.com) by mx.example.net "
                         "with esmtpa (Exim 4.96) id 1r; Mon, 01 Jan 2024 10:00:00 +0100")
    assert (hop.from_host, hop.from_ip, hop.helo) == ("mail.example.com", "192.0.2.10",
                                                      "mail.example.com")
    assert hop.tls is False


def test_unreadable_and_missing_dates_are_said_not_guessed() -> None:
    hop = parse_received("from a.example (a.example [192.0.2.1]) by b.example with SMTP; "
                         "yesterday at noon")
    assert hop.time is None and "unreadable date" in hop.notes[0]
    assert "no date" in parse_received("from a by b with SMTP id 1").notes[0]


def test_a_mail_loop_reads_only_the_newest_hundred_hops() -> None:
    line = "Received: from a.example ([192.0.2.1]) by b.example with SMTP; " \
           "Mon, 01 Jan 2024 10:00:00 +0000\r\n"
    data = (line * 500 + "From: x@example.com\r\n\r\nbody\r\n").encode()
    assert len(read_hops(parse_message(data))) == 100
