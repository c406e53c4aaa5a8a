"""The conversation endpoints: list, post, edit and soft-delete messages."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from attachments.actions import attach_files
from tests.factories import make_ticket
from tickets import actions
from tickets.api.serializers import DELETED_PLACEHOLDER_HTML
from tickets.models import Message

from .api_support import state, url

pytestmark = pytest.mark.django_db

MESSAGE_FIELDS = {
    "id", "author", "body", "body_html", "internal", "deleted", "created_at", "edited_at", "attachments",
}  # fmt: skip


def msg_url(ticket, message) -> str:
    return f"{url(ticket, 'messages')}{message if isinstance(message, int) else message.pk}/"


@pytest.fixture
def talk(people, ticket):
    """A public staff reply, an internal note and a customer reply deleted by its author."""
    reply = actions.add_message(ticket=ticket, actor=people.bob, body="Have you tried **turning it off**?")
    note = actions.add_message(ticket=ticket, actor=people.bob, body="Probably the fuse", internal=True)
    gone = actions.add_message(ticket=ticket, actor=people.dave, body="My password is hunter2")
    actions.delete_message(message=gone, actor=people.dave)
    return reply, note, gone


class TestMessageList:
    def test_customer_gets_public_undeleted_messages_only(self, api, people, ticket, talk):
        reply, note, gone = talk
        body = api(people.dave).get(url(ticket, "messages")).json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert [m["id"] for m in body["results"]] == [reply.pk]
        first = body["results"][0]
        assert set(first) == MESSAGE_FIELDS
        assert first["author"] == {"id": people.bob.pk, "name": "Bob Agent", "role": "staff"}
        assert "<strong>turning it off</strong>" in first["body_html"]

    def test_staff_see_notes_and_deleted_placeholders(self, api, people, ticket, talk):
        reply, note, gone = talk
        rows = {m["id"]: m for m in api(people.bob).get(url(ticket, "messages")).json()["results"]}
        assert set(rows) == {reply.pk, note.pk, gone.pk}
        assert rows[note.pk]["internal"] is True
        assert rows[gone.pk]["deleted"] is True and rows[gone.pk]["body"] == ""
        assert rows[gone.pk]["body_html"] == DELETED_PLACEHOLDER_HTML
        assert "hunter2" not in str(rows)

    def test_anonymous_gets_401(self, api, ticket):
        assert api().get(url(ticket, "messages")).status_code == 401

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_may_not_see_the_ticket_get_404(self, api, people, ticket, talk, who):
        assert api(getattr(people, who)).get(url(ticket, "messages")).status_code == 404

    def test_query_count_is_constant(self, api, people, ticket, django_assert_num_queries):
        people.bob.has_perm("tickets.view_all")
        actions.add_message(ticket=ticket, actor=people.bob, body="first")

        def run(n):
            # the ticket, count, messages with their authors, attachments
            with django_assert_num_queries(4):
                body = api(people.bob).get(url(ticket, "messages")).json()
            assert body["count"] == n

        run(1)
        for i in range(29):
            author = people.dave if i % 2 else people.alice
            message = actions.add_message(ticket=ticket, actor=author, body=f"reply {i}")
            if i % 3 == 0:
                files = [SimpleUploadedFile(f"f{i}.txt", b"data", "text/plain")]
                attach_files(ticket=ticket, actor=author, files=files, message=message)
        run(30)
        with django_assert_num_queries(4):
            assert api(people.dave).get(url(ticket, "messages")).json()["count"] == 30


class TestMessageCreate:
    def test_customer_replies(self, api, people, ticket):
        response = api(people.dave).post(url(ticket, "messages"), {"body": "Still *smoking*"}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) == MESSAGE_FIELDS and body["internal"] is False and body["deleted"] is False
        assert body["author"]["role"] == "customer" and body["body_html"] == "<p>Still <em>smoking</em></p>"

    def test_staff_post_an_internal_note(self, api, people, ticket):
        response = api(people.bob).post(
            url(ticket, "messages"), {"body": "psst", "internal": True}, format="json"
        )
        assert response.status_code == 201 and response.json()["internal"] is True
        assert api(people.dave).get(url(ticket, "messages")).json()["count"] == 0

    def test_staff_reply_sets_a_status(self, api, people, ticket):
        data = {"body": "Fixed", "status": "Resolved"}
        assert api(people.bob).post(url(ticket, "messages"), data, format="json").status_code == 201
        ticket.refresh_from_db()
        assert ticket.status.kind == "resolved"

    def test_staff_post_on_a_closed_ticket(self, api, people, ticket):
        actions.close_ticket(ticket=ticket, actor=people.bob)
        assert (
            api(people.bob).post(url(ticket, "messages"), {"body": "FYI"}, format="json").status_code == 201
        )

    def test_multipart_reply_with_files(self, api, people, ticket):
        data = {"body": "Photo attached", "files": [SimpleUploadedFile("p.txt", b"pic", "text/plain")]}
        response = api(people.dave).post(url(ticket, "messages"), data, format="multipart")
        assert response.status_code == 201, response.content
        [attachment] = response.json()["attachments"]
        assert attachment["filename"] == "p.txt" and attachment["size"] == 3
        assert attachment["url"].endswith(f"/api/v1/attachments/{attachment['id']}/")

    def test_a_refused_file_saves_no_message(self, api, people, ticket):
        before = state(ticket)
        data = {
            "body": "run me",
            "files": [SimpleUploadedFile("x.sh", b"#!/bin/sh\necho hi\n", "text/plain")],
        }
        response = api(people.dave).post(url(ticket, "messages"), data, format="multipart")
        assert response.status_code == 400 and state(ticket) == before

    @pytest.mark.parametrize("data", [{"body": "hi", "internal": True}, {"body": "hi", "status": "Resolved"}])
    def test_customer_sending_staff_only_fields_is_refused(self, api, people, ticket, data):
        before = state(ticket)
        response = api(people.dave).post(url(ticket, "messages"), data, format="json")
        assert response.status_code == 403 and state(ticket) == before

    def test_customer_reply_on_a_closed_ticket_is_a_conflict(self, api, people, ticket):
        actions.close_ticket(ticket=ticket, actor=people.bob)
        before = state(ticket)
        response = api(people.dave).post(url(ticket, "messages"), {"body": "Hello?"}, format="json")
        assert response.status_code == 409 and "closed" in response.json()["detail"]
        assert state(ticket) == before

    def test_customer_reply_after_the_reopen_window_is_a_conflict(self, api, people, ticket, time_machine):
        time_machine.move_to("2025-03-01 10:00Z")
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        time_machine.move_to("2025-03-09 10:00Z")
        before = state(ticket)
        response = api(people.dave).post(url(ticket, "messages"), {"body": "Again"}, format="json")
        assert response.status_code == 409 and state(ticket) == before

    def test_anonymous_gets_401(self, api, ticket):
        before = state(ticket)
        assert api().post(url(ticket, "messages"), {"body": "hi"}, format="json").status_code == 401
        assert state(ticket) == before

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_may_not_see_the_ticket_get_404(self, api, people, ticket, who):
        before = state(ticket)
        response = api(getattr(people, who)).post(url(ticket, "messages"), {"body": "hi"}, format="json")
        assert response.status_code == 404 and state(ticket) == before

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"body": ""}, "body"),
            ({"body": "   "}, "body"),
            ({}, "body"),
            ({"body": "x" * 100_001}, "body"),
            ({"body": ["a"]}, "body"),
            ({"body": "hi", "internal": "perhaps"}, "internal"),
            ({"body": "hi", "status": "Nope"}, "status"),
            ({"body": "hi", "status": 2**80}, "status"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, api, people, ticket, data, field):
        before = state(ticket)
        response = api(people.bob).post(url(ticket, "messages"), data, format="json")
        assert response.status_code == 400 and field in response.json()
        assert state(ticket) == before


class TestMessageEdit:
    @pytest.fixture
    def reply(self, people, ticket):
        return actions.add_message(ticket=ticket, actor=people.dave, body="Typo hree")

    def test_author_edits_within_the_window(self, api, people, ticket, reply):
        response = api(people.dave).patch(msg_url(ticket, reply), {"body": "Typo here"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["body"] == "Typo here" and response.json()["edited_at"]

    def test_author_cannot_edit_after_the_window(self, api, people, ticket, reply, time_machine):
        time_machine.move_to(reply.created_at + timedelta(minutes=16))
        before = state(ticket)
        response = api(people.dave).patch(msg_url(ticket, reply), {"body": "late"}, format="json")
        assert response.status_code == 409 and state(ticket) == before

    def test_staff_edit_any_reply_at_any_time(self, api, people, ticket, reply, time_machine):
        time_machine.move_to(reply.created_at + timedelta(days=30))
        response = api(people.bob).patch(msg_url(ticket, reply), {"body": "[redacted]"}, format="json")
        assert response.status_code == 200 and Message.objects.get(pk=reply.pk).body == "[redacted]"

    def test_another_participant_gets_403(self, api, people, ticket, reply):
        ticket.participants.add(people.erin)
        before = state(ticket)
        response = api(people.erin).patch(msg_url(ticket, reply), {"body": "mine"}, format="json")
        assert response.status_code == 403 and state(ticket) == before

    def test_customer_cannot_reach_an_internal_note(self, api, people, ticket):
        note = actions.add_message(ticket=ticket, actor=people.bob, body="secret", internal=True)
        before = state(ticket)
        response = api(people.dave).patch(msg_url(ticket, note), {"body": "x"}, format="json")
        assert response.status_code == 404 and state(ticket) == before

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_may_not_see_the_ticket_get_404(self, api, people, ticket, reply, who):
        before = state(ticket)
        response = api(getattr(people, who)).patch(msg_url(ticket, reply), {"body": "x"}, format="json")
        assert response.status_code == 404 and state(ticket) == before

    def test_anonymous_gets_401(self, api, ticket, reply):
        assert api().patch(msg_url(ticket, reply), {"body": "x"}, format="json").status_code == 401

    def test_message_of_another_ticket_or_unknown_is_404(self, api, people, ticket, reply):
        other = make_ticket(people.dave, people.category)
        assert api(people.dave).patch(msg_url(other, reply), {"body": "x"}, format="json").status_code == 404
        assert api(people.bob).patch(msg_url(ticket, 999999), {"body": "x"}, format="json").status_code == 404
        big = msg_url(ticket, 2**70)
        assert api(people.bob).patch(big, {"body": "x"}, format="json").status_code == 404

    @pytest.mark.parametrize("data", [{"body": ""}, {}, {"body": "x" * 100_001}, {"body": None}])
    def test_bad_body_is_400(self, api, people, ticket, reply, data):
        before = state(ticket)
        response = api(people.dave).patch(msg_url(ticket, reply), data, format="json")
        assert response.status_code == 400 and "body" in response.json()
        assert state(ticket) == before


class TestMessageDelete:
    @pytest.fixture
    def reply(self, people, ticket):
        return actions.add_message(ticket=ticket, actor=people.dave, body="Oops, wrong ticket")

    def test_author_deletes_softly(self, api, people, ticket, reply):
        assert api(people.dave).delete(msg_url(ticket, reply)).status_code == 204
        reply.refresh_from_db()
        assert reply.deleted and reply.body == "Oops, wrong ticket"  # kept for the history
        assert api(people.dave).get(url(ticket, "messages")).json()["count"] == 0
        assert api(people.dave).delete(msg_url(ticket, reply)).status_code == 404

    def test_deleting_twice_as_staff_is_a_conflict(self, api, people, ticket, reply):
        assert api(people.bob).delete(msg_url(ticket, reply)).status_code == 204
        assert api(people.bob).delete(msg_url(ticket, reply)).status_code == 409

    def test_author_cannot_delete_after_the_window(self, api, people, ticket, reply, time_machine):
        time_machine.move_to(reply.created_at + timedelta(hours=1))
        before = state(ticket)
        assert api(people.dave).delete(msg_url(ticket, reply)).status_code == 409
        assert state(ticket) == before

    def test_author_cannot_delete_on_a_closed_ticket(self, api, people, ticket, reply):
        actions.close_ticket(ticket=ticket, actor=people.bob)
        before = state(ticket)
        assert api(people.dave).delete(msg_url(ticket, reply)).status_code == 409
        assert state(ticket) == before

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_may_not_see_the_ticket_get_404(self, api, people, ticket, reply, who):
        before = state(ticket)
        assert api(getattr(people, who)).delete(msg_url(ticket, reply)).status_code == 404
        assert state(ticket) == before

    def test_anonymous_gets_401(self, api, ticket, reply):
        assert api().delete(msg_url(ticket, reply)).status_code == 401
