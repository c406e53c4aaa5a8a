"""Guests (SPEC §8): access tokens, the public form /submit, "send my links again", the access
page /t/<id>/?token=, and registering with a guest's address."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from attachments.models import Attachment
from tests.factories import ItemFactory, TicketTypeFactory, make_ticket
from tickets import actions
from tickets import guests as guest_module
from tickets.actions.guests import issue_access_token
from tickets.guests import access_ticket_by_token, hash_token
from tickets.lifecycle import CLOSED_REPLY_REASON
from tickets.models import AccessToken, Message, StatusKind, Survey, Ticket

from .guest_helpers import GUEST, links_in, page_url, submit

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
    """What a refused request must leave untouched."""
    return (
        Ticket.objects.count(),
        User.objects.count(),
        Message.objects.count(),
        AccessToken.objects.count(),
    )


def form(category_, **extra):
    data = {
        "email": GUEST,
        "name": "Gina Guest",
        "subject": "Printer jammed",
        "description": "Paper everywhere.",
        "category": category_.pk,
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


# --- Tokens --------------------------------------------------------------------------------


class TestAccessTokens:
    def test_the_database_holds_only_the_sha256_of_a_token(self, people, ticket):
        token = issue_access_token(ticket=ticket)
        row = AccessToken.objects.get(ticket=ticket)
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        every_value = [str(v) for r in AccessToken.objects.values() for v in r.values()]
        assert all(token not in value for value in every_value)
        assert not AccessToken.objects.filter(token_hash=token).exists()

    def test_a_token_is_long_and_random(self, ticket):
        first, second = issue_access_token(ticket=ticket), issue_access_token(ticket=ticket)
        assert len(first) >= 43 and first != second  # 32 random bytes, base64url

    def test_a_token_opens_its_ticket_and_no_other(self, people, ticket):
        other = make_ticket(people.dave, people.category, subject="Another")
        token = issue_access_token(ticket=ticket)
        assert access_ticket_by_token(ticket.pk, token) == ticket
        with pytest.raises(Http404):
            access_ticket_by_token(other.pk, token)

    @pytest.mark.parametrize("token", ["", None, "short", "x" * 43, "é" * 43, "y" * 500, ["list"]])
    def test_a_wrong_missing_or_malformed_token_is_404(self, ticket, token):
        issue_access_token(ticket=ticket)
        with pytest.raises(Http404):
            access_ticket_by_token(ticket.pk, token)

    def test_the_hash_of_the_stored_row_is_compared_in_constant_time(self, ticket, monkeypatch):
        token = issue_access_token(ticket=ticket)
        calls = []

        def spy(a, b):
            calls.append((a, b))
            return a == b

        monkeypatch.setattr(guest_module.hmac, "compare_digest", spy)
        access_ticket_by_token(ticket.pk, token)
        assert calls == [(hash_token(token), hash_token(token))]

    def test_a_spam_ticket_is_not_opened(self, people, ticket):
        token = issue_access_token(ticket=ticket)
        actions.mark_spam(ticket=ticket, actor=people.bob)
        with pytest.raises(Http404):
            access_ticket_by_token(ticket.pk, token)

    def test_a_staff_requesters_ticket_is_not_opened(self, people):
        ticket = make_ticket(people.bob, people.category)
        token = issue_access_token(ticket=ticket)
        with pytest.raises(Http404):
            access_ticket_by_token(ticket.pk, token)


# --- The public form ------------------------------------------------------------------------


class TestGuestSubmitPage:
    def test_form_has_the_fields_the_cascade_and_the_honeypot(self, client, people):
        body = client.get(reverse("guest_submit")).content.decode()
        for name in ("email", "subject", "description", "category", "files", "website"):
            assert f'name="{name}"' in body
        assert f'hx-get="{reverse("cti_options")}"' in body

    def test_the_cascade_partial_answers_anonymous_visitors(self, client, people):
        kind = TicketTypeFactory(category=people.category, name="Laptop")
        body = client.get(reverse("cti_options"), {"category": people.category.pk}).content.decode()
        assert "Laptop" in body and f'value="{kind.pk}"' in body

    def test_switched_off_it_is_404_and_writes_nothing(self, client, people):
        actions.update_settings(actor=people.alice, guest_submission_enabled=False)
        before = written()
        assert client.get(reverse("guest_submit")).status_code == 404
        assert client.post(reverse("guest_submit"), form(people.category)).status_code == 404
        assert written() == before

    def test_a_guest_opens_a_ticket_and_is_mailed_its_link(self, client, people, commit, mailoutbox):
        with commit():
            response = client.post(reverse("guest_submit"), form(people.category))
        assert response.status_code == 302 and response.url == reverse("guest_submit_done")
        ticket = Ticket.objects.get()
        assert ticket.requester.email == GUEST and ticket.requester.name == "Gina Guest"
        assert not ticket.requester.has_usable_password() and ticket.requester.is_customer
        done = client.get(response.url).content.decode()
        assert f"#{ticket.number}" in done
        (mail,) = mailoutbox
        assert mail.to == [GUEST] and links_in(mailoutbox)[0][0] == ticket.pk
        token = links_in(mailoutbox)[0][1]
        assert token not in done and token not in response.headers.get("Location", "")

    def test_a_malformed_email_is_refused_and_nothing_written(self, client, people):
        before = written()
        response = client.post(reverse("guest_submit"), form(people.category, email="not-an-email"))
        assert response.status_code == 400 and "valid email" in response.content.decode()
        assert written() == before

    @pytest.mark.parametrize("missing", ["email", "subject", "description", "category"])
    def test_a_missing_required_field_is_refused_and_nothing_written(self, client, people, missing):
        before = written()
        response = client.post(reverse("guest_submit"), form(people.category, **{missing: None}))
        assert response.status_code == 400 and "This field is required" in response.content.decode()
        assert written() == before

    def test_a_type_of_another_category_is_refused(self, client, people):
        foreign = TicketTypeFactory(name="Elsewhere")
        TicketTypeFactory(category=people.category, name="Laptop")
        before = written()
        response = client.post(reverse("guest_submit"), form(people.category, type=foreign.pk))
        assert response.status_code == 400
        assert "does not belong to the chosen category" in response.content.decode()
        assert written() == before

    def test_a_type_and_item_of_the_category_are_accepted(self, client, people):
        item = ItemFactory(type=TicketTypeFactory(category=people.category))
        client.post(reverse("guest_submit"), form(people.category, type=item.type_id, item=item.pk))
        ticket = Ticket.objects.get()
        assert (ticket.type_id, ticket.item_id) == (item.type_id, item.pk)

    def test_a_filled_honeypot_looks_like_success_and_writes_nothing(
        self, client, people, commit, mailoutbox
    ):
        before = written()
        with commit():
            response = client.post(reverse("guest_submit"), form(people.category, website="http://spam"))
        assert response.status_code == 302 and response.url == reverse("guest_submit_done")
        assert written() == before and mailoutbox == []

    def test_a_staff_address_is_refused_and_nothing_written(self, client, people):
        before = written()
        response = client.post(reverse("guest_submit"), form(people.category, email="bob@example.com"))
        assert response.status_code == 400 and "log in" in response.content.decode()
        assert written() == before

    def test_a_registered_customers_address_files_it_under_their_account(
        self, client, people, commit, mailoutbox
    ):
        with commit():
            client.post(reverse("guest_submit"), form(people.category, email="dave@example.com"))
        ticket = Ticket.objects.get()
        assert ticket.requester == people.dave
        (mail,) = mailoutbox
        assert f"/portal/tickets/{ticket.pk}/" in mail.body and "token=" not in mail.body

    def test_files_are_attached_to_the_ticket(self, client, people, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        upload = SimpleUploadedFile("log.txt", b"printer log", content_type="text/plain")
        client.post(reverse("guest_submit"), {**form(people.category), "files": [upload]})
        assert [a.filename for a in Attachment.objects.filter(ticket=Ticket.objects.get())] == ["log.txt"]

    def test_a_program_refuses_the_whole_ticket(self, client, people):
        before = written()
        upload = SimpleUploadedFile("run.sh", b"#!/bin/sh\necho hi\n", content_type="text/plain")
        response = client.post(reverse("guest_submit"), {**form(people.category), "files": [upload]})
        assert response.status_code == 400 and written() == before

    def test_a_request_over_the_size_cap_is_413_and_nothing_written(self, client, people):
        actions.update_settings(actor=people.alice, max_attachment_mb=1)
        before = written()
        upload = SimpleUploadedFile("big.txt", b"x" * (2 * 1024 * 1024 + 10), content_type="text/plain")
        response = client.post(reverse("guest_submit"), {**form(people.category), "files": [upload]})
        assert response.status_code == 413
        assert written() == before

    def test_csrf_is_still_checked(self, people):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        before = written()
        assert strict.post(reverse("guest_submit"), form(people.category)).status_code == 403
        assert written() == before

    def test_html_in_every_text_field_is_shown_escaped(self, client, people, commit, mailoutbox):
        script = "<script>alert(1)</script>"
        refused = client.post(
            reverse("guest_submit"),
            form(people.category, subject=script, description=script, name=script, email=None),
        ).content.decode()
        assert script not in refused and "&lt;script&gt;" in refused
        ticket, token = submit(
            commit, mailoutbox, people.category, subject=script, description=f"**Hi** {script}", name=script
        )
        actions.add_message(ticket=ticket, actor=ticket.requester, body=script)
        pages = [client.get(page_url(ticket, token)).content.decode()]
        client.force_login(people.bob)
        pages.append(client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode())
        for body in pages:
            assert script not in body and "&lt;script&gt;" in body


# --- Send my links again -----------------------------------------------------------------------


class TestGuestResend:
    def test_a_fresh_link_is_mailed_for_each_open_ticket(self, client, people, commit, mailoutbox):
        first, _ = submit(commit, mailoutbox, people.category)
        second, _ = submit(commit, mailoutbox, people.category, subject="Second")
        done, _ = submit(commit, mailoutbox, people.category, subject="Done")
        actions.close_ticket(ticket=done, actor=people.bob)
        mailoutbox.clear()
        with commit():
            response = client.post(reverse("guest_resend"), {"email": GUEST.upper()})
        assert response.status_code == 200
        links = links_in(mailoutbox)
        assert sorted(ticket_id for ticket_id, _ in links) == [first.pk, second.pk]
        for ticket_id, token in links:
            assert client.get(page_url(Ticket.objects.get(pk=ticket_id), token)).status_code == 200

    def test_the_answer_never_reveals_whether_the_address_has_tickets(
        self, client, people, commit, mailoutbox
    ):
        submit(commit, mailoutbox, people.category)
        mailoutbox.clear()
        answers = []
        for email in (GUEST, "nobody@example.com", "bob@example.com"):
            with commit():
                response = client.post(reverse("guest_resend"), {"email": email})
            answers.append((response.status_code, re.sub(r'value="[^"]+"', "", response.content.decode())))
        assert answers[0] == answers[1] == answers[2]
        assert "If we have open tickets for that address" in answers[0][1]
        assert [mail.to for mail in mailoutbox] == [[GUEST]]

    def test_a_filled_honeypot_sends_nothing(self, client, people, commit, mailoutbox):
        submit(commit, mailoutbox, people.category)
        mailoutbox.clear()
        with commit():
            response = client.post(reverse("guest_resend"), {"email": GUEST, "website": "x"})
        assert response.status_code == 200 and mailoutbox == []

    def test_a_malformed_email_is_refused(self, client, people, mailoutbox):
        response = client.post(reverse("guest_resend"), {"email": "nope"})
        assert response.status_code == 400 and mailoutbox == []


# --- The access page ---------------------------------------------------------------------------


class TestGuestPage:
    def test_shows_the_public_conversation_never_internal_notes(self, client, people, guest_ticket):
        ticket, token = guest_ticket
        actions.add_message(ticket=ticket, actor=people.bob, body="We ordered a new roller")
        actions.add_message(ticket=ticket, actor=people.bob, body="Customer is grumpy", internal=True)
        response = client.get(page_url(ticket, token))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Printer jammed" in body and "We ordered a new roller" in body
        assert "Customer is grumpy" not in body and "Internal note" not in body

    def test_sends_headers_that_keep_the_token_in(self, client, guest_ticket):
        response = client.get(page_url(*guest_ticket))
        assert response["Referrer-Policy"] == "same-origin"
        assert "no-store" in response["Cache-Control"]

    def test_wrong_missing_or_other_tickets_token_is_404(
        self, client, people, commit, mailoutbox, guest_ticket
    ):
        ticket, token = guest_ticket
        other, other_token = submit(commit, mailoutbox, people.category, subject="Other")
        for url in (
            reverse("guest_ticket", args=[ticket.pk]),
            page_url(ticket, "x" * 43),
            page_url(ticket, other_token),
            page_url(Ticket(pk=999999), token),
        ):
            assert client.get(url).status_code == 404

    def test_a_logged_in_customer_without_the_token_gets_404(self, client, people, guest_ticket):
        client.force_login(people.erin)
        assert client.get(reverse("guest_ticket", args=[guest_ticket[0].pk])).status_code == 404

    def test_reply_is_posted_as_the_requester(self, client, guest_ticket, mailoutbox):
        ticket, token = guest_ticket
        response = client.post(
            reverse("guest_reply", args=[ticket.pk]), {"token": token, "body": "Any news?"}
        )
        assert response.status_code == 302 and response.url == page_url(ticket, token)
        message = ticket.messages.get()
        assert message.author == ticket.requester and message.body == "Any news?" and not message.internal

    def test_reply_with_another_tickets_token_is_404_and_nothing_written(
        self, client, people, commit, mailoutbox, guest_ticket
    ):
        ticket, _ = guest_ticket
        _, other_token = submit(commit, mailoutbox, people.category, subject="Other")
        before = written()
        response = client.post(reverse("guest_reply", args=[ticket.pk]), {"token": other_token, "body": "Hi"})
        assert response.status_code == 404 and written() == before

    def test_reply_with_a_refused_file_writes_nothing(self, client, guest_ticket):
        ticket, token = guest_ticket
        before = written(), Attachment.objects.count()
        upload = SimpleUploadedFile("run.sh", b"#!/bin/sh\necho hi\n", content_type="text/plain")
        response = client.post(
            reverse("guest_reply", args=[ticket.pk]), {"token": token, "body": "Try", "files": [upload]}
        )
        assert response.status_code == 302 and (written(), Attachment.objects.count()) == before
        messages = [str(m) for m in client.get(response.url).context["messages"]]
        assert any("not accepted" in m for m in messages)

    def test_reply_on_a_closed_ticket_is_refused_and_nothing_written(self, client, people, guest_ticket):
        ticket, token = guest_ticket
        actions.close_ticket(ticket=ticket, actor=people.bob)
        assert CLOSED_REPLY_REASON in client.get(page_url(ticket, token)).content.decode()
        before = written()
        client.post(reverse("guest_reply", args=[ticket.pk]), {"token": token, "body": "Hello?"})
        assert written() == before

    def test_files_download_with_the_token_but_never_a_notes(
        self, client, people, guest_ticket, settings, tmp_path
    ):
        settings.MEDIA_ROOT = str(tmp_path)
        ticket, token = guest_ticket
        upload = SimpleUploadedFile("fix.txt", b"do this", content_type="text/plain")
        actions.add_message(ticket=ticket, actor=people.bob, body="See file", files=[upload])
        secret = SimpleUploadedFile("secret.txt", b"internal", content_type="text/plain")
        actions.add_message(ticket=ticket, actor=people.bob, body="Note", internal=True, files=[secret])
        public = Attachment.objects.get(filename="fix.txt")
        internal = Attachment.objects.get(filename="secret.txt")
        body = client.get(page_url(ticket, token)).content.decode()
        assert "fix.txt" in body and "secret.txt" not in body
        download = f"{reverse('guest_attachment', args=[ticket.pk, public.pk])}?token={token}"
        assert download in body
        response = client.get(download)
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"do this"
        note = f"{reverse('guest_attachment', args=[ticket.pk, internal.pk])}?token={token}"
        assert client.get(note).status_code == 404
        no_token = reverse("guest_attachment", args=[ticket.pk, public.pk])
        assert client.get(no_token).status_code == 404

    def test_another_tickets_file_is_404_with_this_token(
        self, client, people, guest_ticket, settings, tmp_path
    ):
        settings.MEDIA_ROOT = str(tmp_path)
        ticket, token = guest_ticket
        other = make_ticket(people.dave, people.category)
        upload = SimpleUploadedFile("dave.txt", b"dave's", content_type="text/plain")
        actions.add_message(ticket=other, actor=people.dave, body="Mine", files=[upload])
        attachment = Attachment.objects.get(filename="dave.txt")
        for ticket_id in (ticket.pk, other.pk):
            url = f"{reverse('guest_attachment', args=[ticket_id, attachment.pk])}?token={token}"
            assert client.get(url).status_code == 404

    def test_survey_is_answered_once(self, client, people, guest_ticket):
        ticket, token = guest_ticket
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        assert (
            reverse("guest_survey", args=[ticket.pk]) in client.get(page_url(ticket, token)).content.decode()
        )
        client.post(reverse("guest_survey", args=[ticket.pk]), {"token": token, "rating": "5"})
        survey = Survey.objects.get(ticket=ticket)
        assert survey.rating == 5 and survey.answered_by == ticket.requester
        assert (
            reverse("guest_survey", args=[ticket.pk])
            not in client.get(page_url(ticket, token)).content.decode()
        )
        client.post(reverse("guest_survey", args=[ticket.pk]), {"token": token, "rating": "1"})
        assert Survey.objects.get(ticket=ticket).rating == 5

    def test_query_count_does_not_grow_with_messages(
        self, client, people, guest_ticket, django_assert_max_num_queries
    ):
        # 9 at 1 and at 16 messages: the token row, the ticket with its related rows, tags,
        # participants, settings, messages with authors, their files, the open survey, the
        # ticket's own files.
        ticket, token = guest_ticket
        actions.add_message(ticket=ticket, actor=people.bob, body="First")
        with django_assert_max_num_queries(9) as few:
            assert client.get(page_url(ticket, token)).status_code == 200
        for n in range(15):
            actions.add_message(ticket=ticket, actor=people.bob if n % 2 else ticket.requester, body=f"M{n}")
        with django_assert_max_num_queries(9) as many:
            assert client.get(page_url(ticket, token)).status_code == 200
        assert len(many.captured_queries) == len(few.captured_queries)


class TestGuestWholePath:
    def test_submit_mail_open_reply_download_and_reopen(
        self, client, people, commit, mailoutbox, settings, tmp_path
    ):
        settings.MEDIA_ROOT = str(tmp_path)
        with commit():
            client.post(reverse("guest_submit"), form(people.category))
        ((ticket_id, token),) = links_in(mailoutbox)
        ticket = Ticket.objects.get(pk=ticket_id)
        assert client.get(page_url(ticket, token)).status_code == 200
        upload = SimpleUploadedFile("photo.txt", b"the jam", content_type="text/plain")
        client.post(
            reverse("guest_reply", args=[ticket.pk]), {"token": token, "body": "Photo", "files": [upload]}
        )
        attachment = Attachment.objects.get(filename="photo.txt")
        assert attachment.message.author == ticket.requester
        fix = SimpleUploadedFile("fix.txt", b"pull the lever", content_type="text/plain")
        actions.add_message(ticket=ticket, actor=people.bob, body="Try this", files=[fix])
        fix_row = Attachment.objects.get(filename="fix.txt")
        response = client.get(f"{reverse('guest_attachment', args=[ticket.pk, fix_row.pk])}?token={token}")
        assert b"".join(response.streaming_content) == b"pull the lever"
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        with time_machine.travel(timezone.now() + timedelta(days=3)):
            client.post(reverse("guest_reply", args=[ticket.pk]), {"token": token, "body": "Jammed again"})
        ticket.refresh_from_db()
        assert ticket.reopened and ticket.status.kind != StatusKind.RESOLVED

    def test_a_reply_past_the_window_does_not_reopen(self, client, people, guest_ticket):
        ticket, token = guest_ticket
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        with time_machine.travel(timezone.now() + timedelta(days=8)):
            client.post(reverse("guest_reply", args=[ticket.pk]), {"token": token, "body": "Late"})
        ticket.refresh_from_db()
        assert ticket.status.kind == StatusKind.RESOLVED and not ticket.messages.exists()


# --- Registering with a guest's address ---------------------------------------------------------

PASSWORD = "a-long-pass-phrase-42"


def register_form(email_, **extra):
    return {"email": email_, "name": "Gina", "password1": PASSWORD, "password2": PASSWORD, **extra}


class TestRegistration:
    @pytest.mark.parametrize("address", ["fresh@example.com", "dave@example.com", GUEST])
    def test_the_action_refuses_a_weak_password_for_every_address(
        self, people, commit, mailoutbox, guest_ticket, address
    ):
        from tickets.actions.registration import register_customer
        from tickets.errors import ActionRefused

        users = User.objects.count()
        with commit(), pytest.raises(ActionRefused) as refused:
            register_customer(email=address, password="123")
        assert refused.value.field == "password"
        assert User.objects.count() == users and mailoutbox == []

    def test_a_new_address_gets_an_account_and_is_logged_in(self, client, people):
        response = client.post(reverse("register"), register_form("new@example.com"))
        assert response.status_code == 302 and response.url == reverse("portal")
        user = User.objects.get(email="new@example.com")
        assert user.is_customer and user.check_password(PASSWORD)
        assert client.get(reverse("portal")).status_code == 200

    def test_a_guest_proves_the_address_then_sees_their_tickets(
        self, client, people, commit, mailoutbox, guest_ticket
    ):
        ticket, _ = guest_ticket
        with commit():
            response = client.post(reverse("register"), register_form(GUEST))
        assert response.status_code == 200 and "Check your email" in response.content.decode()
        guest = User.objects.get(email=GUEST)
        assert not guest.has_usable_password()  # nothing changes before the address is proven
        (mail,) = mailoutbox
        link = re.search(r"http://\S+(/register/confirm/\S+/)", mail.body)[1]
        assert client.get(link).status_code == 200
        response = client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
        assert response.status_code == 302
        guest.refresh_from_db()
        assert guest.check_password(PASSWORD)
        portal = client.get(reverse("portal")).content.decode()
        assert f"#{ticket.number}" in portal and "Printer jammed" in portal
        client.logout()
        assert client.get(link).status_code == 410  # the link works once

    def test_an_address_with_a_password_is_never_taken_over(self, client, people, commit, mailoutbox):
        with commit():
            response = client.post(reverse("register"), register_form("dave@example.com"))
        assert response.status_code == 200 and "Check your email" in response.content.decode()
        people.dave.refresh_from_db()
        assert people.dave.check_password("pass-word-123") and not people.dave.check_password(PASSWORD)
        (mail,) = mailoutbox
        assert mail.to == ["dave@example.com"] and "already has one" in mail.body
        assert "/register/confirm/" not in mail.body

    def test_a_staff_address_is_never_taken_over(self, client, people, commit, mailoutbox):
        with commit():
            client.post(reverse("register"), register_form("bob@example.com"))
        people.bob.refresh_from_db()
        assert people.bob.check_password("pass-word-123")
        assert "/register/confirm/" not in mailoutbox[0].body

    def test_a_tampered_or_expired_link_is_410(self, client, people, commit, mailoutbox, guest_ticket):
        with commit():
            client.post(reverse("register"), register_form(GUEST))
        link = re.search(r"http://\S+(/register/confirm/\S+/)", mailoutbox[0].body)[1]
        assert client.get(link[:-3] + "xx/").status_code == 410
        with time_machine.travel(timezone.now() + timedelta(days=3)):
            assert client.post(link, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 410
        assert not User.objects.get(email=GUEST).has_usable_password()

    @pytest.mark.parametrize(
        "extra",
        [{"password2": "something-else-42"}, {"password1": "123", "password2": "123"}, {"email": "x"}],
    )
    def test_bad_input_is_refused_and_nothing_written(self, client, people, extra):
        before = User.objects.count()
        response = client.post(reverse("register"), register_form("new@example.com", **extra))
        assert response.status_code == 400 and User.objects.count() == before

    @pytest.mark.parametrize("email_", ["new@example.com", "dave@example.com", GUEST])
    def test_a_weak_password_is_refused_alike_for_every_address(
        self, client, people, commit, mailoutbox, guest_ticket, email_
    ):
        """The password rules answer the same whether the address is new, taken or a guest's."""
        weak = register_form(email_, password1="123", password2="123")
        with commit():
            response = client.post(reverse("register"), weak)
        assert response.status_code == 400 and "password1" in response.context["form"].errors
        assert mailoutbox == [] and not User.objects.filter(email="new@example.com").exists()

    def test_the_confirmation_page_refuses_a_weak_password_and_the_link_still_works(
        self, client, people, commit, mailoutbox, guest_ticket
    ):
        with commit():
            client.post(reverse("register"), register_form(GUEST))
        link = re.search(r"http://\S+(/register/confirm/\S+/)", mailoutbox[-1].body)[1]
        response = client.post(link, {"password1": "123", "password2": "123"})
        assert response.status_code == 400 and "password1" in response.context["form"].errors
        assert not User.objects.get(email=GUEST).has_usable_password()
        assert client.post(link, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302

    def test_a_filled_honeypot_writes_nothing(self, client, people, mailoutbox):
        response = client.post(reverse("register"), register_form("new@example.com", website="x"))
        assert response.status_code == 200 and not User.objects.filter(email="new@example.com").exists()


class TestGuestEmails:
    def test_a_ticket_staff_open_for_a_new_address_mails_it_an_access_link(self, people, commit, mailoutbox):
        with commit():
            ticket = actions.create_ticket(
                actor=people.bob,
                subject="Phoned in",
                description="By phone",
                category=people.category,
                requester_email="new.person@example.com",
            )
        ((ticket_id, token),) = links_in(mailoutbox, "new.person@example.com")
        assert ticket_id == ticket.pk and access_ticket_by_token(ticket.pk, token) == ticket

    def test_each_reply_email_to_a_guest_carries_a_link_of_its_own(
        self, people, commit, mailoutbox, guest_ticket
    ):
        ticket, first = guest_ticket
        with commit():
            actions.add_message(ticket=ticket, actor=people.bob, body="Try again")
        ((_, token),) = links_in(mailoutbox)
        assert token != first and access_ticket_by_token(ticket.pk, token) == ticket

    def test_a_registered_customer_gets_the_portal_link_and_no_token(
        self, people, commit, mailoutbox, ticket
    ):
        with commit():
            actions.add_message(ticket=ticket, actor=people.bob, body="Try again")
        assert links_in(mailoutbox, "dave@example.com") == [] and not AccessToken.objects.exists()
