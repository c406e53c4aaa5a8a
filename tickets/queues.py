"""The queues (SPEC §1, §6): which visible tickets each tab lists, and which are unread.

`tickets.access.visible_tickets` decides what a person may see; a queue is a part of it.

| queue        | lists                                                                   |
|--------------|-------------------------------------------------------------------------|
| `default`    | staff: assigned to them or their teams, or in their scope ("My queue") |
| `mine`       | assigned to them                                                        |
| `teams`      | assigned to one of their teams                                          |
| `unassigned` | no staff member assigned (a team may be)                                |
| `all`        | every ticket; needs `tickets.view_all`                                  |
| `spam`, `deleted` | the hidden kinds, which no other queue lists                       |

Customers have one queue, `default`: the tickets they requested or take part in. Even with
`view_all`, a staff member's default queue is their own work, not the whole desk.
"""

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)

from .access import staff_reach, visible_tickets
from .errors import ActionRefused
from .models import HIDDEN_KINDS, SavedView, TicketView

QUEUES = {
    "default": "My queue",
    "mine": "Mine",
    "teams": "My teams",
    "unassigned": "Unassigned",
    "all": "All",
    "spam": "Spam",
    "deleted": "Deleted",
}
DEFAULT_QUEUE = "default"
HIDDEN = sorted(kind.value for kind in HIDDEN_KINDS)


def queue_tickets(user, queue: str | None, qs: QuerySet | None = None) -> QuerySet:
    """The visible tickets of one queue; with `queue=None`, all visible ones, hidden kinds
    included (the caller's filters decide, as the API list does)."""
    qs = visible_tickets(user, qs)
    if queue is None:
        return qs
    if not user.is_agent:
        if queue != DEFAULT_QUEUE:
            raise ActionRefused("Customers have one queue: default.", "invalid", "queue")
        return qs.exclude(status_kind__in=HIDDEN)
    if queue not in QUEUES:
        raise ActionRefused(f"Choose a queue among: {', '.join(QUEUES)}.", "invalid", "queue")
    if queue in HIDDEN:
        return qs.filter(status_kind=queue)
    qs = qs.exclude(status_kind__in=HIDDEN)  # the partial indexes' condition, word for word
    sees_all = user.has_perm("tickets.view_all")
    if queue == "default":
        return qs.filter(staff_reach(user)) if sees_all else qs  # without view_all, visible = reach
    if queue == "mine":
        return qs.filter(assignee_id=user.pk)
    if queue == "teams":
        return qs.filter(team_id__in=user.teams.values("pk"))
    if queue == "unassigned":
        return qs.filter(assignee__isnull=True)
    if not sees_all:
        raise ActionRefused("The All queue needs the permission to see every ticket.", "forbidden", "queue")
    return qs


def with_unread(qs: QuerySet, user) -> QuerySet:
    """Mark `unread` the tickets with a customer post newer than the user last looked (or never).

    A subquery per row of the page, inside the list's one query: no query per ticket.
    """
    seen = TicketView.objects.filter(
        user_id=user.pk, ticket_id=OuterRef("pk"), seen_at__gte=OuterRef("last_customer_post_at")
    )
    unread = Q(last_customer_post_at__isnull=False) & ~Exists(seen)
    return qs.annotate(unread=ExpressionWrapper(unread, output_field=BooleanField()))


def list_saved_views(user) -> QuerySet:
    """The user's own saved views and those admins shared, by name."""
    views = SavedView.objects.filter(Q(owner_id=user.pk) | Q(shared=True)).select_related("owner")
    return views.order_by("name", "id")
