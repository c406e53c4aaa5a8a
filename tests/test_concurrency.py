"""Two staff changing one ticket at the same moment: both changes land, the history has both."""

import threading

import pytest
from django.db import connection

from tests.factories import make_ticket, priority
from tickets.actions import add_message, assign_ticket, update_ticket_fields
from tickets.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _together(*calls):
    """Run each call in its own thread (own connection), released at once by a barrier."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors


@pytest.mark.parametrize("attempt", range(3))
def test_two_staff_changing_one_ticket_at_once_lose_nothing(people, attempt):
    ticket = make_ticket(people.dave, people.category)
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    high = priority("High")

    _together(
        lambda: update_ticket_fields(ticket=ticket, actor=people.bob, subject="Bob's subject", priority=high),
        lambda: assign_ticket(ticket=ticket, actor=people.alice, assignee=people.alice),
        lambda: add_message(ticket=ticket, actor=people.bob, body="Bob replies"),
        lambda: add_message(ticket=ticket, actor=people.alice, body="Alice replies"),
    )

    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.subject == "Bob's subject"
    assert fresh.priority_id == high.pk
    assert fresh.assignee_id == people.alice.pk
    bodies = set(Message.objects.filter(ticket=ticket).values_list("body", flat=True))
    assert {"Bob replies", "Alice replies"} <= bodies
    actions = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert len(actions) > events_before
    assert any("assign" in action for action in actions)
