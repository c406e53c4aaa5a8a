"""Assignment to a staff member and/or a team (SPEC §6)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Team

from ..errors import ActionRefused
from ..lifecycle import check_assign_to_me, require_agent
from ..models import Ticket
from ..webhooks import queue_webhooks
from ._common import lock_ticket, notify, record, touch

UNSET = object()


def _who(obj):
    return None if obj is None else {"id": obj.pk, "name": str(obj)}


@transaction.atomic
def assign_ticket(*, ticket: Ticket, actor, assignee=UNSET, team: Team | None = UNSET) -> Ticket:
    """Assign to a staff member, a team, or both; omitted keys stay as they are.

    Any staff member may assign to anyone, whatever their scope. The new assignee is
    emailed (unless they assigned themselves); the previous one only if a participant.
    """
    require_agent(actor, "Assigning")
    if assignee is not UNSET and assignee is not None and not (assignee.is_agent and assignee.is_active):
        raise ActionRefused("Tickets can only be assigned to active staff.", "invalid", "assignee")
    ticket = lock_ticket(ticket)
    now = timezone.now()
    fields = []
    if assignee is not UNSET and assignee != ticket.assignee:
        previous = ticket.assignee
        record(ticket, actor, "assignee", _who(previous), _who(assignee), at=now)
        ticket.assignee = assignee
        fields.append("assignee")
        if assignee is not None and assignee.pk != getattr(actor, "pk", None):
            notify("assigned", ticket, user_id=assignee.pk)
        if previous is not None and ticket.participants.filter(pk=previous.pk).exists():
            notify("unassigned", ticket, user_id=previous.pk)
    if team is not UNSET and team != ticket.team:
        record(ticket, actor, "team", _who(ticket.team), _who(team), at=now)
        ticket.team = team
        fields.append("team")
    if fields:
        touch(ticket, now, fields)
        queue_webhooks("ticket.assigned", ticket, changed=fields)
    return ticket


@transaction.atomic
def assign_to_me(*, ticket: Ticket, actor) -> Ticket:
    """Take an unassigned ticket at once; refused if a colleague took it first."""
    check_assign_to_me(lock_ticket(ticket), actor)
    return assign_ticket(ticket=ticket, actor=actor, assignee=actor)
