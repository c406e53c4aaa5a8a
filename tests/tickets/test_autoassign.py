"""Automatic assignment (issue 11): per team off / round robin / least open, skipping away staff and
staff at capacity; safe when tickets are created at the same moment."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Role
from tests.factories import CategoryFactory, make_ticket, make_user
from tickets import actions
from tickets.actions.routing import save_team_routing, set_away
from tickets.errors import ActionRefused
from tickets.models import RoutingMode, StaffStatus, TeamRouting, Ticket, TicketEvent
from tickets.routing import pick


class TestPick:
    def test_round_robin_takes_the_next_member_after_the_last_one_and_wraps(self):
        assert pick(RoutingMode.ROUND_ROBIN, [3, 1, 2], last_id=None) == 1
        assert pick(RoutingMode.ROUND_ROBIN, [3, 1, 2], last_id=1) == 2
        assert pick(RoutingMode.ROUND_ROBIN, [3, 1, 2], last_id=3) == 1

    def test_round_robin_skips_away_and_full_members(self):
        counts = {2: 5}
        assert (
            pick(RoutingMode.ROUND_ROBIN, [1, 2, 3], away={3}, open_counts=counts, capacity=5, last_id=1) == 1
        )

    def test_least_open_takes_the_fewest_open_tickets_lowest_id_on_ties(self):
        assert pick(RoutingMode.LEAST_OPEN, [1, 2, 3], open_counts={1: 4, 2: 1, 3: 1}) == 2

    def test_off_or_nobody_eligible_assigns_nobody(self):
        assert pick(RoutingMode.OFF, [1, 2]) is None
        assert pick(RoutingMode.LEAST_OPEN, [1, 2], away={1, 2}) is None
        assert pick(RoutingMode.ROUND_ROBIN, [1], open_counts={1: 2}, capacity=2) is None
        assert pick(RoutingMode.ROUND_ROBIN, []) is None


@pytest.fixture
def desk(people):
    """Team Red (bob, frank) is the default team of category Printers."""
    frank = make_user(Role.STAFF, email="frank@example.com", name="Frank Agent", teams=[people.red])
    category = CategoryFactory(name="Printers", default_team=people.red)
    return frank, category


def new_ticket(people, category):
    return make_ticket(people.dave, category)


@pytest.mark.django_db
class TestAutoAssign:
    def test_round_robin_alternates_between_members(self, people, desk):
        frank, category = desk
        save_team_routing(actor=people.alice, team=people.red, mode=RoutingMode.ROUND_ROBIN)
        assignees = [new_ticket(people, category).assignee_id for _ in range(3)]
        assert assignees == [people.bob.pk, frank.pk, people.bob.pk]
        assert TeamRouting.objects.get(team=people.red).last_assigned_user_id == people.bob.pk

    def test_the_assignment_is_in_the_history_as_automatic(self, people, desk):
        save_team_routing(actor=people.alice, team=people.red, mode=RoutingMode.ROUND_ROBIN)
        ticket = new_ticket(people, desk[1])
        event = TicketEvent.objects.get(ticket=ticket, action="assignee")
        assert event.via == "Automatic assignment" and event.after["id"] == people.bob.pk

    def test_least_open_picks_the_member_with_fewer_open_tickets(self, people, desk):
        frank, category = desk
        for _ in range(2):
            actions.assign_ticket(
                ticket=new_ticket(people, category), actor=people.alice, assignee=people.bob
            )
        save_team_routing(actor=people.alice, team=people.red, mode=RoutingMode.LEAST_OPEN)
        assert new_ticket(people, category).assignee_id == frank.pk

    def test_resolved_tickets_do_not_count_as_open(self, people, desk):
        frank, category = desk
        done = new_ticket(people, category)
        actions.assign_ticket(ticket=done, actor=people.alice, assignee=frank)
        actions.resolve_ticket(ticket=done, actor=frank, resolution_notes="Fixed")
        save_team_routing(actor=people.alice, team=people.red, mode=RoutingMode.LEAST_OPEN)
        assert new_ticket(people, category).assignee_id == people.bob.pk  # 0 vs 0: lowest id

    def test_away_staff_are_skipped(self, people, desk):
        frank, category = desk
        save_team_routing(actor=people.alice, team=people.red, mode=RoutingMode.ROUND_ROBIN)
        set_away(actor=people.bob, away=True)
        assert [new_ticket(people, category).assignee_id for _ in range(2)] == [frank.pk, frank.pk]

    def test_staff_at_capacity_are_skipped_and_nobody_left_means_unassigned(self, people, desk):
        frank, category = desk
        save_team_routing(actor=people.alice, team=people.red, mode=RoutingMode.ROUND_ROBIN, capacity=1)
        first, second, third = (new_ticket(people, category) for _ in range(3))
        assert {first.assignee_id, second.assignee_id} == {people.bob.pk, frank.pk}
        assert third.assignee_id is None

    def test_routing_off_or_missing_leaves_tickets_unassigned(self, people, desk):
        assert new_ticket(people, desk[1]).assignee_id is None
        save_team_routing(actor=people.alice, team=people.red, mode=RoutingMode.OFF)
        assert new_ticket(people, desk[1]).assignee_id is None

    def test_a_ticket_without_team_is_not_assigned(self, people):
        assert make_ticket(people.dave, CategoryFactory()).assignee_id is None


@pytest.mark.django_db
class TestRoutingActions:
    @pytest.mark.parametrize("who", ["bob", "carol", "dave"])
    def test_only_admins_set_routing(self, people, who):
        with pytest.raises(ActionRefused) as refused:
            save_team_routing(actor=getattr(people, who), team=people.red, mode=RoutingMode.ROUND_ROBIN)
        assert refused.value.code == "forbidden" and not TeamRouting.objects.exists()

    @pytest.mark.parametrize(
        ("mode", "capacity", "field"), [("random", None, "mode"), ("off", 0, "capacity")]
    )
    def test_bad_routing_is_refused(self, people, mode, capacity, field):
        with pytest.raises(ActionRefused) as refused:
            save_team_routing(actor=people.alice, team=people.red, mode=mode, capacity=capacity)
        assert refused.value.field == field and not TeamRouting.objects.exists()

    def test_staff_set_only_their_own_away_flag_and_customers_none(self, people):
        with pytest.raises(ActionRefused):
            set_away(actor=people.bob, away=True, user=people.carol)
        with pytest.raises(ActionRefused):
            set_away(actor=people.dave, away=True)
        assert not StaffStatus.objects.exists()
        set_away(actor=people.alice, away=True, user=people.carol)
        assert StaffStatus.objects.get(user=people.carol).away


@pytest.mark.django_db
class TestRoutingApi:
    def test_admin_sets_and_reads_a_team_routing(self, api, people):
        url = f"/api/v1/teams/{people.red.pk}/routing/"
        assert api(people.alice).get(url).json()["mode"] == "off"
        response = api(people.alice).put(url, {"mode": "least_open", "capacity": 5}, format="json")
        assert response.status_code == 200 and response.json()["capacity"] == 5
        assert TeamRouting.objects.get(team=people.red).mode == "least_open"

    @pytest.mark.parametrize("who", ["bob", "dave"])
    def test_others_cannot_set_routing(self, api, people, who):
        url = f"/api/v1/teams/{people.red.pk}/routing/"
        response = api(getattr(people, who)).put(url, {"mode": "round_robin"}, format="json")
        assert response.status_code == 403 and not TeamRouting.objects.exists()

    def test_bad_mode_is_400_and_unknown_team_404(self, api, people):
        bad = api(people.alice).put(f"/api/v1/teams/{people.red.pk}/routing/", {"mode": "x"}, format="json")
        assert bad.status_code == 400 and not TeamRouting.objects.exists()
        assert (
            api(people.alice).put("/api/v1/teams/9999/routing/", {"mode": "off"}, format="json").status_code
            == 404
        )

    def test_staff_mark_themselves_away(self, api, people):
        response = api(people.bob).put("/api/v1/me/away/", {"away": True}, format="json")
        assert response.status_code == 200 and response.json() == {"away": True}
        assert api(people.bob).get("/api/v1/me/away/").json() == {"away": True}
        assert api(people.dave).put("/api/v1/me/away/", {"away": True}, format="json").status_code == 403

    def test_the_queue_page_marks_one_away_and_back(self, client, people):
        client.force_login(people.bob)
        assert "Mark me away" in client.get(reverse("ticket_list")).content.decode()
        response = client.post(reverse("staff_away"), {"away": "1", "next": "https://evil.example/"})
        assert response.status_code == 302 and response.url == reverse("ticket_list")
        assert StaffStatus.objects.get(user=people.bob).away
        client.post(reverse("staff_away"), {"away": "0", "next": "/tickets/?queue=mine"})
        assert not StaffStatus.objects.get(user=people.bob).away

    def test_customers_cannot_use_the_away_page(self, client, people):
        client.force_login(people.dave)
        assert client.post(reverse("staff_away"), {"away": "1"}).status_code == 404
        assert not StaffStatus.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_tickets_created_at_once_go_to_two_agents_in_round_robin(people, desk):
    frank, category = desk
    save_team_routing(actor=people.alice, team=people.red, mode=RoutingMode.ROUND_ROBIN)
    barrier, errors = threading.Barrier(2), []

    def create():
        try:
            barrier.wait(timeout=10)
            make_ticket(people.dave, category)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assignees = sorted(Ticket.objects.filter(category=category).values_list("assignee_id", flat=True))
    assert assignees == sorted([people.bob.pk, frank.pk])
