"""Staff actions called by a customer are refused as "forbidden", and change nothing."""

from datetime import timedelta

import pytest

from tickets import actions
from tickets.errors import ActionRefused
from tickets.models import Message, TicketEvent

from ..factories import make_ticket, priority
from .lifecycle_helpers import T0, fresh, status

STAFF_ACTIONS = {
    "transition": lambda t, p: actions.transition_ticket(ticket=t, actor=p.dave, status=status("open")),
    "resolve": lambda t, p: actions.resolve_ticket(ticket=t, actor=p.dave, resolution_notes="done"),
    "schedule_closure": lambda t, p: actions.schedule_closure(ticket=t, actor=p.dave, at=T0 + timedelta(1)),
    "mark_spam": lambda t, p: actions.mark_spam(ticket=t, actor=p.dave),
    "delete": lambda t, p: actions.delete_ticket(ticket=t, actor=p.dave),
    "schedule_deletion": lambda t, p: actions.schedule_deletion(ticket=t, actor=p.dave, at=T0 + timedelta(1)),
    "restore": lambda t, p: actions.restore_ticket(ticket=t, actor=p.dave),
    "assign": lambda t, p: actions.assign_ticket(ticket=t, actor=p.dave, assignee=p.bob),
    "assign_team": lambda t, p: actions.assign_ticket(ticket=t, actor=p.dave, team=p.red),
    "assign_to_me": lambda t, p: actions.assign_to_me(ticket=t, actor=p.dave),
    "update_fields": lambda t, p: actions.update_ticket_fields(
        ticket=t, actor=p.dave, priority=priority("High")
    ),
    "internal_note": lambda t, p: actions.add_message(ticket=t, actor=p.dave, body="x", internal=True),
    "reply_with_status": lambda t, p: actions.add_message(
        ticket=t, actor=p.dave, body="x", status="Resolved"
    ),
    "create_for_someone_else": lambda t, p: actions.create_ticket(
        actor=p.dave, subject="s", description="d", category=p.category, requester_email="x@example.com"
    ),
}


@pytest.fixture
def tk(time_machine, people):
    time_machine.move_to(T0, tick=False)
    return make_ticket(people.dave, people.category)


def snapshot(ticket):
    row = fresh(ticket)
    return (
        row.status_id,
        row.assignee_id,
        row.team_id,
        row.priority_id,
        row.updated_at,
        row.purge_at,
        TicketEvent.objects.count(),
        Message.objects.count(),
    )


@pytest.mark.parametrize("name", sorted(STAFF_ACTIONS))
def test_a_customer_calling_a_staff_action_is_forbidden_and_nothing_changes(
    people, tk, name, django_capture_on_commit_callbacks
):
    before = snapshot(tk)
    with django_capture_on_commit_callbacks() as queued, pytest.raises(ActionRefused) as exc:
        STAFF_ACTIONS[name](tk, people)
    assert exc.value.code == "forbidden"
    assert snapshot(tk) == before and queued == []


@pytest.mark.parametrize("name", ["mark_spam", "restore", "assign", "transition"])
def test_an_outsider_customer_is_forbidden_too(people, tk, name):
    with pytest.raises(ActionRefused) as exc:
        STAFF_ACTIONS[name](tk, type(people)(**{**vars(people), "dave": people.erin}))
    assert exc.value.code == "forbidden"


def test_a_customer_may_not_edit_the_fields_of_their_own_ticket(people, tk):
    with pytest.raises(ActionRefused) as exc:
        actions.update_ticket_fields(ticket=tk, actor=people.dave, subject="Mine")
    assert exc.value.code == "forbidden" and fresh(tk).subject == "Printer is on fire"
