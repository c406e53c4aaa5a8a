"""When recurring tickets fall due: schedules in local wall-clock time, safe across DST.

A schedule is read in its own time zone: "daily at 09:00 Europe/Berlin" is 08:00 UTC in winter
and 07:00 UTC in summer. Each local occurrence becomes one moment: a time that does not exist
on a spring-forward day (02:30) happens at the same offset as before the switch (03:30 local
time), a time that happens twice on a fall-back day happens once, the first time.

Cron expressions (five fields, local time) are read by croniter; daily, weekly and monthly
need no expression. A monthly day past the month's end (31 in April) falls on its last day.
"""

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from django.core.exceptions import ValidationError

from .models import RecurringTicket, Schedule

SEARCH_LIMIT = 5000  # candidate local times looked at before a schedule is deemed to never fire


def zone_of(recurring: RecurringTicket) -> ZoneInfo:
    try:
        return ZoneInfo(recurring.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": "Unknown time zone; give one like Europe/Berlin."})


def check_schedule(recurring: RecurringTicket) -> None:
    """Raise ValidationError naming the field when the schedule cannot be followed."""
    zone_of(recurring)
    kind = recurring.schedule
    if kind == Schedule.WEEKLY and recurring.weekday is None:
        raise ValidationError({"weekday": "Choose the weekday of a weekly schedule."})
    if kind == Schedule.MONTHLY and recurring.day_of_month is None:
        raise ValidationError({"day_of_month": "Choose the day of a monthly schedule."})
    if kind == Schedule.CRON:
        expression = (recurring.cron or "").strip()
        if len(expression.split()) != 5 or not croniter.is_valid(expression):
            raise ValidationError(
                {"cron": "Give five fields: minute hour day-of-month month day-of-week, e.g. 0 9 * * 1-5."}
            )
    if kind not in Schedule.values:
        raise ValidationError({"schedule": "Choose a schedule."})


def _next_local(recurring: RecurringTicket, after: datetime) -> datetime:
    """The first local wall-clock time of the schedule strictly after `after` (both naive)."""
    kind, at = recurring.schedule, recurring.time_of_day
    if kind == Schedule.CRON:
        return croniter(recurring.cron.strip(), after).get_next(datetime)
    day = after.date()
    for _ in range(400):
        if _matches(recurring, day) and datetime.combine(day, at) > after:
            return datetime.combine(day, at)
        day += timedelta(days=1)
    raise ValueError("The schedule never fires.")


def _matches(recurring: RecurringTicket, day: date) -> bool:
    if recurring.schedule == Schedule.WEEKLY:
        return day.weekday() == recurring.weekday
    if recurring.schedule == Schedule.MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(recurring.day_of_month, last)
    return True


def next_occurrence(recurring: RecurringTicket, after: datetime) -> datetime:
    """The first occurrence strictly after the moment `after`, in UTC."""
    zone = zone_of(recurring)
    # Start two hours early in local time: a local time skipped by the spring-forward switch
    # happens later than its wall-clock reading, so it may still lie ahead of `after`.
    local = after.astimezone(zone).replace(tzinfo=None) - timedelta(hours=2)
    for _ in range(SEARCH_LIMIT):
        local = _next_local(recurring, local)
        moment = local.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first of two, or the shifted one
        if moment > after:
            return moment
    raise ValueError("The schedule never fires.")
