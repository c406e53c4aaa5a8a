"""What every ticket action shares: the row lock, the history row, and queued email."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import (
    HIDDEN_KINDS,
    SURVEY_KINDS,
    UNFAVOURITE_KINDS,
    Favorite,
    HelpdeskSettings,
    Status,
    StatusKind,
    Survey,
    Ticket,
    TicketEvent,
)


def lock_ticket(ticket: Ticket | int) -> Ticket:
    """Re-read the ticket with its row locked until the transaction ends.

    Every action decides on this fresh copy, so two people acting at once are serialised
    and the second decides on what the first wrote (no lost update).
    """
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("status", "status__customer_reply_moves_to", "category", "type", "priority")
        .get(pk=pk)
    )


def record(ticket: Ticket, actor, action: str, before=None, after=None, at: datetime | None = None):
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        before=before,
        after=after,
        at=at or timezone.now(),
    )


def status_ref(status: Status | None):
    return None if status is None else {"id": status.pk, "name": status.name, "kind": status.kind}


def touch(ticket: Ticket, now: datetime, fields: Iterable[str]) -> None:
    ticket.updated_at = now
    ticket.save(update_fields=sorted({*fields, "updated_at"}))


def notify(kind: str, ticket: Ticket, **ids) -> None:
    """Queue an email for after the commit; the task re-reads and decides the recipients."""
    from ..tasks import send_notification_task

    ticket_id = ticket.pk
    transaction.on_commit(lambda: send_notification_task.delay(kind, ticket_id, **ids))


def apply_status(
    ticket: Ticket,
    to_status: Status,
    actor,
    now: datetime,
    *,
    fields: set[str] | None = None,
    event_extra: dict | None = None,
) -> None:
    """Move a locked ticket to a status with every side effect SPEC §3 ties to it.

    The only place a status changes: the surveys, favourites, reopen flag, closure schedule
    and purge time all follow from the kinds left and entered.
    """
    before = ticket.status
    fields = set(fields or ())
    old_kind, new_kind = before.kind, to_status.kind
    ticket.status = to_status
    fields.add("status")
    if ticket.closure_scheduled_at and new_kind != StatusKind.CLOSURE_SCHEDULED:
        ticket.closure_scheduled_at = None  # any other status cancels the schedule
        fields.add("closure_scheduled_at")
    if new_kind == StatusKind.RESOLVED:
        ticket.resolved_at = now
        ticket.reopened = False
        fields |= {"resolved_at", "reopened"}
    if new_kind == StatusKind.CLOSED:
        ticket.closed_at = now
        fields.add("closed_at")
    if old_kind in (StatusKind.RESOLVED, StatusKind.CLOSED) and new_kind in (
        StatusKind.NEW,
        StatusKind.OPEN,
        StatusKind.PENDING,
    ):
        ticket.reopened = True
        fields.add("reopened")
    if new_kind in HIDDEN_KINDS and old_kind not in HIDDEN_KINDS:
        desk = HelpdeskSettings.load()
        days = desk.spam_retention_days if new_kind == StatusKind.SPAM else desk.deleted_retention_days
        ticket.previous_status = before
        ticket.purge_at = now + timezone.timedelta(days=days)
        fields |= {"previous_status", "purge_at"}
    elif old_kind in HIDDEN_KINDS and new_kind not in HIDDEN_KINDS:
        ticket.purge_at = None
        ticket.previous_status = None
        fields |= {"purge_at", "previous_status"}
    touch(ticket, now, fields)
    sync_survey(ticket, old_kind, new_kind, now)
    if new_kind in UNFAVOURITE_KINDS:
        Favorite.objects.filter(ticket=ticket).delete()
    record(
        ticket,
        actor,
        "status",
        status_ref(before),
        {**status_ref(to_status), **(event_extra or {})},
        at=now,
    )


def sync_survey(ticket: Ticket, old_kind: str, new_kind: str, now: datetime) -> None:
    entering = new_kind in SURVEY_KINDS and old_kind not in SURVEY_KINDS
    leaving = old_kind in SURVEY_KINDS and new_kind not in SURVEY_KINDS
    if entering and not Survey.objects.filter(ticket=ticket, answered_at__isnull=True).exists():
        Survey.objects.create(ticket=ticket, created_at=now)
        notify("survey", ticket)
    elif leaving:
        Survey.objects.filter(ticket=ticket, answered_at__isnull=True).delete()
