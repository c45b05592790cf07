"""The DNS step: every DNS check for the sender's and the recipient's domain, concurrently.

``run_dns_step`` never raises for DNS trouble: a failed lookup is an ``error`` finding, an
unexpected bug in one check becomes an ``error`` finding for that check alone, and a check still
waiting for slow DNS answers when the step's budget is nearly spent becomes an ``error`` finding
too, so the other checks' results are kept. ``run_dns_step_bounded`` adds the hard outer bound
(``dns_budget``) that ``smtp-wizard dns`` uses; ``check`` gives its DNS step the same bound.

A domain that is both the sender's and the recipient's is checked and reported once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from wizard.dns import dane as dane_mod
from wizard.dns import dkim, dmarc, dnsbl, mta_sts, mx, ptr, spf, tlsrpt
from wizard.dns.suffixes import public_suffixes
from wizard.dns.util import ASK_NAMESERVER, finding
from wizard.model.findings import Finding, NextStep, Status
from wizard.model.target import Target
from wizard.walk.context import CheckContext

ORDER = ("dns.step", "dns.mx.recipient", "dns.mx.sender", "dns.spf.record", "dns.spf.lookups",
         "dns.spf.eval", "dns.spf.helo", "dns.dkim", "dns.dmarc", "dns.dmarc.reports",
         "dns.dmarc.alignment", "dns.ptr", "dns.dnsbl.ip", "dns.dnsbl.domain", "dns.mta_sts",
         "dns.tlsrpt", "dns.dane")


def dns_budget(timeout: float) -> float:
    """The most the whole DNS step may take, for a timeout of ``timeout`` s: 6·T + 5 s.

    The same bound ``check`` gives each of its steps (``wizard.walk.tree.check_budget``; a test
    keeps
    the two equal). With the per-query timeout of ``smtp-wizard dns`` (3 s) that is 23 s.
    """
    return 6 * timeout + 5


def _margin(budget: float) -> float:
    """How long before the budget runs out the slow checks are stopped and reported."""
    return min(2.0, budget / 10)


def _rank(f: Finding) -> int:
    for i, prefix in enumerate(ORDER):
        if f.id == prefix or (prefix == "dns.dkim" and f.id.startswith("dns.dkim.")):
            return i
    return len(ORDER)


SLOW = NextStep("Run the check again, or ask a faster nameserver; the DNS "
                "answered too slowly to finish this check.", "you", ASK_NAMESERVER)
BUG = NextStep("This is a fault in smtp-wizard, not in your DNS: run the check again, and if it "
               "repeats, report it with this report attached.", "you", {"kind": "rerun"})


async def _timed(fid: str, title: str, coro: Awaitable[Any], deadline: float) -> list[Finding]:
    """Run one check until ``deadline`` (loop time); turn a bug or an overrun into an error."""
    start = time.monotonic()
    try:
        async with asyncio.timeout_at(deadline):
            result = await coro
    except TimeoutError:
        spent = time.monotonic() - start
        out = finding(fid, Status.ERROR, f"{title}: no result within {spent:.0f} s",
                      "The DNS answers came too slowly for this check to finish within the "
                      "DNS step's budget. This says nothing about the records; the other DNS "
                      "results stand.", None, budget_s=round(spent, 1))
        out.next = SLOW
        result = out
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a bug in a check must not take the whole step down
        result = finding(fid, Status.ERROR, f"{title}: the check itself failed",
                         f"{type(exc).__name__}: {exc}", None, exception=type(exc).__name__)
        result.next = BUG
    found = result if isinstance(result, list) else [result]
    ms = int((time.monotonic() - start) * 1000)
    for f in found:
        f.duration_ms = f.duration_ms or ms
    return found


async def run_dns_step_bounded(target: Target, ctx: CheckContext,
                               budget: float | None = None) -> list[Finding]:
    """``run_dns_step`` within ``budget`` s (default ``dns_budget(target.timeout)``), hard."""
    budget = dns_budget(target.timeout) if budget is None else budget
    try:
        async with asyncio.timeout(budget):
            return await run_dns_step(target, ctx, budget)
    except TimeoutError:
        out = finding("dns.step", Status.ERROR, f"The DNS checks did not finish within "
                      f"{budget:g} s", "The DNS servers answered too slowly.", None,
                      budget_s=budget)
        out.next = SLOW
        return [out]


async def run_dns_step(target: Target, ctx: CheckContext,
                       budget: float | None = None) -> list[Finding]:
    """All DNS checks for ``target``; see DESIGN.md for the finding ids and categories.

    Checks still running ``_margin(budget)`` s before ``budget`` (default
    ``dns_budget(target.timeout)``) is spent are reported as errors.
    """
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
                        "Give a domain, a sender address or a recipient address.")]
    budget = dns_budget(target.timeout) if budget is None else budget
    deadline = asyncio.get_running_loop().time() + budget - _margin(budget)
    # Loading the Public Suffix List takes ~10 ms from the cache, ~65 ms without: do it off the
    # event loop, so the SMTP steps running concurrently are not held up.
    psl_ready = asyncio.ensure_future(asyncio.to_thread(public_suffixes))
    sends = bool(sender or header_from)  # the domain is used as a sender, not only a recipient
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

    async def mx_check(d: str, role: str, also_sender: bool = False) -> Finding:
        return mx.judge_mx(await mx_info(d), f"dns.mx.{role}", role, also_sender)

    spf_eval: dict[str, spf.SpfResult] = {}

    async def spf_record() -> Finding:
        lookup = await resolver.query(domain, "TXT")
        return spf.judge_record(domain, lookup, sends)[0]

    async def spf_lookups() -> list[Finding]:
        lookup = await resolver.query(domain, "TXT")
        judged, walk = spf.judge_record(domain, lookup, sends)
        if walk is None:
            return []
        merged = "merged" in judged.details
        return [spf.judge_lookups(domain, await spf.analyze(resolver, domain, walk), merged)]

    async def spf_ip() -> Finding:
        if not ip:
            return finding("dns.spf.eval", Status.SKIP, "SPF not evaluated for an IP",
                           "Give the sending IP to see whether your server may send for "
                           f"{domain}.")
        res = await spf.check_mail_from(resolver, ip, mail_from, helo)
        spf_eval["mail_from"] = res
        return spf.judge_eval("dns.spf.eval", res)

    async def spf_helo() -> list[Finding]:
        if not ip or not ptr.real_helo(helo):
            return []
        res = await spf.check_host(resolver, ip, helo, f"postmaster@{helo}", helo)
        return [spf.judge_helo(helo, res)]

    async def dkim_check() -> list[Finding]:
        if target.dkim_selectors:
            pairs = [(s, domain) for s in target.dkim_selectors]
            source = "the given selector"
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
                       "Give the sending IP (the IP your mail leaves from) to check its PTR.")

    async def dnsbl_ip() -> Finding:
        fid = "dns.dnsbl.ip"
        if not target.blocklists:
            return dnsbl.turned_off(fid, "IP")
        if not ip:
            return finding(fid, Status.SKIP, "Blocklists not checked for an IP",
                           "Give the sending IP to check it against DNS blocklists.")
        zones = target.ip_blocklists or dnsbl.DEFAULT_IP_LISTS
        ask, not_asked, why = dnsbl.split_zones(ip, tuple(zones), "IP")
        if not ask:
            return dnsbl.skipped(fid, ip, "IP", not_asked, why or "")
        answers = await dnsbl.lookup_lists(resolver, ip, ask)
        return dnsbl.judge_lists(fid, ip, answers, "IP", not_asked, why,
                                 bool(target.ip_blocklists))

    async def dnsbl_domain() -> Finding:
        fid = "dns.dnsbl.domain"
        if not target.blocklists:
            return dnsbl.turned_off(fid, "Domain")
        if not sends:
            return finding(fid, Status.SKIP, "Domain blocklists not checked: no sending domain",
                           f"{domain} is only the recipient's domain here; blocklists matter "
                           "for the domain you send from (a sender address or the domain).")
        zones = target.domain_blocklists or dnsbl.DEFAULT_DOMAIN_LISTS
        ask, not_asked, why = dnsbl.split_zones(domain, tuple(zones), "domain")
        if not ask:
            return dnsbl.skipped(fid, domain, "domain", not_asked, why or "")
        answers = await dnsbl.lookup_lists(resolver, domain, ask)
        return dnsbl.judge_lists(fid, domain, answers, "domain", not_asked, why,
                                 bool(target.domain_blocklists))

    async def mta_sts_check() -> Finding:
        info, _ = await asyncio.gather(mx_info(inbound),  # TXT asked meanwhile (cached)
                                       resolver.query(f"_mta-sts.{inbound}", "TXT"))
        return await mta_sts.check_mta_sts(resolver, inbound, info.host_names,
                                           target.mta_sts_base_url, timeout, target.ca_file)

    async def dane_check() -> Finding:
        info = await mx_info(inbound)
        return await dane_mod.check_dane(resolver, info.host_names)

    def timed(fid: str, title: str, coro: Awaitable[Any]) -> Awaitable[list[Finding]]:
        return _timed(fid, title, coro, deadline)

    jobs: list[Awaitable[list[Finding]]] = []
    same = bool(recipient) and recipient == domain.lower()
    if recipient:
        jobs.append(timed("dns.mx.recipient", "MX", mx_check(recipient, "recipient",
                                                             same and sends)))
    if not same:
        jobs.append(timed("dns.mx.sender", "MX", mx_check(domain, "sender")))
    jobs += [
        timed("dns.spf.record", "SPF record", spf_record()),
        timed("dns.spf.lookups", "SPF lookups", spf_lookups()),
        timed("dns.spf.eval", "SPF for the sending IP", spf_ip()),
        timed("dns.spf.helo", "SPF for the HELO name", spf_helo()),
        timed("dns.dkim", "DKIM", dkim_check()),
        timed("dns.dmarc", "DMARC", dmarc_check()),
        timed("dns.ptr", "Reverse DNS", ptr_check()),
        timed("dns.dnsbl.ip", "IP blocklists", dnsbl_ip()),
        timed("dns.dnsbl.domain", "Domain blocklists", dnsbl_domain()),
        timed("dns.mta_sts", "MTA-STS", mta_sts_check()),
        timed("dns.tlsrpt", "TLS-RPT", tlsrpt.check_tlsrpt(resolver, inbound)),
        timed("dns.dane", "DANE", dane_check()),
    ]
    results = await asyncio.gather(*jobs)
    findings = [f for group in results for f in group]
    findings += await _timed("dns.dmarc.alignment", "DMARC alignment",  # pure: no DNS waits
                             _alignment(target, from_domain, headers_sigs, spf_eval,
                                        dmarc_holder.get("info")),
                             asyncio.get_running_loop().time() + 5)
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
