"""Canned replies (macros): who sees which, and how their placeholders are filled in.

The body is user-written text, so it never goes through the template engine (which would let
its author reach any attribute of the context); only the fixed placeholders below are
replaced, by a regular expression. Anything else in braces stays as it was written.
"""

import re

from django.db.models import Q, QuerySet

from .access import get_by_id
from .models import CannedReply, Ticket

PLACEHOLDERS = {
    "ticket.number": lambda ticket, agent: str(ticket.pk),
    "ticket.subject": lambda ticket, agent: ticket.subject,
    "requester.name": lambda ticket, agent: ticket.requester.display_name,
    "requester.email": lambda ticket, agent: ticket.requester.email,
    "agent.name": lambda ticket, agent: agent.display_name if agent is not None else "",
}
PLACEHOLDER = re.compile(r"\{\{\s*([a-z]+\.[a-z]+)\s*\}\}")


def render_canned_body(body: str, ticket: Ticket, agent=None) -> str:
    """The body with `{{ ticket.number }}`, `{{ ticket.subject }}`, `{{ requester.name }}`,
    `{{ requester.email }}` and `{{ agent.name }}` filled in for this ticket."""

    def fill(match: re.Match) -> str:
        value = PLACEHOLDERS.get(match.group(1))
        return match.group(0) if value is None else value(ticket, agent)

    return PLACEHOLDER.sub(fill, body)


def list_canned_replies_for_user(user) -> QuerySet:
    """The caller's own canned replies and the shared ones, by title; none for customers."""
    if not getattr(user, "is_agent", False):
        return CannedReply.objects.none()
    return (
        CannedReply.objects.filter(Q(owner_id=user.pk) | Q(shared=True))
        .select_related("set_status", "set_priority", "owner")
        .order_by("title", "id")
    )


def access_canned_reply_by_id(user, canned_id) -> CannedReply:
    """A canned reply the user may use (their own, or a shared one); Http404 otherwise."""
    return get_by_id(lambda: list_canned_replies_for_user(user), canned_id, "No such canned reply.")
