from tickets import actions
from tickets.lifecycle import status_of_kind


def test_create_reply_resolve_reopen(people, ticket):
    assert ticket.status.kind == "new"
    actions.add_message(ticket=ticket, actor=people.bob, body="On it", status=status_of_kind("open"))
    actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="Replaced fuse")
    ticket.refresh_from_db()
    assert ticket.status.kind == "resolved" and ticket.surveys.count() == 1
    actions.add_message(ticket=ticket, actor=people.dave, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status.kind == "new" and ticket.reopened
    assert ticket.resolution_notes == "Replaced fuse"
    assert ticket.surveys.count() == 0
