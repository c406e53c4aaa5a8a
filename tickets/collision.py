"""Collision detection for staff replies: what others did to a ticket since a page was loaded."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime

from .models import Ticket, TicketEvent
from .templatetags.helpdesk_ui import event_label

LIMIT = 10
WHAT = {"reply": "replied", "note": "added an internal note"}


@dataclass
class Change:
    at: datetime
    who: str
    what: str


def parse_loaded_at(value: str | None) -> datetime | None:
    """The `loaded_at` the reply form carried (the ticket's updated_at at page load), or None."""
    try:
        parsed = parse_datetime(value or "")
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def changes_since(ticket: Ticket, user, since: datetime) -> list[Change]:
    """History lines (replies, notes, changes) by someone other than `user` after `since`.

    Costs no query when the ticket has not been written since; the user's own changes (made in
    another tab or through htmx on the same page) are not collisions. Oldest first, at most 10.
    """
    if ticket.updated_at <= since:
        return []
    events = (
        TicketEvent.objects.filter(ticket=ticket, at__gt=since)
        .exclude(actor_id=user.pk)
        .select_related("actor")
        .order_by("-at", "-id")[:LIMIT]
    )
    return [
        Change(
            e.at,
            e.actor.display_name if e.actor_id else "System",
            WHAT.get(e.action) or event_label(e.action),
        )
        for e in reversed(events)
    ]
