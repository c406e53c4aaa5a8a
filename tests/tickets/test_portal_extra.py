"""The customer portal's remaining parts: search in my tickets, edits of own replies (window,
someone else's), closure requests, close now, and the survey reached from its email link."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_ticket
from tickets import actions
from tickets.actions.customer import add_participant
from tickets.models import StatusKind, Survey

pytestmark = pytest.mark.django_db


def listed(client, **params) -> str:
    response = client.get(reverse("portal"), params)
    assert response.status_code == 200
    return response.content.decode()


class TestPortalSearch:
    @pytest.fixture
    def tickets(self, people):
        printer = make_ticket(people.dave, people.category, subject="Printer jammed", description="Tray two")
        vpn = make_ticket(people.dave, people.category, subject="VPN drops", description="Every hour")
        actions.add_message(ticket=vpn, actor=people.bob, body="Try the backup gateway")
        actions.add_message(ticket=vpn, actor=people.bob, body="Customer uses a zebra router", internal=True)
        gone = actions.add_message(ticket=printer, actor=people.dave, body="Mention of flamingo")
        actions.delete_message(message=gone, actor=people.dave)
        make_ticket(people.erin, people.category, subject="Erin's printer")
        return printer, vpn

    @pytest.mark.parametrize(
        "q, found",
        [
            ("printer", ["Printer jammed"]),
            ("tray", ["Printer jammed"]),
            ("gateway", ["VPN drops"]),
            ("backup gateway", ["VPN drops"]),
            ("zebra", []),
            ("flamingo", []),
            ("printer gateway", []),
        ],
    )
    def test_words_match_subject_description_and_public_replies_only(self, client, people, tickets, q, found):
        client.force_login(people.dave)
        body = listed(client, q=q)
        for subject in ("Printer jammed", "VPN drops", "Erin&#x27;s printer"):
            assert (subject in body) == (subject in found)

    def test_a_number_finds_the_ticket(self, client, people, tickets):
        _, vpn = tickets
        client.force_login(people.dave)
        body = listed(client, q=f"#{vpn.number}")
        assert "VPN drops" in body and "Printer jammed" not in body

    def test_search_stays_in_the_tab_and_shows_status_and_update(self, client, people, tickets):
        printer, _ = tickets
        actions.close_ticket(ticket=printer, actor=people.bob)
        client.force_login(people.dave)
        assert "Printer jammed" not in listed(client, q="printer")
        closed = listed(client, q="printer", tab="closed")
        assert "Printer jammed" in closed and "Closed" in closed and "<time" in closed
        assert 'value="printer"' in closed

    def test_the_search_text_is_shown_escaped(self, client, people):
        client.force_login(people.dave)
        body = listed(client, q="<script>alert(1)</script>")
        assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body

    def test_query_count_does_not_grow_with_rows(self, client, people, django_assert_max_num_queries):
        # 4 at 1 and at 21 rows: session, user, count, the page of tickets with status and flag.
        client.force_login(people.dave)
        make_ticket(people.dave, people.category, subject="Printer 0")
        with django_assert_max_num_queries(4) as few:
            listed(client, q="printer")
        for n in range(20):
            ticket = make_ticket(people.dave, people.category, subject=f"Printer {n + 1}")
            actions.add_message(ticket=ticket, actor=people.bob, body="printer fixed")
        with django_assert_max_num_queries(4) as many:
            listed(client, q="printer")
        assert len(few.captured_queries) == len(many.captured_queries)


class TestOwnReplyEditsInTheApi:
    def url(self, message):
        return reverse("api-ticket-message", args=[message.ticket_id, message.pk])

    def test_edit_and_delete_inside_the_window(self, api, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Typo")
        assert api(people.dave).patch(self.url(message), {"body": "Fixed"}, format="json").status_code == 200
        assert api(people.dave).delete(self.url(message)).status_code == 204

    def test_edit_and_delete_after_the_window_are_409_and_nothing_changes(self, api, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Typo")
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            assert (
                api(people.dave).patch(self.url(message), {"body": "Late"}, format="json").status_code == 409
            )
            assert api(people.dave).delete(self.url(message)).status_code == 409
        message.refresh_from_db()
        assert message.body == "Typo" and not message.deleted

    def test_the_page_stops_offering_the_buttons_after_the_window(self, client, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Typo")
        client.force_login(people.dave)
        edit = reverse("portal_message_edit", args=[ticket.pk, message.pk])
        delete = reverse("portal_message_delete", args=[ticket.pk, message.pk])
        page = client.get(reverse("portal_ticket", args=[ticket.pk])).content.decode()
        assert edit in page and delete in page
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            page = client.get(reverse("portal_ticket", args=[ticket.pk])).content.decode()
        assert edit not in page and delete not in page

    def test_a_participant_editing_the_requesters_reply_is_403(self, api, people, ticket):
        add_participant(ticket=ticket, actor=people.dave, user=people.erin)
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Mine")
        assert (
            api(people.erin).patch(self.url(message), {"body": "Hijacked"}, format="json").status_code == 403
        )
        assert api(people.erin).delete(self.url(message)).status_code == 403
        message.refresh_from_db()
        assert message.body == "Mine" and not message.deleted

    def test_an_outsider_editing_a_reply_is_404(self, api, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Mine")
        assert (
            api(people.erin).patch(self.url(message), {"body": "Hijacked"}, format="json").status_code == 404
        )
        message.refresh_from_db()
        assert message.body == "Mine"

    def test_a_customer_editing_a_staff_reply_is_403(self, api, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.bob, body="Staff words")
        assert (
            api(people.dave).patch(self.url(message), {"body": "Mine now"}, format="json").status_code == 403
        )
        message.refresh_from_db()
        assert message.body == "Staff words"


class TestClosureAndSurvey:
    def test_a_participant_may_request_closure(self, client, people, ticket):
        add_participant(ticket=ticket, actor=people.dave, user=people.erin)
        client.force_login(people.erin)
        client.post(reverse("portal_request_closure", args=[ticket.pk]))
        ticket.refresh_from_db()
        assert ticket.status.kind == StatusKind.PENDING_CLOSURE

    def test_close_now_is_offered_and_works_on_closure_scheduled(self, api, people, ticket):
        actions.schedule_closure(ticket=ticket, actor=people.bob, at=timezone.now() + timedelta(days=1))
        response = api(people.dave).post(reverse("api-ticket-close", args=[ticket.pk]))
        assert response.status_code == 200 and response.json()["status"]["kind"] == StatusKind.CLOSED

    def test_the_survey_email_link_leads_through_login_to_the_survey(self, client, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        url = f"/portal/tickets/{ticket.pk}/survey/"
        assert url == reverse("portal_survey", args=[ticket.pk])
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert "next=" in response.url
        client.force_login(people.dave)
        assert client.get(url).status_code == 200

    def test_the_survey_is_answered_once(self, client, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        client.force_login(people.dave)
        url = reverse("portal_survey", args=[ticket.pk])
        assert client.post(url, {"rating": "4"}).status_code == 302
        assert client.get(url).status_code == 404
        assert client.post(url, {"rating": "1"}).status_code == 404
        assert Survey.objects.get(ticket=ticket).rating == 4
