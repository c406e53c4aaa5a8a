"""SLA of SPEC §6: the plan a ticket gets, its due times, the pending pause, the first response,
and how they show in the API and on the staff pages."""

from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from tests.factories import CategoryFactory, make_ticket, priority
from tickets import actions
from tickets.actions.catalogue import save_sla_plan
from tickets.errors import ActionRefused
from tickets.jobs import flag_overdue
from tickets.models import Category, SLAPlan, Ticket
from tickets.sla import choose_plan, due_times, is_overdue, paused_time

from .lifecycle_helpers import T0, fresh, resolve, status

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def plans(people):
    """Normal 8h/72h and High 4h/24h for every category; `make` adds more."""

    def make(prio, first, resolution, category=None, **kwargs):
        return save_sla_plan(
            actor=people.alice,
            name=f"{prio} {first}h/{resolution}h",
            priority=priority(prio),
            first_response_hours=first,
            resolution_hours=resolution,
            category=category,
            **kwargs,
        )

    return SimpleNamespace(normal=make("Normal", 8, 72), high=make("High", 4, 24), make=make)


def open_ticket(people, prio="Normal", category=None):
    """A ticket bob opens for dave at the current time."""
    return make_ticket(people.dave, category or people.category, actor=people.bob, priority=priority(prio))


# --- The pure rules ------------------------------------------------------------------------


class TestChoosePlan:
    def plan(self, pk, priority_id, category_id=None, active=True):
        return SLAPlan(pk=pk, name=f"p{pk}", priority_id=priority_id, category_id=category_id, active=active)

    def test_category_specific_plan_beats_the_priority_only_plan(self):
        general, specific = self.plan(1, 10), self.plan(2, 10, category_id=5)
        assert choose_plan([general, specific], 10, 5) is specific

    def test_priority_only_plan_applies_to_other_categories(self):
        general, specific = self.plan(1, 10), self.plan(2, 10, category_id=5)
        assert choose_plan([specific, general], 10, 6) is general

    def test_inactive_plans_are_ignored(self):
        general, specific = self.plan(1, 10), self.plan(2, 10, category_id=5, active=False)
        assert choose_plan([general, specific], 10, 5) is general
        assert choose_plan([self.plan(1, 10, active=False)], 10, 5) is None

    def test_no_plan_of_the_priority_means_no_sla(self):
        assert choose_plan([self.plan(1, 11), self.plan(2, 11, category_id=5)], 10, 5) is None
        assert choose_plan([], 10, None) is None


class TestDueTimesAndPauses:
    def test_due_times_count_calendar_hours_from_the_start_plus_the_pauses(self):
        plan = SLAPlan(first_response_hours=8, resolution_hours=72)
        assert due_times(plan, T0) == (T0 + 8 * HOUR, T0 + 72 * HOUR)
        assert due_times(plan, T0, 2 * HOUR) == (T0 + 10 * HOUR, T0 + 74 * HOUR)

    def test_a_plan_without_first_response_target_has_only_a_resolution_due_time(self):
        assert due_times(SLAPlan(first_response_hours=None, resolution_hours=4), T0) == (None, T0 + 4 * HOUR)
        assert due_times(None, T0) == (None, None)

    def test_paused_time_adds_finished_pending_spells_only(self):
        changes = [
            ("new", "pending", T0 + HOUR),
            ("pending", "pending", T0 + 2 * HOUR),  # from one pending status to another
            ("pending", "open", T0 + 5 * HOUR),
            ("open", "resolved", T0 + 6 * HOUR),
            ("resolved", "open", T0 + 7 * HOUR),
            ("open", "pending", T0 + 8 * HOUR),  # still on hold: added when it ends
        ]
        assert paused_time(changes) == 4 * HOUR


# --- Plans: the admin action -----------------------------------------------------------------


