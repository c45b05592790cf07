"""Settings from an email address, the way mail clients find them.

Sources (each bounded by the timeout, asked concurrently): the domain's DNS SRV records
(RFC 6186/8314), its Thunderbird-format autoconfiguration files, Mozilla's ISPDB, Outlook-style
Autodiscover (the domain's own, and Microsoft 365's when the MX is Microsoft's), the provider
catalog by MX host, and the host names mail clients guess. Every candidate is then probed on
loopback-safe, time-bounded connections. :func:`wizard.discover.run.discover` is the one entry.
Screens only show its result; they decide nothing.
"""
