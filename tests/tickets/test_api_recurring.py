"""Recurring tickets through the API (admins only): list, add, read, change, delete; the schedule
and the template are checked as in admin and as a new ticket would be."""

from datetime import UTC, datetime, time

import pytest
from django.contrib.admin.models import LogEntry

from tests.factories import ItemFactory, TicketTypeFactory, priority
from tickets.actions.recurring import (
    delete_recurring_ticket,
    open_due_recurring_tickets,
    plan_recurring_ticket,
    save_recurring_ticket,
)
from tickets.errors import ActionRefused
from tickets.models import Category, RecurringRun, RecurringTicket, Ticket

from .api_support import NOT_ADMINS, caller

pytestmark = pytest.mark.django_db
URL = "/api/v1/recurring-tickets/"
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday, 07:00 in Berlin


def detail(recurring) -> str:
    return f"{URL}{recurring.pk}/"


def snapshot() -> tuple:
    return (
        list(RecurringTicket.objects.order_by("pk").values()),
        RecurringRun.objects.count(),
        LogEntry.objects.count(),
    )


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def body(people):
    return {
        "name": "Backup check",
        "schedule": "weekly",
        "weekday": 2,
        "time_of_day": "09:30",
        "time_zone": "Europe/Berlin",
        "subject": "Check the backups",
        "description": "Open the report.",
        "category": people.category.name,
        "priority": "High",
        "team": people.red.pk,
        "assignee": people.bob.pk,
        "requester": people.dave.pk,
    }


@pytest.fixture
def backups(people):
    row = RecurringTicket.objects.create(
        name="Backups",
        schedule="daily",
        time_of_day=time(9, 0),
        time_zone="Europe/Berlin",
        subject="Check the backups",
        description="Open the report.",
        category=people.category,
        requester=people.dave,
        created_by=people.alice,
    )
    return plan_recurring_ticket(row)


