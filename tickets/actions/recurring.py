"""Recurring tickets: save and delete a schedule (admins), plan its next occurrence, and open
the ticket of a due one exactly once."""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import ActionRefused
from ..models import RecurringRun, RecurringTicket
from ..recurring import next_occurrence
from ._common import record
from ._config import delete_config, save_config
from .assignment import assign_ticket
from .create import check_cti, create_ticket

log = logging.getLogger(__name__)
WHAT = "Changing recurring tickets"
NEVER_HAPPENS = "This schedule never happens; check its day and month."
# The fields a caller may set, in the order the API shows them.
RECURRING_FIELDS = (
    "name",
    "schedule",
    "weekday",
    "day_of_month",
    "cron",
    "time_of_day",
    "time_zone",
    "subject",
    "description",
    "category",
    "type",
    "item",
    "priority",
    "team",
    "assignee",
    "requester",
    "created_by",
    "active",
)


@transaction.atomic
def save_recurring_ticket(
    *, actor, recurring: RecurringTicket | None = None, now: datetime | None = None, **values
) -> RecurringTicket:
    """Add a recurring ticket (opened as `actor` unless `created_by` says who), or change the
    given fields of `recurring`; then plan its next occurrence as saved.

    The schedule is checked by the model (`tickets.recurring.check_schedule`, as in admin), the
    template as a ticket would be: the category → type → item cascade, staff to assign to and
    open it as, an active requester.
    """
    unknown = sorted(set(values) - set(RECURRING_FIELDS))
    if unknown:
        raise ActionRefused("Unknown field.", "invalid", unknown[0])
    if recurring is None:
        values.setdefault("created_by", actor)
    recurring = save_config(
        actor=actor,
        instance=recurring or RecurringTicket(),
        values=values,
        what=WHAT,
        check=check_recurring_template,
    )
    return plan_recurring_ticket(recurring, now)


def check_recurring_template(recurring: RecurringTicket) -> None:
    """The template as a ticket would be checked: cascade, staff, an active requester; and a
    schedule that happens at all. Admin's form runs it too."""
    check_cti(recurring.category, recurring.type, recurring.item)
    for field in ("assignee", "created_by"):
        user = getattr(recurring, field)
        if user is not None and not (user.is_active and user.is_agent):
            raise ActionRefused("Choose an active staff member.", "invalid", field)
    if not recurring.requester.is_active:
        raise ActionRefused("Choose an active requester.", "invalid", "requester")
    try:
        next_occurrence(recurring, timezone.now())
    except ValueError as exc:  # a cron expression no date matches (30 February): never fires
        raise ActionRefused(NEVER_HAPPENS, "invalid", "cron") from exc


@transaction.atomic
def delete_recurring_ticket(*, actor, recurring: RecurringTicket) -> None:
    """Delete a recurring ticket and its runs; the tickets it opened stay."""
    delete_config(actor=actor, instance=recurring, what=WHAT)


def plan_recurring_ticket(recurring: RecurringTicket, now: datetime | None = None) -> RecurringTicket:
    """Set the next occurrence after `now` (an admin saved the schedule, or it was switched on)."""
    now = now or timezone.now()
    recurring.next_run_at = next_occurrence(recurring, now) if recurring.active else None
    if recurring.pk:
        RecurringTicket.objects.filter(pk=recurring.pk).update(next_run_at=recurring.next_run_at)
    return recurring


@transaction.atomic
def open_recurring_ticket(*, recurring_id: int, now: datetime | None = None) -> RecurringRun | None:
    """Open the ticket of the recurring schedule's due occurrence, then plan the next one.

    Idempotent per occurrence: the run row (unique per schedule and occurrence) is inserted
    before the ticket is created, so a second run at once, or later, opens nothing. Occurrences
    missed while the jobs were stopped are caught up by one ticket, not one for each.
    A template the desk refuses (say, a category since deactivated) leaves the reason on the run.
    """
    now = now or timezone.now()
    recurring = (
        RecurringTicket.objects.select_for_update(skip_locked=True)
        .filter(pk=recurring_id, active=True, next_run_at__lte=now)
        .first()
    )
    if recurring is None:
        return None  # not due, switched off, or another run holds it
    occurrence = recurring.next_run_at
    run = None
    try:
        with transaction.atomic():
            run = RecurringRun.objects.create(recurring=recurring, occurrence_at=occurrence, created_at=now)
    except IntegrityError:
        log.info("recurring %s: occurrence %s was opened already", recurring.pk, occurrence)
    if run is not None:
        _open(recurring, run, occurrence)
    recurring.next_run_at = next_occurrence(recurring, now)
    recurring.last_run_at = now
    recurring.save(update_fields=["next_run_at", "last_run_at"])
    return run


def _open(recurring: RecurringTicket, run: RecurringRun, occurrence: datetime) -> None:
    actor = recurring.created_by
    try:
        with transaction.atomic():
            ticket = create_ticket(
                actor=actor,
                subject=recurring.subject,
                description=recurring.description,
                category=recurring.category,
                type=recurring.type,
                item=recurring.item,
                priority=recurring.priority,
                requester=None if recurring.requester_id == actor.pk else recurring.requester,
            )
            after = {"id": recurring.pk, "name": recurring.name, "occurrence": occurrence.isoformat()}
            record(ticket, actor, "recurring", None, after)
            changes = {}
            if recurring.assignee_id:
                changes["assignee"] = recurring.assignee
            if recurring.team_id:
                changes["team"] = recurring.team
            if changes:
                assign_ticket(ticket=ticket, actor=actor, **changes)
    except ActionRefused as refused:
        run.error = f"{refused.field + ': ' if refused.field else ''}{refused.reason}"
        run.save(update_fields=["error"])
        log.warning("recurring %s refused: %s", recurring.pk, run.error)
        return
    run.ticket = ticket
    run.save(update_fields=["ticket"])


def open_due_recurring_tickets(now: datetime | None = None, progress: Callable | None = None) -> int:
    """The job: open the ticket of every due recurring schedule; return how many were opened."""
    now = now or timezone.now()
    due = RecurringTicket.objects.filter(active=True, next_run_at__lte=now).order_by("next_run_at", "pk")
    opened = 0
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        run = open_recurring_ticket(recurring_id=pk, now=now)
        if run is not None and run.ticket_id:
            opened += 1
            if progress:
                progress(opened)
    return opened
