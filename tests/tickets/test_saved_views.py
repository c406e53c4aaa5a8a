"""Saved views (SPEC §6): personal views of staff, shared views of admins; actions, API, page."""

import pytest
from django.urls import reverse

from tests.factories import make_ticket, priority
from tickets import actions
from tickets.errors import ActionRefused
from tickets.models import SavedView

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def high(people):
    return make_ticket(
        people.dave, people.category, actor=people.bob, subject="Urgent", priority=priority("High")
    )


@pytest.fixture
def bobs_view(people):
    return actions.save_view(
        actor=people.bob, name="High ones", filters={"priority": "High"}, ordering="newest"
    )


class TestSaveViewAction:
    def test_staff_save_a_personal_view(self, people):
        view = actions.save_view(
            actor=people.carol, name="Mine", filters={"queue": "mine", "tag": ["a", "b"]}
        )
        assert (view.owner, view.shared, view.ordering) == (people.carol, False, "updated")
        assert view.filters == {"queue": ["mine"], "tag": ["a", "b"]}

    def test_only_admins_share(self, people):
        with pytest.raises(ActionRefused) as refused:
            actions.save_view(actor=people.bob, name="Everyone's", shared=True)
        assert refused.value.code == "forbidden" and not SavedView.objects.exists()
        assert actions.save_view(actor=people.alice, name="Everyone's", shared=True).shared

    def test_customers_cannot_save_views(self, people):
        with pytest.raises(ActionRefused) as refused:
            actions.save_view(actor=people.dave, name="Mine")
        assert refused.value.code == "forbidden" and not SavedView.objects.exists()

    @pytest.mark.parametrize(
        "filters, ordering",
        [
            ({"priority": "Nope"}, "updated"),
            ({"colour": "red"}, "updated"),
            ({"queue": "everything"}, "updated"),
            ({"status": {"a": 1}}, "updated"),
            ("status=New", "updated"),
            ({}, "alphabetical"),
        ],
    )
    def test_unknown_filters_and_sorts_are_refused(self, people, filters, ordering):
        with pytest.raises(ActionRefused) as refused:
            actions.save_view(actor=people.bob, name="Bad", filters=filters, ordering=ordering)
        assert refused.value.code == "invalid" and refused.value.field in ("filters", "ordering")
        assert not SavedView.objects.exists()

    def test_names_are_unique_per_owner(self, people, bobs_view):
        with pytest.raises(ActionRefused):
            actions.save_view(actor=people.bob, name="high ONES")
        assert actions.save_view(actor=people.carol, name="High ones").owner == people.carol

    def test_owner_renames_and_deletes(self, people, bobs_view):
        assert actions.rename_view(view=bobs_view, actor=people.bob, name="Hot").name == "Hot"
        actions.delete_view(view=bobs_view, actor=people.bob)
        assert not SavedView.objects.exists()

    def test_others_may_not_rename_or_delete(self, people, bobs_view):
        for actor in (people.carol, people.alice):
            with pytest.raises(ActionRefused):
                actions.delete_view(view=bobs_view, actor=actor)
        with pytest.raises(ActionRefused):
            actions.rename_view(view=bobs_view, actor=people.carol, name="Mine now")
        assert SavedView.objects.get().name == "High ones"

    def test_admin_deletes_a_shared_view_of_another_admin(self, people):
        view = actions.save_view(actor=people.alice, name="Desk", shared=True)
        other_admin = people.alice.__class__.objects.create_superuser("zed@example.com", "pw-123456789")
        actions.delete_view(view=view, actor=other_admin)
        assert not SavedView.objects.exists()