class TestSaveSlaPlan:
    def test_admin_adds_and_changes_a_plan(self, people):
        plan = save_sla_plan(actor=people.alice, name="Low", priority=priority("Low"), resolution_hours=120)
        assert (plan.first_response_hours, plan.resolution_hours, plan.active) == (None, 120, True)
        save_sla_plan(
            actor=people.alice,
            plan=plan,
            name="Low",
            priority=priority("Low"),
            resolution_hours=96,
            active=False,
        )
        plan.refresh_from_db()
        assert (plan.resolution_hours, plan.active) == (96, False)

    @pytest.mark.parametrize("who", ["bob", "dave"])
    def test_staff_and_customers_are_refused_and_nothing_is_written(self, people, who):
        with pytest.raises(ActionRefused) as refused:
            save_sla_plan(actor=getattr(people, who), name="X", priority=priority("Low"), resolution_hours=1)
        assert refused.value.code == "forbidden"
        assert not SLAPlan.objects.exists()

    def test_a_second_plan_for_the_same_priority_and_category_is_refused(self, people, plans):
        with pytest.raises(ActionRefused) as refused:
            plans.make("Normal", 1, 2)
        assert (refused.value.code, refused.value.field) == ("invalid", "category")
        plans.make("Normal", 1, 2, category=people.category)  # a category of its own is fine
        with pytest.raises(ActionRefused):
            plans.make("Normal", 1, 3, category=people.category)
        assert SLAPlan.objects.count() == 3

    @pytest.mark.parametrize("hours", [0, -1, "8", 24 * 366])
    def test_hours_must_be_a_positive_whole_number(self, people, hours):
        with pytest.raises(ActionRefused) as refused:
            save_sla_plan(actor=people.alice, name="X", priority=priority("Low"), resolution_hours=hours)
        assert refused.value.field == "resolution_hours"
        assert not SLAPlan.objects.exists()


# --- Due times on the ticket -----------------------------------------------------------------


class TestDueTimesOnCreation:
    def test_a_new_ticket_gets_its_priority_plan_and_due_times(self, people, plans, clock):
        ticket = fresh(open_ticket(people, "High"))
        assert ticket.sla_plan_id == plans.high.pk
        assert ticket.first_response_due_at == T0 + 4 * HOUR
        assert ticket.sla_due_at == T0 + 24 * HOUR
        assert (ticket.sla_paused_at, ticket.overdue, ticket.first_response_at) == (None, False, None)

    def test_the_plan_of_the_tickets_category_wins(self, people, plans, clock):
        urgent = plans.make("Normal", 1, 8, category=people.category)
        assert fresh(open_ticket(people)).sla_plan_id == urgent.pk
        other = fresh(open_ticket(people, category=CategoryFactory(name="Software")))
        assert other.sla_plan_id == plans.normal.pk and other.sla_due_at == T0 + 72 * HOUR

    def test_a_customers_ticket_gets_the_default_priority_plan(self, people, plans, clock):
        ticket = fresh(make_ticket(people.dave, people.category))
        assert (ticket.sla_plan_id, ticket.sla_due_at) == (plans.normal.pk, T0 + 72 * HOUR)

    def test_without_a_plan_a_ticket_has_no_due_times(self, people, plans, clock):
        plans.make("Low", 24, 120, active=False)
        ticket = fresh(open_ticket(people, "Low"))
        assert (ticket.sla_plan_id, ticket.first_response_due_at, ticket.sla_due_at) == (None, None, None)

    def test_creation_reads_the_plan_in_one_query(self, people, plans, clock, django_assert_max_num_queries):
        with django_assert_max_num_queries(50) as counted:
            open_ticket(people)
        assert sum("tickets_slaplan" in q["sql"] for q in counted.captured_queries) == 1


