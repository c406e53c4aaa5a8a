"""Canned replies (macros): safe placeholders, personal and shared ones, applying one (reply,
status, priority and tags in one action) through the actions, the API and the staff page."""

import pytest
from django.urls import reverse

from tests.factories import make_ticket, priority
from tickets import actions
from tickets.canned import render_canned_body
from tickets.errors import ActionRefused
from tickets.models import CannedReply, Message, Ticket

from .lifecycle_helpers import events, fresh, named

pytestmark = pytest.mark.django_db

BODY = "Hello {{ requester.name }}, about #{{ticket.number}} ({{ ticket.subject }}): it is fixed."


@pytest.fixture
def bobs(people):
    return actions.save_canned_reply(actor=people.bob, title="Fixed", body=BODY)


@pytest.fixture
def shared(people):
    return actions.save_canned_reply(
        actor=people.alice,
        title="Resolve as duplicate",
        body="Closing #{{ ticket.number }} as a duplicate.",
        shared=True,
        set_status=named("Resolved"),
        set_priority=priority("Low"),
        add_tags=["duplicate", "Triage "],
    )


@pytest.fixture
def carols(people):
    return actions.save_canned_reply(actor=people.carol, title="Carol's own", body="Private text")


def snapshot(ticket):
    t = Ticket.objects.get(pk=ticket.pk)
    return (t.status_id, t.priority_id, sorted(t.tags.values_list("name", flat=True)), t.messages.count())


class TestRenderCannedBody:
    def test_the_placeholders_are_filled_in(self, people, ticket):
        text = render_canned_body(BODY, ticket, people.bob)
        assert text == f"Hello Dave Customer, about #{ticket.pk} (Printer is on fire): it is fixed."

    def test_the_agent_and_email_placeholders(self, people, ticket):
        text = render_canned_body("{{ agent.name }} <{{ requester.email }}>", ticket, people.bob)
        assert text == "Bob Agent <dave@example.com>"

    @pytest.mark.parametrize(
        "text",
        [
            "{{ ticket.requester.password }}",
            "{{ settings.SECRET_KEY }}",
            "{% load static %}{% debug %}",
            "{{ ticket.subject|upper }}",
            "{{ ticket.__class__ }}",
        ],
    )
    def test_anything_else_is_left_as_written(self, people, ticket, text):
        assert render_canned_body(text, ticket, people.bob) == text

    def test_a_subject_with_braces_is_not_read_again(self, people):
        ticket = make_ticket(people.dave, people.category, subject="{{ requester.email }}")
        assert render_canned_body("{{ ticket.subject }}", ticket) == "{{ requester.email }}"


class TestSaveCannedReply:
    def test_staff_save_a_personal_reply(self, people, bobs):
        assert (bobs.owner, bobs.shared, bobs.add_tags) == (people.bob, False, [])

    def test_tags_are_cleaned(self, shared):
        assert shared.add_tags == ["duplicate", "triage"]

    def test_only_admins_share(self, people):
        with pytest.raises(ActionRefused) as refused:
            actions.save_canned_reply(actor=people.bob, title="T", body="B", shared=True)
        assert refused.value.code == "forbidden" and not CannedReply.objects.exists()

    def test_customers_are_refused(self, people):
        with pytest.raises(ActionRefused) as refused:
            actions.save_canned_reply(actor=people.dave, title="T", body="B")
        assert refused.value.code == "forbidden" and not CannedReply.objects.exists()

    @pytest.mark.parametrize(
        "fields, field",
        [({"title": " "}, "title"), ({"body": ""}, "body"), ({"add_tags": "a,b"}, "add_tags")],
    )
    def test_bad_input_is_refused(self, people, fields, field):
        with pytest.raises(ActionRefused) as refused:
            actions.save_canned_reply(actor=people.bob, **{"title": "T", "body": "B", **fields})
        assert (refused.value.code, refused.value.field) == ("invalid", field)


