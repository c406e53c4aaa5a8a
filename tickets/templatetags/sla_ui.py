"""Presentation of SLA due times: "in 3 hours" ahead, "2 hours ago" once past."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

register = template.Library()


@register.filter
def due_relative(due: datetime | None) -> str:
    """How far a due time is from now, in words, with its direction."""
    if due is None:
        return ""
    now = timezone.now()
    if due > now:
        return f"in {timeuntil(due, now, depth=1)}"
    return f"{timesince(due, now, depth=1)} ago"
