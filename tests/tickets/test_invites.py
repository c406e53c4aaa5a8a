"""Invite links (SPEC §8) and participants: create, accept (once, for seven days, not once the
ticket is resolved or closed), through the actions, the API and the pages; staff removing people."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user
from tickets import actions
from tickets.actions.customer import add_participant, remove_participant
from tickets.actions.invites import accept_invite, create_invite
from tickets.errors import ActionRefused
from tickets.guests import hash_token
from tickets.models import Invite, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def frank(db):
    return make_user(email="frank@example.com", name="Frank Colleague")


def token_of(url: str) -> str:
    return re.search(r"/invites/([^/]+)/$", url)[1]


def joined(ticket) -> list[str]:
    return sorted(ticket.participants.values_list("email", flat=True))


def actions_of(ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))


class TestCreateInvite:
    def test_the_requester_gets_a_raw_token_and_only_its_hash_is_stored(self, people, ticket):
        invite, token = create_invite(ticket=ticket, actor=people.dave)
        assert invite.token_hash == hash_token(token) and token not in invite.token_hash
        assert len(token) >= 43
        assert invite.expires_at - invite.created_at == timedelta(days=7)
        assert "invite_created" in actions_of(ticket)

    @pytest.mark.parametrize("who", ["bob", "erin", "participant"])
    def test_anyone_but_the_requester_is_refused(self, people, ticket, frank, who):
        add_participant(ticket=ticket, actor=people.dave, user=frank)
        actor = frank if who == "participant" else getattr(people, who)
        with pytest.raises(ActionRefused) as refused:
            create_invite(ticket=ticket, actor=actor)
        assert refused.value.code == "forbidden" and not Invite.objects.exists()

    @pytest.mark.parametrize("how", ["resolve", "close"])
    def test_a_resolved_or_closed_ticket_is_refused(self, people, ticket, how):
        if how == "resolve":
            actions.resolve_ticket(ticket=ticket, actor=people.bob)
        else:
            actions.close_ticket(ticket=ticket, actor=people.bob)
        with pytest.raises(ActionRefused) as refused:
            create_invite(ticket=ticket, actor=people.dave)
        assert refused.value.code == "conflict" and not Invite.objects.exists()


class TestAcceptInvite:
    def test_a_customer_joins_as_participant(self, people, ticket, frank):
        invite, token = create_invite(ticket=ticket, actor=people.dave)
        assert accept_invite(token=token, actor=frank) == ticket
        assert joined(ticket) == ["frank@example.com"]
        invite.refresh_from_db()
        assert invite.accepted_by == frank and invite.accepted_at is not None
        assert {"participant_added", "invite_accepted"} <= set(actions_of(ticket))

    def test_a_link_works_once(self, people, ticket, frank):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        accept_invite(token=token, actor=frank)
        with pytest.raises(ActionRefused) as refused:
            accept_invite(token=token, actor=people.erin)
        assert refused.value.code == "gone" and joined(ticket) == ["frank@example.com"]

    def test_someone_already_on_the_ticket_does_not_use_it_up(self, people, ticket, frank):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        accept_invite(token=token, actor=people.dave)
        accept_invite(token=token, actor=frank)
        assert joined(ticket) == ["frank@example.com"]

    @pytest.mark.parametrize("hide", [actions.mark_spam, actions.delete_ticket])
    def test_a_spam_or_deleted_tickets_link_is_gone_even_for_its_requester(self, people, ticket, hide):
        """Customers never see spam or deleted tickets (SPEC §1): the link must not hand it back."""
        _, token = create_invite(ticket=ticket, actor=people.dave)
        hide(ticket=ticket, actor=people.bob)
        with pytest.raises(ActionRefused) as refused:
            accept_invite(token=token, actor=people.dave)
        assert refused.value.code == "gone"

    def test_an_expired_link_is_gone(self, people, ticket, frank):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        later = timezone.now() + timedelta(days=7, seconds=1)
        with time_machine.travel(later), pytest.raises(ActionRefused) as refused:
            accept_invite(token=token, actor=frank)
        assert refused.value.code == "gone" and joined(ticket) == []

    def test_a_link_still_works_just_before_it_expires(self, people, ticket, frank):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
            accept_invite(token=token, actor=frank)
        assert joined(ticket) == ["frank@example.com"]

    @pytest.mark.parametrize("how", ["resolve", "close", "spam"])
    def test_once_the_ticket_is_resolved_or_closed_it_is_gone(self, people, ticket, frank, how):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        {
            "resolve": lambda: actions.resolve_ticket(ticket=ticket, actor=people.bob),
            "close": lambda: actions.close_ticket(ticket=ticket, actor=people.bob),
            "spam": lambda: actions.mark_spam(ticket=ticket, actor=people.bob),
        }[how]()
        with pytest.raises(ActionRefused) as refused:
            accept_invite(token=token, actor=frank)
        assert refused.value.code == "gone" and joined(ticket) == []

    def test_on_a_closure_scheduled_ticket_it_works_until_the_closure(self, people, ticket, frank):
        first, first_token = create_invite(ticket=ticket, actor=people.dave)
        _, second_token = create_invite(ticket=ticket, actor=people.dave)
        at = timezone.now() + timedelta(days=1)
        actions.schedule_closure(ticket=ticket, actor=people.bob, at=at)
        accept_invite(token=first_token, actor=frank)
        assert joined(ticket) == ["frank@example.com"]
        with time_machine.travel(at + timedelta(minutes=1)):
            actions.fire_scheduled_closure(ticket_id=ticket.pk)
            with pytest.raises(ActionRefused) as refused:
                accept_invite(token=second_token, actor=people.erin)
        assert refused.value.code == "gone" and joined(ticket) == ["frank@example.com"]

    def test_staff_are_refused(self, people, ticket):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        with pytest.raises(ActionRefused) as refused:
            accept_invite(token=token, actor=people.bob)
        assert refused.value.code == "forbidden" and joined(ticket) == []

    @pytest.mark.parametrize("token", ["", "x" * 43, "é" * 43, None])
    def test_an_unknown_link_is_not_found(self, people, ticket, frank, token):
        create_invite(ticket=ticket, actor=people.dave)
        with pytest.raises(ActionRefused) as refused:
            accept_invite(token=token, actor=frank)
        assert refused.value.code == "not_found"


class TestInviteApi:
    def test_the_requester_creates_a_link(self, api, people, ticket):
        response = api(people.dave).post(reverse("api-ticket-invites", args=[ticket.pk]))
        assert response.status_code == 201
        data = response.json()
        assert set(data) == {"url", "expires_at"} and "/invites/" in data["url"]
        assert Invite.objects.get().token_hash == hash_token(token_of(data["url"]))

    @pytest.mark.parametrize("who, code", [("erin", 404), ("bob", 403), ("frank", 403)])
    def test_others_are_refused_and_nothing_written(self, api, people, ticket, frank, who, code):
        add_participant(ticket=ticket, actor=people.dave, user=frank)
        user = frank if who == "frank" else getattr(people, who)
        assert api(user).post(reverse("api-ticket-invites", args=[ticket.pk])).status_code == code
        assert not Invite.objects.exists()

    def test_anonymous_is_401(self, api, ticket):
        assert api().post(reverse("api-ticket-invites", args=[ticket.pk])).status_code == 401

    def test_a_resolved_ticket_is_409(self, api, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        assert api(people.dave).post(reverse("api-ticket-invites", args=[ticket.pk])).status_code == 409

    def test_accept_joins_and_answers_the_ticket(self, api, people, ticket, frank):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        response = api(frank).post(reverse("api-invite-accept", args=[token]))
        assert response.status_code == 200 and response.json()["id"] == ticket.pk
        assert joined(ticket) == ["frank@example.com"]
        assert api(frank).get(reverse("api-ticket", args=[ticket.pk])).status_code == 200

    def test_accept_used_expired_resolved_or_closed_is_410(self, api, people, ticket, frank):
        _, used = create_invite(ticket=ticket, actor=people.dave)
        _, expiring = create_invite(ticket=ticket, actor=people.dave)
        _, late = create_invite(ticket=ticket, actor=people.dave)
        accept_invite(token=used, actor=frank)
        assert api(people.erin).post(reverse("api-invite-accept", args=[used])).status_code == 410
        with time_machine.travel(timezone.now() + timedelta(days=8)):
            assert api(people.erin).post(reverse("api-invite-accept", args=[expiring])).status_code == 410
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        assert api(people.erin).post(reverse("api-invite-accept", args=[late])).status_code == 410
        actions.close_ticket(ticket=ticket, actor=people.bob)
        assert api(people.erin).post(reverse("api-invite-accept", args=[late])).status_code == 410
        assert joined(ticket) == ["frank@example.com"]

    def test_accept_as_staff_403_anonymous_401_unknown_404(self, api, people, ticket):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        assert api(people.bob).post(reverse("api-invite-accept", args=[token])).status_code == 403
        assert api().post(reverse("api-invite-accept", args=[token])).status_code == 401
        assert api(people.erin).post(reverse("api-invite-accept", args=["x" * 43])).status_code == 404
        assert joined(ticket) == []


class TestInvitePages:
    def test_the_portal_page_offers_an_invite_to_the_requester_only(self, client, people, ticket, frank):
        add_participant(ticket=ticket, actor=people.dave, user=frank)
        button = reverse("portal_invite_create", args=[ticket.pk])
        client.force_login(people.dave)
        page = client.get(reverse("portal_ticket", args=[ticket.pk])).content.decode()
        assert button in page and "Frank Colleague" in page
        client.force_login(frank)
        assert button not in client.get(reverse("portal_ticket", args=[ticket.pk])).content.decode()

    def test_no_invite_button_on_a_resolved_ticket(self, client, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        client.force_login(people.dave)
        page = client.get(reverse("portal_ticket", args=[ticket.pk])).content.decode()
        assert reverse("portal_invite_create", args=[ticket.pk]) not in page

    def test_the_link_is_shown_once(self, client, people, ticket):
        client.force_login(people.dave)
        response = client.post(reverse("portal_invite_create", args=[ticket.pk]))
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        url = re.search(r'value="(http[^"]+/invites/[^"]+/)"', response.content.decode())[1]
        assert Invite.objects.get().token_hash == hash_token(token_of(url))
        page = client.get(reverse("portal_ticket", args=[ticket.pk])).content.decode()
        assert token_of(url) not in page

    def test_another_customer_cannot_make_one(self, client, people, ticket):
        client.force_login(people.erin)
        assert client.post(reverse("portal_invite_create", args=[ticket.pk])).status_code == 404
        assert not Invite.objects.exists()

    def test_a_customer_opens_the_link_and_joins(self, client, people, ticket, frank):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        client.force_login(frank)
        page = client.get(reverse("invite", args=[token]))
        assert page.status_code == 200 and f"#{ticket.number}" in page.content.decode()
        assert page["Referrer-Policy"] == "same-origin"
        response = client.post(reverse("invite", args=[token]))
        assert response.status_code == 302 and response.url == reverse("portal_ticket", args=[ticket.pk])
        assert joined(ticket) == ["frank@example.com"]

    def test_anonymous_visitors_are_asked_to_log_in_or_register(self, client, people, ticket):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        page = client.get(reverse("invite", args=[token])).content.decode()
        assert reverse("login") in page and reverse("register") in page
        assert ticket.subject not in page
        response = client.post(reverse("invite", args=[token]))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert joined(ticket) == []

    def test_register_through_the_link_then_join(self, client, people, ticket):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        here = reverse("invite", args=[token])
        password = "a-long-pass-phrase-42"
        response = client.post(
            f"{reverse('register')}?next={here}",
            {"email": "gus@example.com", "password1": password, "password2": password, "next": here},
        )
        assert response.status_code == 302 and response.url == here
        client.post(here)
        assert joined(ticket) == ["gus@example.com"]

    def test_a_used_or_expired_link_shows_why_with_410(self, client, people, ticket, frank):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        accept_invite(token=token, actor=frank)
        client.force_login(people.erin)
        page = client.get(reverse("invite", args=[token]))
        assert page.status_code == 410 and "already used" in page.content.decode()
        assert client.post(reverse("invite", args=[token])).status_code == 410

    def test_an_unknown_link_is_404(self, client, people):
        client.force_login(people.erin)
        assert client.get(reverse("invite", args=["x" * 43])).status_code == 404

    def test_staff_are_told_it_is_for_customers(self, client, people, ticket):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        client.force_login(people.bob)
        assert client.post(reverse("invite", args=[token])).status_code == 403
        assert joined(ticket) == []


class TestRemoveParticipant:
    def test_staff_remove_a_participant_with_history(self, people, ticket, frank):
        add_participant(ticket=ticket, actor=people.dave, user=frank)
        actions.add_favorite(ticket=ticket, actor=frank)
        assert remove_participant(ticket=ticket, actor=people.bob, user=frank) is True
        assert joined(ticket) == []
        event = TicketEvent.objects.get(ticket=ticket, action="participant_removed")
        assert event.actor == people.bob and event.before["id"] == frank.pk
        assert not ticket.favorites.exists()

    @pytest.mark.parametrize("who", ["dave", "erin"])
    def test_customers_are_refused(self, people, ticket, frank, who):
        add_participant(ticket=ticket, actor=people.dave, user=frank)
        with pytest.raises(ActionRefused) as refused:
            remove_participant(ticket=ticket, actor=getattr(people, who), user=frank)
        assert refused.value.code == "forbidden" and joined(ticket) == ["frank@example.com"]

    def test_the_staff_page_lists_participants_with_a_remove_button(self, client, people, ticket, frank):
        add_participant(ticket=ticket, actor=people.dave, user=frank)
        client.force_login(people.bob)
        url = reverse("ticket_participant_remove", args=[ticket.pk, frank.pk])
        assert url in client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        assert client.post(url).status_code == 302
        assert joined(ticket) == []

    def test_customers_get_404_from_the_remove_button(self, client, people, ticket, frank):
        add_participant(ticket=ticket, actor=people.dave, user=frank)
        client.force_login(people.dave)
        url = reverse("ticket_participant_remove", args=[ticket.pk, frank.pk])
        assert client.post(url).status_code == 404
        assert joined(ticket) == ["frank@example.com"]
