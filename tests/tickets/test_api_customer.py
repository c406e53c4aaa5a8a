"""Favourites and the satisfaction survey through the API."""

import pytest

from tests.factories import make_ticket
from tickets import actions
from tickets.models import Favorite, Survey

from .api_support import state, url

pytestmark = pytest.mark.django_db


class TestFavorites:
    def test_requester_adds_lists_and_removes_a_favourite(self, api, people, ticket):
        client = api(people.dave)
        assert client.post(url(ticket, "favorite")).status_code == 204
        assert client.post(url(ticket, "favorite")).status_code == 204  # idempotent
        body = client.get("/api/v1/favorites/").json()
        assert body["count"] == 1 and body["results"][0]["id"] == ticket.pk
        assert client.delete(url(ticket, "favorite")).status_code == 204
        assert client.get("/api/v1/favorites/").json()["count"] == 0

    def test_participant_may_favourite(self, api, people, ticket):
        ticket.participants.add(people.erin)
        assert api(people.erin).post(url(ticket, "favorite")).status_code == 204
        assert Favorite.objects.filter(user=people.erin, ticket=ticket).exists()

    def test_resolving_empties_the_favourites(self, api, people, ticket):
        actions.add_favorite(ticket=ticket, actor=people.dave)
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        assert api(people.dave).get("/api/v1/favorites/").json()["count"] == 0

    @pytest.mark.parametrize("method", ["post", "delete"])
    def test_refusals(self, api, people, ticket, method):
        actions.add_favorite(ticket=ticket, actor=people.dave)
        before = state(ticket)
        assert getattr(api(), method)(url(ticket, "favorite")).status_code == 401
        assert getattr(api(people.erin), method)(url(ticket, "favorite")).status_code == 404
        assert getattr(api(people.carol), method)(url(ticket, "favorite")).status_code == 404
        assert getattr(api(people.bob), method)(url(ticket, "favorite")).status_code == 403
        assert state(ticket) == before

    def test_anonymous_list_is_401(self, api):
        assert api().get("/api/v1/favorites/").status_code == 401

    def test_list_query_count_is_constant(self, api, people, django_assert_num_queries):
        for n in range(20):
            actions.add_favorite(
                ticket=make_ticket(people.dave, people.category, subject=f"T{n}"), actor=people.dave
            )
        # count, rows, tags, participants
        with django_assert_num_queries(4):
            assert api(people.dave).get("/api/v1/favorites/").json()["count"] == 20


class TestSurvey:
    @pytest.fixture
    def resolved(self, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        return ticket

    def test_requester_reads_and_answers_the_open_survey(self, api, people, resolved):
        client = api(people.dave)
        response = client.get(url(resolved, "survey"))
        assert response.status_code == 200 and response.json()["rating"] is None
        response = client.post(url(resolved, "survey"), {"rating": 5, "comment": "Quick!"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["rating"] == 5 and response.json()["answered_at"]
        assert client.get(url(resolved, "survey")).status_code == 404  # none open any more
        assert client.post(url(resolved, "survey"), {"rating": 4}, format="json").status_code == 404

    def test_no_open_survey_is_404(self, api, people, ticket):
        assert api(people.dave).get(url(ticket, "survey")).status_code == 404
        assert api(people.dave).post(url(ticket, "survey"), {"rating": 3}, format="json").status_code == 404

    @pytest.mark.parametrize("rating", [0, 6, "five", None, 2**70, True, 2.5])
    def test_bad_rating_is_400_and_nothing_changes(self, api, people, resolved, rating):
        before = state(resolved)
        response = api(people.dave).post(url(resolved, "survey"), {"rating": rating}, format="json")
        assert response.status_code == 400 and "rating" in response.json()
        assert state(resolved) == before

    def test_refusals(self, api, people, resolved):
        resolved.participants.add(people.erin)
        before = state(resolved)
        data = {"rating": 1}
        assert api().post(url(resolved, "survey"), data, format="json").status_code == 401
        assert api(people.carol).post(url(resolved, "survey"), data, format="json").status_code == 404
        assert api(people.erin).post(url(resolved, "survey"), data, format="json").status_code == 403
        assert api(people.bob).post(url(resolved, "survey"), data, format="json").status_code == 403
        assert api(people.bob).get(url(resolved, "survey")).status_code == 403
        assert state(resolved) == before
        assert Survey.objects.get(ticket=resolved).answered_at is None
