"""The guest API (API.md "Guests and invitations"): open a ticket without an account, then read
and answer it with the emailed token; attachments download with `?token=` too."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import User
from attachments.models import Attachment
from tests.factories import TicketTypeFactory, priority
from tickets import actions
from tickets.lifecycle import status_of_kind
from tickets.models import AccessToken, Message, StatusKind, Ticket

from .guest_helpers import GUEST, api_url, links_in, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def guest_ticket(people, commit, mailoutbox):
    ticket, token = submit(commit, mailoutbox, people.category)
    mailoutbox.clear()
    return ticket, token


def written():
    return (
        Ticket.objects.count(),
        User.objects.count(),
        Message.objects.count(),
        AccessToken.objects.count(),
    )


def body(category_, **extra):
    data = {"email": GUEST, "subject": "VPN down", "description": "Since noon.", "category": category_.pk}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


CREATE = reverse("api-guest-tickets")


def download_url(attachment, token) -> str:
    return f"{reverse('api-attachment-download', args=[attachment.pk])}?{urlencode({'token': token})}"


class TestGuestTicketCreateApi:
    def test_creates_the_ticket_and_mails_the_link_never_returning_it(self, api, people, commit, mailoutbox):
        with commit():
            response = api().post(CREATE, body(people.category), format="json")
        assert response.status_code == 201
        ticket = Ticket.objects.get()
        assert response.json() == {"id": ticket.pk, "number": ticket.pk}
        ((ticket_id, token),) = links_in(mailoutbox)
        assert ticket_id == ticket.pk and token not in response.content.decode()
        assert ticket.requester.email == GUEST and not ticket.requester.has_usable_password()

    def test_switched_off_it_is_404_and_writes_nothing(self, api, people):
        actions.update_settings(actor=people.alice, guest_submission_enabled=False)
        before = written()
        assert api().post(CREATE, body(people.category), format="json").status_code == 404
        assert written() == before

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"email": "not-an-email"}, "email"),
            ({"email": None}, "email"),
            ({"subject": None}, "subject"),
            ({"description": ""}, "description"),
            ({"category": None}, "category"),
            ({"category": 999999}, "category"),
            ({"priority": "High"}, "priority"),
        ],
    )
    def test_bad_input_is_400_naming_the_field_and_nothing_written(self, api, people, change, field):
        priority("High")
        before = written()
        response = api().post(CREATE, body(people.category, **change), format="json")
        assert response.status_code == 400 and field in response.json()
        assert written() == before

    def test_a_type_of_another_category_is_400(self, api, people):
        TicketTypeFactory(category=people.category)
        foreign = TicketTypeFactory()
        before = written()
        response = api().post(CREATE, body(people.category, type=foreign.pk), format="json")
        assert response.status_code == 400 and "type" in response.json()
        assert written() == before

    def test_a_staff_address_is_400_and_nothing_written(self, api, people):
        before = written()
        response = api().post(CREATE, body(people.category, email="bob@example.com"), format="json")
        assert response.status_code == 400 and "email" in response.json()
        assert written() == before

    def test_multipart_with_files(self, api, people, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        upload = SimpleUploadedFile("log.txt", b"log", content_type="text/plain")
        response = api().post(CREATE, {**body(people.category), "files": [upload]}, format="multipart")
        assert response.status_code == 201
        assert Attachment.objects.get().ticket_id == response.json()["id"]

    def test_over_the_size_cap_is_413_and_nothing_written(self, api, people):
        actions.update_settings(actor=people.alice, max_attachment_mb=1)
        before = written()
        upload = SimpleUploadedFile("big.txt", b"x" * (2 * 1024 * 1024 + 10), content_type="text/plain")
        response = api().post(CREATE, {**body(people.category), "files": [upload]}, format="multipart")
        assert response.status_code == 413 and written() == before

    def test_html_is_sanitised_in_the_rendered_description(self, api, people, commit, mailoutbox):
        script = "<script>alert(1)</script>"
        with commit():
            api().post(CREATE, body(people.category, description=f"Hi {script}"), format="json")
        ((ticket_id, token),) = links_in(mailoutbox)
        ticket = Ticket.objects.get(pk=ticket_id)
        data = api().get(api_url("api-guest-ticket", ticket, token)).json()
        assert "<script>" not in data["description_html"]


class TestGuestTicketDetailApi:
    def test_the_ticket_as_its_requester_sees_it(self, api, guest_ticket):
        ticket, token = guest_ticket
        response = api().get(api_url("api-guest-ticket", ticket, token))
        assert response.status_code == 200
        data = response.json()
        assert data["id"] == ticket.pk and data["requester"]["email"] == GUEST

    def test_wrong_missing_or_other_tickets_token_is_404(self, api, people, commit, mailoutbox, guest_ticket):
        ticket, _ = guest_ticket
        _, other_token = submit(commit, mailoutbox, people.category, subject="Other")
        for url in (
            reverse("api-guest-ticket", args=[ticket.pk]),
            api_url("api-guest-ticket", ticket, "x" * 43),
            api_url("api-guest-ticket", ticket, other_token),
        ):
            assert api().get(url).status_code == 404

    def test_a_logged_in_user_still_needs_the_token(self, api, people, guest_ticket):
        ticket, _ = guest_ticket
        assert api(people.bob).get(reverse("api-guest-ticket", args=[ticket.pk])).status_code == 404


class TestGuestMessagesApi:
    def test_lists_public_messages_only(self, api, people, guest_ticket):
        ticket, token = guest_ticket
        actions.add_message(ticket=ticket, actor=people.bob, body="Public answer")
        actions.add_message(ticket=ticket, actor=people.bob, body="Secret note", internal=True)
        gone = actions.add_message(ticket=ticket, actor=people.bob, body="Withdrawn")
        actions.delete_message(message=gone, actor=people.bob)
        response = api().get(api_url("api-guest-ticket-messages", ticket, token))
        assert response.status_code == 200
        assert [m["body"] for m in response.json()["results"]] == ["Public answer"]

    def test_reply_is_posted_as_the_requester(self, api, guest_ticket):
        ticket, token = guest_ticket
        response = api().post(
            api_url("api-guest-ticket-messages", ticket, token), {"body": "Hi"}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["author"]["id"] == ticket.requester_id
        assert ticket.messages.get().author == ticket.requester

    @pytest.mark.parametrize("extra", [{"internal": True}, {"status": StatusKind.OPEN}])
    def test_staff_only_fields_are_403_and_nothing_written(self, api, guest_ticket, extra):
        ticket, token = guest_ticket
        if "status" in extra:
            extra = {"status": status_of_kind(extra["status"]).pk}
        before = written()
        url = api_url("api-guest-ticket-messages", ticket, token)
        assert api().post(url, {"body": "Psst", **extra}, format="json").status_code == 403
        assert written() == before

    def test_reply_on_a_closed_ticket_is_409_and_nothing_written(self, api, people, guest_ticket):
        ticket, token = guest_ticket
        actions.close_ticket(ticket=ticket, actor=people.bob)
        before = written()
        url = api_url("api-guest-ticket-messages", ticket, token)
        assert api().post(url, {"body": "Hello?"}, format="json").status_code == 409
        assert written() == before

    def test_wrong_token_is_404_and_nothing_written(self, api, guest_ticket):
        ticket, _ = guest_ticket
        before = written()
        url = api_url("api-guest-ticket-messages", ticket, "x" * 43)
        assert api().post(url, {"body": "Hi"}, format="json").status_code == 404
        assert api().get(url).status_code == 404
        assert written() == before

    def test_multipart_reply_with_files(self, api, guest_ticket, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        ticket, token = guest_ticket
        upload = SimpleUploadedFile("shot.txt", b"screen", content_type="text/plain")
        url = api_url("api-guest-ticket-messages", ticket, token)
        response = api().post(url, {"body": "See file", "files": [upload]}, format="multipart")
        assert response.status_code == 201
        assert [a["filename"] for a in response.json()["attachments"]] == ["shot.txt"]

    def test_a_refused_file_saves_no_reply(self, api, guest_ticket, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        ticket, token = guest_ticket
        before = written(), Attachment.objects.count()
        upload = SimpleUploadedFile("run.sh", b"#!/bin/sh\necho hi\n", content_type="text/plain")
        url = api_url("api-guest-ticket-messages", ticket, token)
        response = api().post(url, {"body": "Try", "files": [upload]}, format="multipart")
        assert response.status_code == 400 and "not accepted" in str(response.json())
        assert (written(), Attachment.objects.count()) == before

    def test_list_query_count_does_not_grow(self, api, people, guest_ticket, django_assert_max_num_queries):
        # 5 at 1 and at 16 messages: the token row, the ticket with requester and status, the
        # count, the page of messages with authors, their files.
        ticket, token = guest_ticket
        actions.add_message(ticket=ticket, actor=people.bob, body="One")
        url = api_url("api-guest-ticket-messages", ticket, token)
        with django_assert_max_num_queries(5) as few:
            api().get(url)
        for n in range(15):
            actions.add_message(ticket=ticket, actor=people.bob, body=f"M{n}")
        with django_assert_max_num_queries(5) as many:
            api().get(url)
        assert len(few.captured_queries) == len(many.captured_queries)


class TestGuestDownloadApi:
    @pytest.fixture
    def files(self, people, guest_ticket, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        ticket, token = guest_ticket
        public = SimpleUploadedFile("fix.txt", b"do this", content_type="text/plain")
        actions.add_message(ticket=ticket, actor=people.bob, body="See file", files=[public])
        secret = SimpleUploadedFile("secret.txt", b"internal", content_type="text/plain")
        actions.add_message(ticket=ticket, actor=people.bob, body="Note", internal=True, files=[secret])
        return (
            Attachment.objects.get(filename="fix.txt"),
            Attachment.objects.get(filename="secret.txt"),
            token,
        )

    def test_the_token_downloads_the_tickets_public_file(self, api, files):
        public, _, token = files
        response = api().get(download_url(public, token))
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"do this"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_an_internal_notes_file_is_404(self, api, files):
        _, secret, token = files
        assert api().get(download_url(secret, token)).status_code == 404

    def test_a_wrong_token_is_404_and_no_token_is_401(self, api, files):
        public, _, _ = files
        assert api().get(download_url(public, "x" * 43)).status_code == 404
        assert api().get(reverse("api-attachment-download", args=[public.pk])).status_code == 401

    def test_another_tickets_file_is_404(self, api, people, files, settings):
        _, _, token = files
        other = actions.create_ticket(
            actor=people.dave,
            subject="Dave's",
            description="d",
            category=people.category,
            files=[SimpleUploadedFile("dave.txt", b"dave", content_type="text/plain")],
        )
        attachment = Attachment.objects.get(ticket=other)
        assert api().get(download_url(attachment, token)).status_code == 404
