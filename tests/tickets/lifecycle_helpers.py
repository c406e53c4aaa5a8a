"""Shared steps of the lifecycle tests: statuses by kind, history rows, tickets put in a state
through the actions."""

from datetime import UTC, datetime

from tickets import actions
from tickets.actions.customer import add_participant
from tickets.lifecycle import status_of_kind
from tickets.models import Status, Ticket, TicketEvent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def status(kind: str) -> Status:
    return status_of_kind(kind)


def named(name: str) -> Status:
    return Status.objects.get(name=name)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("status", "previous_status").get(pk=ticket.pk)


def events(ticket: Ticket, action: str | None = None) -> list[TicketEvent]:
    qs = TicketEvent.objects.filter(ticket_id=ticket.pk).order_by("at", "id")
    return list(qs.filter(action=action) if action else qs)


def status_events(ticket: Ticket) -> list[tuple[str, str]]:
    """(before name, after name) of each status change, oldest first."""
    return [(e.before["name"], e.after["name"]) for e in events(ticket, "status")]


def resolve(ticket: Ticket, staff, notes: str = "Replaced the fuse") -> Ticket:
    return actions.resolve_ticket(ticket=ticket, actor=staff, resolution_notes=notes)


def copy_in(ticket: Ticket, user, actor=None) -> None:
    add_participant(ticket=ticket, actor=actor or ticket.requester, user=user)


def recipients(mailoutbox) -> list[str]:
    return sorted(address for mail in mailoutbox for address in mail.to)


def subjects(mailoutbox) -> list[str]:
    return [mail.subject for mail in mailoutbox]
