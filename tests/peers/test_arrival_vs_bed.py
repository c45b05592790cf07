"""`check --send --arrival` against the real Postfix + Dovecot bed: sent through submission,
read back by IMAP (STARTTLS and IMAPS) from INBOX and Junk, a held message honestly not arrived
with its queue id, and no password anywhere in the output."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import run_cli
from tests.peers.mailbed import MailBed

ALICE = "alice@bed.test"


def send(bed: MailBed, rcpt: str, *extra: str, imap_password: str | None = None
         ) -> tuple[dict[str, Any], str]:
    """`check --send --arrival` as alice through submission (2587); the JSON report and the
    whole output (stdout + stderr)."""
    env = {"BED_PASSWORD": bed.users[ALICE]}
    if imap_password is not None:
        env["BED_IMAP_PASSWORD"] = imap_password
        extra = (*extra, "--imap-password-env", "BED_IMAP_PASSWORD")
    done = run_cli("check", "--host", bed.address, "--port", str(bed.ports["submission"]),
                   "--ca-file", str(bed.ca_file), "--no-dns", "--no-history", "--user", ALICE,
                   "--password-env", "BED_PASSWORD", "--mail-from", ALICE, "--rcpt-to", rcpt,
                   "--send", "--arrival", "--format", "json", *extra, env=env)
    assert done.returncode in (0, 1), done.stderr
    output = done.stdout + done.stderr
    for secret in (bed.users[ALICE], imap_password):
        assert not secret or secret not in output, "a password leaked into the output"
    return json.loads(done.stdout), output


def sent_data(report: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in report["checks"] if c["id"] == "send.data")
    return found


def ids_in(bed: MailBed, user: str, folder: str) -> str:
    return b"\n".join(bed.messages(user, folder)).decode("utf-8", "replace")


def test_sent_through_submission_is_found_in_inbox_with_hops_and_relay_ip(mailbed: MailBed
                                                                          ) -> None:
    report, _ = send(mailbed, ALICE, "--imap-port", str(mailbed.ports["imap"]),
                     "--arrival-wait", "30")
    arrival = report["arrival"]
    message_id = sent_data(report)["details"]["message_id"]
    assert (arrival["status"], arrival["folder"], arrival["mailbox"]) == \
        ("arrived", "inbox", "INBOX"), arrival
    assert arrival["message_id"] == message_id
    assert arrival["sending_ip"] == "127.0.0.1"  # what Postfix recorded for the client
    hops = arrival["headers_analysis"]["hops"]
    assert any(h["by"] == mailbed.hostname and h["from_ip"] == "127.0.0.1" for h in hops), hops
    assert arrival["headers_analysis"]["spf"]["ip"] in (None, "127.0.0.1")
    assert f"Message-ID: {message_id}" in arrival["headers"]
    assert arrival["size"] and arrival["size"] > len(arrival["headers"]) // 2
    assert arrival["delay_s"] is not None and arrival["delay_s"] >= 0
    assert arrival["deleted"] is True and message_id not in ids_in(mailbed, ALICE, "INBOX")


def test_plus_junk_is_found_in_junk_over_imaps_and_kept(mailbed: MailBed) -> None:
    report, _ = send(mailbed, "alice+junk@bed.test", "--imap-port",
                     str(mailbed.ports["imaps"]), "--imap-security", "tls", "--keep",
                     "--arrival-wait", "30")
    arrival = report["arrival"]
    assert (arrival["status"], arrival["folder"], arrival["mailbox"]) == \
        ("arrived", "junk", "Junk"), arrival
    assert arrival["searched"] == ["INBOX", "Junk"]
    assert arrival["deleted"] is False
    assert arrival["message_id"] in ids_in(mailbed, ALICE, "Junk")  # --keep: still there


def test_held_message_is_honestly_not_arrived_with_its_queue_id(mailbed: MailBed) -> None:
    report, _ = send(mailbed, "hold@bed.test", "--imap-host", mailbed.address, "--imap-user",
                     ALICE, "--imap-port", str(mailbed.ports["imap"]), "--arrival-wait", "3",
                     imap_password=mailbed.users[ALICE])
    arrival = report["arrival"]
    queue_id = sent_data(report)["details"]["queue_id"]
    try:
        assert queue_id and queue_id in mailbed.queue()
        assert (arrival["status"], arrival["folder"]) == ("not-arrived", None), arrival
        assert arrival["queue_id"] == queue_id
        assert "not in the inbox or junk after 3 s" in arrival["finding"]
        assert queue_id in arrival["finding"]
    finally:
        if queue_id:
            mailbed.postfix("postsuper", "-d", queue_id)


def test_wrong_imap_password_is_an_error_and_never_printed(mailbed: MailBed) -> None:
    wrong = "no-such-imap-pass-77"
    report, output = send(mailbed, ALICE, "--imap-port", str(mailbed.ports["imap"]),
                          "--arrival-wait", "5", imap_password=wrong)
    arrival = report["arrival"]
    assert arrival["status"] == "error" and "login as alice@bed.test was refused" in \
        arrival["error"], arrival
    assert wrong not in output and mailbed.users[ALICE] not in output


def test_text_report_leads_with_the_arrival(mailbed: MailBed) -> None:
    done = run_cli("check", "--host", mailbed.address, "--port",
                   str(mailbed.ports["submission"]), "--ca-file", str(mailbed.ca_file),
                   "--no-dns", "--no-history", "--user", ALICE, "--password-env", "BED_PASSWORD",
                   "--mail-from", ALICE, "--rcpt-to", ALICE, "--send", "--arrival",
                   "--imap-port", str(mailbed.ports["imap"]), "--arrival-wait", "30",
                   env={"BED_PASSWORD": mailbed.users[ALICE]})
    lines = done.stdout.splitlines()
    assert lines[2].startswith("ARRIVAL: The test message arrived in the inbox"), lines[:4]
    assert "sending IP 127.0.0.1" in lines[3]
    assert mailbed.users[ALICE] not in done.stdout + done.stderr
