"""The SLA timeline of the staff ticket page: when the clock ran, paused and stopped, and why;
with a next-response target, also when a customer's reply started its clock and when a staff
reply met it.

Derived from the history: TicketEvent "status" rows, the same rows tickets/sla.py reads the
pauses from, and "reply" rows (public messages) for the next response.
"""

from django import template

from ..models import TicketEvent
from ..sla import PAUSED_KINDS, RUNNING_KINDS

register = template.Library()


def clock_state(kind: str | None) -> str:
    if kind in RUNNING_KINDS:
        return "running"
    if kind in PAUSED_KINDS:
        return "paused"
    return "stopped"


def timeline_rows(ticket, events) -> list[dict]:
    """(when, state, why) each time the clock changed state, from creation on."""
    rows = [{"at": ticket.created_at, "state": "running", "why": "Ticket created"}]
    for event in events:
        before, after = event.before or {}, event.after or {}
        state = clock_state(after.get("kind"))
        if state == rows[-1]["state"]:
            continue
        name = after.get("name") or "?"
        why = {
            "paused": f"Status {name}: waiting, the time does not count",
            "running": f"Status {name} (from {before.get('name', '?')})",
            "stopped": f"Status {name}: the clock stops",
        }[state]
        rows.append({"at": event.at, "state": state, "why": why})
    return rows


def response_rows(ticket, events) -> list[dict]:
    """(when, state, why) each time a customer's reply after a staff answer started the
    next-response clock ("waiting") and each time a staff reply met it ("answered"), as
    tickets/sla.py follows them; the reply still waiting shows the ticket's due time."""
    rows, answered, waiting = [], False, False
    for event in events:
        if event.actor is None:
            continue
        if event.actor.is_agent:
            if waiting:
                rows.append({"at": event.at, "state": "answered", "why": "Staff replied: next response met"})
            answered, waiting = True, False
        elif answered and not waiting:
            rows.append({"at": event.at, "state": "waiting", "why": "Customer replied: next response due"})
            waiting = True
    if waiting and ticket.next_response_due_at is not None:
        rows[-1]["due"] = ticket.next_response_due_at
    return rows


@register.inclusion_tag("tickets/includes/_sla_timeline.html")
def sla_timeline(ticket, history=None):
    """The SLA rows of the ticket's history: `history` (its events, oldest first) if given, else queried."""
    if history is None:
        history = (
            TicketEvent.objects.filter(ticket_id=ticket.pk, action__in=("status", "reply"))
            .select_related("actor")
            .only("at", "action", "before", "after", "actor__role")  # a reply's author: staff or not
            .order_by("at", "id")
        )
    plan = ticket.sla_plan if ticket.sla_plan_id else None
    calendar = plan.calendar if plan is not None and plan.calendar_id else None
    rows = timeline_rows(ticket, [event for event in history if event.action == "status"])
    if ticket.next_response_due_at is not None or (plan is not None and plan.next_response_hours):
        replies = [event for event in history if event.action == "reply"]
        rows = sorted(rows + response_rows(ticket, replies), key=lambda row: row["at"])
    return {"ticket": ticket, "rows": rows, "calendar": calendar}
