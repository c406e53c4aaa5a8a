"""Emails of guests and registration: fresh access links, and the registration confirmation.

Each raw token or signed link is made here, right before the email that carries it, and goes
nowhere else.
"""

import uuid

from django.conf import settings
from django.template.loader import render_to_string

from accounts.models import User

from .guests import access_url, list_tickets_for_resend
from .mail.outbound import AUTO_GENERATED, Outgoing, idempotency_key, send_once
from .notifications import ticket_email


def send_access_links(user_id: int, event: str | None = None) -> int:
    """Mail a fresh access link for each of the person's open tickets (one email per ticket)."""
    from .actions.guests import issue_access_token

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.is_customer:
        return 0
    event = event or uuid.uuid4().hex
    site_url = settings.SITE_URL.rstrip("/")
    mails = []
    for ticket in list_tickets_for_resend(user):
        token = issue_access_token(ticket=ticket)
        context = {
            "kind": "access_link",
            "ticket": ticket,
            "recipient": user,
            "site_url": site_url,
            "ticket_url": access_url(ticket, token),
        }
        mails.append(
            ticket_email(
                "access_link", ticket, user.email, event, context, automatic=True, subject="Your access link"
            )
        )
    return send_once(mails)


def send_account_email(kind: str, email: str, link: str, event: str | None = None) -> int:
    """A registration email: `confirm_registration` (the link sets the password) or
    `already_registered` (the address has an account: log in or reset the password)."""
    context = {"site_url": settings.SITE_URL.rstrip("/"), "link": link, "email": email}
    text = render_to_string(f"tickets/emails/{kind}.txt", context)
    subjects = {
        "confirm_registration": "Confirm your account",
        "already_registered": "You already have an account",
    }
    mail = Outgoing(
        key=idempotency_key(kind, None, event or uuid.uuid4().hex, email),
        kind=kind,
        to=email,
        subject=subjects[kind],
        text=text,
        automatic=AUTO_GENERATED,
    )
    return send_once([mail])