class TestDeleteCannedReply:
    def test_the_owner_deletes_a_personal_one(self, people, bobs):
        actions.delete_canned_reply(canned_reply=bobs, actor=people.bob)
        assert not CannedReply.objects.exists()

    def test_another_agent_may_not(self, people, bobs):
        with pytest.raises(ActionRefused):
            actions.delete_canned_reply(canned_reply=bobs, actor=people.carol)
        assert CannedReply.objects.filter(pk=bobs.pk).exists()

    def test_a_shared_one_is_the_admins(self, people, shared):
        with pytest.raises(ActionRefused) as refused:
            actions.delete_canned_reply(canned_reply=shared, actor=people.bob)
        assert refused.value.code == "forbidden"
        actions.delete_canned_reply(canned_reply=shared, actor=people.alice)
        assert not CannedReply.objects.exists()


class TestApplyCannedReply:
    def test_it_posts_the_filled_in_reply(self, people, ticket, bobs):
        message = actions.apply_canned_reply(ticket=ticket, actor=people.bob, canned_reply=bobs)
        assert message.body == f"Hello Dave Customer, about #{ticket.pk} (Printer is on fire): it is fixed."
        assert not message.internal and message.author == people.bob

    def test_it_sets_status_priority_and_tags_in_the_same_action(self, people, ticket, shared):
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, tags=["printer"])
        actions.apply_canned_reply(ticket=ticket, actor=people.bob, canned_reply=shared)
        after = fresh(ticket)
        assert after.status.name == "Resolved" and after.priority.name == "Low"
        assert sorted(after.tags.values_list("name", flat=True)) == ["duplicate", "printer", "triage"]
        assert {e.action for e in events(ticket)} >= {"reply", "status", "priority", "tags"}

    def test_an_edited_text_is_posted_instead(self, people, ticket, shared):
        message = actions.apply_canned_reply(
            ticket=ticket, actor=people.bob, canned_reply=shared, body="My own words", internal=True
        )
        assert (message.body, message.internal) == ("My own words", True)

    def test_a_refused_status_changes_nothing(self, people, ticket, shared):
        named("Resolved").__class__.objects.filter(pk=shared.set_status_id).update(active=False)
        shared.refresh_from_db()
        before = snapshot(ticket)
        with pytest.raises(ActionRefused):
            actions.apply_canned_reply(ticket=ticket, actor=people.bob, canned_reply=shared)
        assert snapshot(ticket) == before

    def test_customers_are_refused(self, people, ticket, bobs):
        before = snapshot(ticket)
        with pytest.raises(ActionRefused) as refused:
            actions.apply_canned_reply(ticket=ticket, actor=people.dave, canned_reply=bobs)
        assert refused.value.code == "forbidden" and snapshot(ticket) == before


