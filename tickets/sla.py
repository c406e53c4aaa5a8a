"""SLA of SPEC §6: which plan applies to a ticket, when it is due, and when it is late.

The functions above `apply_sla` decide and never touch the database; `apply_sla` is the one
place that writes their answers onto a ticket an action is changing. The overdue sweep
(`tickets.jobs.flag_overdue`) applies `is_overdue`'s rule to every ticket at once in SQL.

- The plan: the active plan of the ticket's priority and category, else the active plan of
  its priority with no category, else none (no due times, never overdue).
- Due times count from creation: first response after `first_response_hours`, resolution
  after `resolution_hours`; a new priority or category re-plans from creation again.
- The next response: once staff have answered publicly, a customer's reply starts a clock of
  `next_response_hours` (a second customer reply before the answer keeps the first's due
  time); the next public staff reply meets it and clears the due time. Internal notes never
  count. A new plan counts it again from the first unanswered customer reply.
- Time spent in a `pending` status does not count: entering one stops the clock
  (`sla_paused_at`), leaving it pushes the due times forward by the pause (a customer's
  reply while pending counts from when the pause ends).
- Only tickets in `new` or `open` statuses and not paused can be overdue: past the
  resolution due time, past the first-response due time without a public staff reply, or
  past the next-response due time. A resolved or closed ticket keeps its due time but is
  never overdue.
- A plan with a business calendar counts only working time: the calendar's hours per
  weekday in its time zone (wall-clock, so correct across daylight-saving changes), no
  holidays, and no paused time (`working_intervals`, `add_working_time`).
"""

import zoneinfo
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Min, Q, Subquery

from accounts.models import Role

from .models import BusinessCalendar, Message, SLAPlan, StatusKind, Ticket, TicketEvent

# The clock runs, and a ticket can be overdue, only in these kinds.
RUNNING_KINDS = frozenset({StatusKind.NEW, StatusKind.OPEN})
# The clock stops in these kinds and the due times move on by the time spent there.
PAUSED_KINDS = frozenset({StatusKind.PENDING})
# What `apply_sla` may change, as field names for `save(update_fields=...)`.
SLA_FIELDS = (
    "sla_plan",
    "first_response_due_at",
    "first_response_at",
    "next_response_due_at",
    "sla_due_at",
    "sla_paused_at",
    "overdue",
)
# The `reply` of `apply_sla`: who posted a public message.
STAFF_REPLY, CUSTOMER_REPLY = "staff", "customer"


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
    """The moment `hours` counted hours after `start`, around the clock (no calendar)."""
    return start + timedelta(hours=hours)


# How far ahead working time is looked for: a calendar with no working day in this span
# (holidays everywhere) has no due time.
_HORIZON_DAYS = 3 * 366


class Hours:
    """A calendar read once: zone, ranges per weekday and holidays, for the pure functions below."""

    def __init__(self, time_zone: str, working_hours: dict, holidays: Iterable[date] = ()):
        self.zone = zoneinfo.ZoneInfo(time_zone)
        self.ranges = {
            int(day): [(_parse(a), _parse(b)) for a, b in pairs] for day, pairs in working_hours.items()
        }
        self.holidays = frozenset(holidays)

    @classmethod
    def of(cls, calendar: BusinessCalendar | None) -> "Hours | None":
        if calendar is None:
            return None
        days = calendar.holidays.values_list("date", flat=True)
        return cls(calendar.time_zone, calendar.working_hours, days)


def _parse(hhmm: str) -> timedelta:
    hours, minutes = hhmm.split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))


def _wall(day: date, offset: timedelta, zone) -> datetime:
    """`offset` after local midnight of `day` on the wall clock, as UTC (24:00 is next midnight)."""
    base = day + timedelta(days=offset.days)
    local = datetime.combine(base, time(), tzinfo=zone) + timedelta(seconds=offset.seconds)
    return local.astimezone(UTC)  # aware + timedelta is wall-clock arithmetic: DST-safe here


