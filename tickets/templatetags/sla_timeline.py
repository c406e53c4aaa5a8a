"""The SLA timeline of the staff ticket page: when the clock ran, paused and stopped, and why.

Derived from the status history (TicketEvent "status" rows), the same rows tickets/sla.py
reads the pauses from.
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


@register.inclusion_tag("tickets/includes/_sla_timeline.html")
def sla_timeline(ticket, history=None):
    """`history`: the page's events, oldest first (read once for the History tab), else queried."""
    if history is None:
        history = TicketEvent.objects.filter(ticket_id=ticket.pk, action="status").order_by("at", "id")
    events = [event for event in history if event.action == "status"]
    plan = ticket.sla_plan if ticket.sla_plan_id else None
    calendar = plan.calendar if plan is not None and plan.calendar_id else None
    return {"ticket": ticket, "rows": timeline_rows(ticket, events), "calendar": calendar}
