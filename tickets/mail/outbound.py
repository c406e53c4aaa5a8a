"""Send an email at most once per event and recipient, and retry it until the server takes it.

Every email has an idempotency key (kind, ticket, event, recipient) and an OutboundEmail row
with that key (unique), inserted and committed before the first try. The email is sent while
that row is locked (`SELECT ... FOR UPDATE`) and still has no `sent_at`; `sent_at` is written
in the same transaction, right after the SMTP server accepted the message. So:

- a task run twice (a retry, a redelivery) finds `sent_at` set and sends nothing;
- a redelivery that runs while the first worker is still talking to the server finds the row
  locked: it sends nothing now and raises `SendInProgress`, and its task retries later (then
  the email is either sent, or was given back by a failure of the first worker);
- when the server refuses or cannot be reached, the transaction rolls back (the row stays,
  unsent) and the error goes up to the task, which retries with backoff: the email is not lost;
- a worker killed in the middle (SIGKILL, OOM, a lost machine) loses its database connection,
  PostgreSQL ends its transaction and the lock goes with it: the redelivered task finds the row
  unsent and unlocked and sends it. Nothing is lost, and a retry reuses the row's Message-ID.

The one window left is between the server's "250 accepted" and the commit of `sent_at`
(milliseconds): a worker dying exactly there makes the redelivery send the email again, with
the same Message-ID, by which mail servers and programs can tell the copy. We choose that over
losing the email for a death at any other moment of the SMTP exchange (up to EMAIL_TIMEOUT).
"""

import hashlib
import logging
from dataclasses import dataclass, field
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from ..models import OutboundEmail
from .addresses import desk_domain

log = logging.getLogger(__name__)

# Automatic mail (RFC 3834) that other systems must never answer.
AUTO_GENERATED = "auto-generated"
AUTO_REPLIED = "auto-replied"
MAX_KEY = 200


@dataclass
class Outgoing:
    """One email to one recipient, ready to send."""

    key: str
    kind: str
    to: str
    subject: str
    text: str
    html: str = ""
    ticket_id: int | None = None
    automatic: str = ""  # AUTO_GENERATED or AUTO_REPLIED; empty for mail a person wrote
    reply_to: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)


def idempotency_key(kind: str, ticket_id, event, recipient: str) -> str:
    key = f"{kind}:{ticket_id or '-'}:{event}:{recipient.lower()}"
    if len(key) <= MAX_KEY:
        return key
    return f"{kind}:{ticket_id or '-'}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


class SendInProgress(Exception):
    """Another worker is sending this email right now (a redelivered task): try again later."""


def _claim(mails: list[Outgoing]) -> None:
    """Make sure each email has its row (unsent at first), committed before anyone sends it."""
    OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                key=mail.key,
                kind=mail.kind[:30],
                ticket_id=mail.ticket_id,
                recipient=mail.to,
                message_id=make_msgid(domain=desk_domain()),
            )
            for mail in mails
        ],
        ignore_conflicts=True,  # a key taken before: that row (sent or not) is the one
    )


def build_message(mail: Outgoing, message_id: str, connection=None) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id}
    if mail.in_reply_to:
        headers["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        headers["References"] = " ".join(mail.references)
    if mail.automatic:
        headers["Auto-Submitted"] = mail.automatic
        headers["X-Auto-Response-Suppress"] = "All"  # asks Exchange not to answer with an OOF
    message = EmailMultiAlternatives(
        subject=" ".join(mail.subject.split())[:250],
        body=mail.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        reply_to=[mail.reply_to] if mail.reply_to else None,
        headers=headers,
        connection=connection,
    )
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    return message


def send_once(mails: list[Outgoing]) -> int:
    """Send each email whose row has no `sent_at` yet; return how many went out.

    Raises the SMTP or connection error of the first email the server did not take (it and
    those not tried yet stay unsent): the caller (a Celery task) retries, and the retry skips
    what was sent. Raises `SendInProgress` at the end when another worker held one of them.
    """
    if not mails:
        return 0
    _claim(mails)
    connection = None
    sent, busy = 0, False
    try:
        for mail in mails:
            with transaction.atomic():
                row = OutboundEmail.objects.select_for_update(skip_locked=True).filter(key=mail.key).first()
                if row is None:  # the row exists (claimed above): another worker holds it
                    busy = True
                    continue
                if row.sent_at is not None:
                    continue
                if connection is None:
                    # Our own connection: send_messages then leaves it open, and an error while
                    # closing (QUIT) after the server took the message cannot make us send it again.
                    connection = get_connection(fail_silently=False)
                    connection.open()
                connection.send_messages([build_message(mail, row.message_id, connection)])
                row.sent_at = timezone.now()
                row.save(update_fields=["sent_at"])
            sent += 1
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:  # the messages are accepted; a failing QUIT changes nothing
                log.warning("closing the SMTP connection failed", exc_info=True)
    if busy:
        raise SendInProgress("another worker is sending an email of this event")
    return sent
