"""Several SPF records: each fault is reported, with the one merged record to publish instead
(and its lookup count); a record that authorises no server warns on a domain that sends."""

from __future__ import annotations

import pytest

from wizard.dns.spf import merge_records, parse_record
from wizard.model.findings import Status

from .conftest import lab_zone, run_step


@pytest.mark.parametrize(("records", "merged", "note"), [
    (["v=spf1 ip4:127.0.0.1 -all", "v=spf1 mx -all"], "v=spf1 ip4:127.0.0.1 mx -all", None),
    (["v=spf1 a -all", "v=spf1 mx ~all"], "v=spf1 a mx ~all", "end differently"),
    (["v=spf1 +all", "v=spf1 mx -all"], "v=spf1 mx -all", "'+all' left out"),
    (["v=spf1 redirect=_spf.x.test", "v=spf1 ip4:192.0.2.1 -all"],
     "v=spf1 include:_spf.x.test ip4:192.0.2.1 -all", "became include:_spf.x.test"),
    (["v=spf1 mx -all", "v=spf1 MX +mx a -all"], "v=spf1 mx a -all", None),
    (["v=spf1 foo:bar -all", "v=spf1 mx -all"], "v=spf1 mx -all", "left out 'foo:bar'"),
    (["v=spf1 mx -all exp=a.x.test", "v=spf1 a -all exp=b.x.test"],
     "v=spf1 mx a -all exp=a.x.test", "different exp="),
])
def test_merge_records(records: list[str], merged: str, note: str | None) -> None:
    out, notes = merge_records(records)
    assert out == merged
    parse_record(out)  # the suggestion is itself a valid record
    if note is None:
        assert notes == []
    else:
        assert any(note in n for n in notes), notes


async def test_two_records_report_each_fault_and_the_merge() -> None:
    zone = lab_zone()
    zone["lab.test"]["TXT"] = ["v=spf1 ip4:127.0.0.1 ip4:192.0.2.0/33 -all",
                               "v=spf1 mx +all"]
    run = await run_step(zone)
    f = run["dns.spf.record"]
    assert f.status is Status.FAIL and f.category == "dns-spf"
    assert f.details["merged"] == "v=spf1 ip4:127.0.0.1 mx -all"
    assert "'v=spf1 ip4:127.0.0.1 mx -all'" in f.summary  # the actual record to publish
    assert "syntax error" in f.summary and "/33" in f.summary  # record 1's own fault
    assert "'+all' authorizes every server" in f.summary  # record 2's own fault
    assert set(f.details["record_problems"]) == set(zone["lab.test"]["TXT"])
    lookups = run["dns.spf.lookups"]
    assert lookups.details["merged"] and lookups.details["lookups"] == 1
    assert "merged SPF record" in lookups.title
    assert run["dns.spf.eval"].details["result"] == "permerror"  # what receivers see today


async def test_two_records_whose_merge_needs_too_many_lookups() -> None:
    zone = lab_zone()
    zone["lab.test"]["TXT"] = [
        "v=spf1 " + " ".join(f"a:h{i}.lab.test" for i in range(6)) + " -all",
        "v=spf1 " + " ".join(f"a:h{i}.lab.test" for i in range(6, 12)) + " -all"]
    for i in range(12):
        zone[f"h{i}.lab.test"] = {"A": "192.0.2.1"}
    f = (await run_step(zone))["dns.spf.lookups"]
    assert f.status is Status.FAIL and f.category == "dns-spf"
    assert f.details["lookups"] == 12 and "would need 12 DNS lookups" in f.title


@pytest.mark.parametrize(("changes", "status"), [
    ({}, Status.WARN),  # lab.test is the sender: nobody may send for it, yet it sends
    ({"domain": None, "mail_from": None, "sending_ip": None}, Status.PASS),  # only a recipient
])
async def test_spf_that_authorises_nobody(changes: dict, status: Status) -> None:
    zone = lab_zone()
    zone["lab.test"]["TXT"] = ["v=spf1 -all"]
    f = (await run_step(zone, **changes))["dns.spf.record"]
    assert f.status is status and f.details["authorises_nobody"]
    if status is Status.WARN:
        assert f.category == "dns-spf" and "authorises no server" in f.title
        assert "lab.test is the sender" in f.summary
    else:
        assert f.category is None and "sends no mail" in f.summary
