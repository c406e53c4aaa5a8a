"""Bulk actions (SPEC §6): one change for many tickets, each through its own action."""

import pytest
from django.urls import reverse

from tests.factories import make_ticket
from tickets import actions
from tickets.lifecycle import status_of_kind
from tickets.models import StatusKind, Ticket, TicketEvent

from .api_support import state

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/bulk/"


@pytest.fixture
def three(people):
    return [make_ticket(people.dave, people.category, subject=f"Bulk {n}") for n in range(3)]


def post(api, user, **body):
    return api(user).post(URL, body, format="json")


def kinds(tickets) -> list[str]:
    return [Ticket.objects.get(pk=t.pk).status_kind for t in tickets]


class TestBulkApi:
    def test_status_for_all(self, api, people, three):
        response = post(api, people.bob, ids=[t.pk for t in three], action="status", status="In progress")
        assert response.status_code == 200
        assert response.json() == {"succeeded": [t.pk for t in three], "failed": []}
        assert kinds(three) == ["open"] * 3
        # the same history as a single change
        assert TicketEvent.objects.filter(action="status", ticket__in=three, actor=people.bob).count() == 3

    def test_mixed_success_reports_each_failure(self, api, people, three):
        spam, hidden = three[0], make_ticket(people.erin, people.category, subject="Not carol's")
        for t in three:
            actions.assign_ticket(ticket=t, actor=people.bob, team=people.blue)
        actions.mark_spam(ticket=spam, actor=people.bob)
        before = state(hidden)[:2]  # its row and tags
        ids = [spam.pk, three[1].pk, hidden.pk, 999_999_999, three[2].pk]
        response = post(api, people.carol, ids=ids, action="spam")
        body = response.json()
        assert response.status_code == 200
        assert body["succeeded"] == [three[1].pk, three[2].pk]
        failed = {row["id"]: row["reason"] for row in body["failed"]}
        assert failed[spam.pk] == "The ticket is already Spam."  # refused by the action's rule
        assert failed[hidden.pk] == failed[999_999_999] == "No such ticket."  # invisible = missing
        assert state(hidden)[:2] == before
        assert kinds(three) == ["spam"] * 3

    def test_assign_keeps_omitted_keys_and_null_unassigns(self, api, people, three):
        actions.assign_ticket(ticket=three[0], actor=people.bob, team=people.red)
        post(api, people.bob, ids=[three[0].pk], action="assign", assignee=people.carol.pk)
        t = Ticket.objects.get(pk=three[0].pk)
        assert (t.assignee_id, t.team_id) == (people.carol.pk, people.red.pk)
        post(api, people.bob, ids=[three[0].pk], action="assign", assignee=None, team="Blue")
        t = Ticket.objects.get(pk=three[0].pk)
        assert (t.assignee_id, t.team_id) == (None, people.blue.pk)

    def test_delete(self, api, people, three):
        post(api, people.bob, ids=[t.pk for t in three], action="delete")
        assert kinds(three) == ["deleted"] * 3

    def test_tags_added_and_removed(self, api, people, three):
        actions.update_ticket_fields(ticket=three[0], actor=people.bob, tags=["old", "keep"])
        response = post(
            api,
            people.bob,
            ids=[three[0].pk, three[1].pk],
            action="tag",
            add_tags=["New"],
            remove_tags=["old"],
        )
        assert response.json()["succeeded"] == [three[0].pk, three[1].pk]
        assert sorted(Ticket.objects.get(pk=three[0].pk).tags.values_list("name", flat=True)) == [
            "keep",
            "new",
        ]
        assert list(Ticket.objects.get(pk=three[1].pk).tags.values_list("name", flat=True)) == ["new"]

    def test_tags_replaced(self, api, people, three):
        actions.update_ticket_fields(ticket=three[0], actor=people.bob, tags=["old"])
        post(api, people.bob, ids=[three[0].pk], action="tag", tags=["a", "b"])
        assert sorted(Ticket.objects.get(pk=three[0].pk).tags.values_list("name", flat=True)) == ["a", "b"]

    def test_a_status_the_action_refuses_is_reported_for_each_ticket(self, api, people, three):
        before = [state(t) for t in three[:2]]
        response = post(
            api, people.bob, ids=[t.pk for t in three[:2]], action="status", status="Closure scheduled"
        )
        body = response.json()
        assert response.status_code == 200 and body["succeeded"] == []
        assert [row["reason"] for row in body["failed"]] == [
            "Use 'schedule closure' with a time to schedule a closure."
        ] * 2
        assert [state(t) for t in three[:2]] == before

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"ids": ["TICKET"], "action": "explode"}, "action"),
            ({"ids": ["TICKET"]}, "action"),
            ({"ids": [], "action": "spam"}, "ids"),
            ({"action": "spam"}, "ids"),
            ({"ids": "1,2", "action": "spam"}, "ids"),
            ({"ids": ["x"], "action": "spam"}, "ids"),
            ({"ids": [True], "action": "spam"}, "ids"),
            ({"ids": [99999999999999999999], "action": "spam"}, "ids"),
            ({"ids": list(range(1, 502)), "action": "spam"}, "ids"),
            ({"ids": ["TICKET"], "action": "status"}, "status"),
            ({"ids": ["TICKET"], "action": "status", "status": "Nope"}, "status"),
            ({"ids": ["TICKET"], "action": "assign"}, "assignee"),
            ({"ids": ["TICKET"], "action": "assign", "assignee": 999999}, "assignee"),
            ({"ids": ["TICKET"], "action": "assign", "team": "Nope"}, "team"),
            ({"ids": ["TICKET"], "action": "tag"}, "add_tags"),
            ({"ids": ["TICKET"], "action": "tag", "add_tags": [{"a": 1}]}, "add_tags"),
        ],
    )
    def test_bad_input_is_400_and_changes_nothing(self, api, people, three, body, field):
        body = {k: ([three[0].pk] if v == ["TICKET"] else v) for k, v in body.items()}
        before = state(three[0])
        response = api(people.bob).post(URL, body, format="json")
        assert response.status_code == 400 and field in response.json(), response.content
        assert state(three[0]) == before

    def test_assigning_to_a_customer_is_refused(self, api, people, three):
        response = post(api, people.bob, ids=[three[0].pk], action="assign", assignee=people.dave.pk)
        assert response.status_code == 400 and "assignee" in response.json()

    def test_500_ids_are_accepted(self, api, people, three):
        ids = [t.pk for t in three] + list(range(10**9, 10**9 + 497))
        body = post(api, people.bob, ids=ids, action="spam").json()
        assert len(body["succeeded"]) == 3 and len(body["failed"]) == 497

    def test_customers_get_403_and_nothing_changes(self, api, people, three):
        response = post(api, people.dave, ids=[three[0].pk], action="spam")
        assert response.status_code == 403 and kinds(three[:1]) == ["new"]

    def test_anonymous_gets_401(self, api, three):
        assert api().post(URL, {"ids": [three[0].pk], "action": "spam"}, format="json").status_code == 401

    def test_one_failure_rolls_back_only_that_ticket(self, api, people, three, monkeypatch):
        """Each ticket is its own transaction: a crash inside one leaves none of it behind."""
        from tickets.actions import _common

        original = _common.record

        def flaky(ticket, *args, **kwargs):
            if ticket.pk == three[1].pk:
                raise _common.ActionRefused("Simulated failure after the status was written.")
            return original(ticket, *args, **kwargs)

        monkeypatch.setattr(_common, "record", flaky)
        body = post(api, people.bob, ids=[t.pk for t in three], action="spam").json()
        assert body["succeeded"] == [three[0].pk, three[2].pk]
        assert kinds(three) == ["spam", "new", "spam"]