class TestCannedReplyApi:
    url = "/api/v1/canned-replies/"

    def test_staff_list_their_own_and_the_shared_ones(self, api, people, bobs, shared, carols):
        response = api(people.bob).get(self.url)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [r["title"] for r in rows] == ["Fixed", "Resolve as duplicate"]
        assert rows[0]["mine"] is True and rows[1]["owner"]["id"] == people.alice.pk
        assert rows[1]["set_status"]["name"] == "Resolved" and rows[1]["set_priority"]["name"] == "Low"
        assert rows[1]["add_tags"] == ["duplicate", "triage"]

    def test_the_list_costs_the_same_for_one_row_and_many(self, api, people, django_assert_num_queries):
        client = api(people.bob)
        actions.save_canned_reply(actor=people.bob, title="One", body="B", set_status=named("Resolved"))
        # 1 count, 1 page of replies with owner, status and priority joined
        with django_assert_num_queries(2):
            assert client.get(self.url).json()["count"] == 1
        for i in range(20):
            actions.save_canned_reply(
                actor=people.alice, title=f"S{i}", body="B", shared=True, set_priority=priority("High")
            )
        with django_assert_num_queries(2):
            assert client.get(self.url).json()["count"] == 21

    def test_customers_and_anonymous_are_refused(self, api, people, bobs):
        assert api(people.dave).get(self.url).status_code == 403
        assert api().get(self.url).status_code == 401
        assert api(people.dave).post(self.url, {"title": "T", "body": "B"}, format="json").status_code == 403
        assert CannedReply.objects.count() == 1

    def test_staff_create_a_personal_one(self, api, people):
        body = {
            "title": "Thanks",
            "body": "Thanks {{ requester.name }}",
            "set_status": "Resolved",
            "add_tags": ["x"],
        }
        response = api(people.bob).post(self.url, body, format="json")
        assert response.status_code == 201
        data = response.json()
        assert data["mine"] is True and data["shared"] is False and data["set_status"]["name"] == "Resolved"

    def test_sharing_is_for_admins(self, api, people):
        body = {"title": "T", "body": "B", "shared": True}
        assert api(people.bob).post(self.url, body, format="json").status_code == 403
        assert api(people.alice).post(self.url, body, format="json").status_code == 201
        assert CannedReply.objects.filter(shared=True).count() == 1

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"title": "T"},
            {"title": "", "body": "B"},
            {"title": "T", "body": "B", "set_status": "Nope"},
            {"title": "T", "body": "B", "set_priority": 999999},
            {"title": "T", "body": "B", "add_tags": "not-a-list"},
            {"title": "x" * 101, "body": "B"},
        ],
    )
    def test_bad_input_is_a_400(self, api, people, body):
        assert api(people.bob).post(self.url, body, format="json").status_code == 400
        assert not CannedReply.objects.exists()

    def test_another_agents_personal_reply_is_a_404(self, api, people, carols):
        assert api(people.bob).delete(f"{self.url}{carols.pk}/").status_code == 404
        assert api(people.alice).delete(f"{self.url}{carols.pk}/").status_code == 404
        assert CannedReply.objects.filter(pk=carols.pk).exists()

    def test_owners_delete_their_own_and_admins_the_shared(self, api, people, bobs, shared):
        assert api(people.bob).delete(f"{self.url}{shared.pk}/").status_code == 403
        assert api(people.bob).delete(f"{self.url}{bobs.pk}/").status_code == 204
        assert api(people.alice).delete(f"{self.url}{shared.pk}/").status_code == 204
        assert not CannedReply.objects.exists()


