"""The links panel of the staff ticket page: partials, POSTs, and the template tag."""

import pytest
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.test import RequestFactory

from links.actions import link_tickets
from links.models import TicketLink
from tests.factories import make_ticket
from tickets import actions
from tickets.models import StatusKind


def pairs():
    return sorted(TicketLink.objects.values_list("source_id", "target_id", "type"))


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def other(people):
    return make_ticket(people.dave, people.category, subject="Scanner jams on A3 paper")


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.bob)
    return client


class TestLinksPanel:
    def test_staff_see_links_grouped_by_type_with_status_and_forms(self, staff_client, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="parent_of")
        response = staff_client.get(f"/tickets/{ticket.pk}/links/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Linked tickets" in html
        assert "Parent of" in html and f"#{other.pk}" in html and "Scanner jams on A3 paper" in html
        assert other.status.name in html
        assert f"/tickets/{ticket.pk}/links/{other.pk}/remove/" in html
        assert "Resolve all children" in html
        assert f'hx-get="/tickets/{ticket.pk}/links/search/"' in html

    def test_without_children_there_is_no_resolve_button(self, staff_client, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="child_of")
        html = staff_client.get(f"/tickets/{ticket.pk}/links/").content.decode()
        assert "Resolve all children" not in html
        assert "No linked tickets" not in html

    def test_an_empty_panel_says_so(self, staff_client, ticket):
        assert "No linked tickets." in staff_client.get(f"/tickets/{ticket.pk}/links/").content.decode()

    def test_subjects_are_escaped(self, staff_client, people, ticket):
        evil = make_ticket(people.dave, people.category, subject="<script>alert(1)</script>")
        link_tickets(actor=people.bob, source=ticket, target=evil, type="related_to")
        html = staff_client.get(f"/tickets/{ticket.pk}/links/").content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html

    def test_the_panel_counts_the_same_queries_for_one_link_and_many(
        self, staff_client, people, ticket, django_assert_num_queries
    ):
        # session, user, permissions (user, group), the ticket, the links with their tickets and statuses
        link_tickets(actor=people.bob, source=ticket, target=make_ticket(people.dave), type="related_to")
        with django_assert_num_queries(6):
            staff_client.get(f"/tickets/{ticket.pk}/links/")
        for _ in range(8):
            link_tickets(actor=people.bob, source=ticket, target=make_ticket(people.dave), type="causes")
        with django_assert_num_queries(6):
            response = staff_client.get(f"/tickets/{ticket.pk}/links/")
        assert response.content.decode().count("/remove/") == 9

    def test_customers_get_404(self, client, people, ticket):
        client.force_login(people.dave)
        assert client.get(f"/tickets/{ticket.pk}/links/").status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, ticket):
        response = client.get(f"/tickets/{ticket.pk}/links/")
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_the_template_tag_renders_the_panel_for_the_pages_user(self, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="duplicate_of")
        request = RequestFactory().get("/")
        request.user = people.bob
        html = Template("{% load links %}{% links_panel ticket %}").render(
            Context({"request": request, "ticket": ticket, "csrf_token": "tok"})
        )
        assert "Duplicate of" in html and f"#{other.pk}" in html


class TestLinkSearchPartial:
    def test_candidates_are_offered_as_choices(self, staff_client, ticket, other):
        response = staff_client.get(f"/tickets/{ticket.pk}/links/search/", {"q": "scanner"})
        assert response.status_code == 200
        html = response.content.decode()
        assert f'name="target" value="{other.pk}"' in html
        assert f'value="{ticket.pk}"' not in html

    def test_a_number_finds_the_ticket(self, staff_client, ticket, other):
        html = staff_client.get(f"/tickets/{ticket.pk}/links/search/", {"q": f"#{other.pk}"}).content.decode()
        assert f'value="{other.pk}"' in html

    def test_no_match_says_so(self, staff_client, ticket):
        html = staff_client.get(
            f"/tickets/{ticket.pk}/links/search/", {"q": "nothing like it"}
        ).content.decode()
        assert "No ticket you can see matches" in html

    def test_restricted_staff_are_offered_only_what_they_see(self, client, people, ticket, other):
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)
        client.force_login(people.carol)
        html = client.get(f"/tickets/{ticket.pk}/links/search/", {"q": "scanner"}).content.decode()
        assert f'value="{other.pk}"' not in html

    def test_customers_get_404(self, client, people, ticket):
        client.force_login(people.dave)
        assert client.get(f"/tickets/{ticket.pk}/links/search/", {"q": "scanner"}).status_code == 404


