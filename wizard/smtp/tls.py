"""The TLS step: STARTTLS or implicit TLS, the negotiated protocol, the certificate.

When verification fails, a second handshake without verification fetches the certificate so the
finding can say exactly why (expired on a date, wrong name, self-signed, unknown issuer).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
import warnings
from datetime import UTC, datetime
from typing import Any

from wizard.model.findings import Finding, NextStep, Status, Step
from wizard.model.target import Security, Target
from wizard.model.transcript import Transcript
from wizard.smtp.certinfo import (
    EXPIRY_WARN_DAYS,
    CertInfo,
    explain_verify_failure,
    name_matches,
    parse_certificate,
)
from wizard.smtp.session import SmtpIOError, SmtpSession, elapsed_ms
from wizard.smtp.slow_reply import slow_reply_finding
from wizard.walk.context import CheckContext

OLD_PROTOCOLS = ("TLSv1", "TLSv1.1", "SSLv3")


def client_context(target: Target, verify: bool = True) -> ssl.SSLContext:
    """The context for talking to the server: verifying (system store or --ca-file) or not."""
    if verify and target.verify_tls:
        return ssl.create_default_context(cafile=target.ca_file)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def probe_context() -> ssl.SSLContext:
    """An unverified context that also accepts old protocols, to see what the server offers."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():  # asking for old versions is the point of this probe
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        except (ValueError, ssl.SSLError):
            context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


async def connect_socket(address: str, port: int, timeout: float) -> socket.socket:
    """A connected non-blocking TCP socket, or OSError/TimeoutError."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(loop.sock_connect(sock, (address, port)), timeout)
    except BaseException:
        sock.close()
        raise
    return sock


async def fetch_certificate(
    target: Target, address: str, implicit: bool
) -> tuple[bytes | None, dict[str, Any], str | None]:
    """Handshake again without verification: (DER, tls facts, error text if that failed too)."""
    port = target.effective_port
    session = SmtpSession(target.host or address, Transcript(), target.timeout, target.helo_name)
    try:
        sock = await connect_socket(address, port, target.timeout)
        if implicit:
            await session.open(sock, True, probe_context())
        else:
            await session.open(sock, False, None)
            await session.ehlo()
            reply = await session.starttls(probe_context())
            if reply.code != 220:
                return None, {}, f"STARTTLS was refused the second time: {reply}"
        info = session.tls_info()
        der = info.pop("der", None)
        return (der if isinstance(der, bytes) else None), info, None
    except (OSError, TimeoutError) as exc:
        return None, {}, f"could not reconnect: {exc or type(exc).__name__}"
    except SmtpIOError as exc:
        return None, {}, str(exc)
    finally:
        await session.quit()


def _tls_facts(info: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in info.items() if k != "der"}


def negotiated_finding(info: dict[str, Any], how: str) -> Finding:
    version = str(info.get("version") or "unknown")
    facts = {**_tls_facts(info), "mode": how}
    if version in OLD_PROTOCOLS:
        return Finding(
            "tls.negotiated", Step.TLS, Status.WARN, f"Only {version} was negotiated",
            f"The server agreed to {version} ({info.get('cipher')}), which is retired (RFC "
            "8996). Modern clients refuse it; the administrator should enable TLS 1.2 and 1.3.",
            facts, category="tls-handshake")
    return Finding("tls.negotiated", Step.TLS, Status.PASS,
                   f"Encrypted with {version} ({info.get('cipher')})",
                   f"{how} worked; the connection is encrypted.", facts)


def dns_names(cert: CertInfo | None) -> list[str]:
    """The DNS names a certificate is for (no IP addresses): ``details["cert_names"]``, which
    the planner resolves before it proposes one as the server name."""
    out = []
    for name in cert.names if cert else ():
        try:
            ipaddress.ip_address(name)
        except ValueError:
            out.append(name)
    return out


def certificate_finding(
    cert: CertInfo, host: str, verified: bool, now: datetime | None = None
) -> Finding:
    """The certificate's health when the handshake went through."""
    now = now or datetime.now(UTC)
    details = cert.to_dict() | {"verified": verified, "host": host,
                                "cert_names": dns_names(cert)}
    days = cert.days_left(now)
    details["days_left"] = days
    if not verified:
        problems = []
        if cert.not_after < now:
            problems.append(f"expired on {cert.not_after:%Y-%m-%d}")
        if not name_matches(host, cert.names):
            problems.append(f"names {', '.join(cert.names[:5])}, not {host}")
        if cert.self_signed:
            problems.append("self-signed")
        said = "; ".join(problems) or "it was not checked"
        return Finding(
            "tls.certificate", Step.TLS, Status.WARN,
            "Certificate NOT verified (verification switched off)",
            f"Verification was switched off, so this connection could be intercepted. What "
            f"the certificate shows: {said}.", details, category="tls-certificate")
    if days < EXPIRY_WARN_DAYS:
        return Finding(
            "tls.certificate", Step.TLS, Status.WARN,
            f"The certificate expires in {days} day(s), on {cert.not_after:%Y-%m-%d}",
            "It is valid today, but mail will fail when it expires unless it is renewed. "
            "Check that automatic renewal works on the server.", details,
            category="tls-certificate")
    return Finding(
        "tls.certificate", Step.TLS, Status.PASS,
        f"Certificate for {cert.subject} is valid until {cert.not_after:%Y-%m-%d}",
        f"Issued by {cert.issuer}; it covers {host}.", details)


