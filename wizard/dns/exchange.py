"""One DNS question to one nameserver: UDP, resent while waiting, TCP when the answer is cut.

A stub resolver does not give up on a lost datagram: it sends the query again after a short
interval and takes whichever answer arrives first (glibc, systemd-resolved and Windows all do).
:func:`exchange` does the same within its ``timeout``: the same query (same id) is resent on one
socket after :func:`resend_interval` seconds, then after twice that, and so on (a backoff, as
dnspython's resolver does, so a merely slow server is not flooded), so one lost UDP datagram
costs an interval, not a timeout. A truncated answer (TC bit) is asked again over TCP within what
is left of ``timeout``.

It does not choose nameservers, follow CNAMEs or interpret answers: that is
:class:`wizard.dns.resolver.Resolver`'s work.
"""

from __future__ import annotations

import socket
import time

import dns.asyncbackend
import dns.asyncquery
import dns.exception
import dns.inet
import dns.message

# First resend after a third of the timeout, but within a second (stub resolvers wait 1-2 s)
# and never sooner than 50 ms; each further wait doubles.
MAX_RESEND_INTERVAL = 1.0
MIN_RESEND_INTERVAL = 0.05


def resend_interval(timeout: float) -> float:
    """How long to wait for an answer before sending the same UDP query again (the first time)."""
    return max(MIN_RESEND_INTERVAL, min(MAX_RESEND_INTERVAL, timeout / 3))


async def exchange(
    request: dns.message.Message, ip: str, port: int, timeout: float
) -> dns.message.Message:
    """The answer to ``request`` from ``ip``:``port``.

    Raises ``dns.exception.Timeout`` when nothing answered within ``timeout`` seconds, and
    ``OSError`` / ``dns.exception.DNSException`` for other failures (as dnspython does).
    """
    deadline = time.monotonic() + timeout
    interval = resend_interval(timeout)
    backend = dns.asyncbackend.get_default_backend()
    af = dns.inet.af_for_address(ip)
    peer = (ip, port) if backend.datagram_connection_required() else None
    sock = await backend.make_socket(af, socket.SOCK_DGRAM, 0, None, peer)
    async with sock:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise dns.exception.Timeout(timeout=timeout)
            try:
                response = await dns.asyncquery.udp(
                    request, ip, timeout=min(interval, left), port=port, sock=sock,
                    ignore_unexpected=True, raise_on_truncation=True,
                )
            except dns.exception.Timeout:
                interval *= 2
                continue  # no answer yet: send the same query again (an earlier one may still come)
            except dns.message.Truncated:
                left = max(deadline - time.monotonic(), 0.001)
                return await dns.asyncquery.tcp(request, ip, timeout=left, port=port)
            return response
