"""The lifecycle endpoints of API.md: transition, assignment, closures, spam, deletion, restore."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import actions
from tickets.models import Status, Survey

from .api_support import state, url

pytestmark = pytest.mark.django_db


def future(days=1) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def staff_calls(people):
    return [
        ("transition", {"status": "In progress"}),
        ("assign", {"assignee": people.bob.pk}),
        ("assign-to-me", None),
        ("schedule-closure", {"at": future()}),
        ("spam", None),
        ("delete", None),
        ("restore", None),
        ("schedule-deletion", {"at": future()}),
    ]


STAFF_ACTIONS = [
    "transition",
    "assign",
    "assign-to-me",
    "schedule-closure",
    "spam",
    "delete",
    "restore",
    "schedule-deletion",
]


class TestRefusalsByRole:
    """Every lifecycle endpoint: 401 anonymous, 404 hidden, 403 customer on a staff action."""

    @pytest.mark.parametrize("action", [*STAFF_ACTIONS, "request-closure", "close"])
    def test_anonymous_gets_401(self, api, people, ticket, action):
        before = state(ticket)
        body = dict(staff_calls(people)).get(action)
        assert api().post(url(ticket, action), body, format="json").status_code == 401
        assert state(ticket) == before

    @pytest.mark.parametrize("action", [*STAFF_ACTIONS, "request-closure", "close"])
    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_may_not_see_the_ticket_get_404(self, api, people, ticket, action, who):
        before = state(ticket)
        body = dict(staff_calls(people)).get(action)
        response = api(getattr(people, who)).post(url(ticket, action), body, format="json")
        assert response.status_code == 404 and state(ticket) == before

    @pytest.mark.parametrize("action", STAFF_ACTIONS)
    def test_customer_on_a_staff_action_gets_403(self, api, people, ticket, action):
        before = state(ticket)
        body = dict(staff_calls(people))[action]
        response = api(people.dave).post(url(ticket, action), body, format="json")
        assert response.status_code == 403 and state(ticket) == before

    def test_customer_on_a_staff_action_with_bad_input_still_gets_403(self, api, people, ticket):
        before = state(ticket)
        response = api(people.dave).post(url(ticket, "transition"), {"status": "Nope"}, format="json")
        assert response.status_code == 403 and state(ticket) == before

    def test_unknown_ticket_is_404(self, api, people):
        assert api(people.bob).post(url(999999, "spam")).status_code == 404
        assert api(people.bob).post("/api/v1/tickets/99999999999999999999999/spam/").status_code == 404


class TestTransition:
    def test_staff_move_the_ticket_by_name_or_id(self, api, people, ticket):
        response = api(people.bob).post(url(ticket, "transition"), {"status": "In progress"}, format="json")
        assert response.status_code == 200 and response.json()["status"]["kind"] == "open"
        pending = Status.objects.get(name="Pending")
        response = api(people.bob).post(url(ticket, "transition"), {"status": pending.pk}, format="json")
        assert response.json()["status"] == {"id": pending.pk, "name": "Pending", "kind": "pending"}

    def test_resolving_keeps_the_notes_and_opens_a_survey(self, api, people, ticket):
        data = {"status": "Resolved", "resolution_notes": "Replaced the fuse"}
        body = api(people.bob).post(url(ticket, "transition"), data, format="json").json()
        assert body["resolution_notes"] == "Replaced the fuse" and body["resolved_at"]
        assert Survey.objects.filter(ticket=ticket, answered_at__isnull=True).exists()

    def test_restricted_staff_act_on_a_ticket_in_their_scope(self, api, people, ticket):
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)
        response = api(people.carol).post(url(ticket, "transition"), {"status": "Pending"}, format="json")
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"status": "Nope"}, "status"),
            ({"status": 999999}, "status"),
            ({"status": True}, "status"),
            ({"status": None}, "status"),
            ({}, "status"),
            ({"status": "Closure scheduled"}, "status"),
            ({"status": {"id": 1}}, "status"),
            ({"status": "Resolved", "resolution_notes": "x" * 100_001}, "resolution_notes"),
        ],
    )
    def test_bad_input_is_400_and_nothing_changes(self, api, people, ticket, data, field):
        before = state(ticket)
        response = api(people.bob).post(url(ticket, "transition"), data, format="json")
        assert response.status_code == 400 and field in response.json()
        assert state(ticket) == before

    def test_inactive_status_is_refused(self, api, people, ticket):
        Status.objects.filter(name="Pending").update(active=False)
        before = state(ticket)
        response = api(people.bob).post(url(ticket, "transition"), {"status": "Pending"}, format="json")
        assert response.status_code == 400 and state(ticket) == before

    def test_moving_between_spam_and_deleted_is_a_conflict(self, api, people, ticket):
        actions.mark_spam(ticket=ticket, actor=people.bob)
        before = state(ticket)
        response = api(people.bob).post(url(ticket, "transition"), {"status": "Deleted"}, format="json")
        assert response.status_code == 409 and state(ticket) == before


class TestAssign:
    def test_assign_to_a_person_and_a_team(self, api, people, ticket):
        data = {"assignee": people.carol.pk, "team": people.blue.pk}
        body = api(people.bob).post(url(ticket, "assign"), data, format="json").json()
        assert body["assignee"]["id"] == people.carol.pk and body["team"] == {
            "id": people.blue.pk,
            "name": "Blue",
        }

    def test_omitted_keys_stay_and_null_clears(self, api, people, ticket):
        actions.assign_ticket(ticket=ticket, actor=people.bob, assignee=people.bob, team=people.red)
        body = api(people.bob).post(url(ticket, "assign"), {"team": None}, format="json").json()
        assert body["assignee"]["id"] == people.bob.pk and body["team"] is None
        body = api(people.bob).post(url(ticket, "assign"), {}, format="json").json()
        assert body["assignee"]["id"] == people.bob.pk

    def test_assign_to_me(self, api, people, ticket):
        response = api(people.bob).post(url(ticket, "assign-to-me"))
        assert response.status_code == 200 and response.json()["assignee"]["id"] == people.bob.pk

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"assignee": "customer"}, "assignee"),
            ({"assignee": 999999}, "assignee"),
            ({"assignee": "bob@example.com"}, "assignee"),
            ({"assignee": 2**64}, "assignee"),
            ({"team": "Green"}, "team"),
            ({"team": [1]}, "team"),
        ],
    )
    def test_bad_input_is_400_and_nothing_changes(self, api, people, ticket, data, field):
        data = {k: people.dave.pk if v == "customer" else v for k, v in data.items()}
        before = state(ticket)
        response = api(people.bob).post(url(ticket, "assign"), data, format="json")
        assert response.status_code == 400 and field in response.json()
        assert state(ticket) == before


class TestClosures:
    def test_requester_requests_closure(self, api, people, ticket):
        response = api(people.dave).post(url(ticket, "request-closure"))
        assert response.status_code == 200 and response.json()["status"]["kind"] == "pending_closure"
        assert Survey.objects.filter(ticket=ticket).exists()

    def test_participant_requests_closure(self, api, people, ticket):
        ticket.participants.add(people.erin)
        assert api(people.erin).post(url(ticket, "request-closure")).status_code == 200

    def test_request_closure_twice_is_a_conflict(self, api, people, ticket):
        actions.request_closure(ticket=ticket, actor=people.dave)
        before = state(ticket)
        assert api(people.dave).post(url(ticket, "request-closure")).status_code == 409
        assert state(ticket) == before

    def test_request_closure_on_a_closed_ticket_is_a_conflict(self, api, people, ticket):
        actions.close_ticket(ticket=ticket, actor=people.bob)
        before = state(ticket)
        assert api(people.dave).post(url(ticket, "request-closure")).status_code == 409
        assert state(ticket) == before

    def test_staff_who_are_not_parties_get_403_on_request_closure(self, api, people, ticket):
        before = state(ticket)
        assert api(people.bob).post(url(ticket, "request-closure")).status_code == 403
        assert state(ticket) == before

    def test_schedule_closure(self, api, people, ticket, django_capture_on_commit_callbacks):
        at = future(2)
        with django_capture_on_commit_callbacks() as callbacks:
            response = api(people.bob).post(url(ticket, "schedule-closure"), {"at": at}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"]["kind"] == "closure_scheduled" and body["closure_scheduled_at"]
        assert len(callbacks) >= 1  # the task queued for the exact time

    def test_second_schedule_is_a_conflict(self, api, people, ticket):
        actions.schedule_closure(ticket=ticket, actor=people.bob, at=timezone.now() + timedelta(days=1))
        before = state(ticket)
        response = api(people.bob).post(url(ticket, "schedule-closure"), {"at": future(3)}, format="json")
        assert response.status_code == 409 and state(ticket) == before

    @pytest.mark.parametrize(
        "at",
        [
            "tomorrow",
            "",
            None,
            12345,
            "2020-01-01T00:00:00Z",
            "9999-12-31T23:59:59-10:00",
            ["x"],
            "2025-13-45",
        ],
    )
    @pytest.mark.parametrize("action", ["schedule-closure", "schedule-deletion"])
    def test_bad_times_are_400_and_nothing_changes(self, api, people, ticket, at, action):
        before = state(ticket)
        response = api(people.bob).post(url(ticket, action), {"at": at}, format="json")
        assert response.status_code == 400 and "at" in response.json()
        assert state(ticket) == before

    def test_requester_closes_early_once_scheduled(self, api, people, ticket):
        actions.schedule_closure(ticket=ticket, actor=people.bob, at=timezone.now() + timedelta(days=1))
        response = api(people.dave).post(url(ticket, "close"))
        assert response.status_code == 200 and response.json()["status"]["kind"] == "closed"

    def test_requester_cannot_close_before_a_schedule(self, api, people, ticket):
        before = state(ticket)
        assert api(people.dave).post(url(ticket, "close")).status_code == 409
        assert state(ticket) == before

    def test_staff_close_at_once(self, api, people, ticket):
        response = api(people.bob).post(url(ticket, "close"), {"reason": "Duplicate"}, format="json")
        assert response.status_code == 200 and response.json()["status"]["kind"] == "closed"
        assert api(people.bob).post(url(ticket, "close")).status_code == 409


class TestSpamDeleteRestore:
    def test_spam_then_restore(self, api, people, ticket):
        response = api(people.bob).post(url(ticket, "spam"))
        assert response.status_code == 200
        body = response.json()
        assert body["status"]["kind"] == "spam" and body["purge_at"]
        response = api(people.bob).post(url(ticket, "restore"))
        assert response.status_code == 200
        assert response.json()["status"]["name"] == "New" and response.json()["purge_at"] is None

    def test_delete_twice_is_a_conflict(self, api, people, ticket):
        assert api(people.bob).post(url(ticket, "delete")).json()["status"]["kind"] == "deleted"
        before = state(ticket)
        assert api(people.bob).post(url(ticket, "delete")).status_code == 409
        assert api(people.bob).post(url(ticket, "spam")).status_code == 409
        assert state(ticket) == before

    def test_restore_of_a_visible_ticket_is_a_conflict(self, api, people, ticket):
        before = state(ticket)
        assert api(people.bob).post(url(ticket, "restore")).status_code == 409
        assert state(ticket) == before

    def test_restore_with_a_missing_field_is_a_conflict_with_the_reason(self, api, people, ticket):
        actions.delete_ticket(ticket=ticket, actor=people.bob)
        people.category.delete()  # an admin removed the category meanwhile
        before = state(ticket)
        response = api(people.bob).post(url(ticket, "restore"))
        assert response.status_code == 409 and "category" in response.json()["detail"]
        assert state(ticket) == before

    def test_schedule_deletion_closes_now_and_purges_later(self, api, people, ticket):
        at = future(10)
        response = api(people.bob).post(url(ticket, "schedule-deletion"), {"at": at}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"]["kind"] == "closed" and body["purge_at"]
        restored = api(people.bob).post(url(ticket, "restore")).json()
        assert restored["purge_at"] is None and restored["status"]["name"] == "New"

    def test_customers_never_see_spam(self, api, people, ticket):
        actions.mark_spam(ticket=ticket, actor=people.bob)
        assert api(people.dave).post(url(ticket, "request-closure")).status_code == 404
