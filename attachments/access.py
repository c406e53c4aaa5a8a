"""Who may download which attachment: the ticket's visibility, and staff-only notes."""

from django.http import Http404

from tickets.access import visible_tickets
from tickets.models import Ticket

from .models import Attachment


def access_attachment_by_id(user, attachment_id, *, guest_ticket: Ticket | None = None) -> Attachment:
    """Fetch an attachment of a ticket the user may see, or raise Http404.

    Attachments of internal notes and of deleted replies are for staff only, as the
    messages themselves are. `guest_ticket` is the hook for a guest's access link (SPEC §8):
    the ticket its `?token=` opens, seen as its requester sees it, in place of the user's
    own visibility.
    """
    if guest_ticket is not None:
        tickets, staff = Ticket.objects.filter(pk=guest_ticket.pk), False
    else:
        tickets, staff = visible_tickets(user), getattr(user, "is_agent", False)
    qs = Attachment.objects.filter(ticket__in=tickets)
    if not staff:
        qs = qs.exclude(message__internal=True).exclude(message__deleted=True)
    try:
        pk = int(attachment_id)
        if not 0 < pk < 2**63:
            raise ValueError(pk)
        return qs.get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such attachment.")
