"""The DNS step: every DNS check for the sender's and the recipient's domain, concurrently.

``run_dns_step`` never raises for DNS trouble: a failed lookup is an ``error`` finding, and an
unexpected bug in one check becomes an ``error`` finding for that check alone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from wizard.context import CheckContext
from wizard.dns import dane as dane_mod
from wizard.dns import dkim, dmarc, dnsbl, mta_sts, mx, ptr, spf, tlsrpt
from wizard.dns.util import finding
from wizard.findings import Finding, Status
from wizard.target import Target

ORDER = ("dns.mx.recipient", "dns.mx.sender", "dns.spf.record", "dns.spf.lookups",
         "dns.spf.eval", "dns.spf.helo", "dns.dkim", "dns.dmarc", "dns.dmarc.reports",
         "dns.dmarc.alignment", "dns.ptr", "dns.dnsbl.ip", "dns.dnsbl.domain", "dns.mta_sts",
         "dns.tlsrpt", "dns.dane")


def _rank(f: Finding) -> int:
    for i, prefix in enumerate(ORDER):
        if f.id == prefix or (prefix == "dns.dkim" and f.id.startswith("dns.dkim.")):
            return i
    return len(ORDER)


async def _timed(fid: str, title: str, coro: Awaitable[Any]) -> list[Finding]:
    """Run one check; time it; turn a bug into an error finding (never raise)."""
    start = time.monotonic()
    try:
        result = await coro
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a bug in a check must not take the whole step down
        result = finding(fid, Status.ERROR, f"{title}: the check itself failed",
                         f"{type(exc).__name__}: {exc}", None, exception=type(exc).__name__)
    found = result if isinstance(result, list) else [result]
    ms = int((time.monotonic() - start) * 1000)
    for f in found:
        f.duration_ms = f.duration_ms or ms
    return found


async def run_dns_step(target: Target, ctx: CheckContext) -> list[Finding]:
    """All DNS checks for ``target``; see DESIGN.md for the finding ids and categories."""
    resolver = ctx.resolver
    sender = target.sender_domain
    recipient = target.recipient_domain
    headers_sigs: list[tuple[str, str]] = []
    header_from: str | None = None
    if target.message_headers:
        headers_sigs, header_from = dkim.signatures_from_headers(target.message_headers)
    domain = sender or header_from or recipient
    if not domain:
        return [finding("dns", Status.SKIP, "DNS checks skipped: no domain to check",
                        "Give a domain (smtp-wizard dns DOMAIN, or --domain), a --mail-from "
                        "address or a --rcpt-to address.")]
    # Loading the Public Suffix List takes ~100 ms of CPU: do it off the event loop, so the
    # SMTP steps running concurrently are not held up.
    psl_ready = asyncio.ensure_future(asyncio.to_thread(dmarc._psl))
    inbound = recipient or domain
    mail_from = target.mail_from or f"postmaster@{domain}"
    ip = target.sending_ip
    helo = target.helo_name
    timeout = max(resolver.timeout * 2, 3.0)

    mx_tasks: dict[str, asyncio.Task[mx.MxInfo]] = {}

    def mx_info(d: str) -> asyncio.Task[mx.MxInfo]:
        key = d.lower()
        if key not in mx_tasks:
            mx_tasks[key] = asyncio.ensure_future(mx.gather_mx(resolver, d))
        return mx_tasks[key]

    spf_eval: dict[str, spf.SpfResult] = {}

    async def mx_check(d: str, role: str) -> Finding:
        return mx.judge_mx(await mx_info(d), f"dns.mx.{role}", role)

    async def spf_check() -> list[Finding]:
        lookup = await resolver.query(domain, "TXT")
        record_finding, record = spf.judge_record(domain, lookup)
        out = [record_finding]
        jobs: list[Awaitable[spf.SpfResult]] = []
        if record is not None:
            jobs.append(spf.analyze(resolver, domain))
        if ip:
            jobs.append(spf.check_mail_from(resolver, ip, mail_from, helo))
            if ptr.real_helo(helo):
                jobs.append(spf.check_host(resolver, ip, helo, f"postmaster@{helo}", helo))
        results = list(await asyncio.gather(*jobs))
        if record is not None:
            out.append(spf.judge_lookups(domain, results.pop(0)))
        if ip:
            res = results.pop(0)
            spf_eval["mail_from"] = res
            out.append(spf.judge_eval("dns.spf.eval", res, ""))
            if results:
                helo_res = results.pop(0)
                f = spf.judge_eval("dns.spf.helo", helo_res, f"HELO {helo}")
                if helo_res.result in ("none", "neutral"):  # optional: say so, do not warn
                    f.status, f.category, f.articles = Status.PASS, None, []
                    f.title = f"HELO name {helo} has no SPF verdict (optional)"
                elif f.status.failed:  # a failing HELO check matters to few receivers
                    f.status = Status.WARN
                out.append(f)
        else:
            out.append(finding("dns.spf.eval", Status.SKIP, "SPF not evaluated for an IP",
                               "Give --sending-ip to see whether your server may send for "
                               f"{domain}."))
        return out

    async def dkim_check() -> list[Finding]:
        if target.dkim_selectors:
            pairs = [(s, domain) for s in target.dkim_selectors]
            source = "--dkim-selector"
        else:
            pairs = headers_sigs
            source = "DKIM-Signature header" if pairs else "probe"
        return await dkim.check_dkim(resolver, domain, pairs, source)

    dmarc_holder: dict[str, dmarc.DmarcInfo] = {}
    from_domain = header_from or domain

    async def dmarc_check() -> list[Finding]:
        await psl_ready
        info = await dmarc.gather_dmarc(resolver, from_domain)
        dmarc_holder["info"] = info
        return dmarc.judge_dmarc(info)

    async def ptr_check() -> Finding:
        if ip:
            lookup, forward = await ptr.gather_ptr(resolver, ip)
            return ptr.judge_ptr(ip, lookup, forward, helo)
        if target.host:
            try:
                import ipaddress

                addr = str(ipaddress.ip_address(target.host))
            except ValueError:
                a = await resolver.query(target.host, "A")
                addr = a.records[0] if a.ok else ""
            if addr:
                lookup, forward = await ptr.gather_ptr(resolver, addr)
                return ptr.judge_ptr(addr, lookup, forward, None, hint=True)
        return finding("dns.ptr", Status.SKIP, "Reverse DNS not checked",
                       "Give --sending-ip (the IP your mail leaves from) to check its PTR.")

    async def dnsbl_ip() -> Finding:
        if not ip:
            return finding("dns.dnsbl.ip", Status.SKIP, "Blocklists not checked for an IP",
                           "Give --sending-ip to check it against DNS blocklists.")
        zones = target.ip_blocklists or dnsbl.DEFAULT_IP_LISTS
        answers = await dnsbl.lookup_lists(resolver, ip, tuple(zones))
        return dnsbl.judge_lists("dns.dnsbl.ip", ip, answers, "IP")

    async def dnsbl_domain() -> Finding:
        zones = target.domain_blocklists or dnsbl.DEFAULT_DOMAIN_LISTS
        answers = await dnsbl.lookup_lists(resolver, domain, tuple(zones))
        return dnsbl.judge_lists("dns.dnsbl.domain", domain, answers, "domain")

    async def mta_sts_check() -> Finding:
        info, _ = await asyncio.gather(mx_info(inbound),  # TXT asked meanwhile (cached)
                                       resolver.query(f"_mta-sts.{inbound}", "TXT"))
        return await mta_sts.check_mta_sts(resolver, inbound, info.host_names,
                                           target.mta_sts_base_url, timeout)

    async def dane_check() -> Finding:
        info = await mx_info(inbound)
        return await dane_mod.check_dane(resolver, info.host_names)

    jobs: list[Awaitable[list[Finding]]] = []
    if recipient:
        jobs.append(_timed("dns.mx.recipient", "MX", mx_check(recipient, "recipient")))
    jobs += [
        _timed("dns.mx.sender", "MX", mx_check(domain, "sender")),
        _timed("dns.spf.record", "SPF", spf_check()),
        _timed("dns.dkim", "DKIM", dkim_check()),
        _timed("dns.dmarc", "DMARC", dmarc_check()),
        _timed("dns.ptr", "Reverse DNS", ptr_check()),
        _timed("dns.dnsbl.ip", "IP blocklists", dnsbl_ip()),
        _timed("dns.dnsbl.domain", "Domain blocklists", dnsbl_domain()),
        _timed("dns.mta_sts", "MTA-STS", mta_sts_check()),
        _timed("dns.tlsrpt", "TLS-RPT", tlsrpt.check_tlsrpt(resolver, inbound)),
        _timed("dns.dane", "DANE", dane_check()),
    ]
    results = await asyncio.gather(*jobs)
    findings = [f for group in results for f in group]
    findings += await _timed("dns.dmarc.alignment", "DMARC alignment",
                             _alignment(target, from_domain, headers_sigs, spf_eval,
                                        dmarc_holder.get("info")))
    findings.sort(key=_rank)
    return findings


async def _alignment(target: Target, from_domain: str, sigs: list[tuple[str, str]],
                     spf_eval: dict[str, spf.SpfResult],
                     info: dmarc.DmarcInfo | None) -> list[Finding]:
    """Only when there is something to align: a MAIL FROM domain or a DKIM d=."""
    mail_from_domain = target.mail_from.rpartition("@")[2].lower() \
        if target.mail_from and "@" in target.mail_from else None
    dkim_domains = sorted({d for _, d in sigs})
    if not mail_from_domain and not dkim_domains:
        return []
    res = spf_eval.get("mail_from")
    facts = dmarc.alignment(info.record if info else None, from_domain, mail_from_domain,
                            res.result if res else None, dkim_domains)
    return [dmarc.judge_alignment(facts)]