class TestApplyCannedReplyApi:
    def url(self, ticket):
        return f"/api/v1/tickets/{ticket.pk}/apply-canned-reply/"

    def test_staff_apply_one(self, api, people, ticket, shared):
        response = api(people.bob).post(self.url(ticket), {"canned_reply": shared.pk}, format="json")
        assert response.status_code == 201
        data = response.json()
        assert data["message"]["body"] == f"Closing #{ticket.pk} as a duplicate."
        assert data["ticket"]["status"]["name"] == "Resolved" and data["ticket"]["priority"]["name"] == "Low"
        assert data["ticket"]["tags"] == ["duplicate", "triage"]

    def test_an_edited_body_is_posted(self, api, people, ticket, bobs):
        response = api(people.bob).post(
            self.url(ticket), {"canned_reply": bobs.pk, "body": "Edited", "internal": True}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["message"]["body"] == "Edited" and response.json()["message"]["internal"]

    def test_someone_elses_personal_reply_and_an_unknown_one_are_404(self, api, people, ticket, carols):
        for canned_id in (carols.pk, 987654):
            response = api(people.bob).post(self.url(ticket), {"canned_reply": canned_id}, format="json")
            assert response.status_code == 404
        assert not Message.objects.filter(ticket=ticket).exists()

    def test_customers_get_403_on_their_ticket_and_404_on_others(self, api, people, ticket, shared):
        before = snapshot(ticket)
        assert (
            api(people.dave).post(self.url(ticket), {"canned_reply": shared.pk}, format="json").status_code
            == 403
        )
        assert (
            api(people.erin).post(self.url(ticket), {"canned_reply": shared.pk}, format="json").status_code
            == 404
        )
        assert api().post(self.url(ticket), {"canned_reply": shared.pk}, format="json").status_code == 401
        assert snapshot(ticket) == before

    def test_a_restricted_agent_cannot_reach_a_hidden_ticket(self, api, people, ticket, carols):
        response = api(people.carol).post(self.url(ticket), {"canned_reply": carols.pk}, format="json")
        assert response.status_code == 404

    @pytest.mark.parametrize(
        "body", [{}, {"canned_reply": "abc"}, {"canned_reply": -1}, {"canned_reply": 2**70}]
    )
    def test_bad_input_is_a_400(self, api, people, ticket, body):
        before = snapshot(ticket)
        assert api(people.bob).post(self.url(ticket), body, format="json").status_code == 400
        assert snapshot(ticket) == before

    def test_a_refusal_by_the_state_is_a_4xx_and_changes_nothing(self, api, people, ticket, shared):
        shared.set_status.__class__.objects.filter(pk=shared.set_status_id).update(active=False)
        before = snapshot(ticket)
        response = api(people.bob).post(self.url(ticket), {"canned_reply": shared.pk}, format="json")
        assert 400 <= response.status_code < 500
        assert snapshot(ticket) == before


class TestCannedReplyPages:
    def test_the_reply_box_offers_the_canned_replies(self, client, people, ticket, bobs, shared, carols):
        client.force_login(people.bob)
        body = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        assert f'data-canned-select="/tickets/{ticket.pk}/canned/"' in body
        assert "Fixed" in body and "Resolve as duplicate (shared)" in body and "Carol&#x27;s own" not in body
        assert reverse("ticket_apply_canned", args=[ticket.pk]) in body
        assert "<script>" not in body

    def test_the_text_endpoint_fills_in_the_reply(self, client, people, ticket, shared):
        client.force_login(people.bob)
        response = client.get(reverse("canned_reply_text", args=[ticket.pk, shared.pk]))
        assert response.status_code == 200
        data = response.json()
        assert data["body"] == f"Closing #{ticket.pk} as a duplicate."
        assert data["set_status"] == "Resolved" and data["add_tags"] == ["duplicate", "triage"]

    def test_the_text_endpoint_hides_what_is_not_yours(self, client, people, ticket, carols, shared):
        client.force_login(people.bob)
        assert client.get(reverse("canned_reply_text", args=[ticket.pk, carols.pk])).status_code == 404
        client.force_login(people.dave)
        assert client.get(reverse("canned_reply_text", args=[ticket.pk, shared.pk])).status_code == 404
        client.force_login(people.carol)  # restricted: the ticket is not hers
        assert client.get(reverse("canned_reply_text", args=[ticket.pk, carols.pk])).status_code == 404

    def test_send_and_apply_posts_the_box_and_makes_the_changes(self, client, people, ticket, shared):
        client.force_login(people.bob)
        response = client.post(
            reverse("ticket_apply_canned", args=[ticket.pk]),
            {"canned_reply": shared.pk, "body": "Duplicate of #1, closing."},
        )
        assert response.status_code == 302 and response.url == reverse("ticket_detail", args=[ticket.pk])
        after = fresh(ticket)
        assert after.status.name == "Resolved" and after.priority.name == "Low"
        assert after.messages.get().body == "Duplicate of #1, closing."

    def test_send_and_apply_refused_by_the_state_changes_nothing(self, client, people, ticket, shared):
        shared.set_status.__class__.objects.filter(pk=shared.set_status_id).update(active=False)
        client.force_login(people.bob)
        before = snapshot(ticket)
        response = client.post(reverse("ticket_apply_canned", args=[ticket.pk]), {"canned_reply": shared.pk})
        assert response.status_code == 302 and snapshot(ticket) == before

    def test_send_and_apply_without_a_known_canned_reply_is_a_404(self, client, people, ticket, carols):
        client.force_login(people.bob)
        for value in ("", "abc", str(carols.pk)):
            response = client.post(reverse("ticket_apply_canned", args=[ticket.pk]), {"canned_reply": value})
            assert response.status_code == 404
        assert not Message.objects.filter(ticket=ticket).exists()

    def test_customers_get_404(self, client, people, ticket, shared):
        client.force_login(people.dave)
        response = client.post(reverse("ticket_apply_canned", args=[ticket.pk]), {"canned_reply": shared.pk})
        assert response.status_code == 404 and not Message.objects.filter(ticket=ticket).exists()


class TestAdmin:
    def test_admins_manage_canned_replies(self, client, people, shared):
        client.force_login(people.alice)
        assert client.get(reverse("admin:tickets_cannedreply_changelist")).status_code == 200
        assert client.get(reverse("admin:tickets_cannedreply_change", args=[shared.pk])).status_code == 200
