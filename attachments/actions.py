"""Writes of attachments: attaching files to a ticket or a message, and sweeping orphans."""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from tickets.actions._common import lock_ticket, record, touch
from tickets.errors import ActionRefused
from tickets.lifecycle import check_customer_reply
from tickets.models import HelpdeskSettings, Message, Ticket

from .models import Attachment, random_path
from .validation import MB, CheckedFile, check_files

ORPHAN_AGE = timedelta(hours=1)


def attach_files(
    *, ticket: Ticket, actor, files: Iterable, message: Message | None = None
) -> list[Attachment]:
    """Store files on a ticket (or one of its messages), after all of them pass validation.

    A refused file refuses the whole upload and nothing is stored.
    """
    desk = HelpdeskSettings.load()
    checked = check_files(files, desk.max_attachment_mb * MB)
    return store_files(ticket=ticket, actor=actor, checked=checked, message=message, desk=desk)


@transaction.atomic
def store_files(
    *,
    ticket: Ticket,
    actor,
    checked: list[CheckedFile],
    message: Message | None = None,
    desk: HelpdeskSettings | None = None,
) -> list[Attachment]:
    """Store files that already passed `check_files`: for actions that validate a whole upload
    before their first write (create_ticket, add_message) and store it after.

    Files reach storage before the transaction commits; if this function fails part-way it
    removes what it stored. If an enclosing transaction rolls back later, the stored files
    have no rows and `remove_orphan_files` deletes them once they are an hour old.
    """
    desk = desk or HelpdeskSettings.load()
    if message is not None and message.ticket_id != ticket.pk:
        raise ActionRefused("This message belongs to another ticket.", "invalid", "message")
    ticket = lock_ticket(ticket)
    now = timezone.now()
    if not actor.is_agent and message is None:
        check_customer_reply(ticket, desk, now)  # a reply with files was checked by add_message
    stored: list[str] = []
    try:
        attachments = []
        for item in checked:
            name = default_storage.save(random_path(None, item.filename), item.file)
            stored.append(name)
            attachments.append(
                Attachment(
                    ticket=ticket,
                    message=message,
                    file=name,
                    filename=item.filename,
                    size=item.size,
                    content_type=item.content_type,
                    uploaded_by=actor if getattr(actor, "pk", None) else None,
                    created_at=now,
                )
            )
        Attachment.objects.bulk_create(attachments)
        record(
            ticket,
            actor,
            "attachments",
            None,
            {"files": [a.filename for a in attachments], "message": message.pk if message else None},
            at=now,
        )
        if message is None:
            touch(ticket, now, [])
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return attachments


def _stored_files(directory: str = ""):
    """Every file name under `directory` of the default storage, as (directory, [names])."""
    try:
        subdirs, names = default_storage.listdir(directory)
    except FileNotFoundError:  # nothing was ever stored
        return
    yield directory, [f"{directory}/{n}" if directory else n for n in names]
    for sub in subdirs:
        yield from _stored_files(f"{directory}/{sub}" if directory else sub)


def remove_orphan_files(now: datetime | None = None, progress: Callable | None = None) -> int:
    """Delete stored files no attachment row points at, older than an hour.

    Orphans come from uploads whose transaction rolled back. The hour spares a file saved a
    moment ago by an upload whose row is not committed yet.
    """
    cutoff = (now or timezone.now()) - ORPHAN_AGE
    removed = 0
    for _directory, names in _stored_files():
        old = [name for name in names if default_storage.get_modified_time(name) <= cutoff]
        if not old:
            continue
        known = set(Attachment.objects.filter(file__in=old).values_list("file", flat=True))
        for name in old:
            if name in known:
                continue
            default_storage.delete(name)
            removed += 1
            if progress:
                progress(removed)
    return removed
