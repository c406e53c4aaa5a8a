"""Reads of retention: the spam or deleted tickets "purge now" would delete."""

from django.db.models import QuerySet

from .models import StatusKind, Ticket

PURGEABLE_KINDS = {StatusKind.SPAM: "spam", StatusKind.DELETED: "deleted"}


def hidden_tickets(kind: str) -> QuerySet:
    """Every ticket in a status of `kind` (spam or deleted), by the status row, not the copy."""
    return Ticket.objects.filter(status__kind=kind)


def count_hidden_tickets(kind: str) -> int:
    return hidden_tickets(kind).count()
