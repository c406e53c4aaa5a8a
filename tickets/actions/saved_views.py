"""Saved views of the queue (SPEC §6) and the read markers of staff (TicketView).

Any staff member saves filters and a sort under a name, for themselves; only admins publish a
view to all staff (`shared`). Owners rename and delete their own views; admins may delete a
shared one. Who may *use* a view is `tickets.access.access_saved_view_by_id`.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import Role

from ..errors import ActionRefused
from ..lifecycle import require_agent
from ..models import SavedView, Ticket, TicketView
from ..queries import DEFAULT_ORDERING, ORDERINGS, clean_view_filters
from .create import check_text


def _check_name(owner, name: str, exclude: SavedView | None = None) -> str:
    name = check_text("name", name, 100)
    twins = SavedView.objects.filter(owner=owner, name__iexact=name)
    if exclude is not None:
        twins = twins.exclude(pk=exclude.pk)
    if twins.exists():
        raise ActionRefused("You already have a view with this name.", "invalid", "name")
    return name


@transaction.atomic
def save_view(
    *, actor, name: str, filters: dict | None = None, ordering: str | None = None, shared: bool = False
) -> SavedView:
    """Save filters and a sort under a name; `shared` publishes it to all staff (admins only)."""
    require_agent(actor, "Saving a view")
    if shared and actor.role != Role.ADMIN:
        raise ActionRefused("Only admins can share a view with all staff.", "forbidden")
    ordering = ordering or DEFAULT_ORDERING
    if ordering not in ORDERINGS:
        raise ActionRefused(f"Sort by one of: {', '.join(ORDERINGS)}.", "invalid", "ordering")
    filters = clean_view_filters(filters or {}, actor)
    return SavedView.objects.create(
        owner=actor,
        name=_check_name(actor, name),
        filters=filters,
        ordering=ordering,
        shared=bool(shared),
        created_at=timezone.now(),
    )


def _check_owner(view: SavedView, actor, what: str) -> None:
    """Owners change their views; an admin may also remove a shared one."""
    require_agent(actor, what)
    if view.owner_id != actor.pk and not (view.shared and actor.role == Role.ADMIN):
        raise ActionRefused(f"{what} is for the view's owner.", "forbidden")


@transaction.atomic
def rename_view(*, view: SavedView, actor, name: str) -> SavedView:
    view = SavedView.objects.select_for_update().get(pk=view.pk)
    _check_owner(view, actor, "Renaming a view")
    view.name = _check_name(view.owner, name, exclude=view)
    view.save(update_fields=["name"])
    return view


@transaction.atomic
def delete_view(*, view: SavedView, actor) -> None:
    _check_owner(view, actor, "Deleting a view")
    SavedView.objects.filter(pk=view.pk).delete()


def mark_ticket_seen(*, ticket: Ticket, actor) -> None:
    """Record that a staff member looked at the ticket now: customer posts up to now are read.

    One upsert (INSERT ... ON CONFLICT DO UPDATE), so two tabs opening the page at once
    cannot collide on the unique (user, ticket) pair. Only when it changes what is unread: a
    ticket without customer posts, or whose last one the user has seen, costs one read, not a
    write and its commit on every page view.
    """
    if not getattr(actor, "is_agent", False) or ticket.last_customer_post_at is None:
        return
    seen = TicketView.objects.filter(
        user_id=actor.pk, ticket_id=ticket.pk, seen_at__gte=ticket.last_customer_post_at
    )
    if seen.exists():
        return
    TicketView.objects.bulk_create(
        [TicketView(user=actor, ticket_id=ticket.pk, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "ticket"],
        update_fields=["seen_at"],
    )
