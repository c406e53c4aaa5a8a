"""Helpers of the API tests: URLs and a snapshot of everything a refused call must not touch."""

from attachments.models import Attachment
from tickets.models import Favorite, Message, Survey, Ticket, TicketEvent


def url(ticket, action: str = "") -> str:
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return f"/api/v1/tickets/{pk}/{action + '/' if action else ''}"


def state(ticket=None) -> tuple:
    """The rows of the ticket and the size of every table an action writes to."""
    row = Ticket.objects.filter(pk=ticket.pk).values().get() if ticket is not None else None
    tags = sorted(Ticket.objects.get(pk=ticket.pk).tags.values_list("name", flat=True)) if ticket else None
    counts = tuple(
        model.objects.count() for model in (Ticket, Message, TicketEvent, Survey, Favorite, Attachment)
    )
    return row, tags, counts


# Everyone but an admin, with the answer of an admin-only endpoint (401 without credentials).
NOT_ADMINS = [("bob", 403), ("carol", 403), ("dave", 403), ("erin", 403), (None, 401)]


def caller(api, people, who):
    """An API client logged in as the persona `who` (None: anonymous)."""
    return api(getattr(people, who)) if who else api()
