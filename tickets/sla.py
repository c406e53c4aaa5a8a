"""SLA of SPEC §6: which plan applies to a ticket, when it is due, and when it is late.

The functions above `apply_sla` decide and never touch the database; `apply_sla` is the one
place that writes their answers onto a ticket an action is changing. The overdue sweep
(`tickets.jobs.flag_overdue`) applies `is_overdue`'s rule to every ticket at once in SQL.

- The plan: the active plan of the ticket's priority and category, else the active plan of
  its priority with no category, else none (no due times, never overdue).
- Due times count from creation: first response after `first_response_hours`, resolution
  after `resolution_hours`; a new priority or category re-plans from creation again.
- Time spent in a `pending` status does not count: entering one stops the clock
  (`sla_paused_at`), leaving it pushes the due times forward by the pause.
- Only tickets in `new` or `open` statuses and not paused can be overdue: past the
  resolution due time, or past the first-response due time without a public staff reply.
  A resolved or closed ticket keeps its due time but is never overdue.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Q

from .models import SLAPlan, StatusKind, Ticket, TicketEvent

# The clock runs, and a ticket can be overdue, only in these kinds.
RUNNING_KINDS = frozenset({StatusKind.NEW, StatusKind.OPEN})
# The clock stops in these kinds and the due times move on by the time spent there.
PAUSED_KINDS = frozenset({StatusKind.PENDING})
# What `apply_sla` may change, as field names for `save(update_fields=...)`.
SLA_FIELDS = ("sla_plan", "first_response_due_at", "sla_due_at", "sla_paused_at", "overdue")


def choose_plan(plans: Iterable[SLAPlan], priority_id: int, category_id: int | None) -> SLAPlan | None:
    """The plan for a priority and category: category-specific first, then priority-only."""
    fallback = None
    for plan in sorted(plans, key=lambda p: p.pk):
        if not plan.active or plan.priority_id != priority_id:
            continue
        if category_id is not None and plan.category_id == category_id:
            return plan
        if plan.category_id is None and fallback is None:
            fallback = plan
    return fallback


def add_hours(start: datetime, hours: int) -> datetime:
    """The moment `hours` counted hours after `start`.

    Calendar hours for now; a business-hours calendar replaces this one function.
    """
    return start + timedelta(hours=hours)


def due_times(
    plan: SLAPlan | None, start: datetime, paused: timedelta = timedelta(0)
) -> tuple[datetime | None, datetime | None]:
    """(first response due, resolution due) of a ticket created at `start` under `plan`."""
    if plan is None:
        return None, None
    first = None
    if plan.first_response_hours is not None:
        first = add_hours(start, plan.first_response_hours) + paused
    return first, add_hours(start, plan.resolution_hours) + paused


def paused_time(changes: Iterable[tuple[str | None, str | None, datetime]]) -> timedelta:
    """Time spent in paused kinds, from (kind left, kind entered, when) status changes in order.

    A pause still going on is not counted: leaving it adds it to the due times.
    """
    total, since = timedelta(0), None
    for left, entered, at in changes:
        if entered in PAUSED_KINDS and left not in PAUSED_KINDS:
            since = at
        elif left in PAUSED_KINDS and entered not in PAUSED_KINDS and since is not None:
            total += at - since
            since = None
    return total


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    """Past a due time while the clock runs (the sweep's SQL states the same rule)."""
    if ticket.sla_paused_at is not None or ticket.status.kind not in RUNNING_KINDS:
        return False
    if ticket.sla_due_at is not None and ticket.sla_due_at < now:
        return True
    first_due = ticket.first_response_due_at
    return ticket.first_response_at is None and first_due is not None and first_due < now


def apply_sla(ticket: Ticket, now: datetime, *, replan: bool = False) -> set[str]:
    """Bring a ticket's SLA columns in line with its status, priority and category.

    Call it on the ticket an action holds, after the action changed it; it sets the columns
    and returns the names of those that changed, for the action to save. `replan` (a new
    ticket, priority or category) chooses the plan again and recomputes the due times.
    """
    before = {name: _value(ticket, name) for name in SLA_FIELDS}
    _follow_pause(ticket, now)
    if replan:
        _replan(ticket)
    ticket.overdue = is_overdue(ticket, now)
    return {name for name in SLA_FIELDS if _value(ticket, name) != before[name]}


def _value(ticket: Ticket, name: str):
    return ticket.sla_plan_id if name == "sla_plan" else getattr(ticket, name)


def _follow_pause(ticket: Ticket, now: datetime) -> None:
    """Stop the clock in a paused kind; on leaving it, move the due times by the pause."""
    paused = ticket.status.kind in PAUSED_KINDS
    if paused and ticket.sla_paused_at is None:
        ticket.sla_paused_at = now
    elif not paused and ticket.sla_paused_at is not None:
        pause = now - ticket.sla_paused_at
        if ticket.sla_due_at is not None:
            ticket.sla_due_at += pause
        if ticket.first_response_due_at is not None and ticket.first_response_at is None:
            ticket.first_response_due_at += pause
        ticket.sla_paused_at = None


def _replan(ticket: Ticket) -> None:
    """Choose the plan again and count the due times from creation, plus past pauses.

    The past pauses are read from the status history rather than from the old due times,
    so a plan an admin has since changed or removed does not skew them. A first response
    already given keeps the due time it was measured against.
    """
    candidates = SLAPlan.objects.filter(
        Q(category_id=ticket.category_id) | Q(category__isnull=True),
        active=True,
        priority_id=ticket.priority_id,
    )
    plan = choose_plan(candidates, ticket.priority_id, ticket.category_id)
    paused = timedelta(0)
    if ticket.pk is not None and plan is not None:
        rows = TicketEvent.objects.filter(ticket_id=ticket.pk, action="status").order_by("at", "id")
        paused = paused_time(
            ((before or {}).get("kind"), (after or {}).get("kind"), at)
            for before, after, at in rows.values_list("before", "after", "at")
        )
    first, resolution = due_times(plan, ticket.created_at, paused)
    ticket.sla_plan = plan
    if ticket.first_response_at is None:
        ticket.first_response_due_at = first
    ticket.sla_due_at = resolution