class TestCrud:
    def test_admin_adds_a_schedule_and_it_is_planned_in_its_time_zone(self, api, people, body):
        response = api(people.alice).post(URL, body, format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        # Wednesday 4 March, 09:30 in Berlin (+01:00)
        assert data["next_run_at"] == "2026-03-04T08:30:00Z"
        assert data["category"] == {"id": people.category.pk, "name": "Hardware"}
        assert data["priority"]["name"] == "High" and data["team"]["name"] == "Red"
        assert data["assignee"]["id"] == people.bob.pk and data["requester"]["id"] == people.dave.pk
        assert data["created_by"]["id"] == people.alice.pk and data["time_of_day"] == "09:30:00"
        recurring = RecurringTicket.objects.get()
        assert recurring.created_by == people.alice and recurring.active is True
        assert LogEntry.objects.get().object_id == str(recurring.pk)

    def test_a_schedule_added_through_the_api_opens_its_ticket_when_due(self, api, people, body, clock):
        assert api(people.alice).post(URL, body, format="json").status_code == 201
        clock.move_to(datetime(2026, 3, 4, 8, 30, tzinfo=UTC), tick=False)
        assert open_due_recurring_tickets() == 1
        ticket = Ticket.objects.get()
        assert ticket.subject == "Check the backups" and ticket.requester == people.dave
        assert ticket.assignee == people.bob and ticket.team == people.red

    def test_admin_lists_the_schedules_by_name(self, api, people, backups, body):
        api(people.alice).post(URL, body, format="json")
        response = api(people.alice).get(URL)
        assert response.status_code == 200
        assert [r["name"] for r in response.json()["results"]] == ["Backup check", "Backups"]

    def test_admin_reads_one_schedule(self, api, people, backups):
        data = api(people.alice).get(detail(backups)).json()
        assert data["id"] == backups.pk and data["schedule"] == "daily"
        assert data["next_run_at"] == "2026-03-02T08:00:00Z" and data["type"] is None

    def test_changing_the_schedule_plans_it_again(self, api, people, backups):
        response = api(people.alice).patch(
            detail(backups), {"schedule": "cron", "cron": "30 7 * * 1-5"}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["next_run_at"] == "2026-03-02T06:30:00Z"  # 07:30 in Berlin, today
        backups.refresh_from_db()
        assert backups.cron == "30 7 * * 1-5" and backups.subject == "Check the backups"

    def test_switching_it_off_clears_the_next_run(self, api, people, backups):
        response = api(people.alice).patch(detail(backups), {"active": False}, format="json")
        assert response.status_code == 200 and response.json()["next_run_at"] is None

    def test_admin_deletes_a_schedule_and_the_tickets_it_opened_stay(self, api, people, backups, clock):
        clock.move_to(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False)
        assert open_due_recurring_tickets() == 1
        assert api(people.alice).delete(detail(backups)).status_code == 204
        assert not RecurringTicket.objects.exists() and not RecurringRun.objects.exists()
        assert Ticket.objects.count() == 1

    @pytest.mark.parametrize("method", ["get", "patch", "delete"])
    def test_an_unknown_schedule_is_a_404(self, api, people, method):
        response = getattr(api(people.alice), method)(f"{URL}999999/", {}, format="json")
        assert response.status_code == 404

    def test_the_list_costs_the_same_for_one_schedule_and_many(
        self, api, people, body, django_assert_num_queries
    ):
        client = api(people.alice)
        kind = TicketTypeFactory(category=people.category)
        item = ItemFactory(type=kind)
        body |= {"type": kind.pk, "item": item.pk}
        assert client.post(URL, body, format="json").status_code == 201
        # 1 count, 1 page of schedules with their eight related rows joined
        with django_assert_num_queries(2):
            assert client.get(URL).json()["count"] == 1
        for n in range(12):
            assert client.post(URL, body | {"name": f"S{n}"}, format="json").status_code == 201
        with django_assert_num_queries(2):
            assert client.get(URL).json()["count"] == 13


class TestRefused:
    @pytest.mark.parametrize(("who", "code"), NOT_ADMINS)
    def test_nobody_but_an_admin_reads_or_writes_schedules(self, api, people, backups, body, who, code):
        before = snapshot()
        client = caller(api, people, who)
        answers = [
            client.get(URL),
            client.post(URL, body, format="json"),
            client.get(detail(backups)),
            client.patch(detail(backups), {"subject": "Mine"}, format="json"),
            client.delete(detail(backups)),
        ]
        assert [a.status_code for a in answers] == [code] * len(answers)
        assert snapshot() == before


class TestActions:
    @pytest.mark.parametrize("who", ["bob", "carol", "dave"])
    def test_only_admins_save_or_delete_schedules(self, people, backups, who):
        actor = getattr(people, who)
        before = snapshot()
        attempts = [
            lambda: save_recurring_ticket(
                actor=actor,
                name="Mine",
                subject="S",
                description="D",
                category=people.category,
                requester=people.dave,
            ),
            lambda: save_recurring_ticket(actor=actor, recurring=backups, subject="Mine"),
            lambda: delete_recurring_ticket(actor=actor, recurring=backups),
        ]
        for attempt in attempts:
            with pytest.raises(ActionRefused) as refused:
                attempt()
            assert refused.value.code == "forbidden"
        assert snapshot() == before


class TestBadInput:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"schedule": "cron", "cron": "61 * * * *"}, "cron"),
            ({"schedule": "cron", "cron": "every day"}, "cron"),
            ({"schedule": "cron", "cron": ""}, "cron"),
            ({"schedule": "cron", "cron": "0 0 30 2 *"}, "cron"),  # 30 February: never
            ({"schedule": "weekly", "weekday": None}, "weekday"),
            ({"schedule": "weekly", "weekday": 7}, "weekday"),
            ({"schedule": "monthly", "day_of_month": None}, "day_of_month"),
            ({"schedule": "monthly", "day_of_month": 32}, "day_of_month"),
            ({"schedule": "hourly"}, "schedule"),
            ({"time_zone": "Mars/Olympus"}, "time_zone"),
            ({"time_zone": "../../etc/passwd"}, "time_zone"),
            ({"time_of_day": "25:00"}, "time_of_day"),
            ({"subject": ""}, "subject"),
            ({"subject": "x" * 256}, "subject"),
            ({"description": ""}, "description"),
            ({"category": "Nope"}, "category"),
            ({"category": None}, "category"),
            ({"priority": 999999}, "priority"),
            ({"assignee": 999999}, "assignee"),
            ({"requester": None}, "requester"),
            ({"name": None}, "name"),
        ],
    )
    def test_a_bad_schedule_is_a_400_naming_the_field_and_nothing_is_saved(
        self, api, people, body, changes, field
    ):
        response = api(people.alice).post(URL, body | changes, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert snapshot() == ([], 0, 0)

    def test_the_template_follows_the_category_type_item_cascade(self, api, people, body):
        kind = TicketTypeFactory(category=people.category)
        item = ItemFactory(type=kind)
        foreign = TicketTypeFactory()
        other_item = ItemFactory()
        client = api(people.alice)
        cases = [
            ({}, "type"),  # the category has types: one is required
            ({"type": foreign.pk}, "type"),
            ({"type": kind.pk}, "item"),  # the type has items
            ({"type": kind.pk, "item": other_item.pk}, "item"),
        ]
        for changes, field in cases:
            response = client.post(URL, body | changes, format="json")
            assert response.status_code == 400 and field in response.json(), (changes, response.content)
        assert not RecurringTicket.objects.exists()
        assert client.post(URL, body | {"type": kind.pk, "item": item.pk}, format="json").status_code == 201

    def test_an_inactive_category_is_refused(self, api, people, body):
        Category.objects.filter(pk=people.category.pk).update(active=False)
        response = api(people.alice).post(URL, body, format="json")
        assert response.status_code == 400 and "category" in response.json()

    @pytest.mark.parametrize("field", ["assignee", "created_by"])
    def test_tickets_are_assigned_to_and_opened_as_staff_only(self, api, people, body, field):
        response = api(people.alice).post(URL, body | {field: people.dave.pk}, format="json")
        assert response.status_code == 400 and field in response.json()
        assert not RecurringTicket.objects.exists()

    def test_a_bad_change_is_a_400_and_changes_nothing(self, api, people, backups):
        before = snapshot()
        response = api(people.alice).patch(
            detail(backups), {"schedule": "cron", "cron": "0 25 * * *"}, format="json"
        )
        assert response.status_code == 400 and "cron" in response.json()
        assert snapshot() == before

    def test_a_change_of_category_checks_the_type_it_keeps(self, api, people, backups):
        kind = TicketTypeFactory(category=people.category)
        RecurringTicket.objects.filter(pk=backups.pk).update(type=kind)
        other = Category.objects.create(name="Software")
        before = snapshot()
        response = api(people.alice).patch(detail(backups), {"category": other.pk}, format="json")
        assert response.status_code == 400 and "type" in response.json()
        assert snapshot() == before

    def test_a_priority_is_named_or_given_by_id(self, api, people, body):
        response = api(people.alice).post(URL, body | {"priority": priority("Low").pk}, format="json")
        assert response.status_code == 201 and response.json()["priority"]["name"] == "Low"
