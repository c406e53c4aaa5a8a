"""The resolution notice (issue 12): its email, the signed "It's fixed, close it" link, and the
same choice on the portal ticket page."""

import re
from datetime import timedelta

import pytest
from django.template.defaultfilters import date as format_date
from django.test import Client
from django.urls import reverse

from tickets import actions
from tickets.actions.closelinks import close_ticket_by_link
from tickets.actions.customer import add_participant
from tickets.errors import ActionRefused
from tickets.models import CloseLinkUse, StatusKind, Ticket, TicketEvent

from ..factories import make_ticket
from .guest_helpers import submit
from .lifecycle_helpers import T0, fresh, resolve, status

pytestmark = pytest.mark.django_db
CLOSE_LINK = re.compile(r"https?://[^/\s]+/close/([^/\s]+)/")
WINDOW = timedelta(days=7)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def tk(people, clock, commit, mailoutbox):
    with commit():
        ticket = make_ticket(people.dave, people.category)
    mailoutbox.clear()
    return ticket


def notices(mailoutbox, to: str | None = None):
    return [m for m in mailoutbox if "] Resolved:" in m.subject and (to is None or to in m.to)]


def resolved_with_notice(tk, people, commit, mailoutbox, notes="Replaced the fuse.") -> str:
    """Resolve `tk` as bob; return the close token mailed to dave."""
    with commit():
        resolve(tk, people.bob, notes)
    (mail,) = notices(mailoutbox, "dave@example.com")
    return CLOSE_LINK.search(mail.body).group(1)


def state(ticket) -> tuple:
    t = Ticket.objects.get(pk=ticket.pk)
    return t.status_id, t.updated_at, t.closed_at, t.events.count(), CloseLinkUse.objects.count()


class TestResolutionNotice:
    def test_requester_and_participants_get_notes_window_and_both_links(self, people, tk, commit, mailoutbox):
        add_participant(ticket=tk, actor=people.bob, user=people.erin)
        with commit():
            resolve(tk, people.bob, "Replaced the fuse.")
        mails = notices(mailoutbox)
        assert sorted(m.to[0] for m in mails) == ["dave@example.com", "erin@example.com"]
        for mail in mails:
            assert f"[#{tk.pk}] Resolved: Printer is on fire" == mail.subject
            assert "Replaced the fuse." in mail.body
            assert "You have 7 days" in mail.body
            assert format_date(T0 + WINDOW, "l j F Y, H:i T") in mail.body  # Monday 9 March 2026, 09:00 UTC
            assert "It's fixed, close it" in mail.body and CLOSE_LINK.search(mail.body)
            assert f"/portal/tickets/{tk.pk}/?still_broken=1#reply" in mail.body
            html = mail.alternatives[0][0]
            assert "It's fixed, close it" in html
            assert "Still broken" in html and "Replaced the fuse." in html
            assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
        # Each person gets a link of their own.
        assert len({CLOSE_LINK.search(m.body).group(1) for m in mails}) == 2

    def test_the_window_in_words_follows_the_setting(self, people, tk, commit, mailoutbox):
        actions.update_settings(actor=people.alice, reopen_window_days=1)
        with commit():
            resolve(tk, people.bob)
        (mail,) = notices(mailoutbox)
        assert "You have 1 day " in mail.body and format_date(T0 + timedelta(days=1), "l j F Y") in mail.body

    def test_staff_and_the_assignee_get_no_notice(self, people, tk, commit, mailoutbox):
        actions.assign_ticket(ticket=tk, actor=people.bob, assignee=people.carol)
        with commit():
            resolve(tk, people.bob)
        assert [m.to for m in notices(mailoutbox)] == [["dave@example.com"]]

    def test_no_notice_when_the_ticket_was_reopened_before_it_went_out(self, people, tk, commit, mailoutbox):
        with commit():
            resolve(tk, people.bob)
            actions.add_message(ticket=tk, actor=people.dave, body="Still smoking")
        assert notices(mailoutbox) == []

    def test_nothing_is_queued_when_resolving_is_refused(
        self, people, tk, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True) as queued, pytest.raises(ActionRefused):
            resolve(tk, people.dave)
        assert queued == [] and notices(mailoutbox) == []

    def test_a_guest_is_sent_to_their_access_page_to_say_still_broken(
        self, people, clock, commit, mailoutbox
    ):
        ticket, _ = submit(commit, mailoutbox, people.category)
        with commit():
            resolve(ticket, people.bob)
        (mail,) = notices(mailoutbox, "gina@example.com")
        assert re.search(rf"/t/{ticket.pk}/\?token=[A-Za-z0-9_\-]+#reply-heading", mail.body)
        token = CLOSE_LINK.search(mail.body).group(1)
        close_ticket_by_link(token=token)
        assert fresh(ticket).status.kind == StatusKind.CLOSED


