"""Reopen after close as a linked follow-up (issue 11).

A customer who can no longer reply to a ticket (closed, or resolved past its reopen
window) opens a new ticket instead: same category, type and item, linked `related_to` the
old one, so the history is one click away rather than a dead end.
"""

from django.db import transaction
from django.utils import timezone

from ..errors import ActionRefused
from ..lifecycle import reply_window_closed, require_party
from ..models import HIDDEN_KINDS, HelpdeskSettings, Ticket
from ._common import lock_ticket, record
from .create import create_ticket


@transaction.atomic
def create_follow_up(*, actor, closed: Ticket, subject: str, description: str, files=()) -> Ticket:
    """Open a new ticket following up `closed` (which the actor is a party to); return it."""
    from links.models import LinkType, TicketLink  # links builds on tickets

    closed = lock_ticket(closed)
    if closed.status.kind in HIDDEN_KINDS:
        raise ActionRefused(f"There is no ticket #{closed.pk}.", "not_found")
    if not getattr(actor, "is_agent", False):
        require_party(closed, actor, "follow up this ticket")
    if not reply_window_closed(closed, HelpdeskSettings.load(), timezone.now()):
        raise ActionRefused(f"Ticket #{closed.pk} is still open: reply on it instead.", "invalid")
    requester = None if closed.requester_id == getattr(actor, "pk", None) else closed.requester
    ticket = create_ticket(
        actor=actor,
        subject=subject,
        description=description,
        category=closed.category,
        type=closed.type,
        item=closed.item,
        requester=requester if getattr(actor, "is_agent", False) else None,
        files=files,
    )
    now = timezone.now()
    TicketLink.objects.create(source=ticket, target=closed, type=LinkType.RELATED_TO, created_at=now)
    TicketLink.objects.create(source=closed, target=ticket, type=LinkType.RELATED_TO, created_at=now)
    record(ticket, actor, "follow_up", None, {"of": closed.pk}, at=now)
    record(closed, actor, "follow_up", None, {"by": ticket.pk}, at=now)
    return ticket