class TestLinkAdd:
    def test_staff_link_a_ticket_and_go_back_to_the_page(self, staff_client, ticket, other):
        response = staff_client.post(
            f"/tickets/{ticket.pk}/links/add/", {"type": "parent_of", "target": other.pk}
        )
        assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
        assert pairs() == sorted([(ticket.pk, other.pk, "parent_of"), (other.pk, ticket.pk, "child_of")])
        assert flashed(response) == [f"Linked to #{other.pk}."]

    def test_a_typed_number_works_without_javascript(self, staff_client, ticket, other):
        staff_client.post(f"/tickets/{ticket.pk}/links/add/", {"type": "related_to", "q": f"#{other.pk}"})
        assert len(pairs()) == 2

    def test_a_link_to_itself_is_refused_with_a_message(self, staff_client, ticket):
        response = staff_client.post(
            f"/tickets/{ticket.pk}/links/add/", {"type": "related_to", "target": ticket.pk}
        )
        assert response.status_code == 302
        assert flashed(response) == ["A ticket cannot be linked to itself."]
        assert pairs() == []

    def test_a_duplicate_is_refused_with_a_message(self, staff_client, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        response = staff_client.post(
            f"/tickets/{ticket.pk}/links/add/", {"type": "related_to", "target": other.pk}
        )
        assert "already" in flashed(response)[0]
        assert len(pairs()) == 2

    def test_words_without_a_choice_are_refused(self, staff_client, ticket):
        response = staff_client.post(
            f"/tickets/{ticket.pk}/links/add/", {"type": "related_to", "q": "scanner"}
        )
        assert "Choose the ticket to link" in flashed(response)[0]
        assert pairs() == []

    def test_an_unknown_type_is_refused(self, staff_client, ticket, other):
        response = staff_client.post(
            f"/tickets/{ticket.pk}/links/add/", {"type": "blocks", "target": other.pk}
        )
        assert response.status_code == 302 and flashed(response)
        assert pairs() == []

    def test_a_ticket_the_staff_member_cannot_see_is_refused(self, client, people, ticket, other):
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)
        client.force_login(people.carol)
        response = client.post(f"/tickets/{ticket.pk}/links/add/", {"type": "related_to", "target": other.pk})
        assert flashed(response) == [f"There is no ticket #{other.pk} you can see."]
        assert pairs() == []

    def test_customers_get_404_and_nothing_is_stored(self, client, people, ticket, other):
        client.force_login(people.dave)
        response = client.post(f"/tickets/{ticket.pk}/links/add/", {"type": "related_to", "target": other.pk})
        assert response.status_code == 404
        assert pairs() == []

    def test_get_is_not_allowed(self, staff_client, ticket):
        assert staff_client.get(f"/tickets/{ticket.pk}/links/add/").status_code == 405


class TestLinkRemove:
    def test_staff_remove_a_link_in_both_directions(self, staff_client, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="caused_by")
        response = staff_client.post(f"/tickets/{ticket.pk}/links/{other.pk}/remove/", {"type": "caused_by"})
        assert response["Location"] == f"/tickets/{ticket.pk}/"
        assert pairs() == []
        assert flashed(response) == [f"Link to #{other.pk} removed."]

    def test_a_missing_link_is_reported(self, staff_client, ticket, other):
        response = staff_client.post(f"/tickets/{ticket.pk}/links/{other.pk}/remove/", {"type": "caused_by"})
        assert "is not caused by" in flashed(response)[0]

    def test_customers_get_404(self, client, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        client.force_login(people.dave)
        response = client.post(f"/tickets/{ticket.pk}/links/{other.pk}/remove/", {"type": "related_to"})
        assert response.status_code == 404
        assert len(pairs()) == 2


class TestResolveChildren:
    def test_staff_resolve_all_children_and_are_told_how_many(self, staff_client, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="parent_of")
        actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="Power supply swapped")
        response = staff_client.post(f"/tickets/{ticket.pk}/resolve-children/", {"resolution_notes": ""})
        assert response["Location"] == f"/tickets/{ticket.pk}/"
        assert flashed(response) == ["1 child ticket resolved."]
        other.refresh_from_db()
        assert other.status.kind == StatusKind.RESOLVED
        assert other.resolution_notes == "Power supply swapped"

    def test_customers_get_404_and_nothing_changes(self, client, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="parent_of")
        client.force_login(people.dave)
        assert client.post(f"/tickets/{ticket.pk}/resolve-children/").status_code == 404
        other.refresh_from_db()
        assert other.status.kind == StatusKind.NEW
