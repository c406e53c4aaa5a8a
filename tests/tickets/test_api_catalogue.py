"""Catalogue and settings endpoints: statuses, priorities, the CTI cascade, the settings record."""

import pytest

from tests.factories import CategoryFactory, ItemFactory, TicketTypeFactory
from tickets.models import Category, HelpdeskSettings, Item, Status, TicketType

from .api_support import NOT_ADMINS, caller

pytestmark = pytest.mark.django_db


def settings_row() -> dict:
    return HelpdeskSettings.objects.filter(pk=1).values().get()


def catalogue_size() -> tuple:
    return Category.objects.count(), TicketType.objects.count(), Item.objects.count()


class TestStatusList:
    def test_any_user_lists_the_active_statuses_in_order(self, api, people):
        Status.objects.filter(name="Pending").update(active=False)
        response = api(people.dave).get("/api/v1/statuses/")
        assert response.status_code == 200
        rows = response.json()
        assert [r["name"] for r in rows][:2] == ["New", "In progress"] and "Pending" not in [
            r["name"] for r in rows
        ]
        resolved = next(r for r in rows if r["kind"] == "resolved")
        assert {"id", "name", "kind", "order", "customer_reply_moves_to"} <= set(resolved)
        assert resolved["customer_reply_moves_to"]["name"] == "New"

    def test_anonymous_gets_401(self, api):
        assert api().get("/api/v1/statuses/").status_code == 401


class TestPriorityList:
    def test_priorities_by_rank(self, api, people):
        rows = api(people.dave).get("/api/v1/priorities/").json()
        assert [r["name"] for r in rows] == ["Low", "Normal", "High", "Emergency"]
        assert {"id", "name", "rank"} <= set(rows[0]) and rows[3]["rank"] > rows[0]["rank"]

    def test_anonymous_gets_401(self, api):
        assert api().get("/api/v1/priorities/").status_code == 401


class TestCategoryList:
    def test_anyone_reads_the_cascade_without_inactive_entries(self, api, people):
        printer = TicketTypeFactory(category=people.category, name="Printer")
        ItemFactory(type=printer, name="Toner")
        ItemFactory(type=printer, name="Old", active=False)
        TicketTypeFactory(category=people.category, name="Retired", active=False)
        CategoryFactory(name="Gone", active=False)
        response = api().get("/api/v1/categories/")
        assert response.status_code == 200
        assert response.json() == [
            {
                "id": people.category.pk,
                "name": "Hardware",
                "default_team": None,
                "types": [
                    {
                        "id": printer.pk,
                        "name": "Printer",
                        "items": [{"id": printer.items.get(name="Toner").pk, "name": "Toner"}],
                    }
                ],
            }
        ]

    def test_query_count_is_constant(self, api, people, django_assert_num_queries):
        for n in range(10):
            for t in range(3):
                kind = TicketTypeFactory(
                    category=CategoryFactory(name=f"C{n}") if t == 0 else Category.objects.get(name=f"C{n}")
                )
                ItemFactory(type=kind)
        # categories, types, items
        with django_assert_num_queries(3):
            assert len(api().get("/api/v1/categories/").json()) == 11


class TestCategoryCreate:
    def test_admin_creates_a_category_a_type_and_an_item(self, api, people):
        client = api(people.alice)
        response = client.post(
            "/api/v1/categories/", {"name": "Network", "default_team": "Red"}, format="json"
        )
        assert response.status_code == 201, response.content
        category = response.json()
        assert category["level"] == "category" and category["default_team"] == people.red.pk
        response = client.post(
            "/api/v1/categories/", {"name": "VPN", "parent_category": category["id"]}, format="json"
        )
        assert response.status_code == 201 and response.json()["category"] == category["id"]
        kind = response.json()
        response = client.post(
            "/api/v1/categories/", {"name": "Token", "parent_type": kind["id"]}, format="json"
        )
        assert response.status_code == 201 and response.json()["type"] == kind["id"]
        tree = api().get("/api/v1/categories/").json()
        network = next(c for c in tree if c["name"] == "Network")
        assert network["types"][0]["items"][0]["name"] == "Token"

    @pytest.mark.parametrize("who, code", NOT_ADMINS)
    def test_others_are_refused_and_nothing_is_created(self, api, people, who, code):
        before = catalogue_size()
        client = caller(api, people, who)
        assert client.post("/api/v1/categories/", {"name": "Network"}, format="json").status_code == code
        assert catalogue_size() == before

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"name": ""}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"name": "hardware"}, "name"),
            ({"name": "X", "parent_category": 999999}, "parent_category"),
            ({"name": "X", "parent_type": "abc"}, "parent_type"),
            ({"name": "X", "parent_category": "Hardware", "parent_type": "existing"}, "parent_type"),
            ({"name": "Printer", "parent_category": "Hardware"}, "name"),
            ({"name": "X", "parent_category": "Hardware", "default_team": "Red"}, "default_team"),
            ({"name": ["x"]}, "name"),
        ],
    )
    def test_bad_input_is_400_and_nothing_is_created(self, api, people, data, field):
        printer = TicketTypeFactory(category=people.category, name="Printer")
        data = {k: printer.pk if v == "existing" else v for k, v in data.items()}
        before = catalogue_size()
        response = api(people.alice).post("/api/v1/categories/", data, format="json")
        assert response.status_code == 400 and field in response.json()
        assert catalogue_size() == before


class TestSettings:
    def test_admin_reads_the_settings(self, api, people):
        response = api(people.alice).get("/api/v1/settings/")
        assert response.status_code == 200
        assert response.json() | {"staff_reply_status": None} == {
            "reopen_window_days": 7,
            "edit_window_minutes": 15,
            "max_attachment_mb": 25,
            "guest_submission_enabled": True,
            "spam_retention_days": 30,
            "deleted_retention_days": 30,
            "customer_sets_priority": False,
            "staff_reply_status": None,
            "preclose_warning_days": 1,
            "email_follow_up_on_closed": False,
        }

    def test_admin_changes_some_settings(self, api, people):
        data = {"reopen_window_days": 3, "customer_sets_priority": True, "staff_reply_status": "In progress"}
        response = api(people.alice).patch("/api/v1/settings/", data, format="json")
        assert response.status_code == 200, response.content
        desk = HelpdeskSettings.load()
        assert desk.reopen_window_days == 3 and desk.customer_sets_priority
        assert desk.staff_reply_status.name == "In progress" and desk.edit_window_minutes == 15

    @pytest.mark.parametrize("who, code", NOT_ADMINS)
    def test_others_are_refused(self, api, people, who, code):
        before = settings_row()
        client = caller(api, people, who)
        assert client.get("/api/v1/settings/").status_code == code
        assert client.patch("/api/v1/settings/", {"reopen_window_days": 1}, format="json").status_code == code
        assert settings_row() == before

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"reopen_window_days": -1}, "reopen_window_days"),
            ({"reopen_window_days": 2**40}, "reopen_window_days"),
            ({"reopen_window_days": "soon"}, "reopen_window_days"),
            ({"max_attachment_mb": 0}, "max_attachment_mb"),
            ({"edit_window_minutes": 1.5}, "edit_window_minutes"),
            ({"guest_submission_enabled": "perhaps"}, "guest_submission_enabled"),
            ({"staff_reply_status": "Nope"}, "staff_reply_status"),
        ],
    )
    def test_bad_values_are_400_and_nothing_changes(self, api, people, data, field):
        before = settings_row()
        response = api(people.alice).patch("/api/v1/settings/", data, format="json")
        assert response.status_code == 400 and field in response.json()
        assert settings_row() == before
