"""The accounts API: tokens, /me, users and teams."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Team, User

pytestmark = pytest.mark.django_db


def users_state():
    return list(User.objects.order_by("pk").values()), Token.objects.count()


class TestAuthToken:
    def test_good_credentials_give_a_token_that_authenticates(self, people):
        client = APIClient()
        data = {"email": "Dave@Example.com", "password": "pass-word-123"}
        response = client.post("/api/v1/auth/token/", data, format="json")
        assert response.status_code == 200, response.content
        token = response.json()["token"]
        assert client.post("/api/v1/auth/token/", data, format="json").json()["token"] == token
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get("/api/v1/me/").json()["email"] == "dave@example.com"

    @pytest.mark.parametrize(
        "data",
        [
            {"email": "dave@example.com", "password": "wrong"},
            {"email": "nobody@example.com", "password": "pass-word-123"},
            {"email": "dave@example.com"},
            {"email": "not-an-email", "password": "x"},
            {"email": "da\x00ve@example.com", "password": "x"},
            {"email": ["dave@example.com"], "password": "pass-word-123"},
        ],
    )
    def test_bad_credentials_are_400(self, people, data):
        response = APIClient().post("/api/v1/auth/token/", data, format="json")
        assert response.status_code == 400
        assert not Token.objects.exists()

    def test_inactive_user_gets_no_token(self, people):
        User.objects.filter(pk=people.dave.pk).update(is_active=False)
        data = {"email": "dave@example.com", "password": "pass-word-123"}
        assert APIClient().post("/api/v1/auth/token/", data, format="json").status_code == 400

    def test_a_bad_token_is_401(self, people):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token nope")
        assert client.get("/api/v1/me/").status_code == 401


class TestMe:
    @pytest.mark.parametrize("who, role", [("alice", "admin"), ("bob", "staff"), ("dave", "customer")])
    def test_me(self, api, people, who, role):
        body = api(getattr(people, who)).get("/api/v1/me/").json()
        assert body["role"] == role and body["id"] == getattr(people, who).pk
        assert {"id", "email", "name", "role"} <= set(body)

    def test_anonymous_gets_401(self, api):
        assert api().get("/api/v1/me/").status_code == 401


class TestUserList:
    @pytest.mark.parametrize("who", ["alice", "bob", "carol"])
    def test_staff_and_admins_list_users(self, api, people, who):
        body = api(getattr(people, who)).get("/api/v1/users/").json()
        assert body["count"] == 5
        rows = {r["email"]: r for r in body["results"]}
        assert rows["carol@example.com"]["view_all"] is False and rows["bob@example.com"]["view_all"] is True
        assert rows["alice@example.com"]["view_all"] is True
        assert rows["bob@example.com"]["teams"] == [people.red.pk]

    @pytest.mark.parametrize("who, code", [("dave", 403), (None, 401)])
    def test_others_are_refused(self, api, people, who, code):
        client = api(getattr(people, who)) if who else api()
        assert client.get("/api/v1/users/").status_code == code

    def test_query_count_is_constant(self, api, people, django_assert_num_queries):
        for n in range(20):
            api(people.alice).post(
                "/api/v1/users/", {"email": f"u{n}@example.com", "role": "staff"}, format="json"
            )
        # count, users with view_all, teams, scope categories, scope teams
        with django_assert_num_queries(5):
            assert api(people.alice).get("/api/v1/users/?page_size=100").json()["count"] == 25


class TestUserCreate:
    def test_admin_creates_staff_who_see_everything(self, api, people):
        data = {"email": "Frank@Example.com", "name": "Frank", "role": "staff", "teams": [people.blue.pk]}
        response = api(people.alice).post("/api/v1/users/", data, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert (
            body["email"] == "frank@example.com"
            and body["view_all"] is True
            and body["teams"] == [people.blue.pk]
        )
        assert User.objects.get(email="frank@example.com").has_perm("tickets.view_all")

    def test_admin_creates_a_customer_with_a_password(self, api, people):
        data = {"email": "gina@example.com", "role": "customer", "password": "correct-horse-battery"}
        assert api(people.alice).post("/api/v1/users/", data, format="json").status_code == 201
        assert User.objects.get(email="gina@example.com").check_password("correct-horse-battery")

    @pytest.mark.parametrize("who, code", [("bob", 403), ("dave", 403), (None, 401)])
    def test_others_are_refused(self, api, people, who, code):
        before = users_state()
        client = api(getattr(people, who)) if who else api()
        assert client.post("/api/v1/users/", {"email": "x@example.com"}, format="json").status_code == code
        assert users_state() == before

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"email": "DAVE@example.com"}, "email"),
            ({"email": "nope"}, "email"),
            ({"email": "x@example.com", "role": "god"}, "role"),
            ({"email": "x@example.com", "password": "123"}, "password"),
            ({"email": "x@example.com", "teams": [999999]}, "teams"),
            ({"email": "x@example.com", "teams": 1}, "teams"),
            ({"email": "x@example.com", "name": "n" * 151}, "name"),
        ],
    )
    def test_bad_input_is_400(self, api, people, data, field):
        before = users_state()
        response = api(people.alice).post("/api/v1/users/", data, format="json")
        assert response.status_code == 400 and field in response.json()
        assert users_state() == before


class TestUserUpdate:
    def test_admin_restricts_an_agent_to_a_scope(self, api, people):
        data = {"view_all": False, "scope_categories": [people.category.pk], "scope_teams": [people.blue.pk]}
        response = api(people.alice).patch(f"/api/v1/users/{people.bob.pk}/", data, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["view_all"] is False and body["scope_categories"] == [people.category.pk]
        bob = User.objects.get(pk=people.bob.pk)
        assert not bob.has_perm("tickets.view_all") and list(bob.scope_teams.all()) == [people.blue]

    def test_admin_changes_name_role_teams_and_activity(self, api, people):
        data = {"name": "Carol R.", "role": "admin", "teams": [people.red.pk], "is_active": False}
        body = api(people.alice).patch(f"/api/v1/users/{people.carol.pk}/", data, format="json").json()
        assert body["name"] == "Carol R." and body["role"] == "admin" and body["is_active"] is False
        assert body["teams"] == [people.red.pk]

    def test_grants_view_all_back(self, api, people):
        api(people.alice).patch(f"/api/v1/users/{people.carol.pk}/", {"view_all": True}, format="json")
        assert User.objects.get(pk=people.carol.pk).has_perm("tickets.view_all")

    @pytest.mark.parametrize("who, code", [("bob", 403), ("carol", 403), ("dave", 403), (None, 401)])
    def test_others_are_refused(self, api, people, who, code):
        before = users_state()
        client = api(getattr(people, who)) if who else api()
        url = f"/api/v1/users/{people.carol.pk}/"
        assert client.patch(url, {"view_all": True}, format="json").status_code == code
        assert users_state() == before

    def test_unknown_user_is_404(self, api, people):
        assert (
            api(people.alice).patch("/api/v1/users/999999/", {"name": "x"}, format="json").status_code == 404
        )
        assert (
            api(people.alice).patch(f"/api/v1/users/{2**70}/", {"name": "x"}, format="json").status_code
            == 404
        )

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"view_all": "sometimes"}, "view_all"),
            ({"scope_categories": [999999]}, "scope_categories"),
            ({"scope_teams": ["x"]}, "scope_teams"),
            ({"role": "root"}, "role"),
            ({"is_active": None}, "is_active"),
        ],
    )
    def test_bad_input_is_400(self, api, people, data, field):
        before = users_state()
        response = api(people.alice).patch(f"/api/v1/users/{people.carol.pk}/", data, format="json")
        assert response.status_code == 400 and field in response.json()
        assert users_state() == before


class TestTeams:
    def test_staff_list_teams(self, api, people):
        body = api(people.carol).get("/api/v1/teams/").json()
        rows = {r["name"]: r for r in body["results"]}
        assert rows["Blue"]["members"] == [people.carol.pk] and rows["Red"]["members"] == [people.bob.pk]

    def test_admin_creates_a_team(self, api, people):
        data = {"name": "Green", "members": [people.bob.pk, people.carol.pk]}
        response = api(people.alice).post("/api/v1/teams/", data, format="json")
        assert response.status_code == 201, response.content
        assert sorted(response.json()["members"]) == sorted([people.bob.pk, people.carol.pk])
        assert Team.objects.get(name="Green").members.count() == 2

    @pytest.mark.parametrize("who, code", [("dave", 403), (None, 401)])
    def test_customers_and_anonymous_cannot_list(self, api, people, who, code):
        client = api(getattr(people, who)) if who else api()
        assert client.get("/api/v1/teams/").status_code == code

    @pytest.mark.parametrize("who, code", [("bob", 403), ("dave", 403), (None, 401)])
    def test_only_admins_create(self, api, people, who, code):
        client = api(getattr(people, who)) if who else api()
        assert client.post("/api/v1/teams/", {"name": "Green"}, format="json").status_code == code
        assert not Team.objects.filter(name="Green").exists()

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"name": "blue"}, "name"),
            ({"name": ""}, "name"),
            ({"name": "Green", "members": ["dave"]}, "members"),
            ({"name": "Green", "members": [999999]}, "members"),
        ],
    )
    def test_bad_input_is_400(self, api, people, data, field):
        data = {k: [people.dave.pk] if v == ["dave"] else v for k, v in data.items()}
        response = api(people.alice).post("/api/v1/teams/", data, format="json")
        assert response.status_code == 400 and field in response.json()
        assert not Team.objects.filter(name="Green").exists()