class TestReplanOnFieldChange:
    def test_a_new_priority_recomputes_the_due_times_from_creation(self, people, plans, clock):
        ticket = open_ticket(people)
        clock.move_to(T0 + 2 * HOUR, tick=False)
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("High"))
        row = fresh(ticket)
        assert row.sla_plan_id == plans.high.pk
        assert (row.first_response_due_at, row.sla_due_at) == (T0 + 4 * HOUR, T0 + 24 * HOUR)

    def test_a_new_category_with_its_own_plan_recomputes_the_due_times(self, people, plans, clock):
        software = CategoryFactory(name="Software")
        plans.make("Normal", 2, 10, category=software)
        ticket = open_ticket(people)
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, category=software)
        assert fresh(ticket).sla_due_at == T0 + 10 * HOUR

    def test_a_priority_without_a_plan_drops_the_sla(self, people, plans, clock):
        ticket = open_ticket(people)
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("Low"))
        row = fresh(ticket)
        assert (row.sla_plan_id, row.first_response_due_at, row.sla_due_at, row.overdue) == (
            None,
            None,
            None,
            False,
        )

    def test_time_already_paused_is_kept(self, people, plans, clock):
        ticket = open_ticket(people)
        clock.move_to(T0 + HOUR, tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        clock.move_to(T0 + 5 * HOUR, tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        clock.move_to(T0 + 6 * HOUR, tick=False)
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("High"))
        row = fresh(ticket)
        assert (row.first_response_due_at, row.sla_due_at) == (T0 + 8 * HOUR, T0 + 28 * HOUR)

    def test_a_breach_the_new_priority_ends_is_unflagged_at_once(self, people, plans, clock):
        ticket = open_ticket(people, "High")
        clock.move_to(T0 + 30 * HOUR, tick=False)
        actions.add_message(ticket=ticket, actor=people.bob, body="On it")
        assert fresh(ticket).overdue  # the reply's action saw the breach before any sweep
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("Normal"))
        assert not fresh(ticket).overdue

    def test_a_met_first_response_keeps_the_due_time_it_was_measured_against(self, people, plans, clock):
        ticket = open_ticket(people)
        clock.move_to(T0 + HOUR, tick=False)
        actions.add_message(ticket=ticket, actor=people.bob, body="Looking")
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("High"))
        row = fresh(ticket)
        assert (row.first_response_due_at, row.sla_due_at) == (T0 + 8 * HOUR, T0 + 24 * HOUR)

    def test_other_field_changes_leave_the_sla_alone(
        self, people, plans, clock, django_assert_max_num_queries
    ):
        ticket = open_ticket(people)
        clock.move_to(T0 + HOUR, tick=False)
        with django_assert_max_num_queries(50) as counted:
            actions.update_ticket_fields(ticket=ticket, actor=people.bob, subject="Printer still on fire")
        assert not any("tickets_slaplan" in q["sql"] for q in counted.captured_queries)
        assert fresh(ticket).sla_due_at == T0 + 72 * HOUR


# --- The pending pause -----------------------------------------------------------------------


