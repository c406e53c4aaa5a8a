"""Closing a resolved ticket from the resolution notice's "It's fixed, close it" link."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..closelinks import USED, check_close_link, link_actor, read_close_token
from ..errors import ActionRefused
from ..lifecycle import status_of_kind
from ..models import CloseLinkUse, StatusKind, Ticket
from ._common import apply_status, lock_ticket


@transaction.atomic
def close_ticket_by_link(*, token: str) -> Ticket:
    """Close the ticket a signed link names, as the person it was mailed to (no login).

    The link is the credential, so it names the actor. Refused with "not_found" for a link not
    made here, and with "gone" once used, after the reopen window, or when the ticket left
    that resolution (closed, reopened, resolved again).
    """
    link = read_close_token(token)
    actor = link_actor(link)
    # The ticket's lock serialises two clicks on the same link: the second sees the first's use.
    ticket = lock_ticket(link.ticket_id)
    now = timezone.now()
    check_close_link(link, ticket, actor, now)
    try:
        with transaction.atomic():
            CloseLinkUse.objects.create(ticket=ticket, token_hash=link.token_hash, used_by=actor, used_at=now)
    except IntegrityError as exc:
        raise ActionRefused(USED, "gone") from exc
    apply_status(ticket, status_of_kind(StatusKind.CLOSED), actor, now, event_extra={"close_link": True})
    return ticket