async def failure_findings(
    target: Target, address: str, implicit: bool, error: SmtpIOError, elapsed: int
) -> list[Finding]:
    """Explain a failed handshake: certificate problems in detail, otherwise the TLS error."""
    ssl_error = error.ssl_error
    host = target.host or address
    if isinstance(ssl_error, ssl.SSLCertVerificationError):
        der, info, problem = await fetch_certificate(target, address, implicit)
        cert = None
        if der:
            try:
                cert = parse_certificate(der)
            except ValueError:
                cert = None
        problems = explain_verify_failure(ssl_error, cert, host)
        details: dict[str, Any] = {
            "reason": problems.reason,
            "problems": list(problems.reasons),
            "host": host,
            "verify_code": getattr(ssl_error, "verify_code", None),
            "verify_message": getattr(ssl_error, "verify_message", None),
            "trust": target.ca_file or "system trust store",
            **_tls_facts(info),
        }
        details["cert_names"] = dns_names(cert)
        if cert:
            details["certificate"] = cert.to_dict()
        if problem:
            details["second_handshake"] = problem
        return [Finding("tls.certificate", Step.TLS, Status.FAIL, problems.title,
                        problems.summary, details, category="tls-certificate",
                        duration_ms=elapsed, next=problems.next)]
    reason = getattr(ssl_error, "reason", None) if ssl_error else None
    if error.kind == "timeout":
        title, summary = ("The TLS handshake never completed",
                          f"The server did not finish the TLS handshake within "
                          f"{target.timeout:g} s.")
    elif reason in ("UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION"):
        title, summary = ("The server only offers an old TLS version",
                          "The handshake failed because the server only speaks TLS 1.0/1.1 (or "
                          "older), which this computer refuses. The server must enable TLS 1.2+.")
    else:
        title, summary = ("The TLS handshake failed", f"{error}")
    return [Finding("tls.handshake", Step.TLS, Status.FAIL, title, summary,
                    {"error": str(error), "reason": reason, "host": host},
                    category="tls-handshake", duration_ms=elapsed)]


def success_findings(session: SmtpSession, target: Target, how: str) -> list[Finding]:
    info = session.tls_info()
    findings = [negotiated_finding(info, how)]
    der = info.get("der")
    if isinstance(der, bytes):
        try:
            cert = parse_certificate(der)
        except ValueError as exc:
            findings.append(Finding("tls.certificate", Step.TLS, Status.WARN,
                                    "The certificate could not be read", str(exc)))
        else:
            findings.append(certificate_finding(cert, target.host or "", target.verify_tls))
    return findings


async def check_starttls(target: Target, ctx: CheckContext) -> list[Finding]:
    """Upgrade a plaintext session with STARTTLS (or note why not), then EHLO again."""
    from wizard.smtp.ehlo import ehlo_finding

    session = ctx.smtp
    if session is None or not session.connected:
        return [Finding("tls.starttls", Step.TLS, Status.SKIP, "TLS not checked",
                        "There is no connection to the server.")]
    if session.encrypted:
        return success_findings(session, target, "Implicit TLS (TLS from the first byte)")
    offered = bool(ctx.caps and ctx.caps.has("STARTTLS"))
    port = target.effective_port
    if target.security is Security.NONE:
        if offered:
            return [Finding(
                "tls.starttls", Step.TLS, Status.WARN, "STARTTLS is offered but not used",
                "The security was set to none, so everything, passwords included, would cross "
                "the network in clear although the server offers encryption.",
                {"offered": True},
                next=NextStep("Set the security to STARTTLS (or Auto) and run the check again.",
                              "you", {"kind": "rerun", "set": {"security": "starttls"}}))]
        return [Finding("tls.starttls", Step.TLS, Status.SKIP, "TLS not used (security: none)",
                        "The server does not offer STARTTLS either.", {"offered": False})]
    if not offered:
        needed = bool(target.user or target.oauth_token or target.security is Security.STARTTLS)
        status = Status.FAIL if needed else Status.WARN
        why = ("your password would cross the network in clear" if needed
               else "mail would cross the network in clear")
        return [Finding(
            "tls.starttls", Step.TLS, status, f"The server offers no STARTTLS on port {port}",
            f"Its EHLO reply has no STARTTLS, so {why}. Submission ports are 587 (STARTTLS) "
            "and 465 (SSL/TLS); if this is the right port, the administrator must enable TLS.",
            {"offered": False, "port": port}, category="tls-not-offered")]
    start = time.monotonic()
    try:
        reply = await session.starttls(client_context(target))
    except SmtpIOError as exc:
        elapsed = elapsed_ms(start)
        if exc.kind == "tls":
            address = ctx.address or target.host or ""
            return await failure_findings(target, address, False, exc, elapsed)
        if exc.waited_for is not None:
            return [slow_reply_finding("tls.starttls", Step.TLS, exc.waited_for, target.timeout,
                                       elapsed)]
        return [Finding("tls.starttls", Step.TLS, Status.FAIL,
                        "The connection broke during STARTTLS", str(exc),
                        category="connection-dropped" if exc.kind == "disconnected"
                        else "tls-handshake", duration_ms=elapsed)]
    elapsed = elapsed_ms(start)
    if reply.code != 220:
        return [Finding("tls.starttls", Step.TLS, Status.FAIL, "The server refused STARTTLS",
                        f"It answered {reply} instead of 220.", reply=reply,
                        category="tls-handshake", duration_ms=elapsed)]
    findings = success_findings(session, target, "STARTTLS")
    findings[0].duration_ms = elapsed
    findings += await ehlo_finding(target, ctx, after_tls=True)
    return findings
