"""Presentation of SLA due times: "in 3 hours" ahead, "2 hours ago" once past."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from ..sla import pending_due_times

register = template.Library()


@register.filter
def earliest_due(ticket) -> tuple[str, datetime] | None:
    """The soonest due time the ticket still has to meet, as (target, when), or None."""
    due = pending_due_times(ticket)
    return due[0] if due else None


@register.filter
def due_relative(due: datetime | None) -> str:
    """How far a due time is from now, in words, with its direction."""
    if due is None:
        return ""
    now = timezone.now()
    if due > now:
        return f"in {timeuntil(due, now, depth=1)}"
    return f"{timesince(due, now, depth=1)} ago"
