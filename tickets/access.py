"""Who sees which ticket: the one visibility rule of SPEC §1, used by every page and API."""

from collections.abc import Callable

from django.db.models import CharField, Q, QuerySet, Value
from django.http import Http404

from accounts.models import User

from .models import HIDDEN_KINDS, SavedView, Ticket


def visible_tickets(user, qs: QuerySet | None = None) -> QuerySet:
    """The tickets `user` may see.

    Staff with `tickets.view_all` see every ticket; other staff those assigned to them or a
    team of theirs, or in their scope (categories and teams). Customers see the tickets they
    requested or take part in, except spam and deleted ones. Anonymous users see none.
    """
    qs = Ticket.objects.all() if qs is None else qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_agent:
        if user.has_perm("tickets.view_all"):
            return qs
        return qs.filter(staff_reach(user))
    parties = Q(requester=user) | Q(
        pk__in=Ticket.participants.through.objects.filter(user_id=user.pk).values("ticket_id")
    )
    return qs.filter(parties).exclude(status__kind__in=HIDDEN_KINDS)


def staff_reach(user) -> Q:
    """A staff member's own work: assigned to them or one of their teams, or in their scope.

    Their teams, scope teams and scope categories are read in one query and written into the
    SQL as lists, so that PostgreSQL can combine the assignee, team and category indexes.
    """
    rows = _ids(User.teams.through, "team", "team_id", user).union(
        _ids(User.scope_teams.through, "team", "team_id", user),
        _ids(User.scope_categories.through, "category", "category_id", user),
        all=True,
    )
    ids = {"team": [], "category": []}
    for kind, pk in rows:
        ids[kind].append(pk)
    return Q(assignee_id=user.pk) | Q(team_id__in=ids["team"]) | Q(category_id__in=ids["category"])


def _ids(through, kind: str, column: str, user) -> QuerySet:
    label = Value(kind, output_field=CharField())
    return through.objects.filter(user_id=user.pk).order_by().values_list(label, column)


def can_see(user, ticket: Ticket) -> bool:
    return visible_tickets(user, Ticket.objects.filter(pk=ticket.pk)).exists()


def access_ticket_by_id(user, ticket_id, qs: QuerySet | None = None) -> Ticket:
    """Fetch a ticket the user may see, or raise Http404 (never 403: numbers leak nothing)."""
    return get_by_id(lambda: visible_tickets(user, qs), ticket_id, "No such ticket.")


def get_by_id(rows: Callable[[], QuerySet], value, message: str):
    """The row of `rows()` whose id is `value`, or Http404 with `message`. A malformed or
    out-of-range id is no row, and costs no query: `rows` is called only for a good one."""
    try:
        pk = int(value)
        if not 0 < pk < 2**63:
            raise ValueError(pk)
    except (ValueError, TypeError):
        raise Http404(message)
    qs = rows()
    try:
        return qs.get(pk=pk)
    except qs.model.DoesNotExist:
        raise Http404(message)


def access_saved_view_by_id(user, view_id) -> SavedView:
    """A saved view the user may use: their own, or one an admin shared; Http404 otherwise."""
    if not getattr(user, "is_agent", False):
        raise Http404("No such view.")
    return get_by_id(
        lambda: SavedView.objects.filter(Q(owner_id=user.pk) | Q(shared=True)), view_id, "No such view."
    )
