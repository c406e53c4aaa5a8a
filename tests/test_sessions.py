"""Sessions: a new session key at login; a password change logs the other sessions and the API token out."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.actions import issue_api_token
from tests.conftest import api_client

pytestmark = pytest.mark.django_db


def test_login_rotates_the_session_key(client, people):
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    response = client.post("/login/", {"username": "dave@example.com", "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.session["_auth_user_id"] == str(people.dave.pk)


def test_a_password_change_logs_out_the_other_sessions(people):
    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        assert (
            browser.post("/login/", {"username": "dave@example.com", "password": "pass-word-123"}).status_code
            == 302
        )
    assert elsewhere.get("/portal/").status_code == 200
    response = here.post(
        "/password/change/",
        {
            "old_password": "pass-word-123",
            "new_password1": "N3w-secret-pass!",
            "new_password2": "N3w-secret-pass!",
        },
    )
    assert response.status_code == 302
    assert here.get("/portal/").status_code == 200  # the session that changed it stays in
    assert elsewhere.get("/portal/").status_code == 302  # the other one is sent to log in


def test_a_password_change_revokes_the_api_token(people):
    token = issue_api_token(user=people.dave)
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").status_code == 200
    people.dave.set_password("N3w-secret-pass!")
    people.dave.save()
    assert client.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(key=token.key).exists()
    new = api_client().post(
        "/api/v1/auth/token/", {"email": "dave@example.com", "password": "N3w-secret-pass!"}, format="json"
    )
    assert new.status_code == 200
    assert new.json()["token"] != token.key


def test_saving_a_user_without_a_new_password_keeps_the_token(people):
    token = issue_api_token(user=people.dave)
    people.dave.name = "Dave Renamed"
    people.dave.save()
    assert Token.objects.filter(key=token.key).exists()
