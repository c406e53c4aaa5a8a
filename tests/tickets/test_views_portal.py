"""The customer portal: my tickets, the ticket page, and what a requester may do there."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_ticket
from tickets import actions
from tickets.actions.customer import add_participant
from tickets.lifecycle import CLOSED_REPLY_REASON, status_of_kind
from tickets.models import Favorite, StatusKind, Survey, Ticket

pytestmark = pytest.mark.django_db


def snapshot(ticket):
    t = Ticket.objects.get(pk=ticket.pk)
    return (
        t.status_id,
        t.updated_at,
        t.messages.count(),
        t.events.count(),
        Favorite.objects.filter(ticket=t).count(),
        list(t.surveys.values_list("rating", flat=True)),
    )


def flash(client) -> list[str]:
    page = client.get(reverse("portal"))
    return [str(m) for m in page.context["messages"]]


def page_of(client, ticket) -> str:
    response = client.get(reverse("portal_ticket", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


class TestPortalList:
    def test_customer_sees_own_tickets_with_status_and_update(self, client, people, ticket):
        make_ticket(people.erin, people.category, subject="Erin's problem")
        client.force_login(people.dave)
        response = client.get(reverse("portal"))
        assert response.status_code == 200
        body = response.content.decode()
        assert f"#{ticket.number}" in body and "Printer is on fire" in body and "New" in body
        assert "Erin&#x27;s problem" not in body and "Erin's problem" not in body

    def test_participant_sees_the_ticket_in_the_list_and_on_its_page(self, client, people, ticket):
        add_participant(ticket=ticket, actor=people.bob, user=people.erin)
        client.force_login(people.erin)
        assert "Printer is on fire" in client.get(reverse("portal")).content.decode()
        assert "Printer is on fire" in page_of(client, ticket)

    def test_closed_tab_lists_closed_tickets_only(self, client, people, ticket):
        done = make_ticket(people.dave, people.category, subject="Old trouble")
        actions.close_ticket(ticket=done, actor=people.bob)
        client.force_login(people.dave)
        open_tab = client.get(reverse("portal")).content.decode()
        closed_tab = client.get(reverse("portal"), {"tab": "closed"}).content.decode()
        assert "Printer is on fire" in open_tab and "Old trouble" not in open_tab
        assert "Old trouble" in closed_tab and "Printer is on fire" not in closed_tab

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(reverse("portal"))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_staff_are_sent_to_the_queue(self, client, people):
        client.force_login(people.bob)
        response = client.get(reverse("portal"))
        assert response.status_code == 302 and response.url == reverse("ticket_list")

    def test_query_count_does_not_grow_with_rows(self, client, people, django_assert_max_num_queries):
        # 4 queries at 1 and at 21 rows: session, user, count, the page of tickets with their
        # status and favourite flag.
        client.force_login(people.dave)
        make_ticket(people.dave, people.category)
        with django_assert_max_num_queries(4) as few:
            client.get(reverse("portal"))
        for n in range(20):
            ticket = make_ticket(people.dave, people.category, subject=f"Ticket {n}")
            actions.add_favorite(ticket=ticket, actor=people.dave)
        with django_assert_max_num_queries(4) as many:
            client.get(reverse("portal"))
        assert len(many.captured_queries) == len(few.captured_queries)


class TestPortalTicketPage:
    def test_requester_sees_public_conversation_never_internal_notes(self, client, people, ticket):
        actions.add_message(ticket=ticket, actor=people.bob, body="We ordered a new fuse")
        actions.add_message(ticket=ticket, actor=people.bob, body="Customer is grumpy", internal=True)
        gone = actions.add_message(ticket=ticket, actor=people.dave, body="Wrong words")
        actions.delete_message(message=gone, actor=people.dave)
        client.force_login(people.dave)
        body = page_of(client, ticket)
        assert "We ordered a new fuse" in body
        assert "Customer is grumpy" not in body and "Internal note" not in body
        assert "Wrong words" not in body and "Deleted reply" not in body
        assert 'id="history-pane"' not in body

    def test_other_customer_gets_404(self, client, people, ticket):
        client.force_login(people.erin)
        assert client.get(reverse("portal_ticket", args=[ticket.pk])).status_code == 404

    def test_anonymous_is_sent_to_login(self, client, ticket):
        response = client.get(reverse("portal_ticket", args=[ticket.pk]))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_staff_are_sent_to_the_staff_page(self, client, people, ticket):
        client.force_login(people.bob)
        response = client.get(reverse("portal_ticket", args=[ticket.pk]))
        assert response.url == reverse("ticket_detail", args=[ticket.pk])

    def test_spam_ticket_is_404_for_the_requester(self, client, people, ticket):
        actions.mark_spam(ticket=ticket, actor=people.bob)
        client.force_login(people.dave)
        assert client.get(reverse("portal_ticket", args=[ticket.pk])).status_code == 404

    def test_reply_form_is_hidden_on_a_closed_ticket_with_the_reason(self, client, people, ticket):
        actions.close_ticket(ticket=ticket, actor=people.bob)
        client.force_login(people.dave)
        body = page_of(client, ticket)
        assert reverse("portal_reply", args=[ticket.pk]) not in body
        assert CLOSED_REPLY_REASON in body

    def test_reply_form_is_shown_on_a_resolved_ticket_inside_the_window(self, client, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="New fuse fitted")
        client.force_login(people.dave)
        body = page_of(client, ticket)
        assert reverse("portal_reply", args=[ticket.pk]) in body
        assert "New fuse fitted" in body and "reopens it" in body

    def test_reply_form_is_hidden_on_a_resolved_ticket_past_the_window(self, client, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        client.force_login(people.dave)
        with time_machine.travel(timezone.now() + timedelta(days=8)):
            body = page_of(client, ticket)
        assert reverse("portal_reply", args=[ticket.pk]) not in body
        assert CLOSED_REPLY_REASON in body

    def test_query_count_does_not_grow_with_messages(
        self, client, people, ticket, django_assert_max_num_queries
    ):
        # 11 queries at 1 and at 16 messages: session, user, the ticket with its related rows, tags,
        # participants, settings, messages with authors, their files, the open survey, the
        # favourite flag, the ticket's files.
        client.force_login(people.dave)
        actions.add_message(ticket=ticket, actor=people.bob, body="First")
        with django_assert_max_num_queries(11) as few:
            page_of(client, ticket)
        for n in range(15):
            actions.add_message(ticket=ticket, actor=people.dave if n % 2 else people.bob, body=f"M{n}")
        with django_assert_max_num_queries(11) as many:
            page_of(client, ticket)
        assert len(many.captured_queries) == len(few.captured_queries)


class TestPortalReply:
    def test_reply_is_posted(self, client, people, ticket):
        client.force_login(people.dave)
        response = client.post(reverse("portal_reply", args=[ticket.pk]), {"body": "Any news?"})
        assert response.status_code == 302
        assert ticket.messages.get().body == "Any news?"

    def test_customer_cannot_post_an_internal_note(self, client, people, ticket):
        client.force_login(people.dave)
        client.post(reverse("portal_reply", args=[ticket.pk]), {"body": "Psst", "internal": "on"})
        assert not ticket.messages.get().internal

    def test_reply_on_a_closed_ticket_is_refused_and_nothing_written(self, client, people, ticket):
        actions.close_ticket(ticket=ticket, actor=people.bob)
        client.force_login(people.dave)
        before = snapshot(ticket)
        client.post(reverse("portal_reply", args=[ticket.pk]), {"body": "Hello?"})
        assert snapshot(ticket) == before
        assert CLOSED_REPLY_REASON in flash(client)

    def test_reply_with_files_stores_them_on_the_message(self, client, people, ticket, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        client.force_login(people.dave)
        upload = SimpleUploadedFile("notes.txt", b"the printer log", content_type="text/plain")
        client.post(reverse("portal_reply", args=[ticket.pk]), {"body": "Log attached", "files": [upload]})
        message = ticket.messages.get()
        assert [a.filename for a in message.attachments.all()] == ["notes.txt"]
        assert "notes.txt" in page_of(client, ticket)

    def test_reply_with_a_program_is_refused_and_nothing_written(self, client, people, ticket):
        client.force_login(people.dave)
        before = snapshot(ticket)
        upload = SimpleUploadedFile("run.sh", b"#!/bin/sh\necho hi\n", content_type="text/plain")
        client.post(reverse("portal_reply", args=[ticket.pk]), {"body": "Try this", "files": [upload]})
        assert snapshot(ticket) == before
        assert any("not accepted" in m for m in flash(client))

    def test_other_customer_gets_404_and_nothing_written(self, client, people, ticket):
        client.force_login(people.erin)
        before = snapshot(ticket)
        assert client.post(reverse("portal_reply", args=[ticket.pk]), {"body": "Hi"}).status_code == 404
        assert snapshot(ticket) == before

    def test_anonymous_is_sent_to_login_and_nothing_written(self, client, ticket):
        before = snapshot(ticket)
        response = client.post(reverse("portal_reply", args=[ticket.pk]), {"body": "Hi"})
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert snapshot(ticket) == before


class TestPortalClosure:
    def test_request_closure_button_moves_to_pending_closure(self, client, people, ticket):
        client.force_login(people.dave)
        assert reverse("portal_request_closure", args=[ticket.pk]) in page_of(client, ticket)
        client.post(reverse("portal_request_closure", args=[ticket.pk]))
        ticket.refresh_from_db()
        assert ticket.status.kind == StatusKind.PENDING_CLOSURE

    def test_request_closure_is_not_offered_when_pending_closure(self, client, people, ticket):
        actions.request_closure(ticket=ticket, actor=people.dave)
        client.force_login(people.dave)
        assert reverse("portal_request_closure", args=[ticket.pk]) not in page_of(client, ticket)

    def test_second_request_closure_is_refused_with_the_reason(self, client, people, ticket):
        actions.request_closure(ticket=ticket, actor=people.dave)
        client.force_login(people.dave)
        before = snapshot(ticket)
        client.post(reverse("portal_request_closure", args=[ticket.pk]))
        assert snapshot(ticket) == before
        assert "Closure cannot be requested while the ticket is Pending closure." in flash(client)

    def test_close_now_on_a_scheduled_closure(self, client, people, ticket):
        actions.schedule_closure(ticket=ticket, actor=people.bob, at=timezone.now() + timedelta(days=1))
        client.force_login(people.dave)
        assert reverse("portal_close", args=[ticket.pk]) in page_of(client, ticket)
        client.post(reverse("portal_close", args=[ticket.pk]))
        ticket.refresh_from_db()
        assert ticket.status.kind == StatusKind.CLOSED

    def test_close_now_is_refused_without_a_scheduled_closure(self, client, people, ticket):
        client.force_login(people.dave)
        assert reverse("portal_close", args=[ticket.pk]) not in page_of(client, ticket)
        before = snapshot(ticket)
        client.post(reverse("portal_close", args=[ticket.pk]))
        assert snapshot(ticket) == before
        assert "You can close the ticket yourself once it is resolved or a closure is scheduled." in flash(
            client
        )

    @pytest.mark.parametrize("action", ["portal_request_closure", "portal_close", "portal_favorite"])
    def test_other_customer_and_staff_get_404(self, client, people, ticket, action):
        before = snapshot(ticket)
        for user in (people.erin, people.bob):
            client.force_login(user)
            assert client.post(reverse(action, args=[ticket.pk]), {"favorite": "1"}).status_code == 404
        assert snapshot(ticket) == before


class TestPortalFavorite:
    def test_star_and_unstar(self, client, people, ticket):
        client.force_login(people.dave)
        client.post(reverse("portal_favorite", args=[ticket.pk]), {"favorite": "1"})
        assert Favorite.objects.filter(ticket=ticket, user=people.dave).exists()
        assert 'aria-pressed="true"' in page_of(client, ticket)
        client.post(reverse("portal_favorite", args=[ticket.pk]), {"favorite": "0"})
        assert not Favorite.objects.filter(ticket=ticket, user=people.dave).exists()

    def test_htmx_star_returns_only_the_star(self, client, people, ticket):
        client.force_login(people.dave)
        response = client.post(
            reverse("portal_favorite", args=[ticket.pk]), {"favorite": "1"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert body.lstrip().startswith('<form id="favorite"') and 'aria-pressed="true"' in body

    def test_favourites_tab_lists_starred_tickets(self, client, people, ticket):
        make_ticket(people.dave, people.category, subject="Not starred")
        actions.add_favorite(ticket=ticket, actor=people.dave)
        client.force_login(people.dave)
        body = client.get(reverse("portal"), {"tab": "favorites"}).content.decode()
        assert "Printer is on fire" in body and "Not starred" not in body


class TestPortalMessageEdit:
    def test_own_reply_can_be_edited_and_deleted_in_the_window(self, client, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Typo")
        client.force_login(people.dave)
        assert reverse("portal_message_edit", args=[ticket.pk, message.pk]) in page_of(client, ticket)
        client.post(reverse("portal_message_edit", args=[ticket.pk, message.pk]), {"body": "Fixed"})
        message.refresh_from_db()
        assert message.body == "Fixed"
        client.post(reverse("portal_message_delete", args=[ticket.pk, message.pk]))
        message.refresh_from_db()
        assert message.deleted

    def test_edit_after_the_window_is_refused_and_not_offered(self, client, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Typo")
        client.force_login(people.dave)
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            assert reverse("portal_message_edit", args=[ticket.pk, message.pk]) not in page_of(client, ticket)
            client.post(reverse("portal_message_edit", args=[ticket.pk, message.pk]), {"body": "Late"})
            assert "Replies can be changed only within 15 minutes of posting." in flash(client)
        message.refresh_from_db()
        assert message.body == "Typo"

    def test_staff_reply_is_not_editable_by_the_customer(self, client, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.bob, body="Staff words")
        client.force_login(people.dave)
        assert reverse("portal_message_edit", args=[ticket.pk, message.pk]) not in page_of(client, ticket)
        client.post(reverse("portal_message_delete", args=[ticket.pk, message.pk]))
        message.refresh_from_db()
        assert not message.deleted
        assert "You can only change your own replies." in flash(client)

    def test_internal_note_is_404_for_the_customer(self, client, people, ticket):
        note = actions.add_message(ticket=ticket, actor=people.bob, body="Secret", internal=True)
        client.force_login(people.dave)
        response = client.post(reverse("portal_message_edit", args=[ticket.pk, note.pk]), {"body": "x"})
        assert response.status_code == 404
        note.refresh_from_db()
        assert note.body == "Secret"

    def test_other_customer_gets_404(self, client, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Mine")
        client.force_login(people.erin)
        assert client.post(reverse("portal_message_delete", args=[ticket.pk, message.pk])).status_code == 404
        message.refresh_from_db()
        assert not message.deleted


class TestPortalSurvey:
    def test_no_open_survey_is_404(self, client, people, ticket):
        client.force_login(people.dave)
        assert client.get(reverse("portal_survey", args=[ticket.pk])).status_code == 404

    def test_survey_is_offered_and_answered(self, client, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        client.force_login(people.dave)
        assert reverse("portal_survey", args=[ticket.pk]) in page_of(client, ticket)
        page = client.get(reverse("portal_survey", args=[ticket.pk]))
        assert page.status_code == 200 and 'type="radio"' in page.content.decode()
        response = client.post(
            reverse("portal_survey", args=[ticket.pk]), {"rating": "4", "comment": "Quick"}
        )
        assert response.status_code == 302
        survey = Survey.objects.get(ticket=ticket)
        assert survey.rating == 4 and survey.comment == "Quick" and survey.answered_at

    def test_rating_out_of_range_is_a_form_error_and_nothing_written(self, client, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        client.force_login(people.dave)
        response = client.post(reverse("portal_survey", args=[ticket.pk]), {"rating": "9"})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert Survey.objects.get(ticket=ticket).answered_at is None

    def test_other_customer_gets_404(self, client, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        client.force_login(people.erin)
        assert client.post(reverse("portal_survey", args=[ticket.pk]), {"rating": "1"}).status_code == 404
        assert Survey.objects.get(ticket=ticket).answered_at is None


class TestPortalStatusDoesNotLeak:
    def test_reopened_ticket_shows_new_status_to_the_requester(self, client, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        client.force_login(people.dave)
        client.post(reverse("portal_reply", args=[ticket.pk]), {"body": "Broken again"})
        ticket.refresh_from_db()
        assert ticket.status == status_of_kind(StatusKind.NEW) and ticket.reopened
