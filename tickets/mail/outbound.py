"""Send an email at most once per event and recipient, and retry it until the server takes it.

Every email has an idempotency key (kind, ticket, event, recipient). Before sending, the key
is claimed by inserting an OutboundEmail row (unique key) in its own transaction; after the
SMTP server accepted the message the row gets `sent_at`. So:

- a task run twice (a retry, a redelivery after a worker died) finds the key taken and skips;
- when the server refuses or cannot be reached, the claim is deleted again and the error goes
  up to the task, which retries with backoff: the email is not lost;
- a worker that dies between the server's acceptance and `sent_at` leaves a claim with no
  `sent_at` that nobody re-sends. We choose "never twice" over "always at least once" there:
  the window is a few milliseconds, and the row stays visible in the admin.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
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


def _claim(mail: Outgoing) -> OutboundEmail | None:
    """Take the key, or return None when this email was sent (or is being sent) already."""
    try:
        # A savepoint of its own: a taken key must not spoil the caller's transaction.
        with transaction.atomic():
            return OutboundEmail.objects.create(
                key=mail.key,
                kind=mail.kind[:30],
                ticket_id=mail.ticket_id,
                recipient=mail.to,
                message_id=make_msgid(domain=desk_domain()),
            )
    except IntegrityError:
        return None


def _release(rows: list[OutboundEmail]) -> None:
    """Give back claims whose email the server did not take, so that a retry sends them."""
    if rows:
        OutboundEmail.objects.filter(pk__in=[r.pk for r in rows], sent_at__isnull=True).delete()


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
    """Send each email unless its key was claimed before; return how many went out.

    Raises the SMTP or connection error of the first email the server did not take, after
    releasing that claim and those not tried yet: the caller (a Celery task) retries, and the
    retry skips what was sent.
    """
    claimed = [(mail, row) for mail in mails if (row := _claim(mail)) is not None]
    if not claimed:
        return 0
    connection = get_connection(fail_silently=False)
    sent = 0
    try:
        # Our own connection: send_messages then leaves it open, and an error while closing
        # (QUIT) after the server took the message cannot make us send it again.
        connection.open()
        for mail, row in claimed:
            connection.send_messages([build_message(mail, row.message_id, connection)])
            OutboundEmail.objects.filter(pk=row.pk).update(sent_at=timezone.now())
            sent += 1
    except BaseException:
        _release([r for _, r in claimed[sent:]])
        raise
    finally:
        try:
            connection.close()
        except Exception:  # the messages are accepted; a failing QUIT changes nothing
            log.warning("closing the SMTP connection failed", exc_info=True)
    return sent
