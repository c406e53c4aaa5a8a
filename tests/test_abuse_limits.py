"""Abuse limits: login lockout (web and API token), password reset requests, API throttling."""

import pytest
import time_machine
from django.core import mail

from tests.conftest import api_client

pytestmark = pytest.mark.django_db

STEPS = {"account": [(3, 60), (5, 900)], "ip": [(100, 60)]}
IP_STEPS = {"account": [(100, 60)], "ip": [(3, 60)]}


def _login(client, email, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def _token(email, password, ip="10.0.0.1"):
    return api_client().post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip
    )


@pytest.fixture
def steps(settings):
    settings.LOGIN_LOCKOUT = STEPS


@pytest.fixture
def low_api_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "2/min"},
    }


@pytest.mark.usefixtures("steps")
class TestWebLoginLockout:
    def test_failures_below_the_threshold_only_refuse_the_password(self, client, people):
        for _ in range(2):
            assert _login(client, "dave@example.com", "wrong").status_code == 200
        assert _login(client, "dave@example.com", "pass-word-123").status_code == 302

    def test_the_account_is_locked_after_the_threshold_even_with_the_right_password(self, client, people):
        for _ in range(3):
            _login(client, "dave@example.com", "wrong")
        response = _login(client, "dave@example.com", "pass-word-123")
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 60
        assert "_auth_user_id" not in client.session

    def test_the_lock_ends_after_its_time(self, client, people):
        with time_machine.travel("2026-01-01 10:00:00", tick=False) as traveller:
            for _ in range(3):
                _login(client, "dave@example.com", "wrong")
            traveller.shift(61)
            assert _login(client, "dave@example.com", "pass-word-123").status_code == 302

    def test_more_failures_lock_for_longer(self, client, people):
        with time_machine.travel("2026-01-01 10:00:00", tick=False) as traveller:
            for _ in range(3):
                _login(client, "dave@example.com", "wrong")
            for _ in range(2):  # the 4th and the 5th failure, each after the lock before it ended
                traveller.shift(61)
                assert _login(client, "dave@example.com", "wrong").status_code == 200
            response = _login(client, "dave@example.com", "pass-word-123")
            assert response.status_code == 429
            assert int(response["Retry-After"]) > 61

    def test_a_successful_login_resets_the_account_counter(self, client, people):
        for _ in range(2):
            _login(client, "dave@example.com", "wrong")
        assert _login(client, "dave@example.com", "pass-word-123").status_code == 302
        client.logout()
        for _ in range(2):
            _login(client, "dave@example.com", "wrong")
        assert _login(client, "dave@example.com", "pass-word-123").status_code == 302

    def test_one_account_locked_leaves_the_others_alone(self, client, people):
        for _ in range(3):
            _login(client, "dave@example.com", "wrong")
        assert _login(client, "erin@example.com", "pass-word-123").status_code == 302

    def test_an_address_trying_many_accounts_is_locked(self, client, people, settings):
        settings.LOGIN_LOCKOUT = IP_STEPS
        for n in range(3):
            _login(client, f"nobody{n}@example.com", "wrong")
        assert _login(client, "erin@example.com", "pass-word-123").status_code == 429
        assert _login(client, "erin@example.com", "pass-word-123", ip="10.0.0.2").status_code == 302


@pytest.mark.usefixtures("steps")
class TestApiTokenLockout:
    def test_the_token_endpoint_locks_the_account_after_failures(self, people):
        for _ in range(3):
            assert _token("dave@example.com", "wrong").status_code == 400
        response = _token("dave@example.com", "pass-word-123")
        assert response.status_code == 429
        assert "Retry-After" in response

    def test_web_and_api_failures_count_together(self, client, people):
        _login(client, "dave@example.com", "wrong")
        _token("dave@example.com", "wrong")
        _login(client, "dave@example.com", "wrong")
        assert _token("dave@example.com", "pass-word-123").status_code == 429

    def test_a_successful_token_request_resets_the_counter(self, people):
        for _ in range(2):
            _token("dave@example.com", "wrong")
        assert _token("dave@example.com", "pass-word-123").status_code == 200
        for _ in range(2):
            _token("dave@example.com", "wrong")
        assert _token("dave@example.com", "pass-word-123").status_code == 200


class TestPasswordResetLimits:
    def test_an_address_gets_a_few_reset_mails_then_429(self, client, people):
        statuses = [
            client.post(
                "/password/reset/", {"email": "dave@example.com"}, REMOTE_ADDR=f"10.0.1.{n}"
            ).status_code
            for n in range(4)
        ]
        assert statuses == [302, 302, 302, 429]
        assert len(mail.outbox) == 3

    def test_one_client_address_asking_for_many_addresses_is_limited(self, client, people):
        statuses = [
            client.post(
                "/password/reset/", {"email": f"x{n}@example.com"}, REMOTE_ADDR="10.0.2.1"
            ).status_code
            for n in range(11)
        ]
        assert statuses[:10] == [302] * 10
        assert statuses[10] == 429


class TestApiThrottle:
    @pytest.mark.usefixtures("low_api_rates")
    def test_a_user_over_the_rate_gets_429_with_retry_after(self, people):
        client = api_client(people.bob)
        statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        response = client.get("/api/v1/me/")
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 60
        assert api_client(people.alice).get("/api/v1/me/").status_code == 200

    @pytest.mark.usefixtures("low_api_rates")
    def test_anonymous_callers_are_limited_per_address(self, people):
        client = api_client()
        statuses = [client.get("/api/v1/categories/", REMOTE_ADDR="10.0.3.1").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert client.get("/api/v1/categories/", REMOTE_ADDR="10.0.3.2").status_code == 200

    def test_the_default_rates_leave_normal_use_alone(self, people):
        client = api_client(people.bob)
        assert all(client.get("/api/v1/me/").status_code == 200 for _ in range(20))
