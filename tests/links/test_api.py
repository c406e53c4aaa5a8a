"""Links API (API.md): staff only; hidden tickets 404, customers who see the ticket 403."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from links.actions import link_tickets
from links.models import TicketLink
from tests.factories import make_ticket
from tickets import actions
from tickets.models import StatusKind, TicketEvent


def links_url(ticket_id) -> str:
    return f"/api/v1/tickets/{ticket_id}/links/"


def pairs():
    return sorted(TicketLink.objects.values_list("source_id", "target_id", "type"))


@pytest.fixture
def other(people):
    return make_ticket(people.dave, people.category, subject="Scanner jams on A3 paper")


class TestLinkList:
    def test_staff_see_the_links_with_the_linked_ticket(self, api, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="parent_of")
        response = api(people.bob).get(links_url(ticket.pk))
        assert response.status_code == 200
        assert response.json() == [
            {
                "type": "parent_of",
                "ticket": {
                    "id": other.pk,
                    "number": other.pk,
                    "subject": "Scanner jams on A3 paper",
                    "status": {"id": other.status.pk, "name": other.status.name, "kind": "new"},
                },
            }
        ]
        assert api(people.bob).get(links_url(other.pk)).json()[0]["type"] == "child_of"

    def test_links_to_tickets_the_caller_cannot_see_are_left_out(self, api, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)
        assert api(people.carol).get(links_url(ticket.pk)).json() == []

    def test_the_requester_who_sees_the_ticket_gets_403(self, api, people, ticket):
        assert api(people.dave).get(links_url(ticket.pk)).status_code == 403

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_cannot_see_the_ticket_get_404(self, api, people, ticket, who):
        assert api(getattr(people, who)).get(links_url(ticket.pk)).status_code == 404

    def test_anonymous_gets_401(self, api, ticket):
        assert api().get(links_url(ticket.pk)).status_code == 401

    # bob (view_all): his permissions (user, group), the ticket, the links joined to their
    # tickets and statuses. carol (restricted) adds her teams and scope (one UNION), read by the
    # visibility rule for the ticket and again for the links.
    @pytest.mark.parametrize("who, expected", [("bob", 4), ("carol", 6)])
    def test_the_query_count_does_not_grow_with_the_links(self, api, people, ticket, who, expected):
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)

        def linked_ticket(type: str) -> None:
            linked = make_ticket(people.dave, people.category)
            actions.assign_ticket(ticket=linked, actor=people.bob, team=people.blue)
            link_tickets(actor=people.bob, source=ticket, target=linked, type=type)

        def check(rows: int) -> None:
            user = User.objects.get(pk=getattr(people, who).pk)  # no cached permissions
            with CaptureQueriesContext(connection) as queries:
                response = api(user).get(links_url(ticket.pk))
            assert response.status_code == 200 and len(response.json()) == rows
            sql = "\n".join(q["sql"] for q in queries.captured_queries)
            assert len(queries) == expected, sql

        linked_ticket("related_to")
        check(1)
        for i in range(12):
            linked_ticket("parent_of" if i % 2 else "causes")
        check(13)


class TestLinkCreate:
    def test_staff_link_two_tickets_and_both_sides_show_it(self, api, people, ticket, other):
        response = api(people.bob).post(links_url(ticket.pk), {"type": "duplicate_of", "target": other.pk})
        assert response.status_code == 201
        assert response.json()["type"] == "duplicate_of"
        assert response.json()["ticket"]["id"] == other.pk
        assert pairs() == sorted(
            [(ticket.pk, other.pk, "duplicate_of"), (other.pk, ticket.pk, "duplicated_by")]
        )

    def test_a_link_to_itself_is_400_and_nothing_is_stored(self, api, people, ticket):
        response = api(people.bob).post(links_url(ticket.pk), {"type": "related_to", "target": ticket.pk})
        assert response.status_code == 400
        assert "target" in response.json()
        assert pairs() == []

    def test_a_second_identical_link_is_400(self, api, people, ticket, other):
        api(people.bob).post(links_url(ticket.pk), {"type": "related_to", "target": other.pk})
        response = api(people.bob).post(links_url(ticket.pk), {"type": "related_to", "target": other.pk})
        assert response.status_code == 400
        assert len(pairs()) == 2

    def test_an_unknown_type_is_400(self, api, people, ticket, other):
        response = api(people.bob).post(links_url(ticket.pk), {"type": "blocks", "target": other.pk})
        assert response.status_code == 400
        assert "type" in response.json()
        assert pairs() == []

    @pytest.mark.parametrize("target", ["abc", None, -1, 0, 2**70])
    def test_a_malformed_target_is_400(self, api, people, ticket, target):
        response = api(people.bob).post(
            links_url(ticket.pk), {"type": "related_to", "target": target}, format="json"
        )
        assert response.status_code == 400
        assert pairs() == []

    def test_an_unknown_target_is_400_naming_it(self, api, people, ticket):
        response = api(people.bob).post(links_url(ticket.pk), {"type": "related_to", "target": 999999})
        assert response.status_code == 400
        assert "999999" in response.json()["target"][0]

    def test_a_target_the_staff_member_cannot_see_is_refused_and_nothing_is_stored(
        self, api, people, ticket, other
    ):
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)
        response = api(people.carol).post(links_url(ticket.pk), {"type": "related_to", "target": other.pk})
        assert response.status_code == 400
        # The same answer as for a ticket that does not exist: the number leaks nothing.
        assert response.json()["target"][0] == f"There is no ticket #{other.pk} you can see."
        assert pairs() == [] and not TicketEvent.objects.filter(action="link").exists()

    def test_the_requester_gets_403_and_nothing_is_stored(self, api, people, ticket, other):
        response = api(people.dave).post(links_url(ticket.pk), {"type": "related_to", "target": other.pk})
        assert response.status_code == 403
        assert pairs() == []

    def test_an_outsider_gets_404(self, api, people, ticket, other):
        response = api(people.erin).post(links_url(ticket.pk), {"type": "related_to", "target": other.pk})
        assert response.status_code == 404
        assert pairs() == []

    def test_anonymous_gets_401(self, api, ticket, other):
        assert api().post(links_url(ticket.pk), {"type": "related_to", "target": other.pk}).status_code == 401
        assert pairs() == []


class TestLinkDelete:
    def url(self, ticket, target, type="related_to"):
        return f"{links_url(ticket.pk)}{target.pk}/" + (f"?type={type}" if type else "")

    def test_removing_a_link_removes_both_directions(self, api, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="parent_of")
        response = api(people.bob).delete(self.url(other, ticket, "child_of"))
        assert response.status_code == 204
        assert pairs() == []

    def test_a_missing_link_is_404(self, api, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        assert api(people.bob).delete(self.url(ticket, other, "causes")).status_code == 404
        assert len(pairs()) == 2

    def test_the_type_is_required(self, api, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        response = api(people.bob).delete(self.url(ticket, other, None))
        assert response.status_code == 400 and "type" in response.json()
        assert len(pairs()) == 2

    def test_an_unknown_type_is_400(self, api, people, ticket, other):
        assert api(people.bob).delete(self.url(ticket, other, "blocks")).status_code == 400

    def test_the_requester_gets_403(self, api, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        assert api(people.dave).delete(self.url(ticket, other)).status_code == 403
        assert len(pairs()) == 2

    def test_a_link_to_a_ticket_the_staff_member_cannot_see_is_404(self, api, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)
        assert api(people.carol).delete(self.url(ticket, other)).status_code == 404
        assert len(pairs()) == 2


class TestLinkSearch:
    url = "/api/v1/tickets/link-search/"

    def test_staff_find_tickets_by_number_and_words(self, api, people, ticket, other):
        by_number = api(people.bob).get(self.url, {"q": f"#{other.pk}"})
        assert by_number.status_code == 200
        assert [t["id"] for t in by_number.json()] == [other.pk]
        by_words = api(people.bob).get(self.url, {"q": "jams scanner"}).json()
        assert by_words[0] == {
            "id": other.pk,
            "number": other.pk,
            "subject": other.subject,
            "status": {"id": other.status.pk, "name": other.status.name, "kind": "new"},
        }

    def test_the_path_is_not_read_as_a_ticket_id(self, api, people):
        assert api(people.bob).get(self.url, {"q": "x"}).status_code == 200

    def test_the_ticket_being_linked_can_be_left_out(self, api, people, ticket):
        assert api(people.bob).get(self.url, {"q": "printer", "exclude": ticket.pk}).json() == []

    def test_restricted_staff_find_only_what_they_see(self, api, people, ticket, other):
        assert api(people.carol).get(self.url, {"q": str(other.pk)}).json() == []

    def test_customers_get_403(self, api, people, ticket):
        assert api(people.dave).get(self.url, {"q": "printer"}).status_code == 403

    def test_anonymous_gets_401(self, api):
        assert api().get(self.url, {"q": "printer"}).status_code == 401


class TestResolveChildren:
    def url(self, ticket):
        return f"/api/v1/tickets/{ticket.pk}/resolve-children/"

    @pytest.fixture
    def children(self, people, ticket):
        children = [make_ticket(people.dave, people.category, subject=f"Child {i}") for i in range(3)]
        for child in children:
            link_tickets(actor=people.bob, source=ticket, target=child, type="parent_of")
        actions.resolve_ticket(ticket=children[0], actor=people.bob, resolution_notes="Own")
        return children

    def test_staff_resolve_the_open_children_with_the_parents_notes(self, api, people, ticket, children):
        actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="Firmware updated")
        response = api(people.bob).post(self.url(ticket), {})
        assert response.status_code == 200
        assert response.json() == {"resolved": 2}
        children[2].refresh_from_db()
        assert children[2].status.kind == StatusKind.RESOLVED
        assert children[2].resolution_notes == "Firmware updated"

    def test_given_notes_are_used(self, api, people, ticket, children):
        response = api(people.bob).post(self.url(ticket), {"resolution_notes": "Fixed upstream"})
        assert response.json() == {"resolved": 2}
        children[1].refresh_from_db()
        assert children[1].resolution_notes == "Fixed upstream"

    def test_the_requester_gets_403_and_nothing_changes(self, api, people, ticket, children):
        assert api(people.dave).post(self.url(ticket), {}).status_code == 403
        children[1].refresh_from_db()
        assert children[1].status.kind == StatusKind.NEW

    def test_an_outsider_gets_404(self, api, people, ticket, children):
        assert api(people.erin).post(self.url(ticket), {}).status_code == 404

    def test_anonymous_gets_401(self, api, ticket):
        assert api().post(self.url(ticket), {}).status_code == 401
