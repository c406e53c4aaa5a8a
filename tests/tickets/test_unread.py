"""Unread markers: a customer post newer than a staff member's last look makes the row bold."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_ticket
from tickets import actions
from tickets.models import TicketView

pytestmark = pytest.mark.django_db


def unread_numbers(client) -> set[int]:
    body = client.get(reverse("ticket_list"), {"queue": "all"}).content.decode()
    rows = re.findall(r'<tr class="unread fw-bold">\s*<td><input[^>]*value="(\d+)"', body)
    return {int(n) for n in rows}


def api_unread(api, user) -> dict[int, bool]:
    return {row["id"]: row["unread"] for row in api(user).get("/api/v1/tickets/").json()["results"]}


class TestMarkTicketSeen:
    def test_opening_the_ticket_page_records_the_time_again_only_after_a_customer_post(
        self, client, people, ticket, time_machine
    ):
        time_machine.move_to("2030-05-01 12:00Z", tick=False)
        client.force_login(people.bob)
        client.get(reverse("ticket_detail", args=[ticket.pk]))
        time_machine.move_to("2030-05-02 12:00Z", tick=False)
        client.get(reverse("ticket_detail", args=[ticket.pk]))  # nothing new: the marker stays
        seen = TicketView.objects.get(user=people.bob, ticket=ticket)
        assert seen.seen_at.isoformat() == "2030-05-01T12:00:00+00:00"
        time_machine.move_to("2030-05-03 12:00Z", tick=False)
        actions.add_message(ticket=ticket, actor=people.dave, body="Any news?")
        time_machine.move_to("2030-05-04 12:00Z", tick=False)
        client.get(reverse("ticket_detail", args=[ticket.pk]))
        seen.refresh_from_db()
        assert seen.seen_at.isoformat() == "2030-05-04T12:00:00+00:00"

    def test_writes_only_when_it_changes_what_is_unread(self, people, ticket, django_assert_num_queries):
        with django_assert_num_queries(2):  # is it seen already? no: one upsert
            actions.mark_ticket_seen(ticket=ticket, actor=people.bob)
        with django_assert_num_queries(1) as again:  # seen: a read, no write
            actions.mark_ticket_seen(ticket=ticket, actor=people.bob)
        assert again.captured_queries[0]["sql"].startswith("SELECT")
        assert TicketView.objects.count() == 1

    def test_a_ticket_without_customer_posts_costs_no_query(self, people, django_assert_num_queries):
        staff_opened = make_ticket(people.dave, people.category, actor=people.bob)
        assert staff_opened.last_customer_post_at is None
        with django_assert_num_queries(0):
            actions.mark_ticket_seen(ticket=staff_opened, actor=people.bob)
        assert not TicketView.objects.exists()

    def test_customers_leave_no_marker(self, people, ticket):
        actions.mark_ticket_seen(ticket=ticket, actor=people.dave)
        assert not TicketView.objects.exists()

    def test_a_404_leaves_no_marker(self, client, people, ticket):
        client.force_login(people.carol)
        assert client.get(reverse("ticket_detail", args=[ticket.pk])).status_code == 404
        assert not TicketView.objects.exists()


class TestUnreadInTheQueue:
    def test_a_new_customer_ticket_is_unread_until_opened(self, client, api, people, ticket, time_machine):
        client.force_login(people.bob)
        assert unread_numbers(client) == {ticket.pk}
        assert api_unread(api, people.bob) == {ticket.pk: True}
        time_machine.move_to("2030-01-01 09:00Z")
        client.force_login(people.bob)  # the first session expired meanwhile
        assert client.get(reverse("ticket_detail", args=[ticket.pk])).status_code == 200
        assert unread_numbers(client) == set()
        assert api_unread(api, people.bob) == {ticket.pk: False}

    def test_a_later_customer_reply_makes_it_unread_again(self, client, people, ticket, time_machine):
        time_machine.move_to("2030-01-01 09:00Z", tick=False)
        client.force_login(people.bob)
        client.get(reverse("ticket_detail", args=[ticket.pk]))
        time_machine.move_to("2030-01-01 10:00Z", tick=False)
        actions.add_message(ticket=ticket, actor=people.dave, body="Any news?")
        assert unread_numbers(client) == {ticket.pk}
        body = client.get(reverse("ticket_list"), {"queue": "all"}).content.decode()
        assert ">Unread</span>" in body

    def test_staff_posts_never_make_it_unread(self, client, people, time_machine):
        time_machine.move_to("2030-01-01 09:00Z", tick=False)
        t = make_ticket(people.dave, people.category, actor=people.bob, subject="Opened by staff")
        client.force_login(people.carol)
        actions.assign_ticket(ticket=t, actor=people.bob, assignee=people.carol)
        time_machine.move_to("2030-01-01 10:00Z", tick=False)
        actions.add_message(ticket=t, actor=people.bob, body="Internal remark", internal=True)
        assert unread_numbers(client) == set()

    def test_markers_are_per_person(self, client, people, ticket):
        client.force_login(people.bob)
        client.get(reverse("ticket_detail", args=[ticket.pk]))
        assert unread_numbers(client) == set()
        client.force_login(people.alice)
        assert unread_numbers(client) == {ticket.pk}