class TestViewsApi:
    def test_list_shows_own_and_shared_views(self, api, people, bobs_view):
        shared = actions.save_view(actor=people.alice, name="Desk wide", shared=True)
        actions.save_view(actor=people.carol, name="Carol's")
        body = api(people.bob).get("/api/v1/views/").json()
        assert [(v["id"], v["mine"]) for v in body] == [(shared.pk, False), (bobs_view.pk, True)]
        assert body[1]["filters"] == {"priority": ["High"]} and body[1]["ordering"] == "newest"

    def test_create(self, api, people):
        payload = {"name": "Vpn", "filters": {"tag": "vpn", "queue": "all"}, "ordering": "sla"}
        response = api(people.bob).post("/api/v1/views/", payload, format="json")
        assert response.status_code == 201
        assert response.json()["filters"] == {"tag": ["vpn"], "queue": ["all"]}

    def test_create_shared_is_for_admins(self, api, people):
        payload = {"name": "Desk", "shared": True}
        assert api(people.bob).post("/api/v1/views/", payload, format="json").status_code == 403
        assert api(people.alice).post("/api/v1/views/", payload, format="json").status_code == 201
        assert SavedView.objects.get().owner == people.alice

    @pytest.mark.parametrize(
        "payload, field",
        [
            ({}, "name"),
            ({"name": ""}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"name": "Bad", "filters": {"priority": "Nope"}}, "filters"),
            ({"name": "Bad", "filters": {"nope": "1"}}, "filters"),
            ({"name": "Bad", "filters": [1, 2]}, "filters"),
            ({"name": "Bad", "ordering": "random"}, "ordering"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, api, people, payload, field):
        response = api(people.bob).post("/api/v1/views/", payload, format="json")
        assert response.status_code == 400 and field in response.json()
        assert not SavedView.objects.exists()

    def test_customers_get_403(self, api, people):
        assert api(people.dave).get("/api/v1/views/").status_code == 403
        assert api(people.dave).post("/api/v1/views/", {"name": "x"}, format="json").status_code == 403

    def test_rename(self, api, people, bobs_view):
        response = api(people.bob).patch(f"/api/v1/views/{bobs_view.pk}/", {"name": "Hot"}, format="json")
        assert response.status_code == 200 and response.json()["name"] == "Hot"

    def test_delete_own(self, api, people, bobs_view):
        assert api(people.bob).delete(f"/api/v1/views/{bobs_view.pk}/").status_code == 204
        assert not SavedView.objects.exists()

    def test_another_staff_members_personal_view_is_404(self, api, people, bobs_view):
        url = f"/api/v1/views/{bobs_view.pk}/"
        assert api(people.carol).delete(url).status_code == 404
        assert api(people.carol).patch(url, {"name": "Mine"}, format="json").status_code == 404
        assert api(people.alice).delete(url).status_code == 404  # admins too: it is personal
        assert api(people.carol).get(f"/api/v1/tickets/?view={bobs_view.pk}").status_code == 404
        assert SavedView.objects.get().name == "High ones"

    def test_staff_use_but_do_not_delete_a_shared_view(self, api, people):
        shared = actions.save_view(actor=people.alice, name="Desk", filters={"priority": "High"}, shared=True)
        assert api(people.carol).get(f"/api/v1/tickets/?view={shared.pk}").status_code == 200
        assert api(people.carol).delete(f"/api/v1/views/{shared.pk}/").status_code == 403
        assert SavedView.objects.filter(pk=shared.pk).exists()

    def test_admin_deletes_a_shared_view(self, api, people):
        shared = actions.save_view(actor=people.alice, name="Desk", shared=True)
        other_admin = people.alice.__class__.objects.create_superuser("zed@example.com", "pw-123456789")
        assert api(other_admin).delete(f"/api/v1/views/{shared.pk}/").status_code == 204

    @pytest.mark.parametrize("bad", ["abc", "0", "-1", "99999999999999999999"])
    def test_unknown_view_ids_are_404(self, api, people, bad):
        assert api(people.bob).get(f"/api/v1/tickets/?view={bad}").status_code == 404


class TestApplyingAView:
    def test_view_applies_its_filters_and_sort(self, api, people, ticket, high, bobs_view):
        assert ids(api(people.bob).get(f"/api/v1/tickets/?view={bobs_view.pk}")) == [high.pk]

    def test_given_parameters_override_the_view(self, api, people, ticket, high, bobs_view):
        got = ids(api(people.bob).get(f"/api/v1/tickets/?view={bobs_view.pk}&priority=Normal"))
        assert got == [ticket.pk]

    def test_view_with_a_queue_applies_it(self, api, people, ticket, high):
        actions.assign_to_me(ticket=high, actor=people.bob)
        view = actions.save_view(actor=people.bob, name="Mine", filters={"queue": "mine"})
        assert ids(api(people.bob).get(f"/api/v1/tickets/?view={view.pk}")) == [high.pk]

    def test_page_applies_a_view_and_lists_it_in_the_sidebar(self, client, people, ticket, high, bobs_view):
        shared = actions.save_view(actor=people.alice, name="Desk wide", shared=True)
        client.force_login(people.bob)
        response = client.get(reverse("ticket_list"), {"view": bobs_view.pk, "queue": "all"})
        body = response.content.decode()
        assert response.status_code == 200 and "Urgent" in body and "Printer is on fire" not in body
        my_views = body[body.index("My views") : body.index("Shared views")]
        shared_views = body[body.index("Shared views") : body.index("Save current view")]
        assert "High ones" in my_views and "Desk wide" in shared_views
        assert f"?view={shared.pk}" in shared_views

    def test_page_with_another_persons_view_is_404(self, client, people, bobs_view):
        client.force_login(people.carol)
        assert client.get(reverse("ticket_list"), {"view": bobs_view.pk}).status_code == 404


class TestViewPages:
    def test_save_current_view_from_the_page(self, client, people, high):
        client.force_login(people.bob)
        response = client.post(
            reverse("view_save"),
            {"name": "Urgent ones", "query": "queue=all&priority=High&ordering=sla&page=3"},
        )
        view = SavedView.objects.get()
        assert response.status_code == 302 and response.url.endswith(f"?view={view.pk}")
        assert view.filters == {"queue": ["all"], "priority": ["High"]} and view.ordering == "sla"
        assert not view.shared

    def test_staff_cannot_share_from_the_page(self, client, people):
        client.force_login(people.bob)
        client.post(reverse("view_save"), {"name": "Desk", "query": "", "shared": "on"})
        assert not SavedView.objects.exists()

    def test_admin_shares_from_the_page(self, client, people):
        client.force_login(people.alice)
        client.post(reverse("view_save"), {"name": "Desk", "query": "queue=all", "shared": "on"})
        assert SavedView.objects.get().shared

    def test_bad_filters_are_shown_not_saved(self, client, people):
        client.force_login(people.bob)
        response = client.post(reverse("view_save"), {"name": "Bad", "query": "priority=Nope"}, follow=True)
        assert response.status_code == 400 and not SavedView.objects.exists()  # back on the queue
        assert "priority" in response.content.decode()

    def test_delete_from_the_page(self, client, people, bobs_view):
        client.force_login(people.carol)
        assert client.post(reverse("view_delete", args=[bobs_view.pk])).status_code == 404
        client.force_login(people.bob)
        assert client.post(reverse("view_delete", args=[bobs_view.pk])).status_code == 302
        assert not SavedView.objects.exists()

    def test_customers_get_404(self, client, people, bobs_view):
        client.force_login(people.dave)
        assert client.post(reverse("view_save"), {"name": "x"}).status_code == 404
        assert client.post(reverse("view_delete", args=[bobs_view.pk])).status_code == 404
        assert SavedView.objects.count() == 1
