"""What every ticket action shares: the row lock, the history row, and queued email."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..automation import queue_automation
from ..errors import ActionRefused
from ..models import (
    HIDDEN_KINDS,
    SURVEY_KINDS,
    UNFAVOURITE_KINDS,
    WORKING_KINDS,
    Favorite,
    HelpdeskSettings,
    Status,
    StatusKind,
    Survey,
    Ticket,
    TicketEvent,
)
from ..sla import apply_sla
from ..webhooks import queue_webhooks
from ._context import current_via


def lock_ticket(ticket: Ticket | int) -> Ticket:
    """Re-read the ticket with its row locked until the transaction ends.

    Every action decides on this fresh copy, so two people acting at once are serialised
    and the second decides on what the first wrote (no lost update).

    Lock first, read after: a locking SELECT that joins the status would, when another
    transaction changed the status while we waited, re-check the join against the old
    status row and return no row at all (PostgreSQL's EvalPlanQual). The plain read that
    follows takes a new snapshot, so it sees what the other transaction committed.
    """
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    if not Ticket.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True):
        raise ActionRefused("This ticket no longer exists.", "not_found")
    return Ticket.objects.select_related(
        "status", "status__customer_reply_moves_to", "category", "type", "priority"
    ).get(pk=pk)


def lock_pair(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    """Lock two tickets, lowest id first: two people acting on the same pair from either side
    cannot deadlock; the second waits and then sees the first one's rows. Returned in the order given."""
    low, high = sorted((first.pk, second.pk))
    locked = {low: lock_ticket(low), high: lock_ticket(high)}
    return locked[first.pk], locked[second.pk]


def record(ticket: Ticket, actor, action: str, before=None, after=None, at: datetime | None = None):
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        before=before,
        after=after,
        at=at or timezone.now(),
        via=current_via(),  # e.g. "Automation: <rule>" while a rule acts
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
    if kind == "created":
        queue_webhooks("ticket.created", ticket)


def apply_status(
    ticket: Ticket,
    to_status: Status,
    actor,
    now: datetime,
    *,
    fields: set[str] | None = None,
    event_extra: dict | None = None,
    reason: str = "",
) -> None:
    """Move a locked ticket to a status with every side effect SPEC §3 ties to it.

    The only place a status changes: the surveys, favourites, reopen flag, closure schedule,
    purge time and the draft's held-back auto-response all follow from the kinds left and
    entered. `reason` is the closing reason (e.g. why a ticket was cancelled).
    """
    before = ticket.status
    fields = set(fields or ())
    extra = dict(event_extra or {})
    old_kind, new_kind = before.kind, to_status.kind
    ticket.status, ticket.status_kind = to_status, to_status.kind  # the kind is copied for the queues
    fields |= {"status", "status_kind"}
    fields |= apply_sla(ticket, now)  # pending stops the SLA clock; leaving it moves the due times
    if ticket.closure_scheduled_at and new_kind != StatusKind.CLOSURE_SCHEDULED:
        ticket.closure_scheduled_at = None  # any other status cancels the schedule
        fields.add("closure_scheduled_at")
    if new_kind == StatusKind.RESOLVED:
        ticket.resolved_at = now
        ticket.reopened = False
        fields |= {"resolved_at", "reopened"}
    if new_kind == StatusKind.CLOSED:
        ticket.closed_at, ticket.close_reason = now, reason[:255]
        fields |= {"closed_at", "close_reason"}
        if reason:
            extra["reason"] = ticket.close_reason
    if old_kind in (StatusKind.RESOLVED, StatusKind.CLOSED) and new_kind in WORKING_KINDS:
        ticket.reopened = True
        fields.add("reopened")
    fields |= _follow_deletion(ticket, before, old_kind, new_kind, now, extra)
    if ticket.archived_at is not None and new_kind != StatusKind.CLOSED:
        ticket.archived_at = None  # reopened (or hidden): back in the queues
        fields.add("archived_at")
    if ticket.preclose_warned_at is not None:
        ticket.preclose_warned_at = None  # a new resolution, or none, earns a new warning
        fields.add("preclose_warned_at")
    touch(ticket, now, fields)
    sync_survey(ticket, old_kind, new_kind, now)
    if new_kind in UNFAVOURITE_KINDS:
        Favorite.objects.filter(ticket=ticket).delete()
    if before.is_draft and not to_status.is_draft:
        notify("created", ticket)  # the auto-response a draft held back goes out on activation
    if new_kind == StatusKind.RESOLVED and old_kind not in HIDDEN_KINDS | {StatusKind.RESOLVED}:
        notify("resolved", ticket)  # the notes, the reopen window, "It's fixed" and "Still broken"
    record(ticket, actor, "status", status_ref(before), {**status_ref(to_status), **extra}, at=now)
    queue_webhooks("ticket.status_changed", ticket, before=status_ref(before), after=status_ref(to_status))
    queue_automation("status_changed", ticket, actor)


def _follow_deletion(ticket: Ticket, before: Status, old_kind, new_kind, now: datetime, extra: dict) -> set:
    """Set or clear the purge time as the ticket enters or leaves spam/deleted.

    Moving a deletion-scheduled ticket (closed, with a purge time) back to a live status
    cancels the deletion, as moving a closure-scheduled ticket cancels the closure.
    """
    if new_kind in HIDDEN_KINDS and old_kind not in HIDDEN_KINDS:
        desk = HelpdeskSettings.load()
        days = desk.spam_retention_days if new_kind == StatusKind.SPAM else desk.deleted_retention_days
        if not (ticket.purge_at and ticket.previous_status_id):
            ticket.previous_status = before  # a scheduled deletion already remembers its status
        ticket.purge_at = now + timedelta(days=days)
        return {"previous_status", "purge_at"}
    leaving_hidden = old_kind in HIDDEN_KINDS and new_kind not in HIDDEN_KINDS
    reviving = ticket.purge_at is not None and new_kind not in HIDDEN_KINDS | {StatusKind.CLOSED}
    if leaving_hidden or reviving:
        if not leaving_hidden:
            extra["deletion_cancelled"] = True
        ticket.purge_at = ticket.previous_status = None
        return {"purge_at", "previous_status"}
    return set()


def sync_survey(ticket: Ticket, old_kind: str, new_kind: str, now: datetime) -> None:
    entering = new_kind in SURVEY_KINDS and old_kind not in SURVEY_KINDS
    leaving = old_kind in SURVEY_KINDS and new_kind not in SURVEY_KINDS
    if entering and not Survey.objects.filter(ticket=ticket, answered_at__isnull=True).exists():
        Survey.objects.create(ticket=ticket, created_at=now)
        if old_kind not in HIDDEN_KINDS:  # a restored ticket's requester was asked already
            notify("survey", ticket)
    elif leaving:
        Survey.objects.filter(ticket=ticket, answered_at__isnull=True).delete()