class TestBulkPage:
    def test_queue_page_has_checkboxes_and_the_bulk_bar(self, client, people, three):
        client.force_login(people.bob)
        body = client.get(reverse("ticket_list"), {"queue": "all"}).content.decode()
        assert 'id="bulk-form"' in body and body.count('form="bulk-form"') == 3

    def test_bulk_post_reports_successes_and_failures(self, client, people, three):
        actions.mark_spam(ticket=three[0], actor=people.bob)
        client.force_login(people.bob)
        data = {"ids": [t.pk for t in three], "action": "spam", "next": "/tickets/?queue=all"}
        response = client.post(reverse("ticket_bulk"), data, follow=True)
        body = response.content.decode()
        assert response.redirect_chain[-1][0] == "/tickets/?queue=all"
        assert "2 tickets changed." in body and f"1 ticket not changed: #{three[0].pk}" in body
        assert kinds(three) == ["spam"] * 3

    def test_bulk_status_assign_and_tags_from_the_page(self, client, people, three):
        client.force_login(people.bob)
        ids = [three[0].pk, three[1].pk]
        open_status = status_of_kind(StatusKind.OPEN)
        client.post(reverse("ticket_bulk"), {"ids": ids, "action": "status", "status": open_status.pk})
        client.post(reverse("ticket_bulk"), {"ids": ids, "action": "assign", "assignee": people.carol.pk})
        client.post(reverse("ticket_bulk"), {"ids": ids, "action": "tag", "add_tags": "x, y"})
        t = Ticket.objects.get(pk=three[0].pk)
        assert (t.status_kind, t.assignee_id) == ("open", people.carol.pk)
        assert sorted(t.tags.values_list("name", flat=True)) == ["x", "y"]
        assert Ticket.objects.get(pk=three[2].pk).status_kind == "new"

    def test_bad_bulk_post_shows_the_reason(self, client, people, three):
        client.force_login(people.bob)
        response = client.post(reverse("ticket_bulk"), {"action": "spam"}, follow=True)
        assert "Choose at least one ticket." in response.content.decode()
        assert kinds(three) == ["new"] * 3

    def test_next_must_stay_on_this_site(self, client, people, three):
        client.force_login(people.bob)
        data = {"ids": [three[0].pk], "action": "spam", "next": "https://evil.example.com/"}
        assert client.post(reverse("ticket_bulk"), data).url == reverse("ticket_list")

    def test_customers_get_404(self, client, people, three):
        client.force_login(people.dave)
        assert (
            client.post(reverse("ticket_bulk"), {"ids": [three[0].pk], "action": "spam"}).status_code == 404
        )
        assert kinds(three[:1]) == ["new"]
