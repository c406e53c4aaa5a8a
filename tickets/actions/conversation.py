"""The conversation: replies, internal notes, their edits and soft deletions (SPEC §4)."""

from django.db import transaction
from django.utils import timezone

from ..automation import queue_automation
from ..lifecycle import (
    check_edit_message,
    check_post_message,
    check_transition,
    customer_reply_target,
    find_status,
    require_agent,
    staff_reply_target,
)
from ..markup import render_markdown
from ..models import HelpdeskSettings, Message, Status, StatusKind, Ticket
from ..search import current_document, refresh_search_vector, uses_full_text
from ..sla import CUSTOMER_REPLY, STAFF_REPLY, apply_sla
from ..webhooks import queue_webhooks
from ._common import apply_status, lock_ticket, notify, record, touch
from .create import MAX_BODY, check_text, check_upload


@transaction.atomic
def add_message(
    *,
    ticket: Ticket,
    actor,
    body: str,
    internal: bool = False,
    status: Status | int | str | None = None,
    files=(),
) -> Message:
    """Post a reply or an internal note; a reply may move the status (SPEC §3).

    Staff may post on every status and may set a status in the same action; otherwise the
    workflow's staff-reply default applies. A customer's reply is refused on a closed ticket
    (or one resolved past its window) and moves the status only by "customer reply moves to".
    """
    body = check_text("body", body, MAX_BODY)
    desk = HelpdeskSettings.load()
    ticket = lock_ticket(ticket)
    # The clock is read after the lock: a reply that waited for the auto-close job decides
    # on the state the job left and on the time it really arrives.
    now = timezone.now()
    check_post_message(ticket, actor, desk, now, internal=internal, status=status)
    if status is not None:
        status = find_status(status)
        check_transition(ticket, status, actor)
    checked = check_upload(files, desk)  # the last check: nothing is written before it
    message = Message.objects.create(
        ticket=ticket,
        author=actor,
        body=body,
        body_html=render_markdown(body),
        internal=internal,
        created_at=now,
    )
    record(ticket, actor, "note" if internal else "reply", None, {"message": message.pk}, at=now)
    fields = set()
    if uses_full_text():  # the document with this message, rebuilt by the one UPDATE of the row
        ticket.search_vector = current_document()
        fields.add("search_vector")
    if actor.is_agent:
        if not internal:  # meets the first or the next response, which may end a breach
            fields |= apply_sla(ticket, now, reply=STAFF_REPLY)
        target = status if status is not None else (None if internal else staff_reply_target(ticket, desk))
        if target is not None and target.pk != ticket.status_id:
            apply_status(ticket, target, actor, now, fields=fields)  # saves the row with `fields`
            fields = None
    else:
        ticket.last_customer_post_at = now
        fields |= {"last_customer_post_at", *apply_sla(ticket, now, reply=CUSTOMER_REPLY)}  # next response
        target = customer_reply_target(ticket)
        if target is not None:
            reopening = ticket.status.kind == StatusKind.RESOLVED
            apply_status(ticket, target, actor, now, fields=fields, event_extra={"by_reply": True})
            fields = None
            if reopening and ticket.assignee_id:
                notify("reopened", ticket)
    if fields is not None:
        touch(ticket, now, fields)
    ticket.__dict__.pop("search_vector", None)  # the expression, not a value: read it if needed
    if checked:
        from attachments.actions import store_files  # attachments builds on tickets

        store_files(ticket=ticket, actor=actor, checked=checked, message=message, desk=desk)
    if not internal:
        notify("reply", ticket, message_id=message.pk)
    queue_webhooks("message.added", ticket, message_id=message.pk)
    if not actor.is_agent:
        queue_automation("customer_replied", ticket, actor)
    return message


def _lock_message(message: Message) -> Message:
    """Lock the message's ticket (edits queue behind status changes), then re-read both."""
    ticket = lock_ticket(message.ticket_id)
    message = Message.objects.get(pk=message.pk)
    message.ticket = ticket
    return message


@transaction.atomic
def edit_message(*, message: Message, actor, body: str) -> Message:
    """Change a reply's text: its author within the edit window, staff at any time."""
    body = check_text("body", body, MAX_BODY)
    message = _lock_message(message)
    now = timezone.now()
    check_edit_message(message, actor, HelpdeskSettings.load(), now)
    before = message.body
    message.body, message.body_html, message.edited_at = body, render_markdown(body), now
    message.save(update_fields=["body", "body_html", "edited_at"])
    refresh_search_vector(message.ticket_id)
    record(
        message.ticket,
        actor,
        "message_edited",
        {"message": message.pk, "body": before},
        {"message": message.pk, "body": body},
        at=now,
    )
    return message


@transaction.atomic
def delete_message(*, message: Message, actor) -> Message:
    """Soft-delete: staff see a placeholder, customers nothing; the text stays in history."""
    message = _lock_message(message)
    now = timezone.now()
    check_edit_message(message, actor, HelpdeskSettings.load(), now)
    message.deleted = True
    message.save(update_fields=["deleted"])
    refresh_search_vector(message.ticket_id)
    record(
        message.ticket, actor, "message_deleted", {"message": message.pk, "body": message.body}, None, at=now
    )
    return message


def add_system_message(ticket: Ticket, body: str, now) -> Message:
    """A message with no author, shown to everyone (e.g. "closed as scheduled")."""
    return Message.objects.create(
        ticket=ticket, author=None, body=body, body_html=render_markdown(body), created_at=now
    )


__all__ = ["add_message", "edit_message", "delete_message", "add_system_message", "require_agent"]
