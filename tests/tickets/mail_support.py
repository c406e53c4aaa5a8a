"""Mail test support: the .eml corpus, a real SMTP server (aiosmtpd) and a real IMAP server
(dovecot), all on 127.0.0.1.

The servers are pytest fixtures: import them into a test module to use them. The dovecot
fixture skips nothing: when dovecot is not installed, it fails and says how to install it
(`scripts/ensure_services.sh` does, for `make test`).
"""

import email
import email.policy
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from accounts.models import User
from tickets.mail.addresses import reply_address
from tickets.models import InboundAddress

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "email"
DESK = "help@desk.example.com"


def load_eml(name: str, **values) -> bytes:
    """A corpus message with its `${name}` placeholders (ticket number, addresses) filled in."""
    raw = (CORPUS / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(f"${{{key}}}".encode(), str(value).encode())
    return raw


def reply_values(ticket, in_reply_to: str = "<unknown@example.com>") -> dict:
    """Placeholders for a reply to `ticket`: its number, tagged address and thread ids."""
    address = email.utils.parseaddr(reply_address(ticket.pk))[1]
    return {
        "number": ticket.pk,
        "reply_address": address,
        "in_reply_to": in_reply_to,
        "references": f"<ticket-{ticket.pk}@desk.example.com> {in_reply_to}",
    }


def compose(
    *,
    sender="dave@example.com",
    to=DESK,
    subject="Hello",
    body="Hello there",
    message_id=None,
    headers=None,
) -> bytes:
    """A plain-text message built in the test, for the cases the corpus does not need a file for."""
    message = email.message.EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Mon, 2 Mar 2026 09:00:00 +0000"
    message["Message-ID"] = message_id or email.utils.make_msgid(domain="example.com")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


@pytest.fixture
def desk(settings, people):
    """The desk's address, taking mail in for the category Hardware."""
    settings.HELPDESK_EMAIL = f"Help Desk <{DESK}>"
    settings.DEFAULT_FROM_EMAIL = f"Help Desk <{DESK}>"
    return InboundAddress.objects.create(email=DESK, default_category=people.category)


def user(email_address: str) -> User:
    return User.objects.get(email=email_address)


# SMTP: aiosmtpd -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    def __getitem__(self, name):
        return self.message[name]

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what it received, and can refuse on demand."""

    received: list[Received] = field(default_factory=list)
    refuse_data: int = 0  # answer the next N DATA commands with 451
    refuse_rcpt: dict[str, int] = field(default_factory=dict)  # address -> times to answer 450

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt.get(address, 0) > 0:
            self.refuse_rcpt[address] -= 1
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data > 0:
            self.refuse_data -= 1
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    @property
    def recipients(self) -> list[str]:
        return sorted(a for r in self.received for a in r.rcpt_tos)


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 and Django's SMTP backend pointed at it."""
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield recorder
    finally:
        controller.stop()


# IMAP: dovecot ------------------------------------------------------------------------------

DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# The wrong-password test must not slow the next logins down (dovecot's failure penalty).
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
default_internal_user = {internal_user}
default_login_user = {login_user}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class ImapServer:
    port: int
    user: str
    password: str
    log: Path

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{self.password}@127.0.0.1:{self.port}/INBOX"


def _dovecot_binary() -> str:
    found = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if found is None:
        pytest.fail(
            "dovecot is not installed: run `bash scripts/ensure_services.sh` "
            "(or `apt-get install -y dovecot-imapd`); the IMAP tests need a real IMAP server",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="session")
def dovecot():
    """A dovecot instance of our own (config, passwd-file user, Maildir in a temp dir).

    As root, dovecot runs its processes as its own system users and the mailbox belongs to
    `dovecot`; as another user, everything runs as that user.
    """
    binary = _dovecot_binary()
    root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
    root.chmod(0o755)  # dovecot's unprivileged processes must reach their files
    (root / "home").mkdir()
    if os.geteuid() == 0:
        internal_user, login_user = "dovecot", "dovenull"
        mail = pwd.getpwnam("dovecot")
        os.chown(root / "home", mail.pw_uid, mail.pw_gid)
    else:
        mail = pwd.getpwuid(os.getuid())
        internal_user = login_user = mail.pw_name
    server = ImapServer(port=free_port(), user="desk", password="desk-secret", log=root / "dovecot.log")
    (root / "passwd").write_text(f"{server.user}:{{PLAIN}}{server.password}\n")
    conf = root / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(
            root=root,
            port=server.port,
            internal_user=internal_user,
            login_user=login_user,
            mail_uid=mail.pw_uid,
            mail_gid=mail.pw_gid,
        )
    )
    process = subprocess.Popen(
        [binary, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = (
                        process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
                    )
                    log = server.log.read_text() if server.log.exists() else ""
                    pytest.fail(f"dovecot did not start:\n{output}\n{log}", pytrace=False)
                time.sleep(0.05)  # waiting for a server process to listen, not for the code under test
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)
