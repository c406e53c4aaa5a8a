"""Anti-abuse of the doors open to anyone: rate limits on /submit, /submit/resend, the guest API,
and on guessing access or invite tokens (429 with Retry-After)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tickets import ratelimit
from tickets.actions.invites import create_invite
from tickets.models import Ticket
from tickets.ratelimit import Limit, RateLimited

from .guest_helpers import GUEST, api_url, links_in, page_url, submit

pytestmark = pytest.mark.django_db

# Five seconds into a minute: every window of the limits starts on a whole minute.
T0 = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def submit_form(category, n: int, email: str | None = None) -> dict:
    return {
        "email": email or f"guest{n}@example.com",
        "subject": f"Request {n}",
        "description": "Help.",
        "category": category.pk,
    }


class TestLimitHelper:
    def test_hits_up_to_the_limit_pass_then_the_rest_wait_for_the_window(self, frozen):
        limit = Limit("test", 3, 60)
        for _ in range(3):
            ratelimit.hit(limit, "1.2.3.4")
        with pytest.raises(RateLimited) as refused:
            ratelimit.hit(limit, "1.2.3.4")
        assert refused.value.wait == 55 and refused.value.status_code == 429

    def test_a_new_window_starts_afresh(self, frozen):
        limit = Limit("test", 1, 60)
        ratelimit.hit(limit, "1.2.3.4")
        frozen.shift(timedelta(seconds=60))
        ratelimit.hit(limit, "1.2.3.4")

    def test_keys_are_counted_apart_and_check_counts_nothing(self, frozen):
        limit = Limit("test", 1, 60)
        ratelimit.hit(limit, "1.2.3.4")
        ratelimit.hit(limit, "5.6.7.8")
        ratelimit.check(Limit("other", 1, 60), "1.2.3.4")
        ratelimit.check(Limit("other", 1, 60), "1.2.3.4")
        with pytest.raises(RateLimited):
            ratelimit.check(limit, "1.2.3.4")


class TestSubmitLimits:
    def test_a_hundred_submissions_a_minute_from_one_address_stop_at_the_limit(self, client, people, frozen):
        codes = [
            client.post(reverse("guest_submit"), submit_form(people.category, n)).status_code
            for n in range(100)
        ]
        assert codes[:5] == [302] * 5 and set(codes[5:]) == {429}
        assert Ticket.objects.count() == 5
        refused = client.post(reverse("guest_submit"), submit_form(people.category, 101))
        assert refused["Retry-After"] == "55"

    def test_the_api_stops_at_the_same_limit(self, api, people, frozen):
        client = api()
        codes = [
            client.post(
                reverse("api-guest-tickets"), submit_form(people.category, n), format="json"
            ).status_code
            for n in range(100)
        ]
        assert codes[:5] == [201] * 5 and set(codes[5:]) == {429}
        refused = client.post(reverse("api-guest-tickets"), submit_form(people.category, 0), format="json")
        assert refused.status_code == 429 and refused["Retry-After"] == "55"
        assert Ticket.objects.count() == 5

    def test_another_address_is_not_held_back(self, client, people, frozen):
        for n in range(6):
            client.post(reverse("guest_submit"), submit_form(people.category, n))
        response = client.post(
            reverse("guest_submit"), submit_form(people.category, 7), REMOTE_ADDR="10.0.0.2"
        )
        assert response.status_code == 302 and Ticket.objects.count() == 6

    def test_one_email_address_is_limited_across_ip_addresses(self, client, people, frozen):
        codes = [
            client.post(
                reverse("guest_submit"), submit_form(people.category, n, GUEST), REMOTE_ADDR=f"10.0.1.{n}"
            ).status_code
            for n in range(12)
        ]
        assert codes == [302] * 10 + [429] * 2 and Ticket.objects.count() == 10

    def test_resend_is_limited_per_email_address(self, client, people, commit, mailoutbox, frozen):
        submit(commit, mailoutbox, people.category)
        mailoutbox.clear()
        codes = []
        for n in range(5):
            with commit():
                response = client.post(reverse("guest_resend"), {"email": GUEST}, REMOTE_ADDR=f"10.0.2.{n}")
            codes.append(response.status_code)
        assert codes == [200, 200, 200, 429, 429] and len(mailoutbox) == 3

    def test_resend_is_limited_per_ip_address(self, client, people, frozen):
        codes = [
            client.post(reverse("guest_resend"), {"email": f"x{n}@example.com"}).status_code for n in range(7)
        ]
        assert codes == [200] * 5 + [429] * 2


class TestTokenGuessing:
    @pytest.fixture
    def guest_ticket(self, people, commit, mailoutbox):
        return submit(commit, mailoutbox, people.category)

    def test_twenty_wrong_tokens_then_429_even_for_the_right_one(self, client, guest_ticket, frozen):
        ticket, token = guest_ticket
        for n in range(20):
            assert client.get(page_url(ticket, f"{n:043d}")).status_code == 404
        refused = client.get(page_url(ticket, token))
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert client.get(page_url(ticket, token), REMOTE_ADDR="10.0.0.9").status_code == 200
        frozen.shift(timedelta(minutes=10))
        assert client.get(page_url(ticket, token)).status_code == 200

    def test_wrong_tokens_on_replies_count_too(self, client, guest_ticket, frozen):
        ticket, token = guest_ticket
        for n in range(20):
            client.post(reverse("guest_reply", args=[ticket.pk]), {"token": f"{n:043d}", "body": "Hi"})
        response = client.post(reverse("guest_reply", args=[ticket.pk]), {"token": token, "body": "Hi"})
        assert response.status_code == 429 and not ticket.messages.exists()

    def test_the_api_answers_429_with_retry_after(self, api, guest_ticket, frozen):
        ticket, token = guest_ticket
        client = api()
        for n in range(20):
            assert client.get(api_url("api-guest-ticket", ticket, f"{n:043d}")).status_code == 404
        refused = client.get(api_url("api-guest-ticket", ticket, token))
        assert refused.status_code == 429 and refused["Retry-After"] == "595"

    def test_download_guesses_count_too(self, api, guest_ticket, frozen):
        client = api()
        for n in range(20):
            client.get(f"{reverse('api-attachment-download', args=[1])}?token={n:043d}")
        assert client.get(f"{reverse('api-attachment-download', args=[1])}?token=x").status_code == 429

    def test_invite_guesses_count_too(self, api, client, people, ticket, frozen):
        _, token = create_invite(ticket=ticket, actor=people.dave)
        for n in range(20):
            assert api(people.erin).post(reverse("api-invite-accept", args=[f"{n:043d}"])).status_code == 404
        assert api(people.erin).post(reverse("api-invite-accept", args=[token])).status_code == 429
        client.force_login(people.erin)
        assert client.get(reverse("invite", args=[token])).status_code == 429
        assert not ticket.participants.exists()

    def test_a_right_token_used_often_is_not_a_failure(self, client, guest_ticket, frozen, mailoutbox):
        ticket, token = guest_ticket
        assert links_in(mailoutbox)
        for _ in range(30):
            assert client.get(page_url(ticket, token)).status_code == 200
