"""Automatic assignment (issue 11): a new ticket routed to a team gets an assignee of that team.

The team's TeamRouting row is locked while the assignee is picked, so tickets created at
the same moment are served one after another: each sees the previous one's assignee and
the round-robin pointer it moved (no two tickets grab the same "next" slot).
"""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import Role, Team, User

from ..errors import ActionRefused
from ..lifecycle import require_agent
from ..models import RoutingMode, StaffStatus, TeamRouting, Ticket
from ..routing import WORKING_KINDS, pick
from ._context import acting_for
from .assignment import assign_ticket
from .catalogue import require_admin

VIA = "Automatic assignment"


@transaction.atomic
def auto_assign(*, ticket: Ticket) -> Ticket:
    """Assign an unassigned ticket of a team with routing on; otherwise leave it as it is."""
    if ticket.team_id is None or ticket.assignee_id is not None:
        return ticket
    routing = TeamRouting.objects.select_for_update().filter(team_id=ticket.team_id).first()
    if routing is None or routing.mode == RoutingMode.OFF:
        return ticket
    members = set(
        User.objects.filter(
            teams__id=ticket.team_id, is_active=True, role__in=(Role.STAFF, Role.ADMIN)
        ).values_list("pk", flat=True)
    )
    away = set(StaffStatus.objects.filter(user_id__in=members, away=True).values_list("user_id", flat=True))
    counts = dict(
        Ticket.objects.filter(assignee_id__in=members, status_kind__in=WORKING_KINDS)
        .values_list("assignee_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    chosen = pick(
        routing.mode,
        members,
        away=away,
        open_counts=counts,
        capacity=routing.capacity,
        last_id=routing.last_assigned_user_id,
    )
    if chosen is None:
        return ticket
    assignee = User.objects.get(pk=chosen)
    from .automation import automation_actor  # the staff account automatic changes are made as

    with acting_for(VIA):
        ticket = assign_ticket(ticket=ticket, actor=automation_actor(), assignee=assignee)
    routing.last_assigned_user_id = chosen
    routing.save(update_fields=["last_assigned_user"])
    return ticket


@transaction.atomic
def save_team_routing(*, actor, team: Team, mode: str, capacity: int | None = None) -> TeamRouting:
    """Set how a team's new tickets are assigned (admins)."""
    require_admin(actor, "Changing team routing")
    if mode not in RoutingMode.values:
        raise ActionRefused(f"Choose one of: {', '.join(RoutingMode.values)}.", "invalid", "mode")
    if capacity is not None and (not isinstance(capacity, int) or not 0 < capacity <= 10_000):
        raise ActionRefused("Give a whole number of tickets, at least 1.", "invalid", "capacity")
    routing, _ = TeamRouting.objects.select_for_update().get_or_create(team=team)
    routing.mode, routing.capacity = mode, capacity
    routing.save(update_fields=["mode", "capacity"])
    return routing


@transaction.atomic
def set_away(*, actor, away: bool, user: User | None = None) -> StaffStatus:
    """Mark a staff member away (no automatic assignments) or back; oneself, or anyone (admins)."""
    require_agent(actor, "Setting availability")
    user = user or actor
    if user.pk != actor.pk:
        require_admin(actor, "Setting someone else's availability")
    if not user.is_agent:
        raise ActionRefused("Only staff have an availability.", "invalid", "user")
    status, _ = StaffStatus.objects.select_for_update().get_or_create(user=user)
    status.away, status.updated_at = bool(away), timezone.now()
    status.save(update_fields=["away", "updated_at"])
    return status
