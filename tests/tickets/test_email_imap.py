"""The IMAP poller against a real IMAP server (dovecot on 127.0.0.1): unseen messages are taken
in once and marked seen; nothing is lost or taken twice when a poll is interrupted."""

import imaplib
import io
import socket

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command

from tickets.mail.imap import LOCK_KEY, parse_imap_url, poll_mailbox
from tickets.models import FailedInboundMessage, InboundEmail, Ticket
from tickets.tasks import poll_inbound_email_task

from . import mail_support
from .mail_support import compose, load_eml

desk, dovecot = mail_support.desk, mail_support.dovecot  # the fixtures
pytestmark = pytest.mark.usefixtures("desk")


class Mailbox:
    """The test's own IMAP connection to the desk's INBOX, to drop mail in and read flags."""

    def __init__(self, server):
        self.conn = imaplib.IMAP4("127.0.0.1", server.port, timeout=10)
        self.conn.login(server.user, server.password)
        self.conn.select("INBOX")

    def empty(self):
        self.conn.uid("STORE", "1:*", "+FLAGS", "(\\Deleted)")
        self.conn.expunge()

    def deliver(self, raw: bytes, seen: bool = False) -> None:
        status, _ = self.conn.append("INBOX", "(\\Seen)" if seen else None, None, raw)
        assert status == "OK"

    def unseen(self) -> int:
        self.conn.noop()
        _, found = self.conn.uid("SEARCH", None, "UNSEEN")
        return len(found[0].split())

    def mark_all_unseen(self) -> None:
        self.conn.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")


def from_other_address(self, timeout=None):
    return socket.create_connection((self.host, self.port), timeout, source_address=("127.0.0.2", 0))


@pytest.fixture
def mailbox(dovecot):
    box = Mailbox(dovecot)
    box.empty()
    yield box
    box.empty()
    box.conn.logout()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def poll(dovecot, commit, **kwargs):
    with commit():
        return poll_mailbox(dovecot.url, **kwargs)


class TestPolling:
    def test_unseen_messages_are_taken_in_and_marked_seen(self, people, dovecot, mailbox, commit, mailoutbox):
        for name in ("html_only.eml", "latin1.eml", "bounce.eml"):
            mailbox.deliver(load_eml(name))
        assert poll(dovecot, commit) == {"created": 2, "ignored": 1}
        assert Ticket.objects.count() == 2 and mailbox.unseen() == 0
        assert sorted(m.to[0] for m in mailoutbox) == ["frank@example.org", "helene@example.fr"]
        assert poll(dovecot, commit) == {}

    def test_messages_already_seen_are_left_alone(self, people, dovecot, mailbox, commit):
        mailbox.deliver(load_eml("latin1.eml"), seen=True)
        assert poll(dovecot, commit) == {} and not Ticket.objects.exists()

    def test_a_message_fetched_again_after_a_crash_is_a_duplicate(self, people, dovecot, mailbox, commit):
        mailbox.deliver(load_eml("html_only.eml"))
        poll(dovecot, commit)
        mailbox.mark_all_unseen()  # as if the poller died before it could flag the message
        assert poll(dovecot, commit) == {"duplicate": 1}
        assert Ticket.objects.count() == 1 and mailbox.unseen() == 0

    def test_an_unreadable_message_is_kept_and_marked_seen(
        self, people, dovecot, mailbox, commit, monkeypatch
    ):
        monkeypatch.setattr("tickets.mail.ingest.create_ticket", lambda **kw: 1 / 0)
        mailbox.deliver(compose(subject="Unlucky"))
        assert poll(dovecot, commit) == {"failed": 1}
        failed = FailedInboundMessage.objects.get()
        assert failed.source == "imap" and b"Subject: Unlucky" in bytes(failed.raw)
        assert mailbox.unseen() == 0 and not InboundEmail.objects.exists()

    def test_a_batch_takes_the_first_messages_and_leaves_the_rest(self, people, dovecot, mailbox, commit):
        for n in range(3):
            mailbox.deliver(compose(subject=f"Batch {n}"))
        assert poll(dovecot, commit, limit=2) == {"created": 2}
        assert mailbox.unseen() == 1
        assert poll(dovecot, commit) == {"created": 1}

    def test_a_second_poller_waits_for_the_first(self, people, dovecot, mailbox, commit, monkeypatch):
        cache = LocMemCache("imap-lock-test", {})  # out of reach of other xdist workers' clear()
        monkeypatch.setattr("tickets.mail.imap.cache", cache)
        mailbox.deliver(compose())
        cache.set(LOCK_KEY, 1)
        assert poll(dovecot, commit) == {} and mailbox.unseen() == 1
        cache.delete(LOCK_KEY)
        assert poll(dovecot, commit) == {"created": 1}

    def test_a_wrong_password_fails_loudly_and_takes_nothing(
        self, people, dovecot, mailbox, commit, monkeypatch
    ):
        mailbox.deliver(compose())
        url = dovecot.url.replace(dovecot.password, "wrong")
        # From another loopback address: dovecot slows down later logins from a failing address.
        monkeypatch.setattr(imaplib.IMAP4, "_create_socket", from_other_address)
        with pytest.raises(imaplib.IMAP4.error):
            poll_mailbox(url)
        assert mailbox.unseen() == 1 and not Ticket.objects.exists()

    def test_the_beat_task_and_the_command_poll_the_configured_mailbox(
        self, people, dovecot, mailbox, commit, settings
    ):
        settings.INBOUND_IMAP_URL = dovecot.url
        mailbox.deliver(compose(subject="By the task"))
        with commit():
            # Called directly: the eager `.delay().get()` is refused inside another task's context.
            assert poll_inbound_email_task() == {"created": 1}
        mailbox.deliver(compose(subject="By the command"))
        out = io.StringIO()
        with commit():
            call_command("poll_inbound_email", stdout=out)
        assert out.getvalue().strip() == "1 created" and Ticket.objects.count() == 2

    def test_without_a_mailbox_nothing_is_polled(self, settings):
        settings.INBOUND_IMAP_URL = ""
        assert poll_mailbox() == {}


class TestImapUrl:
    def test_a_plain_url_with_defaults(self):
        box = parse_imap_url("imap://desk:s3cret@mail.example.com")
        assert (box.secure, box.host, box.port, box.folder, box.starttls) == (
            False,
            "mail.example.com",
            143,
            "INBOX",
            False,
        )

    def test_a_secure_url_with_an_escaped_password_and_a_folder(self):
        box = parse_imap_url("imaps://help%40desk.example.com:p%40ss%2Fword@mail.example.com/Support%20In")
        assert (box.secure, box.port, box.user, box.password, box.folder) == (
            True,
            993,
            "help@desk.example.com",
            "p@ss/word",
            "Support In",
        )

    def test_starttls_is_an_option(self):
        assert parse_imap_url("imap://u:p@h:1143/INBOX?starttls=1").starttls

    @pytest.mark.parametrize("url", ["pop3://u:p@h/", "imap:///INBOX", "nonsense"])
    def test_other_urls_are_refused(self, url):
        with pytest.raises(ValueError):
            parse_imap_url(url)
