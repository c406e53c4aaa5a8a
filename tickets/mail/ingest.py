"""Take one email in (SPEC §8): a new ticket, a reply on its ticket, or nothing at all.

Each message is taken in once: its Message-ID is claimed with an InboundEmail row (unique) in
the same transaction as what it writes, so a second delivery, a re-fetch or two pollers at
once find it taken. Tickets and replies are written by the ticket actions, with the sender as
the actor, so email follows exactly the rules of the web and API. A message that cannot be
parsed or taken in is kept raw in FailedInboundMessage: mail is never lost.
"""

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from accounts.actions import get_or_create_customer
from accounts.models import User

from ..actions import add_message, create_ticket
from ..errors import ActionRefused
from ..lifecycle import reply_window_closed
from ..models import (
    HIDDEN_KINDS,
    Category,
    FailedInboundMessage,
    HelpdeskSettings,
    InboundAddress,
    InboundEmail,
    OutboundEmail,
    Ticket,
)
from .addresses import ticket_of_reply_address, ticket_of_thread_root
from .loops import loop_reason, over_hourly_limit
from .parse import MailFile, ParsedEmail, parse_email
from .text import strip_signature, trim_reply

log = logging.getLogger(__name__)

SUBJECT_NUMBER = re.compile(r"\[#(\d{1,12})\]")
MAX_SUBJECT = 255
MAX_BODY = 100_000
NO_TEXT = "(no text)"


@dataclass
class Intake:
    """What became of one message."""

    outcome: str  # created, replied, duplicate, ignored:<why>, refused:<why>, failed
    ticket_id: int | None = None
    inbound_id: int | None = None


class _Duplicate(Exception):
    pass


class _Refused(Exception):
    """The message is valid mail but may not be added; it is kept raw for staff to see."""

    def __init__(self, outcome: str, ticket: Ticket | None, why: str):
        super().__init__(why)
        self.outcome, self.ticket, self.why = outcome, ticket, why


def ingest_email(raw: bytes, *, source: str = "pipe") -> Intake:
    """Take one RFC 822 message in; never raises for a bad message (only if the database is down).

    `source` ("pipe", "imap", ...) is recorded with a message that failed.
    """
    try:
        mail = parse_email(raw)
    except Exception as exc:  # any parser failure: keep the bytes, never lose the mail
        return _keep_failed(raw, exc, source)
    try:
        return _take_in(mail, source)
    except _Duplicate:
        return Intake("duplicate")
    except Exception as exc:
        return _keep_failed(raw, exc, source)


def _keep_failed(raw: bytes, exc: Exception, source: str) -> Intake:
    log.exception("Inbound email could not be taken in; kept as a failed message", exc_info=exc)
    failed = FailedInboundMessage.objects.create(
        raw=raw, error=f"{type(exc).__name__}: {exc}"[:10_000], source=source[:40]
    )
    return Intake("failed", inbound_id=failed.pk)


