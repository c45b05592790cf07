"""A real Postfix + Dovecot mail server on loopback, started and stopped by the tests.

Debian's own daemons, configured from scratch under one temporary directory (nothing in /etc is
read or changed): Postfix via ``postfix -c DIR`` with its own queue, Dovecot via ``dovecot -c
FILE`` with its own base_dir, users in a passwd-file, Maildir mailboxes, SASL for Postfix over a
Unix socket, TLS from a trustme CA. Every listener is on a loopback address of its own
(127.0.N.M, not 127.0.0.1), never on a privileged port. Needs root (both daemons drop to their own
users); :func:`unavailable` says why when the bed cannot run here.

Ports, users and passwords: the constants below (and /work/notes/mailbed.md).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import random
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import trustme

DOMAIN = "bed.test"
HOSTNAME = "mail.bed.test"
# Test accounts: SMTP AUTH and IMAP login names with their passwords (bed-only secrets).
USERS: dict[str, str] = {"alice@bed.test": "alice-secret-1", "bob@bed.test": "bob-secret-2"}
# Preferred ports (used when free on the chosen loopback address).
PORTS: dict[str, int] = {
    "submission": 2587,   # STARTTLS + AUTH (after TLS only)
    "submissions": 4465,  # implicit TLS + AUTH, on purpose not 465
    "relay": 2525,        # port-25-like: no AUTH, local recipients only
    "imap": 2143,         # IMAP, STARTTLS offered (plain LOGIN allowed, test bed only)
    "imaps": 2993,        # IMAP over implicit TLS
}
AUTH_FAILURE_DELAY_S = 3  # Dovecot's auth_failure_delay: a wrong password is answered this late
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 15.0
POSTFIX = "/usr/sbin/postfix"
DOVECOT = "/usr/sbin/dovecot"
DOVECOT_IMAP = "/usr/lib/dovecot/imap"
NOBODY_UID = NOBODY_GID = 65534  # the mailbox owner for Postfix's virtual(8) and Dovecot


def unavailable() -> str | None:
    """Why the bed cannot run on this machine (a skip message), or None when it can."""
    if os.geteuid() != 0:
        return "the Postfix + Dovecot test bed needs root (both daemons drop to their own users)"
    missing = [pkg for pkg, path in (("postfix", POSTFIX), ("dovecot-core", DOVECOT),
                                     ("dovecot-imapd", DOVECOT_IMAP)) if not Path(path).exists()]
    if missing:
        return (f"the mail test bed needs the Debian packages {', '.join(missing)} "
                "(installed by .ci/run from .ci/debian-packages)")
    return None


def _free(address: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError:
            return False
        return True


def _pick_address() -> str:
    """A loopback address of its own (127.0.N.M, never 127.0.0.1: other tests probe 2525 and
    friends there and must keep finding them closed) with every preferred port free."""
    candidates = [f"127.0.{random.randint(2, 250)}.{random.randint(2, 250)}" for _ in range(20)]
    for address in candidates:
        if all(_free(address, port) for port in PORTS.values()):
            return address
    raise RuntimeError("no loopback address has the mail bed's ports free")


def _sha256(password: str) -> str:
    return "{SHA256.b64}" + base64.b64encode(hashlib.sha256(password.encode()).digest()).decode()


@dataclass
class MailBed:
    """A running bed: where it listens, who can log in, and its files (for assertions)."""

    root: Path
    address: str
    ports: dict[str, int]
    ca_file: Path
    users: dict[str, str] = field(default_factory=lambda: dict(USERS))
    domain: str = DOMAIN
    hostname: str = HOSTNAME
    auth_failure_delay_s: int = AUTH_FAILURE_DELAY_S

    @property
    def postfix_dir(self) -> Path:
        return self.root / "postfix"

    @property
    def dovecot_conf(self) -> Path:
        return self.root / "dovecot" / "dovecot.conf"

    @property
    def mail_dir(self) -> Path:
        """Mailboxes: ``mail_dir / "bed.test" / "alice" / "Maildir"`` (Junk is ``.Junk``)."""
        return self.root / "mail"

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        """The Maildir of ``user``'s ``folder`` ("INBOX", "Junk", ...)."""
        local, _, domain = user.partition("@")
        base = self.mail_dir / domain / local / "Maildir"
        return base if folder == "INBOX" else base / f".{folder}"

    def messages(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """Every message file in the folder (new/ and cur/), as bytes."""
        box = self.maildir(user, folder)
        return [p.read_bytes() for sub in ("new", "cur") if (box / sub).is_dir()
                for p in sorted((box / sub).iterdir()) if p.is_file()]

    def postfix(self, *args: str, timeout: float = 15.0) -> subprocess.CompletedProcess[str]:
        """Run a Postfix command (``postqueue -p``, ``postsuper``, ...) against this instance."""
        prog, *rest = args
        return subprocess.run([f"/usr/sbin/{prog}", "-c", str(self.postfix_dir), *rest],
                              capture_output=True, text=True, timeout=timeout, check=False)

    def queue(self) -> str:
        """``postqueue -p`` for this instance (queue ids of held or deferred mail)."""
        return self.postfix("postqueue", "-p").stdout

    def client_context(self) -> ssl.SSLContext:
        """A TLS client context that trusts the bed's CA (for smtplib / imaplib)."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def log(self) -> str:
        """Both daemons' logs (for a failing test's message)."""
        parts = []
        for path in (self.root / "postfix.log", self.root / "dovecot" / "dovecot.log"):
            if path.exists():
                parts.append(f"== {path.name}\n{path.read_text(errors='replace')[-8000:]}")
        return "\n".join(parts)


# ---------------------------------------------------------------------------------- config files

def _master_cf(address: str, ports: dict[str, int]) -> str:
    a = address
    submission_opts = (
        "  -o syslog_name=postfix/submission\n"
        "  -o smtpd_tls_security_level=encrypt\n"
        "  -o smtpd_sasl_auth_enable=yes\n"
        "  -o smtpd_tls_auth_only=yes\n"
        "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n"
        "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n"
    )
    services = [
        f"{a}:{ports['relay']} inet n - n - - smtpd\n  -o syslog_name=postfix/relay\n",
        f"{a}:{ports['submission']} inet n - n - - smtpd\n{submission_opts}",
        f"{a}:{ports['submissions']} inet n - n - - smtpd\n{submission_opts}"
        "  -o smtpd_tls_wrappermode=yes\n  -o syslog_name=postfix/submissions\n",
    ]
    unix = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""
    # bounce@ is accepted, then refused by this "mailbox" (Postfix sends the sender a bounce).
    bouncer = ("bouncer   unix  -       n       n       -       -       pipe\n"
               "  flags=q user=nobody argv=/bin/sh -c { echo 5.1.1 test bed: this mailbox "
               "bounces; exit 67 }\n")
    return "".join(services) + unix + bouncer


def _main_cf(bed: MailBed, sasl_socket: Path, cert: Path, key: Path) -> str:
    pf = bed.postfix_dir
    return f"""\
