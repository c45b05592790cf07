"""Provider catalogs as data: fingerprints, documented codes with sources, presets, and a new
provider or code added by dropping a file in a folder (no code change)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.explain.explaintools import REPO
from wizard.catalog.providers import KIND_ORDER, catalog, presets, recognise

PRESET_PROVIDERS = ("gmail", "microsoft", "yahoo", "amazon-ses", "brevo", "icloud", "zoho",
                    "fastmail", "sendgrid", "mailgun", "postmark")


def test_every_documented_code_names_its_source_page():
    rows = [(p.id, r) for p in catalog().values() for r in p.rules]
    assert len(rows) >= 300
    assert [(pid, r.origin) for pid, r in rows if not (r.source or "").startswith("https://")] \
        == []


def test_the_tui_presets_include_the_big_providers_and_sending_services():
    have = {p.id for p, _ in presets()}
    assert set(PRESET_PROVIDERS) <= have
    for provider, preset in presets():
        assert preset.host and 0 < preset.port < 65536, provider.id
        assert preset.security in ("starttls", "tls", "none", "auto"), provider.id


def test_kinds_are_known_and_big_providers_come_first():
    assert {p.kind for p in catalog().values()} <= set(KIND_ORDER)
    assert KIND_ORDER.index("mailbox") < KIND_ORDER.index("mta")


@pytest.mark.parametrize(("text", "provider"), [
    ("550 5.1.1 The email account that you tried to reach does not exist. - gsmtp", "gmail"),
    # a Gmail reply quoted by a Postfix bounce is still Gmail's
    ("host gmail-smtp-in.l.google.com[142.250.1.26] said: 550 5.1.1 no such user (in reply to"
     " RCPT TO command)", "gmail"),
    ("550 5.7.606 Access denied, banned sending IP [198.51.100.7]", "microsoft"),
    ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled", "microsoft"),
    ("421 4.7.0 [TSS04] Messages from 198.51.100.7 temporarily deferred", "yahoo"),
    ("550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient"
     " table", "postfix"),
    ("Sorry, no mailbox here by that name. (#5.1.1)", "qmail"),
    ("554 Message rejected: Email address is not verified. (amazonses.com)", "amazon-ses"),
])
def test_providers_are_recognised_from_their_fingerprints(text, provider):
    assert recognise(text) == provider


def test_a_host_fingerprint_needs_a_name_boundary():
    assert recognise("550 user unknown at mx.acme.com") is None  # "me.com" is iCloud's, not this
    assert recognise("550 user unknown at mx01.mail.me.com") == "icloud"


def test_an_exception_is_noted_with_its_class_kept():
    from wizard.explain.service import ExplainService

    result = ExplainService().explain("421 4.7.0 [TSS09] All messages from 198.51.100.7 will be"
                                      " permanently deferred; Retrying will NOT succeed.")
    assert (result.klass, result.category) == ("temporary", "bad-reputation")
    assert "never clears" in (result.note or "")


PROVIDER_FILE = """
[provider]
id = "examplemail"
name = "Example Mail"
kind = "mailbox"

[fingerprints]
hosts = ["examplemail.test"]

[[presets]]
name = "Example Mail"
host = "smtp.examplemail.test"
port = 587
security = "starttls"

[[codes]]
code = 554
words = ["xq-17 sender budget spent"]
category = "rate-limited"
source = "https://examplemail.test/postmaster/codes"

[advice.rate-limited]
next_step = "Example Mail allows 100 messages an hour: wait for the next hour."
who = "you"
action = { kind = "retry-later", after_s = 3600 }
"""


def test_adding_a_provider_and_its_code_is_a_data_only_change(tmp_path):
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / "examplemail.toml").write_text(PROVIDER_FILE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "SMTP_WIZARD_PROVIDERS_DIR": str(folder),
           "SMTP_WIZARD_CACHE_DIR": str(tmp_path / "cache")}
    text = "554 XQ-17 sender budget spent (mx1.examplemail.test)"
    out = subprocess.run([sys.executable, "-m", "wizard", "explain", "--format", "json", text],
                         env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["provider"], data["category"]) == ("examplemail", "rate-limited")
    assert data["next_step"].startswith("Example Mail allows 100 messages")
    without = subprocess.run([sys.executable, "-m", "wizard", "explain", "--format", "json", text],
                             env={**env, "SMTP_WIZARD_PROVIDERS_DIR": ""}, cwd=REPO,
                             capture_output=True, text=True, timeout=60)
    assert json.loads(without.stdout)["category"] != "rate-limited"


def test_a_broken_provider_file_is_one_line_naming_it(tmp_path):
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / "broken.toml").write_text('[provider]\nid = "broken"\n[[codes]]\ncategory = "nope"'
                                        '\nwords = ["x"]\nsource = "https://x.test"\n')
    env = {**os.environ, "PYTHONPATH": str(REPO), "SMTP_WIZARD_PROVIDERS_DIR": str(folder),
           "SMTP_WIZARD_CACHE_DIR": "off"}
    out = subprocess.run([sys.executable, "-m", "wizard", "explain", "550 x"], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "broken.toml" in out.stderr and "unknown category" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
