"""Business-hours calendars of SLA plans (issue 11): admins add and change them and their holidays."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from ..errors import ActionRefused
from ..models import BusinessCalendar, Holiday
from ..models_workflow import validate_time_zone, validate_working_hours
from .catalogue import check_text, require_admin


@transaction.atomic
def save_business_calendar(
    *, actor, name: str, time_zone: str, working_hours: dict, calendar: BusinessCalendar | None = None
) -> BusinessCalendar:
    """Add a calendar, or change `calendar`; SLA plans using it count the new hours from now on."""
    require_admin(actor, "Changing business calendars")
    name = check_text("name", name, 100)
    for field, value, validate in (
        ("time_zone", time_zone, validate_time_zone),
        ("working_hours", working_hours, validate_working_hours),
    ):
        try:
            validate(value)
        except (ValidationError, TypeError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else "Invalid value."
            raise ActionRefused(message, "invalid", field) from exc
    twins = BusinessCalendar.objects.filter(name=name)
    if calendar is not None:
        twins = twins.exclude(pk=calendar.pk)
    if twins.exists():
        raise ActionRefused("A calendar of this name exists already.", "invalid", "name")
    values = {"name": name, "time_zone": time_zone, "working_hours": working_hours}
    if calendar is None:
        return BusinessCalendar.objects.create(**values)
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    for field, value in values.items():
        setattr(calendar, field, value)
    calendar.save(update_fields=list(values))
    return calendar


@transaction.atomic
def add_holiday(*, actor, calendar: BusinessCalendar, date: datetime.date, name: str = "") -> Holiday:
    """A day off in `calendar` (its working hours on that date do not count)."""
    require_admin(actor, "Changing business calendars")
    if not isinstance(date, datetime.date):
        raise ActionRefused("Give a date.", "invalid", "date")
    if Holiday.objects.filter(calendar=calendar, date=date).exists():
        raise ActionRefused("This day is a holiday already.", "invalid", "date")
    name = check_text("name", name, 100) if name else ""
    return Holiday.objects.create(calendar=calendar, date=date, name=name)
