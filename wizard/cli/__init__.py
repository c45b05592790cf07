"""Subcommands: each module has ``add_parser(subparsers)`` and ``run(args) -> exit status``.

``SUMMARY`` is each subcommand's one-line help, here so that ``smtp-wizard explain ...`` builds
only its own parser (and imports only its own module) while ``--help`` still lists them all.
"""

SUMMARY: dict[str, str] = {
    "check": "test a mail server from connect to send, and the DNS",
    "discover": "find the SMTP settings for an email address, as mail clients do",
    "dns": "check a domain's mail DNS: MX, SPF, DKIM, DMARC, PTR, blocklists, ...",
    "explain": "explain an SMTP error, a bounce message or a mail log",
    "lab": "practice on loopback servers that reproduce failures",
    "kb": "list, show and search the knowledge articles",
    "headers": "analyse a received message: hops, DKIM, ARC, SPF, DMARC, spam headers",
}