compatibility_level = 3.6
queue_directory = {bed.root / 'queue'}
data_directory = {bed.root / 'data'}
maillog_file_prefixes = {bed.root}
maillog_file = {bed.root / 'postfix.log'}
myhostname = {bed.hostname}
mydomain = {bed.domain}
myorigin = $mydomain
mydestination =
# Postfix only accepts interface addresses here; master.cf binds each listener to bed.address.
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = {bed.address}/32
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
biff = no
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
# Outside mail from logged-in users is accepted, then dropped: the bed sends nothing out.
default_transport = discard:the test bed delivers no outside mail
recipient_delimiter = +
virtual_mailbox_domains = {bed.domain}
virtual_mailbox_base = {bed.mail_dir}
virtual_mailbox_maps = texthash:{pf / 'vmailbox'}
virtual_uid_maps = static:{NOBODY_UID}
virtual_gid_maps = static:{NOBODY_GID}
virtual_minimum_uid = 100
transport_maps = texthash:{pf / 'transport'}
smtpd_banner = $myhostname ESMTP
smtpd_recipient_restrictions = check_recipient_access texthash:{pf / 'recipient_access'}
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_sasl_type = dovecot
smtpd_sasl_path = {sasl_socket}
smtpd_sasl_auth_enable = no
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
smtpd_client_connection_rate_limit = 0
smtpd_client_auth_rate_limit = 0
anvil_rate_time_unit = 60s
delay_warning_time = 0
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
"""


def _dovecot_conf(bed: MailBed, sasl_socket: Path, cert: Path, key: Path) -> str:
    dv = bed.root / "dovecot"
    dh = Path("/usr/share/dovecot/dh.pem")
    dh_line = f"ssl_dh = <{dh}\n" if dh.exists() else ""
    return f"""\