def working_intervals(hours: "Hours | None", start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working time from `start` on, as ordered UTC (from, to) intervals; endless without a calendar."""
    start = start.astimezone(UTC)
    if hours is None:
        yield start, datetime.max.replace(tzinfo=UTC)
        return
    first_day = start.astimezone(hours.zone).date()
    for n in range(-1, _HORIZON_DAYS):  # the day before: a range of it may run past midnight in UTC
        day = first_day + timedelta(days=n)
        if day in hours.holidays:
            continue
        for a, b in hours.ranges.get(day.weekday(), ()):
            begin, end = _wall(day, a, hours.zone), _wall(day, b, hours.zone)
            if end > start and end > begin:
                yield max(begin, start), end


def _minus_pauses(begin: datetime, end: datetime, pauses: list[tuple[datetime, datetime]]):
    """The parts of [begin, end) outside every pause (pauses ordered by start)."""
    for p_start, p_end in pauses:
        if p_end <= begin or p_start >= end:
            continue
        if p_start > begin:
            yield begin, p_start
        begin = max(begin, p_end)
        if begin >= end:
            return
    yield begin, end


def add_working_time(
    hours: "Hours | None",
    start: datetime,
    amount: timedelta,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> datetime | None:
    """The moment `amount` of working time after `start`, time inside `pauses` not counting."""
    pauses = sorted(pauses)
    remaining = amount
    if hours is None and not pauses:
        return start + amount
    for begin, end in working_intervals(hours, start):
        for part_begin, part_end in _minus_pauses(begin, end, pauses):
            if part_end - part_begin >= remaining:
                return part_begin + remaining
            remaining -= part_end - part_begin
    return None


def working_time_between(hours: "Hours | None", start: datetime, end: datetime) -> timedelta:
    """Working time from `start` to `end` (zero if `end` is not later)."""
    total = timedelta(0)
    if end <= start:
        return total
    for begin, stop in working_intervals(hours, start):
        if begin >= end:
            break
        total += min(stop, end) - begin
    return total


def due_times(
    plan: SLAPlan | None,
    start: datetime,
    paused: timedelta = timedelta(0),
    *,
    hours: "Hours | None" = None,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> tuple[datetime | None, datetime | None]:
    """(first response due, resolution due) of a ticket created at `start` under `plan`.

    Without a calendar (`hours`) the due times count every hour and add `paused`; with one,
    they count working time outside the `pauses` intervals.
    """
    if plan is None:
        return None, None

    def due(target: int) -> datetime | None:
        if hours is None:
            return add_hours(start, target) + paused
        return add_working_time(hours, start, timedelta(hours=target), pauses)

    first = None if plan.first_response_hours is None else due(plan.first_response_hours)
    return first, due(plan.resolution_hours)


def next_response_due(
    plan: SLAPlan | None,
    start: datetime,
    *,
    hours: "Hours | None" = None,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> datetime | None:
    """When the staff reply to a customer reply of `start` is due under `plan` (None: no target)."""
    if plan is None or plan.next_response_hours is None:
        return None
    return add_working_time(hours, start, timedelta(hours=plan.next_response_hours), pauses)


def pending_due_times(ticket: Ticket) -> list[tuple[str, datetime]]:
    """The due times still to meet, soonest first, as (target, when): the first response until
    met, the next response while a customer waits, and the resolution."""
    dues = [
        ("first response", None if ticket.first_response_at else ticket.first_response_due_at),
        ("next response", ticket.next_response_due_at),
        ("resolution", ticket.sla_due_at),
    ]
    return sorted(((target, due) for target, due in dues if due is not None), key=lambda pair: pair[1])


def pause_intervals(
    changes: Iterable[tuple[str | None, str | None, datetime]],
) -> list[tuple[datetime, datetime]]:
    """Finished pauses as (from, to), from (kind left, kind entered, when) status changes in order."""
    found, since = [], None
    for left, entered, at in changes:
        if entered in PAUSED_KINDS and left not in PAUSED_KINDS:
            since = at
        elif left in PAUSED_KINDS and entered not in PAUSED_KINDS and since is not None:
            found.append((since, at))
            since = None
    return found


def paused_time(changes: Iterable[tuple[str | None, str | None, datetime]]) -> timedelta:
    """Time spent in paused kinds, from (kind left, kind entered, when) status changes in order.

    A pause still going on is not counted: leaving it adds it to the due times.
    """
    return sum((end - start for start, end in pause_intervals(changes)), timedelta(0))


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    """Past a due time while the clock runs (the sweep's SQL states the same rule)."""
    if ticket.sla_paused_at is not None or ticket.status.kind not in RUNNING_KINDS:
        return False
    if ticket.sla_due_at is not None and ticket.sla_due_at < now:
        return True
    if ticket.next_response_due_at is not None and ticket.next_response_due_at < now:
        return True
    first_due = ticket.first_response_due_at
    return ticket.first_response_at is None and first_due is not None and first_due < now


def apply_sla(ticket: Ticket, now: datetime, *, replan: bool = False, reply: str | None = None) -> set[str]:
    """Bring a ticket's SLA columns in line with its status, priority, category and replies.

    Call it on the ticket an action holds, after the action changed it; it sets the columns
    and returns the names of those that changed, for the action to save. `replan` (a new
    ticket, priority or category) chooses the plan again and recomputes the due times;
    `reply` (STAFF_REPLY or CUSTOMER_REPLY) is a public message just posted.
    """
    before = {name: _value(ticket, name) for name in SLA_FIELDS}
    _follow_pause(ticket, now)
    if replan:
        _replan(ticket)
    if reply is not None:
        _follow_reply(ticket, now, reply)
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
        hours = _hours_of(ticket.sla_plan)
        if hours is None:
            pause = now - ticket.sla_paused_at
            if ticket.sla_due_at is not None:
                ticket.sla_due_at += pause
            if ticket.first_response_due_at is not None and ticket.first_response_at is None:
                ticket.first_response_due_at += pause
            if ticket.next_response_due_at is not None:
                ticket.next_response_due_at += pause
        else:  # the working time left when the clock stopped is counted again from now
            ticket.sla_due_at = _resume(hours, ticket.sla_due_at, ticket.sla_paused_at, now)
            if ticket.first_response_at is None:
                ticket.first_response_due_at = _resume(
                    hours, ticket.first_response_due_at, ticket.sla_paused_at, now
                )
            ticket.next_response_due_at = _resume(
                hours, ticket.next_response_due_at, ticket.sla_paused_at, now
            )
        ticket.sla_paused_at = None


def _resume(hours: Hours, due: datetime | None, paused_at: datetime, now: datetime) -> datetime | None:
    if due is None or due <= paused_at:
        return due  # already past when paused: the pause does not move it
    return add_working_time(hours, now, working_time_between(hours, paused_at, due)) or due


def _hours_of(plan: SLAPlan | None) -> Hours | None:
    """The working hours of a plan, or None (around the clock)."""
    return Hours.of(plan.calendar) if plan is not None and plan.calendar_id else None


def _follow_reply(ticket: Ticket, now: datetime, reply: str) -> None:
    """A public staff reply meets the first and the next response; a customer's reply after
    staff answered starts the next-response clock, unless an earlier one already runs."""
    if reply == STAFF_REPLY:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        ticket.next_response_due_at = None
    elif ticket.first_response_at is not None and ticket.next_response_due_at is None:
        plan = ticket.sla_plan if ticket.sla_plan_id else None
        if plan is not None and plan.next_response_hours is not None:
            ticket.next_response_due_at = _next_response_from(ticket, plan, _hours_of(plan), now)


def _next_response_from(ticket: Ticket, plan, hours, since: datetime, pauses=()) -> datetime | None:
    """The next response due for customer replies waiting `since`, on a ticket maybe paused now.

    While paused the clock counts from when it stopped, so that leaving the pause
    (`_follow_pause`) moves the due time on by the pause, as it does the others.
    """
    paused_at = ticket.sla_paused_at
    start = min(since, paused_at) if paused_at is not None else since
    return next_response_due(plan, start, hours=hours, pauses=pauses)


def _waiting_since(ticket: Ticket) -> datetime | None:
    """When the customer's unanswered replies began: their first public message after the last
    public staff one (None while no staff reply came, or the last public word is staff's)."""
    public = Message.objects.filter(ticket_id=ticket.pk, internal=False)
    last_staff = public.filter(author__role__in=(Role.ADMIN, Role.STAFF)).order_by("-created_at")
    waiting = public.filter(
        author__role=Role.CUSTOMER, created_at__gt=Subquery(last_staff.values("created_at")[:1])
    )
    return waiting.aggregate(since=Min("created_at"))["since"]


def _replan(ticket: Ticket) -> None:
    """Choose the plan again and count the due times from creation, plus past pauses.

    The past pauses are read from the status history rather than from the old due times,
    so a plan an admin has since changed or removed does not skew them. A first response
    already given keeps the due time it was measured against.
    """
    candidates = SLAPlan.objects.select_related("calendar").filter(
        Q(category_id=ticket.category_id) | Q(category__isnull=True),
        active=True,
        priority_id=ticket.priority_id,
    )
    plan = choose_plan(candidates, ticket.priority_id, ticket.category_id)
    paused, pauses = timedelta(0), []
    if ticket.pk is not None and plan is not None:
        rows = TicketEvent.objects.filter(ticket_id=ticket.pk, action="status").order_by("at", "id")
        changes = [
            ((before or {}).get("kind"), (after or {}).get("kind"), at)
            for before, after, at in rows.values_list("before", "after", "at")
        ]
        paused, pauses = paused_time(changes), pause_intervals(changes)
    hours = _hours_of(plan)
    first, resolution = due_times(plan, ticket.created_at, paused, hours=hours, pauses=pauses)
    ticket.sla_plan = plan
    if ticket.first_response_at is None:
        ticket.first_response_due_at = first
    ticket.sla_due_at = resolution
    waiting = None
    if plan is not None and plan.next_response_hours is not None and ticket.first_response_at is not None:
        waiting = _waiting_since(ticket)  # the replies waiting since then get the new plan's target
    next_due = None if waiting is None else _next_response_from(ticket, plan, hours, waiting, pauses)
    ticket.next_response_due_at = next_due
