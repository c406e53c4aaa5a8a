"""Guests (SPEC §8): opening a ticket without an account, and their access links."""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.actions import get_or_create_customer
from accounts.models import User

from ..errors import ActionRefused
from ..guests import hash_token, list_tickets_for_resend
from ..models import AccessToken, Category, HelpdeskSettings, Item, Priority, Ticket, TicketType
from ._common import record
from .create import create_ticket


def check_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ActionRefused("Enter a valid email address.", "invalid", "email")
    return User.objects.normalize_email(email).lower()


@transaction.atomic
def issue_access_token(*, ticket: Ticket) -> str:
    """Create an access link's token for the ticket and return it; only its hash is stored.

    The caller puts the returned token into one email and nowhere else (not a log, not a
    page): it is the whole credential.
    """
    token = secrets.token_urlsafe(32)
    AccessToken.objects.create(ticket=ticket, token_hash=hash_token(token), created_at=timezone.now())
    record(ticket, None, "access_link_sent", None, {"to": ticket.requester.email})
    return token


@transaction.atomic
def submit_guest_ticket(
    *,
    email: str,
    subject: str,
    description: str,
    category: Category | None,
    type: TicketType | None = None,
    item: Item | None = None,
    priority: Priority | None = None,
    name: str = "",
    files=(),
) -> Ticket:
    """Open a ticket from the public form, for the person of `email` (found, or created as a guest).

    The auto-response to a guest carries the access link (tickets.notifications): the link
    goes to the address, never back to whoever filled in the form, so only the address's
    owner can read the ticket.
    """
    if not HelpdeskSettings.load().guest_submission_enabled:
        raise ActionRefused("Guest submission is switched off.", "not_found")
    email = check_email(email)
    requester = get_or_create_customer(email=email, name=(name or "").strip()[:150])
    if not requester.is_active or not requester.is_customer:
        # Staff open tickets from the staff pages, where they are logged in and act as staff.
        raise ActionRefused("Please log in to open a ticket for this address.", "invalid", "email")
    return create_ticket(
        actor=requester,
        subject=subject,
        description=description,
        category=category,
        type=type,
        item=item,
        priority=priority,
        files=files,
    )


def request_access_links(*, email: str) -> bool:
    """Mail fresh access links for the open tickets of `email`, if it has any.

    Returns whether anything was queued; callers must not tell the visitor (it would reveal
    whether the address has tickets).
    """
    try:
        email = check_email(email)
    except ActionRefused:
        return False
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.is_customer or not list_tickets_for_resend(user):
        return False
    from ..tasks import send_access_links_task

    user_id = user.pk
    transaction.on_commit(lambda: send_access_links_task.delay(user_id))
    return True
