"""A domain with thousands of MX hosts costs a bounded number of queries, and says so."""

from __future__ import annotations

from wizard.dns.mx import MAX_MX_HOSTS
from wizard.model.findings import Status

from .conftest import lab_zone, run_step


async def test_two_thousand_mx_hosts_cost_a_bounded_number_of_queries() -> None:
    zone = lab_zone()
    zone["lab.test"]["MX"] = [f"{10 + i} mx{i}.lab.test" for i in range(2000)]
    for i in range(2000):
        zone[f"mx{i}.lab.test"] = {"A": "127.0.0.1"}
    run = await run_step(zone, dns_timeout=2.0)
    f = run["dns.mx.recipient"]
    assert f.status is Status.WARN and f.category == "dns-mx"
    assert "2000 MX records published" in f.summary and f"only the {MAX_MX_HOSTS}" in f.summary
    assert f.details["mx_total"] == 2000 and f.details["mx_checked"] == MAX_MX_HOSTS
    per_host = [q for q in run.server.log if q.name.startswith("mx") and q.rdtype in (
        "A", "AAAA")]
    tlsa = [q for q in run.server.log if q.rdtype == "TLSA"]
    assert len(per_host) == 2 * MAX_MX_HOSTS and len(tlsa) == MAX_MX_HOSTS
    assert len(run.server.log) < 150  # the whole step, every check included
    assert f.details["mx"][0]["host"] == "mx0.lab.test"  # the most preferred kept