class TestCloseLinkPage:
    def test_get_asks_to_confirm_and_changes_nothing(self, people, tk, commit, mailoutbox):
        token = resolved_with_notice(tk, people, commit, mailoutbox)
        before = state(tk)
        response = Client().get(reverse("close_link", args=[token]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "It's fixed, close it" in body and f"#{tk.pk}" in body
        assert response["Referrer-Policy"] == "same-origin" and "no-store" in response["Cache-Control"]
        assert state(tk) == before

    def test_post_closes_at_once_without_login_as_the_requester(self, people, tk, commit, mailoutbox):
        token = resolved_with_notice(tk, people, commit, mailoutbox)
        response = Client().post(reverse("close_link", args=[token]))
        assert response.status_code == 302 and response["Location"] == reverse("close_link_done")
        ticket = fresh(tk)
        assert ticket.status.kind == StatusKind.CLOSED and ticket.closed_at == T0
        event = TicketEvent.objects.filter(ticket=tk, action="status").last()
        assert event.actor == people.dave and event.after["kind"] == "closed" and event.after["close_link"]
        assert CloseLinkUse.objects.get().used_by == people.dave

    def test_a_participants_link_closes_as_the_participant(self, people, tk, commit, mailoutbox):
        add_participant(ticket=tk, actor=people.bob, user=people.erin)
        with commit():
            resolve(tk, people.bob)
        (mail,) = notices(mailoutbox, "erin@example.com")
        Client().post(reverse("close_link", args=[CLOSE_LINK.search(mail.body).group(1)]))
        assert TicketEvent.objects.filter(ticket=tk, action="status").last().actor == people.erin

    def test_a_used_link_cannot_be_used_again(self, people, tk, commit, mailoutbox):
        token = resolved_with_notice(tk, people, commit, mailoutbox)
        client = Client()
        client.post(reverse("close_link", args=[token]))
        # Staff reopen and resolve it again: the old link is spent and belongs to the old resolution.
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("resolved"))
        before = state(tk)
        for method in (client.get, client.post):
            response = method(reverse("close_link", args=[token]))
            assert response.status_code == 410 and "no longer works" in response.content.decode()
        assert state(tk) == before

    def test_a_link_of_an_earlier_resolution_no_longer_works(self, people, tk, clock, commit, mailoutbox):
        token = resolved_with_notice(tk, people, commit, mailoutbox)
        actions.add_message(ticket=tk, actor=people.dave, body="Not fixed")  # reopens it
        clock.shift(timedelta(hours=1))
        resolve(tk, people.bob)
        before = state(tk)
        assert Client().post(reverse("close_link", args=[token])).status_code == 410
        assert state(tk) == before

    @pytest.mark.parametrize(
        "mangle",
        [
            lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
            lambda t: t.replace(t.split(":")[0], t.split(":")[0][:-2] + "xx"),  # the payload
            lambda t: "not-a-token",
            lambda t: t.split(":")[0],
            lambda t: "x" * 600,
        ],
    )
    def test_a_forged_link_is_404_and_changes_nothing(self, people, tk, commit, mailoutbox, mangle):
        token = resolved_with_notice(tk, people, commit, mailoutbox)
        before = state(tk)
        client = Client()
        assert client.get(reverse("close_link", args=[mangle(token)])).status_code == 404
        assert client.post(reverse("close_link", args=[mangle(token)])).status_code == 404
        assert state(tk) == before and fresh(tk).status.kind == StatusKind.RESOLVED

    def test_a_link_signed_with_another_key_is_404(self, people, tk, commit, mailoutbox, settings):
        from tickets.closelinks import make_close_token

        settings.SECRET_KEY = "someone-elses-key-0123456789-0123456789-0123456789"
        resolve(tk, people.bob)
        forged = make_close_token(fresh(tk), people.dave)
        settings.SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
        before = state(tk)
        assert Client().post(reverse("close_link", args=[forged])).status_code == 404
        assert state(tk) == before

    def test_after_the_reopen_window_the_link_is_refused(self, people, tk, clock, commit, mailoutbox):
        token = resolved_with_notice(tk, people, commit, mailoutbox)
        clock.move_to(T0 + WINDOW + timedelta(minutes=1), tick=False)
        before = state(tk)  # the hourly job has not closed it yet: the window alone decides
        client = Client()
        assert client.get(reverse("close_link", args=[token])).status_code == 410
        response = client.post(reverse("close_link", args=[token]))
        assert response.status_code == 410 and "has passed" in response.content.decode()
        assert state(tk) == before

    def test_on_the_last_minute_of_the_window_it_still_closes(self, people, tk, clock, commit, mailoutbox):
        token = resolved_with_notice(tk, people, commit, mailoutbox)
        clock.move_to(T0 + WINDOW - timedelta(minutes=1), tick=False)
        Client().post(reverse("close_link", args=[token]))
        assert fresh(tk).status.kind == StatusKind.CLOSED

    def test_post_needs_the_pages_csrf_token(self, people, tk, commit, mailoutbox):
        token = resolved_with_notice(tk, people, commit, mailoutbox)
        client = Client(enforce_csrf_checks=True)
        assert client.post(reverse("close_link", args=[token])).status_code == 403
        page = client.get(reverse("close_link", args=[token])).content.decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        client.post(reverse("close_link", args=[token]), {"csrfmiddlewaretoken": csrf})
        assert fresh(tk).status.kind == StatusKind.CLOSED

    def test_the_confirmation_page_reads_a_bounded_number_of_queries(
        self, people, tk, commit, mailoutbox, django_assert_max_num_queries
    ):
        token = resolved_with_notice(tk, people, commit, mailoutbox)
        client = Client()
        # user of the link, the ticket with its status, the link's use, the settings
        with django_assert_max_num_queries(4):
            assert client.get(reverse("close_link", args=[token])).status_code == 200


class TestCustomerClosesAResolvedTicket:
    def test_the_requester_may_close_it_inside_the_window(self, people, tk):
        resolve(tk, people.bob)
        actions.close_ticket(ticket=tk, actor=people.dave)
        assert fresh(tk).status.kind == StatusKind.CLOSED

    def test_not_after_the_window(self, people, tk, clock):
        resolve(tk, people.bob)
        clock.move_to(T0 + WINDOW + timedelta(seconds=1), tick=False)
        with pytest.raises(ActionRefused) as exc:
            actions.close_ticket(ticket=tk, actor=people.dave)
        assert exc.value.code == "conflict" and fresh(tk).status.kind == StatusKind.RESOLVED

    def test_through_the_api_inside_the_window_then_409(self, people, tk, clock, api):
        resolve(tk, people.bob)
        clock.move_to(T0 + WINDOW + timedelta(seconds=1), tick=False)
        assert api(people.dave).post(f"/api/v1/tickets/{tk.pk}/close/").status_code == 409
        clock.move_to(T0 + WINDOW - timedelta(seconds=1), tick=False)
        assert api(people.dave).post(f"/api/v1/tickets/{tk.pk}/close/").status_code == 200
        assert fresh(tk).status.kind == StatusKind.CLOSED

    def test_an_outsider_may_not(self, people, tk):
        resolve(tk, people.bob)
        with pytest.raises(ActionRefused) as exc:
            actions.close_ticket(ticket=tk, actor=people.erin)
        assert exc.value.code == "forbidden" and fresh(tk).status.kind == StatusKind.RESOLVED


class TestPortalChoice:
    def test_a_resolved_ticket_offers_its_fixed_and_still_broken(self, client, people, tk):
        resolve(tk, people.bob)
        client.force_login(people.dave)
        body = client.get(reverse("portal_ticket", args=[tk.pk])).content.decode()
        assert "It's fixed, close it" in body and "Still broken" in body
        assert f'action="{reverse("portal_close", args=[tk.pk])}"' in body
        assert 'href="?still_broken=1#reply"' in body

    def test_its_fixed_closes_the_ticket_as_the_requester(self, client, people, tk):
        resolve(tk, people.bob)
        client.force_login(people.dave)
        client.post(reverse("portal_close", args=[tk.pk]))
        assert fresh(tk).status.kind == StatusKind.CLOSED
        assert TicketEvent.objects.filter(ticket=tk, action="status").last().actor == people.dave

    def test_still_broken_focuses_the_reply_form(self, client, people, tk):
        resolve(tk, people.bob)
        client.force_login(people.dave)
        body = client.get(reverse("portal_ticket", args=[tk.pk]) + "?still_broken=1").content.decode()
        assert re.search(r"<textarea[^>]*autofocus[^>]*>", body)
        assert 'id="reply"' in body

    def test_the_choice_is_gone_after_the_window_and_on_other_statuses(self, client, people, tk, clock):
        client.force_login(people.dave)
        assert "It's fixed" not in client.get(reverse("portal_ticket", args=[tk.pk])).content.decode()
        resolve(tk, people.bob)
        clock.move_to(T0 + WINDOW + timedelta(seconds=1), tick=False)
        body = client.get(reverse("portal_ticket", args=[tk.pk])).content.decode()
        assert "It's fixed" not in body
        before = state(tk)
        client.post(reverse("portal_close", args=[tk.pk]))
        assert state(tk) == before
