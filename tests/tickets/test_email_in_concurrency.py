"""The same email delivered twice at the same moment (two pipes, two pollers): one ticket or reply.

Real PostgreSQL, one connection per thread. The first delivery to claim the Message-ID is held
inside its transaction until the second is seen waiting on PostgreSQL for that claim, so the two
truly overlap every time, not only when the scheduler happens to interleave them.
"""

import email
import email.policy
import threading
import time

import pytest
from django.db import connection

from attachments.models import Attachment
from tests.attachments.samples import stored_files
from tests.factories import make_ticket
from tests.test_concurrency import _together
from tickets.mail import ingest
from tickets.models import FailedInboundMessage, InboundEmail, Message, Ticket

from . import mail_support
from .mail_support import compose

desk = mail_support.desk  # the fixture
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("desk")]

# Someone waits on a lock this connection holds. pg_locks is read live (pg_stat_activity would
# be a snapshot taken once per transaction).
WAITING_ON_ME = (
    "SELECT count(*) FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "attachments")
    return tmp_path / "attachments"


@pytest.fixture
def overlap(monkeypatch):
    """Hold the first delivery just after its claim until another one waits on it; record it."""
    seen = {"held": False, "overlapped": False}
    guard = threading.Lock()
    check_loops = ingest.loop_reason  # the first thing intake does after the claim

    def held_loop_reason(*args, **kwargs):
        with guard:
            first, seen["held"] = not seen["held"], True
        if first:
            deadline = time.monotonic() + 10
            with connection.cursor() as cursor:
                while time.monotonic() < deadline and not seen["overlapped"]:
                    cursor.execute(WAITING_ON_ME)
                    seen["overlapped"] = cursor.fetchone()[0] > 0
        return check_loops(*args, **kwargs)

    monkeypatch.setattr(ingest, "loop_reason", held_loop_reason)
    return seen


def deliver_twice_at_once(raw: bytes) -> list[str]:
    outcomes = []
    _together(*[lambda: outcomes.append(ingest.ingest_email(raw).outcome)] * 2)
    return sorted(outcomes)


def with_file(raw: bytes) -> bytes:
    message = email.message_from_bytes(raw, policy=email.policy.SMTP)
    message.add_attachment(b"printer log\n", maintype="text", subtype="plain", filename="log.txt")
    return message.as_bytes()


@pytest.mark.parametrize("attempt", range(3))
def test_a_new_request_delivered_twice_at_once_opens_one_ticket(people, media, overlap, attempt):
    raw = with_file(compose(subject="Printer smokes", message_id=f"<twice-{attempt}@example.com>"))

    assert deliver_twice_at_once(raw) == ["created", "duplicate"]

    assert overlap["overlapped"], "the second delivery never waited on the first"
    (ticket,) = Ticket.objects.all()
    assert (ticket.subject, ticket.requester_id) == ("Printer smokes", people.dave.pk)
    assert list(InboundEmail.objects.values_list("outcome", "ticket_id")) == [("created", ticket.pk)]
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["log.txt"]
    assert len(stored_files(media)) == 1  # the second delivery stored no file either
    assert not FailedInboundMessage.objects.exists()


@pytest.mark.parametrize("attempt", range(3))
def test_a_reply_delivered_twice_at_once_is_posted_once(people, media, overlap, attempt):
    ticket = make_ticket(people.dave, people.category)
    before = Message.objects.filter(ticket=ticket).count()
    raw = compose(
        subject=f"Re: [#{ticket.pk}] Printer",
        body="It smokes again.",
        message_id=f"<re-{attempt}@example.com>",
    )

    assert deliver_twice_at_once(raw) == ["duplicate", "replied"]

    assert overlap["overlapped"], "the second delivery never waited on the first"
    replies = Message.objects.filter(ticket=ticket).order_by("pk")
    assert replies.count() == before + 1
    assert replies.last().body == "It smokes again."
    assert Ticket.objects.count() == 1
    assert not FailedInboundMessage.objects.exists()


def test_a_message_without_message_id_delivered_twice_at_once_opens_one_ticket(people, media, overlap):
    """Its id is then the digest of its bytes: the same bytes are the same message."""
    message = email.message_from_bytes(compose(subject="No id"), policy=email.policy.SMTP)
    del message["Message-ID"]

    assert deliver_twice_at_once(message.as_bytes()) == ["created", "duplicate"]

    assert overlap["overlapped"]
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.get().message_id.endswith("@no-message-id>")