def _claim(mail: ParsedEmail) -> InboundEmail:
    """Insert the message's InboundEmail row, or raise _Duplicate when its Message-ID is taken.

    One statement, no savepoint: a concurrent intake of the same message waits on the unique
    index until the first commits, then inserts nothing (or takes over if the first rolled back).
    """
    inbound = InboundEmail(
        message_id=mail.message_id, sender=mail.sender[:254], subject=mail.subject[:255], outcome="processing"
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(  # the table name is the model's, quoted; every value is a parameter
            f"INSERT INTO {quote(InboundEmail._meta.db_table)} "  # noqa: S608  # nosec B608
            "(message_id, sender, subject, outcome, received_at) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (message_id) DO NOTHING RETURNING id",
            [inbound.message_id, inbound.sender, inbound.subject, inbound.outcome, inbound.received_at],
        )
        row = cursor.fetchone()
    if row is None:
        raise _Duplicate
    inbound.pk = row[0]
    return inbound


@transaction.atomic
def _take_in(mail: ParsedEmail, source: str) -> Intake:
    inbound = _claim(mail)
    desk_addresses = list(InboundAddress.objects.select_related("default_category").order_by("pk"))
    reason = loop_reason(mail, {a.email.lower() for a in desk_addresses})
    if reason is None and over_hourly_limit(mail.sender):
        reason = "rate-limited"
    if reason is not None:
        log.info("Inbound email %s from %s ignored: %s", mail.message_id, mail.sender, reason)
        return _finish(inbound, f"ignored:{reason}")
    sender = User.objects.filter(email__iexact=mail.sender).first()
    try:
        if sender is not None and not sender.is_active:
            raise _Refused("refused:inactive", None, f"{mail.sender}'s account is disabled.")
        ticket = find_ticket(mail, sender)
        if ticket is not None:
            return _reply(mail, inbound, ticket, sender)
        return _create(mail, inbound, sender, category_for(mail, desk_addresses))
    except _Refused as refused:
        log.warning("Inbound email %s not added: %s", mail.message_id, refused.why)
        FailedInboundMessage.objects.create(raw=mail.raw, error=refused.why, source=source[:40])
        return _finish(inbound, refused.outcome, refused.ticket)


def _finish(inbound: InboundEmail, outcome: str, ticket: Ticket | None = None) -> Intake:
    InboundEmail.objects.filter(pk=inbound.pk).update(outcome=outcome[:40], ticket=ticket)
    return Intake(outcome, ticket.pk if ticket else None, inbound.pk)


# Which ticket a reply belongs to -------------------------------------------------------------


def find_ticket(mail: ParsedEmail, sender: User | None) -> Ticket | None:
    """The ticket a message answers, or None for a new one.

    In order of trust: the signed reply tag in the addresses; the thread ids (our outgoing
    Message-IDs, the thread root, the customer's own earlier mail); a `[#N]` in the subject,
    which anyone can type, so only for the requester or a participant of N.
    """
    for address in mail.recipients:
        number = ticket_of_reply_address(address)
        if number is not None and (ticket := _ticket(number)):
            return ticket
    number = _ticket_of_thread(mail.thread_ids)
    if number is not None and (ticket := _ticket(number)):
        return ticket
    found = SUBJECT_NUMBER.search(mail.subject)
    ticket = _ticket(int(found[1])) if found and sender is not None else None
    return ticket if ticket is not None and ticket.is_party(sender) else None


def _ticket(number: int) -> Ticket | None:
    return Ticket.objects.select_related("status").filter(pk=number).first()


def _ticket_of_thread(ids: list[str]) -> int | None:
    if not ids:
        return None
    known = dict(
        OutboundEmail.objects.filter(message_id__in=ids, ticket__isnull=False).values_list(
            "message_id", "ticket_id"
        )
    )
    known.update(
        InboundEmail.objects.filter(
            message_id__in=ids, ticket__isnull=False, outcome__in=("created", "replied")
        ).values_list("message_id", "ticket_id")
    )
    for message_id in ids:
        number = known.get(message_id) or ticket_of_thread_root(message_id)
        if number is not None:
            return number
    return None


# Writing: through the ticket actions ---------------------------------------------------------


def _reply(mail: ParsedEmail, inbound: InboundEmail, ticket: Ticket, sender: User | None) -> Intake:
    if ticket.status.kind in HIDDEN_KINDS:
        return _finish(inbound, "ignored:ticket-hidden", ticket)
    if sender is None or not (sender.is_agent or ticket.is_party(sender)):
        raise _Refused(
            "refused:not-a-party", ticket, f"{mail.sender} is not on ticket #{ticket.pk}; not added."
        )
    text = trim_reply(mail.text)
    files, notes = _checked_files(mail, keep_original=text != mail.text.strip() or mail.from_html)
    try:
        message = add_message(ticket=ticket, actor=sender, body=_body(text, notes))
    except ActionRefused as refused:
        desk = HelpdeskSettings.load()
        if not sender.is_agent and reply_window_closed(ticket, desk, timezone.now()):
            if desk.email_follow_up_on_closed:  # a new ticket linked to the closed one (issue 11)
                from ..actions.followup import create_follow_up

                subject = f"Follow-up to #{ticket.pk}: {ticket.subject}"[:MAX_SUBJECT]
                follow_up = create_follow_up(
                    actor=sender, closed=ticket, subject=subject, description=_body(text, notes)
                )
                _attach(follow_up, sender, files, None)
                return _finish(inbound, "created", follow_up)
            # A polite answer saying how to go on; only ever for mail that passed the loop checks.
            from ..tasks import send_refusal_task

            intake = _finish(inbound, "refused:closed", ticket)
            transaction.on_commit(lambda: send_refusal_task.delay(intake.inbound_id))
            return intake
        raise _Refused(f"refused:{refused.code}", ticket, refused.reason) from None
    _attach(ticket, sender, files, message)
    return _finish(inbound, "replied", ticket)


def _create(
    mail: ParsedEmail, inbound: InboundEmail, sender: User | None, category: Category | None
) -> Intake:
    if sender is None:
        sender = get_or_create_customer(email=mail.sender, name=mail.sender_name)
    text = strip_signature(mail.text)
    files, notes = _checked_files(mail, keep_original=mail.from_html)
    subject = " ".join(mail.subject.split())[:MAX_SUBJECT] or "(no subject)"
    try:
        ticket = create_ticket(
            actor=sender, subject=subject, description=_body(text, notes), category=category
        )
    except ActionRefused as refused:
        raise _Refused(f"refused:{refused.code}", None, refused.reason) from None
    _attach(ticket, sender, files, None)
    return _finish(inbound, "created", ticket)


def category_for(mail: ParsedEmail, desk_addresses: list[InboundAddress]) -> Category | None:
    """The category of the desk address the mail was sent to; else the first address's, the
    INBOUND_DEFAULT_CATEGORY setting's, or the first active category."""
    written_to = {*mail.recipients, *(re.sub(r"\+[^@]*@", "@", a) for a in mail.recipients)}
    matching = [a for a in desk_addresses if a.email.lower() in written_to]
    inbound = (matching or desk_addresses or [None])[0]
    if inbound is not None:
        return inbound.default_category
    if settings.INBOUND_DEFAULT_CATEGORY:
        found = Category.objects.filter(name=settings.INBOUND_DEFAULT_CATEGORY, active=True).first()
        if found is not None:
            return found
    return Category.objects.filter(active=True).first()


def _body(text: str, notes: list[str]) -> str:
    body = text.strip() or NO_TEXT
    if len(body) > MAX_BODY - 2_000:
        body = body[: MAX_BODY - 2_000].rstrip() + "\n\n[The rest of this email was cut; see original.eml.]"
    if notes:
        body += "\n\n" + "\n".join(f"[{note}]" for note in notes)
    return body


# Attachments: each file through the same checks as an upload ---------------------------------


def _checked_files(mail: ParsedEmail, *, keep_original: bool) -> tuple[list, list[str]]:
    """The files that pass the attachment rules, and a note for each refused one.

    A refused file (an executable, say) does not refuse the email: the rest is taken in and
    the message says what was left out. The original message is kept as `original.eml` when
    the text shown is not all of it (trimmed history, converted HTML).
    """
    from attachments.validation import check_file, max_attachment_bytes, sanitize_filename

    candidates = list(mail.files)
    if keep_original:
        candidates.append(MailFile("original.eml", "message/rfc822", mail.raw))
    if not candidates:
        return [], []
    max_bytes = max_attachment_bytes()
    accepted, notes = [], []
    for item in candidates:
        # Cleaned first: a name like ".." makes Django refuse the file object itself, which
        # would fail the whole message instead of this one file.
        name = sanitize_filename(item.filename)
        upload = SimpleUploadedFile(name, item.data, content_type=item.content_type)
        try:
            check_file(upload, max_bytes)
        except ActionRefused as refused:
            notes.append(f"Attachment not accepted: {refused.reason}")
            continue
        upload.seek(0)
        accepted.append(upload)
    return accepted, notes


def _attach(ticket: Ticket, actor: User, files: list, message) -> None:
    from attachments.actions import attach_files
    from attachments.validation import MAX_FILES

    for start in range(0, len(files), MAX_FILES):
        attach_files(ticket=ticket, actor=actor, files=files[start : start + MAX_FILES], message=message)


def retry_failed(failed: FailedInboundMessage) -> Intake:
    """Take a kept message in again, after an admin fixed what refused it (a missing category,
    a person not yet on the ticket); the kept copy is dropped unless it stays a duplicate."""
    raw = bytes(failed.raw)
    try:
        message_id = parse_email(raw).message_id
    except Exception:
        message_id = None
    if message_id:
        # A refusal recorded the Message-ID; forget it so the message can be decided anew.
        InboundEmail.objects.filter(message_id=message_id, outcome__startswith="refused:").delete()
    intake = ingest_email(raw, source=failed.source)
    if intake.outcome != "duplicate":  # taken in, or kept again as a new row
        FailedInboundMessage.objects.filter(pk=failed.pk).delete()
    return intake
