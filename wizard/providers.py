"""Recognise the mail provider or MTA behind a reply from the words and host names in it.

Pure and table-driven: the first matching entry wins, so big providers come before the generic
MTA fingerprints (a Gmail reply quoted by a Postfix bounce is still Gmail's). Patterns are
lower-case and matched against the lower-cased text.
"""

from __future__ import annotations

import re

PROVIDERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("gmail", r"\bgsmtp\b|google\.com|gmail|googlemail|googlegroups"),
        (
            "microsoft",
            r"protection\.outlook\.com|\boutlook\.com|hotmail\.com|\blive\.com|office365"
            r"|\bprod\.outlook|storedrv|resolver\.[a-z]+\.|sender\.office\.com|onmicrosoft",
        ),
        ("yahoo", r"yahoo|yahoodns|verizonmedia|\baol\.com|\[ts[sp]\d\d\]"),
        ("icloud", r"icloud\.com|\bme\.com\b|apple\.com|mail\.mac\.com"),
        ("amazon-ses", r"amazonses|email-smtp\.[\w-]+\.amazonaws\.com|amazonaws\.com"),
        ("sendgrid", r"sendgrid"),
        ("mailgun", r"mailgun"),
        ("zoho", r"zoho\.(?:com|eu|in)"),
        ("mail.ru", r"mail\.ru\b"),
        ("tencent", r"\bqq\.com\b"),
        ("mimecast", r"mimecast"),
        ("proofpoint", r"proofpoint|pphosted"),
        ("postfix", r"\(in reply to [\w ]+ command\)|(?:recipient|sender) address rejected"
         r"|client host rejected|\bpostfix\b"),
        ("exim", r"smtp error from remote mail(?:er| server) after|\bexim\b"),
        ("qmail", r"\(#\d\.\d{1,3}\.\d{1,3}\)|qmail"),
        ("sendmail", r"\.\.\. user unknown|\bsendmail\b"),
    )
)


def recognise(text: str) -> str | None:
    """The provider or MTA named by ``text`` (a reply or bounce excerpt), else ``None``."""
    lowered = text.lower()
    for name, pattern in PROVIDERS:
        if pattern.search(lowered):
            return name
    return None
