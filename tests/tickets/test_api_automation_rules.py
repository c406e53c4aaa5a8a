"""Automation rules through the API (admins only): list, add, read, change, delete, dry run."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from accounts.models import User
from tests.factories import make_ticket, priority
from tickets import actions, automation
from tickets.actions.automation_rules import delete_automation_rule, save_automation_rule
from tickets.automation import AUTOMATION_EMAIL
from tickets.errors import ActionRefused
from tickets.models import AutomationRule, Message, Tag, Ticket, TicketEvent

from .api_support import NOT_ADMINS, caller
from .lifecycle_helpers import T0, named, status

pytestmark = pytest.mark.django_db
URL = "/api/v1/automation-rules/"


def detail(rule) -> str:
    return f"{URL}{rule.pk}/"


def rule(name="Printers", event="created", **fields) -> AutomationRule:
    made = AutomationRule(name=name, event=event, **fields)
    made.full_clean()
    made.save()
    return made


def snapshot() -> tuple:
    """Every rule as stored and the admin log: what a refused call must leave alone."""
    return list(AutomationRule.objects.order_by("pk").values()), LogEntry.objects.count()


@pytest.fixture
def printers(people):
    return rule(if_subject_contains="printer", set_priority=priority("High"), add_note="Check the toner.")


class TestCrud:
    def test_admin_adds_a_rule_with_conditions_and_actions(self, api, people):
        body = {
            "name": "Printers",
            "event": "created",
            "if_category": people.category.name,
            "if_subject_contains": "printer",
            "if_requester_domain": "@Example.com",
            "set_status": "In progress",
            "set_priority": "High",
            "set_team": people.red.pk,
            "set_assignee": people.bob.pk,
            "add_tags": ["hardware", "Urgent"],
            "reply_text": "Hello {{ requester.name }}",
        }
        response = api(people.alice).post(URL, body, format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["if_category"] == {"id": people.category.pk, "name": "Hardware"}
        assert data["set_status"]["name"] == "In progress" and data["set_priority"]["name"] == "High"
        assert data["set_team"]["name"] == "Red" and data["set_assignee"]["email"] == "bob@example.com"
        assert data["add_tags"] == ["hardware", "urgent"] and data["if_requester_domain"] == "example.com"
        assert data["active"] is True and data["order"] == 0
        saved = AutomationRule.objects.get()
        assert saved.add_tags == "hardware, Urgent" and saved.set_assignee == people.bob
        entry = LogEntry.objects.get()
        assert (entry.action_flag, entry.user, entry.object_id) == (ADDITION, people.alice, str(saved.pk))

    def test_a_rule_added_through_the_api_runs_on_the_next_ticket(
        self, api, people, django_capture_on_commit_callbacks
    ):
        body = {"name": "Tag it", "event": "created", "add_tags": ["api"]}
        assert api(people.alice).post(URL, body, format="json").status_code == 201
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(people.dave, people.category)
        assert list(Ticket.objects.get(pk=ticket.pk).tags.values_list("name", flat=True)) == ["api"]

    def test_admin_lists_rules_in_the_order_they_run(self, api, people, printers):
        rule("Last", order=9, add_note="x")
        rule("Second", order=0, add_note="x")
        response = api(people.alice).get(URL)
        assert response.status_code == 200
        assert response.json()["count"] == 3
        assert [r["name"] for r in response.json()["results"]] == ["Printers", "Second", "Last"]

    def test_admin_reads_one_rule(self, api, people, printers):
        response = api(people.alice).get(detail(printers))
        assert response.status_code == 200
        data = response.json()
        assert data["id"] == printers.pk and data["if_subject_contains"] == "printer"
        assert data["set_priority"] == {
            "id": priority("High").pk,
            "name": "High",
            "rank": priority("High").rank,
        }

    def test_admin_changes_some_fields_and_the_others_stay(self, api, people, printers):
        body = {"name": "Printers and scanners", "active": False, "if_tag": None, "add_tags": ["scan"]}
        Tag.objects.create(name="scan")
        response = api(people.alice).patch(detail(printers), body, format="json")
        assert response.status_code == 200, response.content
        printers.refresh_from_db()
        assert printers.name == "Printers and scanners" and printers.active is False
        assert printers.add_tags == "scan" and printers.set_priority == priority("High")
        entry = LogEntry.objects.get()
        assert entry.action_flag == CHANGE and "name" in entry.change_message

    def test_a_change_that_changes_nothing_records_nothing(self, api, people, printers):
        response = api(people.alice).patch(detail(printers), {"name": "Printers"}, format="json")
        assert response.status_code == 200 and not LogEntry.objects.exists()

    def test_admin_deletes_a_rule(self, api, people, printers):
        response = api(people.alice).delete(detail(printers))
        assert response.status_code == 204
        assert not AutomationRule.objects.exists()
        assert LogEntry.objects.get().action_flag == DELETION

    @pytest.mark.parametrize("method", ["get", "patch", "delete"])
    def test_an_unknown_rule_is_a_404(self, api, people, method):
        response = getattr(api(people.alice), method)(f"{URL}999999/", {}, format="json")
        assert response.status_code == 404

    def test_the_list_costs_the_same_for_one_rule_and_many(self, api, people, django_assert_num_queries):
        tag = Tag.objects.create(name="vip")
        fields = {
            "if_category": people.category,
            "if_priority": priority("Low"),
            "if_team": people.blue,
            "if_tag": tag,
            "set_status": named("In progress"),
            "set_priority": priority("High"),
            "set_team": people.red,
            "set_assignee": people.bob,
        }
        rule("R0", **fields)
        client = api(people.alice)
        # 1 count, 1 page of rules with their eight condition and action rows joined
        with django_assert_num_queries(2):
            assert client.get(URL).json()["count"] == 1
        for n in range(1, 12):
            rule(f"R{n}", **fields)
        with django_assert_num_queries(2):
            assert client.get(URL).json()["count"] == 12


class TestRefused:
    @pytest.mark.parametrize(("who", "code"), NOT_ADMINS)
    def test_nobody_but_an_admin_reads_or_writes_rules(self, api, people, printers, who, code):
        before = snapshot()
        client = caller(api, people, who)
        body = {"name": "Mine", "event": "created", "add_note": "x"}
        answers = [
            client.get(URL),
            client.post(URL, body, format="json"),
            client.get(detail(printers)),
            client.patch(detail(printers), {"name": "Mine"}, format="json"),
            client.delete(detail(printers)),
            client.get(f"{detail(printers)}preview/"),
        ]
        assert [a.status_code for a in answers] == [code] * len(answers)
        assert snapshot() == before


class TestActions:
    @pytest.mark.parametrize("who", ["bob", "carol", "dave"])
    def test_only_admins_save_or_delete_rules(self, people, printers, who):
        actor = getattr(people, who)
        before = snapshot()
        attempts = [
            lambda: save_automation_rule(actor=actor, name="Mine", event="created", add_note="x"),
            lambda: save_automation_rule(actor=actor, rule=printers, name="Mine"),
            lambda: delete_automation_rule(actor=actor, rule=printers),
        ]
        for attempt in attempts:
            with pytest.raises(ActionRefused) as refused:
                attempt()
            assert refused.value.code == "forbidden"
        assert snapshot() == before

    def test_an_unknown_field_is_refused(self, people):
        with pytest.raises(ActionRefused) as refused:
            save_automation_rule(actor=people.alice, name="R", event="created", add_note="x", secret="x")
        assert (refused.value.code, refused.value.field) == ("invalid", "secret")


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"event": "created", "add_note": "x"}, "name"),
            ({"name": "R", "add_note": "x"}, "event"),
            ({"name": "R", "event": "sometimes", "add_note": "x"}, "event"),
            ({"name": "R", "event": "idle", "add_note": "x"}, "idle_hours"),
            ({"name": "R", "event": "created", "idle_hours": 3, "add_note": "x"}, "idle_hours"),
            ({"name": "R", "event": "idle", "idle_hours": 10**9, "add_note": "x"}, "idle_hours"),
            ({"name": "R", "event": "idle", "idle_hours": 0, "add_note": "x"}, "idle_hours"),
            ({"name": "R", "event": "created"}, "detail"),
            ({"name": "R", "event": "created", "reply_text": "{{ user.password }}"}, "reply_text"),
            (
                {"name": "R", "event": "created", "if_requester_domain": "a@b.com", "add_note": "x"},
                "if_requester_domain",
            ),
            ({"name": "R", "event": "created", "set_status": "Nope"}, "set_status"),
            ({"name": "R", "event": "created", "set_priority": 999999}, "set_priority"),
            ({"name": "R", "event": "created", "if_status_kind": "weird", "add_note": "x"}, "if_status_kind"),
            ({"name": "R", "event": "created", "add_tags": "not-a-list"}, "add_tags"),
            ({"name": "R", "event": "created", "add_tags": ["a,b"]}, "add_tags"),
            ({"name": "R", "event": "created", "add_tags": [f"tag{n:040}" for n in range(8)]}, "add_tags"),
            ({"name": "R", "event": "created", "add_note": None}, "add_note"),
            ({"name": "R", "event": "created", "order": -1, "add_note": "x"}, "order"),
            ({"name": "x" * 101, "event": "created", "add_note": "x"}, "name"),
            (
                {"name": "R", "event": "created", "if_subject_contains": "x" * 201, "add_note": "x"},
                "if_subject_contains",
            ),
            (["not", "an", "object"], "non_field_errors"),
        ],
    )
    def test_a_bad_rule_is_a_400_naming_the_field_and_nothing_is_saved(self, api, people, body, field):
        response = api(people.alice).post(URL, body, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert snapshot() == ([], 0)

    def test_a_customer_cannot_be_the_assignee(self, api, people):
        body = {"name": "R", "event": "created", "set_assignee": people.dave.pk}
        response = api(people.alice).post(URL, body, format="json")
        assert response.status_code == 400 and "set_assignee" in response.json()

    def test_an_inactive_status_is_refused_by_the_rule_check(self, api, people):
        pending = status("pending")
        pending.active = False
        pending.save(update_fields=["active"])
        response = api(people.alice).post(
            URL, {"name": "R", "event": "created", "set_status": pending.pk}, format="json"
        )
        assert response.status_code == 400 and "set_status" in response.json()

    def test_a_second_rule_of_the_same_name_is_refused(self, api, people, printers):
        body = {"name": "Printers", "event": "created", "add_note": "x"}
        response = api(people.alice).post(URL, body, format="json")
        assert response.status_code == 400 and "name" in response.json()
        assert AutomationRule.objects.count() == 1

    def test_a_change_that_leaves_no_action_is_refused_and_nothing_changes(self, api, people, printers):
        before = snapshot()
        body = {"set_priority": None, "add_note": ""}
        response = api(people.alice).patch(detail(printers), body, format="json")
        assert response.status_code == 400 and "detail" in response.json()
        assert snapshot() == before

    def test_switching_to_idle_needs_the_hours(self, api, people, printers):
        response = api(people.alice).patch(detail(printers), {"event": "idle"}, format="json")
        assert response.status_code == 400 and "idle_hours" in response.json()
        response = api(people.alice).patch(
            detail(printers), {"event": "idle", "idle_hours": 4}, format="json"
        )
        assert response.status_code == 200 and response.json()["idle_hours"] == 4


class TestPreview:
    @pytest.fixture
    def desk(self, people):
        match = [make_ticket(people.dave, people.category, subject=f"Printer {n}") for n in range(3)]
        make_ticket(people.dave, people.category, subject="Mouse")
        closed = make_ticket(people.dave, people.category, subject="Printer closed")
        actions.close_ticket(ticket=closed, actor=people.bob)
        return match

    def test_the_dry_run_lists_the_open_tickets_the_rule_would_touch_and_changes_nothing(
        self, api, people, desk, printers
    ):
        before = (TicketEvent.objects.count(), Message.objects.count(), snapshot())
        before_tickets = list(Ticket.objects.order_by("pk").values())
        response = api(people.alice).get(f"{detail(printers)}preview/")
        assert response.status_code == 200
        data = response.json()
        assert data["count"] == 3 and data["limit"] == automation.PREVIEW_LIMIT
        assert {t["id"] for t in data["tickets"]} == {t.pk for t in desk}
        row = data["tickets"][0]
        assert set(row) == {"id", "number", "subject", "status", "requester", "updated_at"}
        assert row["status"]["kind"] == "new" and row["requester"]["email"] == "dave@example.com"
        assert (TicketEvent.objects.count(), Message.objects.count(), snapshot()) == before
        assert list(Ticket.objects.order_by("pk").values()) == before_tickets
        assert not User.objects.filter(email=AUTOMATION_EMAIL).exists()

    def test_at_most_the_limit_is_listed_with_the_full_count(self, api, people, desk, printers, monkeypatch):
        monkeypatch.setattr(automation, "PREVIEW_LIMIT", 2)
        data = api(people.alice).get(f"{detail(printers)}preview/").json()
        assert data["count"] == 3 and data["limit"] == 2 and len(data["tickets"]) == 2

    def test_an_idle_rule_previews_the_tickets_idle_long_enough(self, api, people, time_machine):
        time_machine.move_to(T0, tick=False)
        make_ticket(people.dave, people.category)
        idle = rule("Idle", event="idle", idle_hours=10, add_note="x")
        url = f"{detail(idle)}preview/"
        assert api(people.alice).get(url).json()["count"] == 0
        time_machine.move_to(T0 + timedelta(hours=11), tick=False)
        assert api(people.alice).get(url).json()["count"] == 1

    def test_the_preview_costs_the_same_for_few_matches_and_many(
        self, api, people, printers, django_assert_num_queries
    ):
        make_ticket(people.dave, people.category, subject="Printer 0")
        client = api(people.alice)
        # 1 the rule, 1 count of the matches, 1 the first matches with status and requester joined
        with django_assert_num_queries(3):
            assert client.get(f"{detail(printers)}preview/").json()["count"] == 1
        for n in range(1, 8):
            make_ticket(people.erin, people.category, subject=f"Printer {n}")
        with django_assert_num_queries(3):
            assert client.get(f"{detail(printers)}preview/").json()["count"] == 8
