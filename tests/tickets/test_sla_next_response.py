"""The next-response target of SLA plans (issue 11): once staff have answered, a customer's reply
must have a public staff reply within the plan's hours; shown in the API, the queue and the staff
page, flagged by the overdue sweep and counted on the dashboard. Business hours: test_business_hours.py."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories import make_ticket, priority
from tickets import actions, reports
from tickets.actions.catalogue import save_sla_plan
from tickets.errors import ActionRefused
from tickets.jobs import flag_overdue
from tickets.models import SLAPlan, Status
from tickets.selectors import get_ticket_detail
from tickets.templatetags.sla_timeline import sla_timeline

from .lifecycle_helpers import T0, fresh, status

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def plans(people):
    """Normal: first response 8h, next response 2h, resolution 72h; High: 4h, 1h, 24h; Low: no next."""

    def make(prio, first, following, resolution):
        return save_sla_plan(
            actor=people.alice,
            name=f"{prio} plan",
            priority=priority(prio),
            first_response_hours=first,
            next_response_hours=following,
            resolution_hours=resolution,
        )

    return SimpleNamespace(
        normal=make("Normal", 8, 2, 72), high=make("High", 4, 1, 24), low=make("Low", 24, None, 120)
    )


def answered_ticket(people, clock, prio="Normal"):
    """A ticket bob opened for dave at T0 and answered at T0 + 1h; the clock is then at T0 + 1h."""
    ticket = make_ticket(people.dave, people.category, actor=people.bob, priority=priority(prio))
    clock.move_to(T0 + HOUR, tick=False)
    actions.add_message(ticket=ticket, actor=people.bob, body="We are on it")
    return ticket


def customer_replies(people, clock, ticket, at):
    clock.move_to(at, tick=False)
    actions.add_message(ticket=ticket, actor=people.dave, body="Any news?")


class TestNextResponseDue:
    def test_a_customer_reply_after_the_staff_answer_starts_it(self, people, plans, clock):
        ticket = answered_ticket(people, clock)
        assert fresh(ticket).next_response_due_at is None
        customer_replies(people, clock, ticket, T0 + 3 * HOUR)
        assert fresh(ticket).next_response_due_at == T0 + 5 * HOUR

    def test_a_customer_reply_before_any_staff_answer_leaves_it_to_the_first_response(
        self, people, plans, clock
    ):
        ticket = make_ticket(people.dave, people.category, actor=people.bob, priority=priority("Normal"))
        customer_replies(people, clock, ticket, T0 + HOUR)
        row = fresh(ticket)
        assert (row.next_response_due_at, row.first_response_due_at) == (None, T0 + 8 * HOUR)

    def test_a_second_customer_reply_keeps_the_due_time_of_the_first(self, people, plans, clock):
        ticket = answered_ticket(people, clock)
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        customer_replies(people, clock, ticket, T0 + 3 * HOUR)
        assert fresh(ticket).next_response_due_at == T0 + 4 * HOUR

    def test_a_public_staff_reply_meets_it_and_the_next_customer_reply_starts_again(
        self, people, plans, clock
    ):
        ticket = answered_ticket(people, clock)
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        clock.move_to(T0 + 3 * HOUR, tick=False)
        actions.add_message(ticket=ticket, actor=people.alice, body="Replaced the toner")
        row = fresh(ticket)
        assert (row.next_response_due_at, row.first_response_at) == (None, T0 + HOUR)
        customer_replies(people, clock, ticket, T0 + 10 * HOUR)
        assert fresh(ticket).next_response_due_at == T0 + 12 * HOUR

    def test_an_internal_note_does_not_meet_it(self, people, plans, clock):
        ticket = answered_ticket(people, clock)
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        actions.add_message(ticket=ticket, actor=people.bob, body="Ask the vendor", internal=True)
        assert fresh(ticket).next_response_due_at == T0 + 4 * HOUR
        clock.move_to(T0 + 5 * HOUR, tick=False)
        assert flag_overdue() == 1 and fresh(ticket).overdue

    def test_an_action_after_the_due_time_flags_the_breach_at_once(self, people, plans, clock):
        ticket = answered_ticket(people, clock)
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        customer_replies(people, clock, ticket, T0 + 5 * HOUR)  # the reply's action sees it, no sweep
        assert fresh(ticket).overdue

    def test_a_plan_without_the_target_sets_none(self, people, plans, clock):
        ticket = answered_ticket(people, clock, "Low")
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        assert fresh(ticket).next_response_due_at is None


class TestNextResponsePause:
    def test_time_in_pending_moves_it_on(self, people, plans, clock):
        ticket = answered_ticket(people, clock)
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)  # due T0 + 4h
        clock.move_to(T0 + 3 * HOUR, tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        clock.move_to(T0 + 10 * HOUR, tick=False)
        assert flag_overdue() == 0 and not fresh(ticket).overdue  # paused: never late
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        row = fresh(ticket)
        assert (row.next_response_due_at, row.overdue) == (T0 + 11 * HOUR, False)  # 1h was left

    def test_a_reply_to_a_pending_ticket_counts_from_when_it_leaves_pending(self, people, plans, clock):
        ticket = answered_ticket(people, clock)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        Status.objects.update(customer_reply_moves_to=None)  # the reply leaves it pending
        customer_replies(people, clock, ticket, T0 + 3 * HOUR)
        assert fresh(ticket).status.kind == "pending"
        clock.move_to(T0 + 6 * HOUR, tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        assert fresh(ticket).next_response_due_at == T0 + 8 * HOUR

    def test_a_reply_that_moves_a_pending_ticket_on_counts_from_the_reply(self, people, plans, clock):
        ticket = answered_ticket(people, clock)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        Status.objects.filter(kind="pending").update(customer_reply_moves_to=status("open"))
        customer_replies(people, clock, ticket, T0 + 3 * HOUR)
        row = fresh(ticket)
        assert row.status.kind != "pending" and row.next_response_due_at == T0 + 5 * HOUR


class TestNextResponseReplan:
    def test_a_new_priority_counts_it_again_from_the_first_waiting_reply(self, people, plans, clock):
        ticket = answered_ticket(people, clock)
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        customer_replies(people, clock, ticket, T0 + timedelta(minutes=150))
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("High"))
        assert fresh(ticket).next_response_due_at == T0 + 3 * HOUR

    def test_pauses_after_the_waiting_reply_still_count(self, people, plans, clock):
        ticket = answered_ticket(people, clock)
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        clock.move_to(T0 + 4 * HOUR, tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("High"))
        assert fresh(ticket).next_response_due_at == T0 + 5 * HOUR  # 1h target + 2h paused

    def test_a_plan_without_the_target_drops_it_and_nothing_waiting_sets_none(self, people, plans, clock):
        ticket = answered_ticket(people, clock)
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("Low"))
        assert fresh(ticket).next_response_due_at is None
        actions.add_message(ticket=ticket, actor=people.bob, body="Answered")
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("High"))
        assert fresh(ticket).next_response_due_at is None


class TestNextResponseBreach:
    def test_the_sweep_flags_a_missed_next_response_and_the_reply_ends_it(self, people, plans, clock):
        late, fine = answered_ticket(people, clock), answered_ticket(people, clock)
        customer_replies(people, clock, late, T0 + 2 * HOUR)
        clock.move_to(T0 + 5 * HOUR, tick=False)
        assert flag_overdue() == 1
        assert [fresh(late).overdue, fresh(fine).overdue] == [True, False]
        actions.add_message(ticket=late, actor=people.bob, body="Sorry for the wait")
        assert not fresh(late).overdue and flag_overdue() == 0

    def test_the_dashboard_counts_it(self, client, people, plans, clock):
        ticket = answered_ticket(people, clock)
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        clock.move_to(T0 + 5 * HOUR, tick=False)
        flag_overdue()
        assert reports.sla_breaches(people.bob)[0] == 1
        client.force_login(people.bob)
        html = client.get(reverse("dashboard")).content.decode()
        assert 'data-figure="overdue-count">1<' in html


class TestSavePlan:
    @pytest.mark.parametrize("hours", [0, -2, "2"])
    def test_the_target_must_be_a_positive_whole_number(self, people, hours):
        with pytest.raises(ActionRefused) as refused:
            save_sla_plan(
                actor=people.alice,
                name="X",
                priority=priority("Low"),
                resolution_hours=8,
                next_response_hours=hours,
            )
        assert refused.value.field == "next_response_hours"
        assert not SLAPlan.objects.exists()

    def test_the_admin_sets_it_on_the_plan_form(self, client, people):
        client.force_login(people.alice)
        response = client.post(
            reverse("admin:tickets_slaplan_add"),
            {"name": "Low", "priority": priority("Low").pk, "next_response_hours": 6, "resolution_hours": 96},
        )
        assert response.status_code == 302, response.content
        assert SLAPlan.objects.get().next_response_hours == 6
        assert (
            "Next response hours" in client.get(reverse("admin:tickets_slaplan_changelist")).content.decode()
        )

    @pytest.mark.parametrize("changes", [{"first_response_hours": 0}, {"resolution_hours": 9000}])
    def test_the_admin_form_checks_hours_as_the_action_does(self, client, people, changes):
        client.force_login(people.alice)
        form = {"name": "Low", "priority": priority("Low").pk, "resolution_hours": 96, **changes}
        response = client.post(reverse("admin:tickets_slaplan_add"), form)
        assert response.status_code == 200 and "Give a whole number of hours" in response.content.decode()
        assert not SLAPlan.objects.exists()

    def test_the_admin_form_refuses_a_second_plan_for_one_priority_and_category(self, client, people):
        save_sla_plan(actor=people.alice, name="First", priority=priority("Low"), resolution_hours=8)
        client.force_login(people.alice)
        form = {"name": "Second", "priority": priority("Low").pk, "resolution_hours": 96}
        response = client.post(reverse("admin:tickets_slaplan_add"), form)
        assert response.status_code == 200 and "exists already" in response.content.decode()
        assert SLAPlan.objects.count() == 1


class TestShown:
    def waiting(self, people, clock):
        ticket = answered_ticket(people, clock)
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        return ticket  # next response due 2026-03-02 13:00 UTC

    def test_the_api_ticket_and_plan_show_it(self, api, people, plans, clock):
        ticket = self.waiting(people, clock)
        body = api(people.bob).get(f"/api/v1/tickets/{ticket.pk}/").json()
        assert body["next_response_due_at"] == "2026-03-02T13:00:00Z"
        actions.add_message(ticket=ticket, actor=people.bob, body="Done")
        assert api(people.bob).get(f"/api/v1/tickets/{ticket.pk}/").json()["next_response_due_at"] is None
        rows = api(people.bob).get("/api/v1/sla-plans/").json()
        assert {r["name"]: r["next_response_hours"] for r in rows} == {
            "High plan": 1,
            "Normal plan": 2,
            "Low plan": None,
        }

    def test_the_queue_shows_it_when_it_is_the_soonest(self, client, people, plans, clock):
        ticket = self.waiting(people, clock)
        html = render_to_string("tickets/includes/_sla_due.html", {"ticket": fresh(ticket)})
        assert 'datetime="2026-03-02T13:00:00+00:00"' in html and 'title="Next response due' in html
        client.force_login(people.alice)
        page = client.get(reverse("ticket_list"), {"queue": "all"}).content.decode()
        assert 'title="Next response due' in page

    def test_the_staff_page_shows_it_in_the_panel_and_the_timeline(self, client, people, plans, clock):
        ticket = self.waiting(people, clock)
        client.force_login(people.bob)
        url = reverse("ticket_detail", args=[ticket.pk])
        html = client.get(url).content.decode()
        assert "<dt>Next response</dt>" in html
        assert html.count('datetime="2026-03-02T13:00:00+00:00"') == 2  # the panel and the timeline
        assert html.count("sla-timeline-waiting") == 1 and "Customer replied: next response due by" in html
        clock.move_to(T0 + 3 * HOUR, tick=False)
        actions.add_message(ticket=ticket, actor=people.bob, body="Fixed", internal=False)
        html = client.get(url).content.decode()
        assert "No customer reply waiting" in html and "2026-03-02T13:00:00" not in html
        assert html.count("sla-timeline-answered") == 1 and "Staff replied: next response met" in html

    def test_the_timeline_reads_its_events_in_one_query_without_the_authors_rows(
        self, people, plans, clock, django_assert_num_queries
    ):
        ticket = get_ticket_detail(self.waiting(people, clock).pk)  # as the page reads it
        with django_assert_num_queries(1) as read:
            context = sla_timeline(ticket)
        assert [row["state"] for row in context["rows"]][-1] == "waiting"
        sql = read.captured_queries[0]["sql"]
        assert "password" not in sql and '"accounts_user"."role"' in sql

    def test_without_the_target_the_panel_says_so_and_the_timeline_has_no_reply_rows(
        self, client, people, plans, clock
    ):
        ticket = answered_ticket(people, clock, "Low")
        customer_replies(people, clock, ticket, T0 + 2 * HOUR)
        client.force_login(people.bob)
        html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        assert "<dt>Next response</dt>" in html and "No target" in html
        assert "sla-timeline-waiting" not in html
