"""Shared steps of the guest, invite and rate-limit tests: a guest's ticket and its emailed link."""

import re

from django.urls import reverse
from django.utils.http import urlencode

from tickets.actions.guests import submit_guest_ticket
from tickets.models import Ticket

LINK = re.compile(r"/t/(\d+)/\?token=([A-Za-z0-9_\-]+)")
GUEST = "gina@example.com"


def links_in(mailoutbox, to: str = GUEST) -> list[tuple[int, str]]:
    """(ticket id, token) of every access link mailed to `to`, oldest first."""
    return [(int(m[1]), m[2]) for mail in mailoutbox if to in mail.to for m in LINK.finditer(mail.body)]


def submit(commit, mailoutbox, category, *, email: str = GUEST, **fields) -> tuple[Ticket, str]:
    """Open a ticket as a guest through the action; return it with the token its email carries."""
    fields.setdefault("subject", "Printer jammed")
    fields.setdefault("description", "Paper everywhere.")
    with commit():
        ticket = submit_guest_ticket(email=email, category=category, **fields)
    ticket_id, token = links_in(mailoutbox, email)[-1]
    assert ticket_id == ticket.pk
    return ticket, token


def page_url(ticket, token) -> str:
    return f"{reverse('guest_ticket', args=[ticket.pk])}?{urlencode({'token': token})}"


def api_url(name: str, ticket, token) -> str:
    return f"{reverse(name, args=[ticket.pk])}?{urlencode({'token': token})}"
