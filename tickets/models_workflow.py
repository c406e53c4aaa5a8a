"""Business-hours calendars for SLA plans, and automatic assignment per team (issue 11).

- BusinessCalendar: working hours per weekday in an IANA time zone; Holiday: days off.
  An SLA plan with a calendar counts only working time (tickets/sla.py).
- TeamRouting: how a team's new tickets get an assignee (tickets/routing.py);
  StaffStatus: a staff member marked away gets no automatic assignments.
"""

import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def validate_time_zone(value: str) -> None:
    """An IANA time zone name, e.g. Europe/Berlin."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"Unknown time zone {value!r}.") from exc


def validate_working_hours(value) -> None:
    """{"0": [["08:00", "18:00"]], ...}: weekday (0 = Monday) to ordered, non-overlapping ranges."""
    if not isinstance(value, dict):
        raise ValidationError("Working hours must map weekdays 0-6 to lists of [start, end] times.")
    any_range = False
    for day, ranges in value.items():
        if day not in {str(d) for d in range(7)}:
            raise ValidationError(f"Unknown weekday {day!r}: use 0 (Monday) to 6 (Sunday).")
        if not isinstance(ranges, list):
            raise ValidationError(f"Weekday {day}: a list of [start, end] ranges is expected.")
        last_end = ""
        for pair in ranges:
            if not (isinstance(pair, list | tuple) and len(pair) == 2):
                raise ValidationError(f"Weekday {day}: each range is [start, end].")
            start, end = pair
            if not (isinstance(start, str) and isinstance(end, str)):
                raise ValidationError(f"Weekday {day}: times are strings like 08:00.")
            if not _HHMM.match(start) or start == "24:00" or not _HHMM.match(end):
                raise ValidationError(f"Weekday {day}: times are HH:MM, 00:00 to 24:00.")
            if end <= start or start < last_end:
                raise ValidationError(f"Weekday {day}: ranges must be ordered and not overlap.")
            last_end = end
            any_range = True
    if not any_range:
        raise ValidationError("A calendar needs at least one working range.")


def default_working_hours():
    return {str(day): [["08:00", "18:00"]] for day in range(5)}


class BusinessCalendar(models.Model):
    """Working hours per weekday in a time zone; an SLA plan's clock runs only inside them."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    working_hours = models.JSONField(
        default=default_working_hours,
        validators=[validate_working_hours],
        help_text='Weekday (0 = Monday) to ranges, e.g. {"0": [["08:00", "18:00"]]}.',
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Holiday(models.Model):
    """A day off in a calendar's time zone: its working hours do not count."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="uniq_holiday_day")]

    def __str__(self):
        return f"{self.date} {self.name}".strip()


class RoutingMode(models.TextChoices):
    OFF = "off", "Off"
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_OPEN = "least_open", "Least open tickets"


class TeamRouting(models.Model):
    """How new tickets routed to a team get an assignee; locked while one is picked."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="routing")
    mode = models.CharField(max_length=20, choices=RoutingMode.choices, default=RoutingMode.OFF)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most open tickets a member may hold; empty for no limit."
    )
    last_assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "team routing"

    def __str__(self):
        return f"{self.team}: {self.get_mode_display()}"


class StaffStatus(models.Model):
    """A staff member's availability: away staff get no automatic assignments."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_status"
    )
    away = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "staff statuses"

    def __str__(self):
        return f"{self.user}: {'away' if self.away else 'available'}"


class SLAWarning(models.Model):
    """A breach warning emailed to the assignee for one due time (a moved due time warns again)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "due_at"], name="uniq_sla_warning")]

    def __str__(self):
        return f"#{self.ticket_id} due {self.due_at}"