instance_name = mailbed-{bed.root.name}
base_dir = {dv / 'run'}
state_dir = {dv / 'state'}
log_path = {dv / 'dovecot.log'}
protocols = imap
listen = {bed.address}
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
{dh_line}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = {bed.auth_failure_delay_s} secs
auth_verbose = yes
first_valid_uid = 100
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=SHA256 username_format=%u {dv / 'users'}
}}
userdb {{
  driver = static
  args = uid={NOBODY_UID} gid={NOBODY_GID} home={bed.mail_dir}/%d/%n
}}
namespace inbox {{
  inbox = yes
  mailbox Junk {{
    special_use = \\Junk
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {bed.ports['imap']}
  }}
  inet_listener imaps {{
    port = {bed.ports['imaps']}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service auth {{
  unix_listener {sasl_socket} {{
    mode = 0660
    user = postfix
    group = postfix
  }}
}}
"""


# -------------------------------------------------------------------------------- start and stop

def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.write_text(text)
    path.chmod(mode)


def _run(cmd: list[str], what: str, bed: MailBed) -> None:
    # Output to a file, not a pipe: the daemon's children inherit it and never close a pipe.
    out_path = bed.root / f"{what.split()[0]}.out"
    with out_path.open("w") as out:
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=START_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"{what} did not finish in {START_TIMEOUT_S} s\n"
                               f"{bed.log()}") from exc
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {out_path.read_text()}\n"
                           f"{bed.log()}")


def _wait_listening(bed: MailBed) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    waiting = set(bed.ports.values())
    while waiting and time.monotonic() < deadline:
        for port in list(waiting):
            try:
                with socket.create_connection((bed.address, port), timeout=1.0):
                    waiting.discard(port)
            except OSError:
                pass
        if waiting:
            time.sleep(0.1)
    if waiting:
        raise RuntimeError(f"the mail bed is not listening on {sorted(waiting)} after "
                           f"{START_TIMEOUT_S} s\n{bed.log()}")


def _prepare(root: Path, auth_failure_delay_s: int) -> MailBed:
    address = _pick_address()
    ca = trustme.CA()
    leaf = ca.issue_cert(HOSTNAME, "localhost", address)
    tls = root / "tls"
    tls.mkdir()
    ca_file, cert, key = tls / "ca.pem", tls / "cert.pem", tls / "key.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    leaf.private_key_pem.write_to_path(str(key))
    with cert.open("wb") as out:
        for blob in leaf.cert_chain_pems:
            out.write(blob.bytes())
    key.chmod(0o600)
    bed = MailBed(root=root, address=address, ports=dict(PORTS), ca_file=ca_file,
                  auth_failure_delay_s=auth_failure_delay_s)

    for sub in ("postfix", "queue", "data", "dovecot", "mail"):
        (root / sub).mkdir()
    (root / "dovecot" / "state").mkdir()
    sasl_dir = root / "sasl"
    sasl_dir.mkdir()
    sasl_socket = sasl_dir / "auth"
    os.chown(root / "data", _uid("postfix"), _gid("postfix"))
    # Mailboxes: owned by the virtual user; Junk and Sent exist before the first login.
    for user in bed.users:
        for folder in ("INBOX", "Junk", "Sent", "Trash"):
            box = bed.maildir(user, folder)
            for sub in ("new", "cur", "tmp"):
                (box / sub).mkdir(parents=True, exist_ok=True)
    for dirpath, _dirs, _files in os.walk(bed.mail_dir):
        os.chown(dirpath, NOBODY_UID, NOBODY_GID)
    root.chmod(0o755)

    pf = bed.postfix_dir
    _write(pf / "main.cf", _main_cf(bed, sasl_socket, cert, key))
    _write(pf / "master.cf", _master_cf(address, bed.ports))
    local = [u.partition("@")[0] for u in bed.users]
    vmailbox = [f"{u} {DOMAIN}/{n}/Maildir/\n" for u, n in zip(bed.users, local, strict=True)]
    # user+junk@ is filed straight into that user's Junk folder (a message "judged spam").
    vmailbox += [f"{n}+junk@{DOMAIN} {DOMAIN}/{n}/Maildir/.Junk/\n" for n in local]
    vmailbox += [f"hold@{DOMAIN} {DOMAIN}/hold/Maildir/\n",
                 f"bounce@{DOMAIN} {DOMAIN}/bounce/Maildir/\n"]
    _write(pf / "vmailbox", "".join(vmailbox))
    _write(pf / "transport", f"bounce@{DOMAIN} bouncer:\n")
    _write(pf / "recipient_access", f"hold@{DOMAIN} HOLD test bed: held in the queue\n")
    _write(root / "dovecot" / "users",
           "".join(f"{u}:{_sha256(p)}\n" for u, p in bed.users.items()), mode=0o640)
    os.chown(root / "dovecot" / "users", 0, _gid("dovecot"))
    _write(bed.dovecot_conf, _dovecot_conf(bed, sasl_socket, cert, key))
    return bed


def _uid(name: str) -> int:
    import pwd

    return pwd.getpwnam(name).pw_uid


def _gid(name: str) -> int:
    import grp

    return grp.getgrnam(name).gr_gid


def _stop(bed: MailBed) -> None:
    """Stop both daemons; never raises, never waits more than STOP_TIMEOUT_S each."""
    for cmd in ([POSTFIX, "-c", str(bed.postfix_dir), "stop"],
                ["/usr/bin/doveadm", "-c", str(bed.dovecot_conf), "stop"]):
        # A failed stop command is not fatal: the pid files below are the fallback.
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(cmd, capture_output=True, timeout=STOP_TIMEOUT_S, check=False)
    for pid_file in (bed.root / "queue" / "pid" / "master.pid",
                     bed.root / "dovecot" / "run" / "master.pid"):
        _kill_from(pid_file)


def _kill_from(pid_file: Path) -> None:
    """Wait for the daemon named by ``pid_file`` to exit; SIGKILL it if it does not in time."""
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        return


@contextmanager
def mail_bed(auth_failure_delay_s: int = AUTH_FAILURE_DELAY_S) -> Iterator[MailBed]:
    """Start Postfix and Dovecot, yield the running :class:`MailBed`, always stop them.

    Raises RuntimeError (with both logs) when a daemon does not start in START_TIMEOUT_S."""
    reason = unavailable()
    if reason:
        raise RuntimeError(reason)
    root = Path(tempfile.mkdtemp(prefix="mailbed-"))  # short: Unix socket paths are limited
    bed = None
    try:
        bed = _prepare(root, auth_failure_delay_s)
        _run([DOVECOT, "-c", str(bed.dovecot_conf)], "dovecot", bed)
        _run([POSTFIX, "-c", str(bed.postfix_dir), "start"], "postfix start", bed)
        _wait_listening(bed)
        yield bed
    finally:
        if bed is not None:
            _stop(bed)
        shutil.rmtree(root, ignore_errors=True)
