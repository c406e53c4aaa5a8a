"""The auto-close writes in one SQL statement; it must keep the copied status kind too."""

import time_machine
from django.utils import timezone

from tickets import actions
from tickets.jobs import close_expired_resolved
from tickets.models import Ticket


def test_auto_close_keeps_the_denormalised_status_kind(people, ticket):
    actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="done")
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        assert close_expired_resolved() == 1
    ticket = Ticket.objects.select_related("status").get(pk=ticket.pk)
    assert ticket.status.kind == "closed"
    assert ticket.status_kind == "closed"
