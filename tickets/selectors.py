"""Reads: every select_related / prefetch_related of the tickets app lives here."""

from django.db.models import Prefetch, QuerySet

from .access import visible_tickets
from .models import HIDDEN_KINDS, Message, Ticket, TicketEvent

LIST_RELATED = ("status", "priority", "requester", "assignee", "team", "category")
DETAIL_RELATED = (*LIST_RELATED, "type", "item", "status__customer_reply_moves_to", "previous_status")


def ticket_detail_qs() -> QuerySet:
    return Ticket.objects.select_related(*DETAIL_RELATED).prefetch_related("tags", "participants")


def list_tickets_for_user(user, *, include_hidden: bool = False) -> QuerySet:
    """The tickets a user may see, newest update first, ready to render as rows."""
    qs = visible_tickets(user).select_related(*LIST_RELATED).prefetch_related("tags", "participants")
    if not include_hidden:
        qs = qs.exclude(status__kind__in=HIDDEN_KINDS)
    return qs.order_by("-updated_at", "-id")


def list_messages_for_user(ticket: Ticket, user) -> QuerySet:
    """Staff see everything (deleted replies as placeholders); customers public, undeleted."""
    from attachments.models import Attachment

    qs = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if not getattr(user, "is_agent", False):
        qs = qs.filter(internal=False, deleted=False)
    return qs.order_by("created_at", "id")


def list_history(ticket: Ticket) -> QuerySet:
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "id")


def list_favorites_for_user(user) -> QuerySet:
    return list_tickets_for_user(user).filter(favorites__user=user)


def public_message_count(ticket: Ticket) -> int:
    return Message.objects.filter(ticket=ticket, internal=False, deleted=False).count()
