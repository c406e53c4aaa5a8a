"""Status actions: transition, resolve, closures, spam, deletion and restore (SPEC §3)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..errors import ActionRefused
from ..lifecycle import (
    check_close_now,
    check_hide,
    check_request_closure,
    check_restore,
    check_schedule_closure,
    check_schedule_deletion,
    check_transition,
    find_status,
    status_of_kind,
)
from ..models import HelpdeskSettings, Status, StatusKind, Ticket
from ._common import apply_status, lock_ticket, record, touch
from .conversation import add_system_message


@transaction.atomic
def transition_ticket(
    *,
    ticket: Ticket,
    actor,
    status: Status | int | str,
    resolution_notes: str | None = None,
    reason: str = "",
) -> Ticket:
    """Move a ticket to any active status (staff), given by row, id or name.

    Resolving may carry resolution notes (kept when the ticket is reopened); closing may
    carry a reason (e.g. why a ticket was cancelled).
    """
    status = find_status(status)
    ticket = lock_ticket(ticket)
    check_transition(ticket, status, actor)
    now = timezone.now()
    fields = set()
    notes = None if resolution_notes is None else resolution_notes.strip()
    if notes is not None and status.kind == StatusKind.RESOLVED and notes != ticket.resolution_notes:
        record(ticket, actor, "resolution_notes", ticket.resolution_notes, notes, at=now)
        ticket.resolution_notes = notes
        fields.add("resolution_notes")
    if status.pk == ticket.status_id:
        if fields:
            touch(ticket, now, fields)
        return ticket
    apply_status(ticket, status, actor, now, fields=fields, reason=reason or "")
    return ticket


def resolve_ticket(*, ticket: Ticket, actor, resolution_notes: str | None = None) -> Ticket:
    return transition_ticket(
        ticket=ticket,
        actor=actor,
        status=status_of_kind(StatusKind.RESOLVED),
        resolution_notes=resolution_notes,
    )


@transaction.atomic
def request_closure(*, ticket: Ticket, actor) -> Ticket:
    """The customer asks to close: pending closure, and the survey at once."""
    ticket = lock_ticket(ticket)
    now = timezone.now()
    check_request_closure(ticket, actor, HelpdeskSettings.load(), now)
    apply_status(ticket, status_of_kind(StatusKind.PENDING_CLOSURE), actor, now)
    return ticket


@transaction.atomic
def schedule_closure(*, ticket: Ticket, actor, at: datetime) -> Ticket:
    """Close automatically at `at`: a task is queued for that moment, the sweep backs it up."""
    ticket = lock_ticket(ticket)
    now = timezone.now()
    check_schedule_closure(ticket, actor, at, now)
    ticket.closure_scheduled_at = at
    apply_status(
        ticket,
        status_of_kind(StatusKind.CLOSURE_SCHEDULED),
        actor,
        now,
        fields={"closure_scheduled_at"},
        event_extra={"at": at.isoformat()},
    )
    from ..tasks import close_scheduled_ticket_task

    ticket_id = ticket.pk
    transaction.on_commit(lambda: close_scheduled_ticket_task.apply_async((ticket_id,), eta=at))
    return ticket


@transaction.atomic
def close_ticket(*, ticket: Ticket, actor, reason: str = "") -> Ticket:
    """Close now: staff on any status; the customer early on a scheduled closure, or a
    resolved ticket inside its reopen window."""
    ticket = lock_ticket(ticket)
    now = timezone.now()
    check_close_now(ticket, actor, HelpdeskSettings.load(), now)
    apply_status(ticket, status_of_kind(StatusKind.CLOSED), actor, now, reason=reason or "")
    return ticket


@transaction.atomic
def fire_scheduled_closure(*, ticket_id: int, now: datetime | None = None) -> bool:
    """Close a ticket whose scheduled time has come.

    Idempotent, so the task queued for the time and the hourly sweep may both fire: the
    second one, or one fired early or after a cancel, finds nothing due and does nothing.
    """
    now = now or timezone.now()
    try:
        ticket = lock_ticket(ticket_id)
    except ActionRefused:
        return False  # purged meanwhile
    due = ticket.closure_scheduled_at
    if ticket.status.kind != StatusKind.CLOSURE_SCHEDULED or due is None or due > now:
        return False
    apply_status(ticket, status_of_kind(StatusKind.CLOSED), None, now, event_extra={"scheduled": True})
    add_system_message(ticket, "This ticket was closed as scheduled.", now)
    return True


def _hide(ticket: Ticket, actor, kind: str) -> Ticket:
    ticket = lock_ticket(ticket)
    check_hide(ticket, actor, kind)
    apply_status(ticket, status_of_kind(kind), actor, timezone.now())
    return ticket


@transaction.atomic
def mark_spam(*, ticket: Ticket, actor) -> Ticket:
    """Hide as spam; purged after the admin's spam retention unless restored."""
    return _hide(ticket, actor, StatusKind.SPAM)


@transaction.atomic
def delete_ticket(*, ticket: Ticket, actor) -> Ticket:
    """Hide as deleted; purged after the admin's deleted retention unless restored."""
    return _hide(ticket, actor, StatusKind.DELETED)


@transaction.atomic
def schedule_deletion(*, ticket: Ticket, actor, at: datetime) -> Ticket:
    """Close the ticket now (unless closed) and purge it at `at`; a second call reschedules."""
    ticket = lock_ticket(ticket)
    now = timezone.now()
    check_schedule_deletion(ticket, actor, at, now)
    if ticket.previous_status_id is None:
        ticket.previous_status = ticket.status  # where restore goes back to
    if ticket.status.kind != StatusKind.CLOSED:
        apply_status(ticket, status_of_kind(StatusKind.CLOSED), actor, now, fields={"previous_status"})
    before = ticket.purge_at
    ticket.purge_at = at
    touch(ticket, now, {"purge_at", "previous_status"})
    record(ticket, actor, "deletion_scheduled", before and before.isoformat(), at.isoformat(), at=now)
    return ticket


@transaction.atomic
def restore_ticket(*, ticket: Ticket, actor) -> Ticket:
    """Back from spam, deleted or a scheduled deletion to the status it had.

    If that status was since deactivated, the first active status of the same kind. A
    closure schedule did not survive the deletion, so such a ticket comes back open.
    """
    ticket = lock_ticket(ticket)
    check_restore(ticket, actor)
    now = timezone.now()
    target = ticket.previous_status
    if target is None or target.kind == StatusKind.CLOSURE_SCHEDULED:
        target = status_of_kind(StatusKind.OPEN)
    if not target.active:
        target = status_of_kind(target.kind)
    if target.pk != ticket.status_id:
        apply_status(ticket, target, actor, now)
    ticket.purge_at = None
    ticket.previous_status = None
    touch(ticket, now, {"purge_at", "previous_status"})
    record(ticket, actor, "restored", None, {"status": target.name}, at=now)
    return ticket
