"""Writes of links between tickets (SPEC §5): always both directions, in one transaction."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets.access import can_see, visible_tickets
from tickets.actions import resolve_ticket
from tickets.actions._common import lock_pair, lock_ticket, record
from tickets.errors import ActionRefused
from tickets.lifecycle import require_agent
from tickets.models import HIDDEN_KINDS, StatusKind, Ticket

from .models import INVERSE, LinkType, TicketLink

# Children in these kinds are left alone by "Resolve all children".
DONE_KINDS = frozenset({StatusKind.RESOLVED, StatusKind.CLOSED}) | HIDDEN_KINDS


def check_link_type(type: str) -> LinkType:
    try:
        return LinkType(type)
    except ValueError:
        choices = ", ".join(LinkType.values)
        raise ActionRefused(f"Unknown link type '{type}'. Choose one of: {choices}.", "invalid", "type")


def _check_pair(actor, source: Ticket, target: Ticket) -> None:
    require_agent(actor, "Linking tickets")
    if source.pk == target.pk:
        raise ActionRefused("A ticket cannot be linked to itself.", "invalid", "target")
    if not can_see(actor, target):
        raise ActionRefused(f"There is no ticket #{target.pk} you can see.", "invalid", "target")


@transaction.atomic
def link_tickets(*, actor, source: Ticket, target: Ticket, type: str) -> TicketLink:
    """Link `source` to `target` as `type`, and `target` to `source` as its inverse."""
    _check_pair(actor, source, target)
    link_type = check_link_type(type)
    source, target = lock_pair(source, target)
    if TicketLink.objects.filter(source=source, target=target, type=link_type).exists():
        raise ActionRefused(f"#{source.pk} is already {link_type.label} #{target.pk}.", "invalid", "target")
    now = timezone.now()
    inverse = INVERSE[link_type]
    try:
        with transaction.atomic():
            link = TicketLink.objects.create(source=source, target=target, type=link_type, created_at=now)
            TicketLink.objects.create(source=target, target=source, type=inverse, created_at=now)
    except IntegrityError:  # pragma: no cover - the locks above make this a last resort
        raise ActionRefused("These tickets are already linked that way.", "invalid", "target")
    record(source, actor, "link", None, {"type": link_type.value, "ticket": target.pk}, at=now)
    record(target, actor, "link", None, {"type": inverse.value, "ticket": source.pk}, at=now)
    return link


@transaction.atomic
def unlink_tickets(*, actor, source: Ticket, target: Ticket, type: str) -> None:
    """Remove the link `source` → `target` of `type` and its inverse."""
    require_agent(actor, "Unlinking tickets")
    link_type = check_link_type(type)
    source, target = lock_pair(source, target)
    inverse = INVERSE[link_type]
    deleted, _ = TicketLink.objects.filter(source=source, target=target, type=link_type).delete()
    if not deleted:
        raise ActionRefused(f"#{source.pk} is not {link_type.label} #{target.pk}.", "not_found")
    TicketLink.objects.filter(source=target, target=source, type=inverse).delete()
    now = timezone.now()
    record(source, actor, "unlink", {"type": link_type.value, "ticket": target.pk}, None, at=now)
    record(target, actor, "unlink", {"type": inverse.value, "ticket": source.pk}, None, at=now)


@transaction.atomic
def resolve_children(*, actor, parent: Ticket, resolution_notes: str | None = None) -> int:
    """Resolve every child of `parent` the actor can see that is not resolved or closed yet.

    Each goes through `resolve_ticket`, so it gets its history, survey and email like any
    resolution. Without notes of its own it takes the parent's. Returns how many.
    """
    require_agent(actor, "Resolving children")
    parent = lock_ticket(parent)
    notes = (resolution_notes or "").strip() or parent.resolution_notes or None
    children = visible_tickets(
        actor,
        Ticket.objects.filter(
            pk__in=TicketLink.objects.filter(source=parent, type=LinkType.PARENT_OF).values("target_id")
        ),
    ).exclude(status__kind__in=DONE_KINDS)
    ids = []
    for child in children.order_by("pk"):
        resolve_ticket(ticket=child, actor=actor, resolution_notes=notes)
        ids.append(child.pk)
    if ids:
        record(
            parent, actor, "children_resolved", None, {"count": len(ids), "tickets": ids}, at=timezone.now()
        )
    return len(ids)