class TestPendingPause:
    def test_time_in_pending_moves_the_due_times_on(self, people, plans, clock):
        ticket = open_ticket(people)
        clock.move_to(T0 + HOUR, tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        assert fresh(ticket).sla_paused_at == T0 + HOUR
        clock.move_to(T0 + 5 * HOUR, tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        row = fresh(ticket)
        assert row.sla_paused_at is None
        assert (row.first_response_due_at, row.sla_due_at) == (T0 + 12 * HOUR, T0 + 76 * HOUR)

    def test_a_paused_ticket_is_never_overdue(self, people, plans, clock):
        ticket = open_ticket(people, "High")
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        clock.move_to(T0 + 100 * HOUR, tick=False)
        assert flag_overdue() == 0
        row = fresh(ticket)
        assert not row.overdue and not is_overdue(row, T0 + 100 * HOUR)

    def test_entering_pending_clears_a_breach_and_leaving_it_late_flags_it_again(self, people, plans, clock):
        ticket = open_ticket(people, "High")
        clock.move_to(T0 + 25 * HOUR, tick=False)
        assert flag_overdue() == 1
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        assert not fresh(ticket).overdue
        clock.move_to(T0 + 27 * HOUR, tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        row = fresh(ticket)
        assert row.sla_due_at == T0 + 26 * HOUR and row.overdue  # 25h used of 24h, plus 2h paused

    def test_the_first_response_due_time_stays_once_responded(self, people, plans, clock):
        ticket = open_ticket(people)
        actions.add_message(ticket=ticket, actor=people.bob, body="Hello", status=status("pending"))
        clock.move_to(T0 + 3 * HOUR, tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        row = fresh(ticket)
        assert (row.first_response_due_at, row.sla_due_at) == (T0 + 8 * HOUR, T0 + 75 * HOUR)

    def test_resolving_from_pending_ends_the_pause(self, people, plans, clock):
        ticket = open_ticket(people)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        clock.move_to(T0 + 2 * HOUR, tick=False)
        resolve(ticket, people.bob)
        row = fresh(ticket)
        assert (row.sla_paused_at, row.sla_due_at, row.overdue) == (None, T0 + 74 * HOUR, False)

    def test_a_ticket_without_plan_still_records_the_pause(self, people, clock):
        ticket = open_ticket(people)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        assert fresh(ticket).sla_paused_at == T0
        clock.move_to(T0 + HOUR, tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        assert (fresh(ticket).sla_paused_at, fresh(ticket).sla_due_at) == (None, None)


# --- First response --------------------------------------------------------------------------


class TestFirstResponse:
    def test_the_first_public_staff_reply_meets_it(self, people, plans, clock):
        ticket = open_ticket(people)
        clock.move_to(T0 + HOUR, tick=False)
        actions.add_message(ticket=ticket, actor=people.bob, body="We are on it")
        clock.move_to(T0 + 2 * HOUR, tick=False)
        actions.add_message(ticket=ticket, actor=people.alice, body="Second reply")
        assert fresh(ticket).first_response_at == T0 + HOUR

    def test_an_internal_note_or_a_customer_reply_does_not(self, people, plans, clock):
        ticket = open_ticket(people)
        actions.add_message(ticket=ticket, actor=people.bob, body="Check warranty", internal=True)
        actions.add_message(ticket=ticket, actor=people.dave, body="Any news?")
        assert fresh(ticket).first_response_at is None

    def test_a_missed_first_response_is_overdue_until_the_reply(self, people, plans, clock):
        ticket = open_ticket(people)
        clock.move_to(T0 + 9 * HOUR, tick=False)
        assert flag_overdue() == 1 and fresh(ticket).overdue
        actions.add_message(ticket=ticket, actor=people.bob, body="Sorry for the wait")
        assert not fresh(ticket).overdue  # the resolution is due at 72h


# --- Statuses that stop the clock --------------------------------------------------------------


class TestStoppedClock:
    @pytest.mark.parametrize("kind", ["resolved", "closed"])
    def test_resolved_and_closed_tickets_are_never_overdue_and_keep_the_due_time(
        self, people, plans, clock, kind
    ):
        ticket = open_ticket(people, "High")
        clock.move_to(T0 + 30 * HOUR, tick=False)
        assert flag_overdue() == 1
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status(kind))
        row = fresh(ticket)
        assert (row.overdue, row.sla_due_at) == (False, T0 + 24 * HOUR)
        assert flag_overdue() == 0 and not fresh(ticket).overdue

    def test_a_reopened_ticket_past_its_due_time_is_overdue_again(self, people, plans, clock):
        ticket = open_ticket(people, "High")
        actions.add_message(ticket=ticket, actor=people.bob, body="Done")
        resolve(ticket, people.bob)
        clock.move_to(T0 + 30 * HOUR, tick=False)
        actions.add_message(ticket=ticket, actor=people.dave, body="It is back")
        row = fresh(ticket)
        assert row.status.kind == "new" and row.overdue


# --- API and pages ---------------------------------------------------------------------------


class TestTicketApiFields:
    def test_the_ticket_shows_its_due_times_and_first_response(self, api, people, plans, clock):
        ticket = open_ticket(people)
        clock.move_to(T0 + HOUR, tick=False)
        actions.add_message(ticket=ticket, actor=people.bob, body="Hello")
        body = api(people.dave).get(f"/api/v1/tickets/{ticket.pk}/").json()
        assert body["sla_due_at"] == "2026-03-05T09:00:00Z"
        assert body["first_response_due_at"] == "2026-03-02T17:00:00Z"
        assert body["first_response_at"] == "2026-03-02T10:00:00Z"
        assert body["overdue"] is False

    def test_list_filters_on_overdue_as_the_sweep_flagged(self, api, people, plans, clock):
        late, fine = open_ticket(people, "High"), open_ticket(people)
        actions.add_message(ticket=late, actor=people.bob, body="Hello")
        actions.add_message(ticket=fine, actor=people.bob, body="Hello")
        clock.move_to(T0 + 25 * HOUR, tick=False)
        flag_overdue()
        rows = api(people.bob).get("/api/v1/tickets/?overdue=true").json()["results"]
        assert [r["id"] for r in rows] == [late.pk]


class TestSlaPlanListApi:
    def test_staff_read_every_plan_most_urgent_first(self, api, people, plans):
        plans.make("Normal", 1, 8, category=people.category, active=False)
        body = api(people.bob).get("/api/v1/sla-plans/").json()
        assert [(p["priority"]["name"], (p["category"] or {}).get("name"), p["active"]) for p in body] == [
            ("High", None, True),
            ("Normal", None, True),
            ("Normal", "Hardware", False),
        ]
        assert body[0] == {
            "id": plans.high.pk,
            "name": "High 4h/24h",
            "priority": {"id": priority("High").pk, "name": "High"},
            "category": None,
            "first_response_hours": 4,
            "next_response_hours": None,
            "resolution_hours": 24,
            "calendar": None,
            "active": True,
        }

    def test_customers_get_403_and_anonymous_401(self, api, people, plans):
        assert api(people.dave).get("/api/v1/sla-plans/").status_code == 403
        assert api().get("/api/v1/sla-plans/").status_code == 401

    def test_writes_are_not_allowed(self, api, people, plans):
        response = api(people.alice).post("/api/v1/sla-plans/", {"name": "X"}, format="json")
        assert response.status_code == 405
        assert SLAPlan.objects.count() == 2

    def test_query_count_is_constant(self, api, people, plans, django_assert_num_queries):
        # One query: the plans joined with their priority and category.
        with django_assert_num_queries(1):
            assert len(api(people.bob).get("/api/v1/sla-plans/").json()) == 2
        for _ in range(5):
            plans.make("Low", 1, 2, category=CategoryFactory())
        with django_assert_num_queries(1):
            assert len(api(people.bob).get("/api/v1/sla-plans/").json()) == 7


class TestSlaDueInclude:
    def render(self, ticket) -> str:
        return render_to_string("tickets/includes/_sla_due.html", {"ticket": fresh(ticket)})

    def test_it_shows_the_soonest_due_time_in_words_and_exactly(self, people, plans, clock):
        ticket = open_ticket(people, "High")
        html = self.render(ticket)
        assert 'datetime="2026-03-02T13:00:00+00:00"' in html and 'title="First response due' in html
        assert "in 4\xa0hours" in html and "Overdue" not in html and "Paused" not in html
        actions.add_message(ticket=ticket, actor=people.bob, body="On it")  # met: the resolution is next
        html = self.render(ticket)
        assert 'datetime="2026-03-03T09:00:00+00:00"' in html and 'title="Resolution due' in html
        assert "in 1\xa0day" in html

    def test_it_badges_an_overdue_ticket(self, people, plans, clock):
        ticket = open_ticket(people, "High")
        actions.add_message(ticket=ticket, actor=people.bob, body="On it")
        clock.move_to(T0 + 26 * HOUR, tick=False)
        flag_overdue()
        html = self.render(ticket)
        assert "Overdue" in html and ">2\xa0hours ago<" in html

    def test_it_says_paused_while_pending(self, people, plans, clock):
        ticket = open_ticket(people)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        assert "Paused" in self.render(ticket)

    def test_a_ticket_without_sla_shows_a_dash(self, people, clock):
        html = self.render(open_ticket(people))
        assert "—" in html and "<time" not in html


class TestSlaPanel:
    def page(self, client, people, ticket):
        client.force_login(people.bob)
        response = client.get(reverse("ticket_detail", args=[ticket.pk]))
        assert response.status_code == 200
        return response.content.decode()

    def test_the_staff_page_shows_the_plan_and_both_targets(self, client, people, plans, clock):
        ticket = open_ticket(people)
        html = self.page(client, people, ticket)
        assert 'id="sla-heading"' in html and "Normal 8h/72h" in html
        assert 'datetime="2026-03-02T17:00:00+00:00"' in html  # first response due
        assert 'datetime="2026-03-05T09:00:00+00:00"' in html  # resolution due

    def test_it_shows_a_late_first_response_the_pause_and_the_breach(self, client, people, plans, clock):
        ticket = open_ticket(people, "High")
        clock.move_to(T0 + 5 * HOUR, tick=False)
        actions.add_message(ticket=ticket, actor=people.bob, body="Hello")
        html = self.page(client, people, ticket)
        assert "Met <time" in html and '<span class="badge text-bg-warning">Late</span>' in html
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        assert "Paused since" in self.page(client, people, ticket)

    def test_it_badges_a_breach(self, client, people, plans, clock):
        ticket = open_ticket(people, "High")
        clock.move_to(T0 + 25 * HOUR, tick=False)
        flag_overdue()
        assert '<span class="badge text-bg-danger ms-1">Overdue</span>' in self.page(client, people, ticket)

    def test_without_plan_it_says_so(self, client, people, clock):
        assert "No SLA plan applies" in self.page(client, people, open_ticket(people))

    def test_the_panel_costs_no_query(self, client, people, plans, clock, django_assert_max_num_queries):
        with_plan = open_ticket(people)
        without = open_ticket(people, "Low")
        client.force_login(people.bob)
        with django_assert_max_num_queries(30) as planned:
            client.get(reverse("ticket_detail", args=[with_plan.pk]))
        with django_assert_max_num_queries(30) as unplanned:
            client.get(reverse("ticket_detail", args=[without.pk]))
        # The panel reads nothing; the SLA timeline beside it reads the status and reply events
        # (one query, shown only with a plan: the History tab loads its own rows when opened).
        assert len(planned.captured_queries) == len(unplanned.captured_queries) + 1


class TestSeedDemo:
    def test_the_demo_has_a_plan_per_priority_and_its_tickets_have_due_times(self, db):
        call_command("seed_demo", stdout=StringIO())
        plans = {p.priority.name: (p.first_response_hours, p.resolution_hours) for p in SLAPlan.objects.all()}
        assert plans == {"Emergency": (1, 4), "High": (4, 24), "Normal": (8, 72), "Low": (24, 120)}
        assert not Ticket.objects.filter(sla_due_at__isnull=True).exists()

    def test_a_database_with_a_catalogue_of_its_own_gets_a_clear_error_and_keeps_it(self, db):
        CategoryFactory(name="Software")
        with pytest.raises(CommandError, match="Category Software exists already"):
            call_command("seed_demo", stdout=StringIO())
        assert list(Category.objects.values_list("name", flat=True)) == ["Software"]
        assert not User.objects.filter(email="admin@example.com").exists()
