"""Reading what people paste and what mail systems save, and refusing what is not a message."""

from __future__ import annotations

import pytest

from wizard.headers.authres import read_recorded
from wizard.headers.hops import read_hops
from wizard.headers.parse import MAX_FIELDS, MAX_INPUT_BYTES, NotAMessage, parse_message

SIMPLE = (b"Received: from a.example (a.example [192.0.2.1])\r\n\tby b.example with ESMTPS id 1;"
          b"\r\n\tMon, 01 Jan 2024 10:00:00 +0000\r\nFrom: Alice <alice@example.com>\r\n"
          b"Subject: Hello\r\n\r\nBody line\r\n")


def test_folded_fields_keep_their_bytes_and_unfold_for_reading() -> None:
    message = parse_message(SIMPLE)
    received = message.first("Received")
    assert received is not None
    assert received.raw.startswith(b"Received: from a.example") and b"\r\n\tby" in received.raw
    assert received.value == ("from a.example (a.example [192.0.2.1]) by b.example with ESMTPS "
                              "id 1; Mon, 01 Jan 2024 10:00:00 +0000")
    assert message.body == b"Body line\r\n" and message.dkim_input == SIMPLE


def test_lf_line_ends_read_the_same() -> None:
    crlf = parse_message(SIMPLE)
    lf = parse_message(SIMPLE.replace(b"\r\n", b"\n"))
    assert [(f.name, f.value) for f in lf.fields] == [(f.name, f.value) for f in crlf.fields]


def test_a_body_after_the_headers_is_never_read_as_headers() -> None:
    data = SIMPLE + (b"Received: from evil.example ([203.0.113.9]) by b.example; "
                     b"Mon, 01 Jan 2024 09:00:00 +0000\r\nAuthentication-Results: b.example; "
                     b"dkim=pass header.d=example.com\r\n")
    message = parse_message(data)
    assert len(read_hops(message)) == 1
    assert read_recorded(message) == []


def test_pasted_text_without_the_blank_line_starts_the_body_at_the_first_non_field() -> None:
    data = (b"From: alice@example.com\nSubject: Hi\nHello Bob, this is the body.\n"
            b"Received: from fake.example by b.example; Mon, 01 Jan 2024 09:00:00 +0000\n")
    message = parse_message(data)
    assert [f.name for f in message.fields] == ["From", "Subject"]
    assert message.body is not None and message.body.startswith(b"Hello Bob")
    assert any("no blank line" in n for n in message.notes)


def test_headers_only_is_understood() -> None:
    message = parse_message(b"From: alice@example.com\nSubject: Hi\n")
    assert message.headers_only and any("headers only" in n for n in message.notes)
    assert message.dkim_input.endswith(b"\n\r\n")


def test_duplicated_singletons_are_listed() -> None:
    message = parse_message(b"From: a@example.com\nSubject: one\nSubject: two\n\nbody\n")
    assert message.duplicated() == ["subject"]
    assert [f.value for f in message.all("subject")] == ["one", "two"]


def test_rfc2047_words_and_raw_8bit_are_decoded() -> None:
    message = parse_message(b"From: =?UTF-8?B?w4lsb2TDrWU=?= <e@example.com>\n"
                            b"Subject: =?ISO-8859-1?Q?Caf=E9?= =?utf-8?q?_cr=C3=A8me?=\n"
                            b"To: caf\xe9@example.com\n\nbody\n")
    assert message.text("Subject") == "Café crème"
    assert message.text("From") == "Élodíe <e@example.com>"
    assert message.value("To") == "café@example.com"
    assert any("not UTF-8" in n for n in message.notes)


def test_broken_encoded_words_are_kept_as_written() -> None:
    message = parse_message(b"From: a@example.com\n"
                            b"Subject: =?bogus-charset?Q?x?= =?utf-8?B?***?=\n")
    assert message.text("Subject") == "=?bogus-charset?Q?x?= =?utf-8?B?***?="


def test_mbox_line_bom_and_leading_blank_lines_are_skipped() -> None:
    data = b"\xef\xbb\xbf\n\nFrom alice@example.com Mon Jan  1 10:00:00 2024\nFrom: a@example.com\n"
    message = parse_message(data)
    assert [f.name for f in message.fields] == ["From"]
    assert any("mbox" in n for n in message.notes)


def test_a_huge_header_and_many_fields_are_bounded() -> None:
    huge = b"X-Huge: " + b"a" * 2_000_000 + b"\n"
    many = b"".join(b"X-Field-%d: v\n" % i for i in range(MAX_FIELDS + 500))
    message = parse_message(b"From: a@example.com\n" + huge + many + b"\nbody\n")
    assert len(message.fields) == MAX_FIELDS
    huge_field = message.first("X-Huge")
    assert huge_field is not None and len(huge_field.value) == 2_000_000
    assert any("only the first" in n for n in message.notes)


@pytest.mark.parametrize("data", [
    b"", b"   \n\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"hello world\n",
    b'{"from": "alice@example.com"}', b"  indented: first\nFrom: a@example.com\n",
    b"From: a@example.com\nX-Bin: \x00\x01\n\nbody", b"Foo: bar\nBaz: qux\n",
    b"From: a@example.com\n" + b"x" * MAX_INPUT_BYTES,
], ids=["empty", "blank", "png", "prose", "json", "indented", "nul", "no-mail-field", "too-big"])
def test_what_is_not_a_message_gets_one_line_saying_why(data: bytes) -> None:
    with pytest.raises(NotAMessage) as caught:
        parse_message(data)
    text = str(caught.value)
    assert text and "\n" not in text and len(text) < 200
