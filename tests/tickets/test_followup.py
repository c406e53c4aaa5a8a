"""Reopen after close as a linked follow-up (issue 11): the portal offers a new ticket linked
related_to a closed one; email replies to a closed ticket open one when the setting is on."""

import pytest
from django.urls import reverse

from links.models import TicketLink
from tests.factories import make_ticket
from tickets import actions
from tickets.actions.catalogue import update_settings
from tickets.actions.followup import create_follow_up
from tickets.errors import ActionRefused
from tickets.mail.addresses import reply_address
from tickets.mail.ingest import ingest_email
from tickets.models import Ticket, TicketEvent

from . import mail_support
from .mail_support import compose

desk = mail_support.desk  # the fixture
pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(people):
    ticket = make_ticket(people.dave, people.category, subject="Printer jam")
    actions.close_ticket(ticket=ticket, actor=people.bob)
    return ticket


def linked(a, b) -> bool:
    return (
        TicketLink.objects.filter(source=a, target=b, type="related_to").exists()
        and TicketLink.objects.filter(source=b, target=a, type="related_to").exists()
    )


class TestCreateFollowUp:
    def test_a_follow_up_is_a_new_ticket_linked_to_the_closed_one(self, people, closed):
        new = create_follow_up(
            actor=people.dave, closed=closed, subject="Jams again", description="Same tray"
        )
        assert new.pk != closed.pk and new.requester == people.dave and new.category == closed.category
        assert linked(new, closed)
        assert TicketEvent.objects.get(ticket=closed, action="follow_up").after == {"by": new.pk}

    def test_staff_open_it_for_the_requester(self, people, closed):
        new = create_follow_up(actor=people.bob, closed=closed, subject="Jams again", description="Called in")
        assert new.requester == people.dave

    def test_an_open_ticket_takes_replies_instead(self, people, ticket):
        with pytest.raises(ActionRefused) as refused:
            create_follow_up(actor=people.dave, closed=ticket, subject="x", description="y")
        assert refused.value.code == "invalid" and Ticket.objects.count() == 1

    def test_only_parties_follow_up(self, people, closed):
        with pytest.raises(ActionRefused) as refused:
            create_follow_up(actor=people.erin, closed=closed, subject="x", description="y")
        assert refused.value.code == "forbidden" and Ticket.objects.count() == 1


class TestPortalFollowUp:
    def test_a_closed_ticket_offers_a_pre_filled_follow_up(self, client, people, closed):
        client.force_login(people.dave)
        page = client.get(reverse("portal_ticket", args=[closed.pk])).content.decode()
        assert reverse("portal_follow_up", args=[closed.pk]) in page
        form = client.get(reverse("portal_follow_up", args=[closed.pk])).content.decode()
        assert f"Follow-up to #{closed.pk}: Printer jam" in form

    def test_posting_it_opens_the_linked_ticket(self, client, people, closed):
        client.force_login(people.dave)
        url = reverse("portal_follow_up", args=[closed.pk])
        response = client.post(url, {"subject": "Jams again", "description": "Tray 2"})
        new = Ticket.objects.exclude(pk=closed.pk).get()
        assert response.status_code == 302 and response.url == reverse("portal_ticket", args=[new.pk])
        assert linked(new, closed)

    def test_bad_input_is_400_and_writes_nothing(self, client, people, closed):
        client.force_login(people.dave)
        response = client.post(reverse("portal_follow_up", args=[closed.pk]), {"subject": ""})
        assert response.status_code == 400 and Ticket.objects.count() == 1

    def test_others_get_404(self, client, people, closed):
        client.force_login(people.erin)
        assert client.get(reverse("portal_follow_up", args=[closed.pk])).status_code == 404
        assert (
            client.post(
                reverse("portal_follow_up", args=[closed.pk]), {"subject": "a", "description": "b"}
            ).status_code
            == 404
        )
        assert Ticket.objects.count() == 1


@pytest.mark.usefixtures("desk")
class TestEmailFollowUp:
    def ingest(self, closed, django_capture_on_commit_callbacks):
        raw = compose(to=reply_address(closed.pk), body="It jams again", message_id="<again@example.com>")
        with django_capture_on_commit_callbacks(execute=True):
            return ingest_email(raw)

    def test_when_enabled_a_reply_to_a_closed_ticket_opens_a_follow_up(
        self, people, closed, django_capture_on_commit_callbacks
    ):
        update_settings(actor=people.alice, email_follow_up_on_closed=True)
        intake = self.ingest(closed, django_capture_on_commit_callbacks)
        new = Ticket.objects.exclude(pk=closed.pk).get()
        assert intake.outcome == "created" and "It jams again" in new.description
        assert new.requester == people.dave and linked(new, closed)

    def test_by_default_the_reply_is_politely_refused(
        self, people, closed, django_capture_on_commit_callbacks
    ):
        intake = self.ingest(closed, django_capture_on_commit_callbacks)
        assert intake.outcome == "refused:closed" and Ticket.objects.count() == 1

    def test_the_setting_is_in_the_settings_api(self, api, people):
        response = api(people.alice).patch(
            "/api/v1/settings/", {"email_follow_up_on_closed": True}, format="json"
        )
        assert response.status_code == 200 and response.json()["email_follow_up_on_closed"] is True
