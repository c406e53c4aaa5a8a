"""Assignment to a staff member and/or a team (SPEC §6)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Team

from ..errors import ActionRefused
from ..lifecycle import require_agent
from ..models import Ticket
from ._common import lock_ticket, notify, record, touch

UNSET = object()


def _who(obj):
    return None if obj is None else {"id": obj.pk, "name": str(obj)}


@transaction.atomic
def assign_ticket(*, ticket: Ticket, actor, assignee=UNSET, team: Team | None = UNSET) -> Ticket:
    """Assign to a staff member, a team, or both; omitted keys stay as they are.

    Any staff member may assign to anyone, whatever their scope. The new assignee is emailed.
    """
    require_agent(actor, "Assigning")
    ticket = lock_ticket(ticket)
    now = timezone.now()
    fields = []
    if assignee is not UNSET and assignee is not None and not assignee.is_agent:
        raise ActionRefused("Tickets can only be assigned to staff.", "invalid", "assignee")
    if assignee is not UNSET and assignee != ticket.assignee:
        record(ticket, actor, "assignee", _who(ticket.assignee), _who(assignee), at=now)
        ticket.assignee = assignee
        fields.append("assignee")
        if assignee is not None and assignee.pk != getattr(actor, "pk", None):
            notify("assigned", ticket, user_id=assignee.pk)
    if team is not UNSET and team != ticket.team:
        record(ticket, actor, "team", _who(ticket.team), _who(team), at=now)
        ticket.team = team
        fields.append("team")
    if fields:
        touch(ticket, now, fields)
    return ticket


def assign_to_me(*, ticket: Ticket, actor) -> Ticket:
    return assign_ticket(ticket=ticket, actor=actor, assignee=actor)
