"""The staff dashboard (/dashboard/): who may see it, each figure, and a constant query count."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_ticket
from tickets import actions, reports
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def _page(client, user):
    client.force_login(user)
    return client.get(reverse("dashboard"))


class TestDashboardAccess:
    def test_anonymous_people_are_sent_to_log_in(self, client):
        response = client.get(reverse("dashboard"))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]

    def test_customers_get_404(self, client, people):
        assert _page(client, people.dave).status_code == 404

    @pytest.mark.parametrize("who", ["alice", "bob", "carol"])
    def test_staff_and_admins_see_it(self, client, people, who):
        response = _page(client, getattr(people, who))
        assert response.status_code == 200
        assert b"Created vs resolved" in response.content

    def test_the_nav_links_to_it_for_staff_only(self, client, people):
        client.force_login(people.bob)
        assert reverse("dashboard").encode() in client.get(reverse("ticket_list")).content
        client.force_login(people.dave)
        assert reverse("dashboard").encode() not in client.get(reverse("portal")).content


class TestOpenTickets:
    def test_counts_open_tickets_by_status_and_team_leaving_out_resolved_and_spam(self, people):
        first = make_ticket(people.dave, people.category)
        second = make_ticket(people.dave, people.category)
        make_ticket(people.dave, people.category)
        actions.assign_ticket(ticket=first, actor=people.alice, assignee=people.bob, team=people.red)
        actions.add_message(ticket=second, actor=people.bob, body="On it", status="In progress")
        resolved = make_ticket(people.dave, people.category)
        actions.resolve_ticket(ticket=resolved, actor=people.bob, resolution_notes="Done")
        actions.mark_spam(ticket=make_ticket(people.erin, people.category), actor=people.bob)

        by_status = {row["status__name"]: row["count"] for row in reports.open_by_status(people.bob)}
        assert sum(by_status.values()) == 3
        assert by_status["In progress"] == 1
        by_team = {row["team__name"]: row["count"] for row in reports.open_by_team(people.bob)}
        assert by_team == {"Red": 1, None: 2}

    def test_restricted_staff_count_only_the_tickets_they_may_see(self, people):
        mine = make_ticket(people.dave, people.category)
        actions.assign_ticket(ticket=mine, actor=people.alice, assignee=people.carol, team=people.blue)
        make_ticket(people.dave, people.category)
        assert sum(row["count"] for row in reports.open_by_status(people.carol)) == 1
        assert sum(row["count"] for row in reports.open_by_status(people.bob)) == 2


class TestCreatedVsResolved:
    def test_counts_created_and_resolved_per_day_over_30_days(self, people):
        with time_machine.travel(NOW - timedelta(days=40), tick=False):
            make_ticket(people.dave, people.category)  # too old to count
        with time_machine.travel(NOW - timedelta(days=2), tick=False):
            a = make_ticket(people.dave, people.category)
            make_ticket(people.dave, people.category)
        with time_machine.travel(NOW - timedelta(days=1), tick=False):
            actions.resolve_ticket(ticket=a, actor=people.bob, resolution_notes="Fixed")
        with time_machine.travel(NOW, tick=False):
            series = reports.created_vs_resolved(people.bob)
        assert len(series) == 30
        assert series[-1].day == timezone.localdate(NOW)
        by_day = {d.day: (d.created, d.resolved) for d in series}
        assert by_day[(NOW - timedelta(days=2)).date()] == (2, 0)
        assert by_day[(NOW - timedelta(days=1)).date()] == (0, 1)
        assert sum(d.created for d in series) == 2
        tallest = max(series, key=lambda d: d.created)
        assert tallest.created_height == reports.CHART_HEIGHT

    def test_the_chart_is_an_accessible_svg_without_style_attributes(self, client, people):
        make_ticket(people.dave, people.category)
        html = _page(client, people.bob).content.decode()
        assert 'role="img"' in html and '<title id="dash-chart-title">' in html
        assert "style=" not in html
        assert "<script>" not in html


class TestSlaBreaches:
    def test_counts_overdue_open_tickets_and_lists_the_ten_most_overdue_first(self, people):
        tickets = [make_ticket(people.dave, people.category, subject=f"Late {n}") for n in range(12)]
        for n, ticket in enumerate(tickets):
            Ticket.objects.filter(pk=ticket.pk).update(overdue=True, sla_due_at=NOW - timedelta(hours=n + 1))
        make_ticket(people.dave, people.category, subject="On time")
        count, worst = reports.sla_breaches(people.bob)
        assert count == 12
        assert len(worst) == 10
        assert worst[0]["subject"] == "Late 11"

    def test_resolved_tickets_are_not_breaches(self, people, ticket):
        Ticket.objects.filter(pk=ticket.pk).update(overdue=True, sla_due_at=NOW)
        actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="Done")
        assert reports.sla_breaches(people.bob)[0] == 0


class TestMedianFirstResponse:
    def test_is_the_median_over_tickets_of_the_last_30_days(self, people):
        waits = [timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=2)]
        with time_machine.travel(NOW - timedelta(days=3), tick=False):
            for wait in waits:
                t = make_ticket(people.dave, people.category)
                Ticket.objects.filter(pk=t.pk).update(first_response_at=t.created_at + wait)
        with time_machine.travel(NOW - timedelta(days=60), tick=False):
            old = make_ticket(people.dave, people.category)
            Ticket.objects.filter(pk=old.pk).update(first_response_at=old.created_at + timedelta(days=9))
        make_ticket(people.dave, people.category)  # no response yet: not counted
        with time_machine.travel(NOW, tick=False):
            assert reports.median_first_response(people.bob) == timedelta(minutes=30)

    def test_is_none_without_responses(self, people, ticket):
        assert reports.median_first_response(people.bob) is None

    def test_formats_durations_shortly(self):
        assert reports.format_duration(timedelta(minutes=30)) == "30 min"
        assert reports.format_duration(timedelta(hours=2, minutes=5)) == "2 h 05 min"
        assert reports.format_duration(timedelta(days=3, hours=4)) == "3 d 4 h"
        assert reports.format_duration(None) == ""


class TestCsat:
    def _answered(self, people, rating, comment=""):
        ticket = make_ticket(people.dave, people.category)
        actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="Done")
        actions.answer_survey(ticket=ticket, actor=people.dave, rating=rating, comment=comment)
        return ticket

    def test_averages_answered_surveys_and_shows_recent_comments(self, client, people):
        self._answered(people, 5, "Great help")
        self._answered(people, 2)
        unanswered = make_ticket(people.dave, people.category)
        actions.resolve_ticket(ticket=unanswered, actor=people.bob, resolution_notes="Done")
        result = reports.csat(people.bob)
        assert result["count"] == 2
        assert result["average"] == pytest.approx(3.5)
        assert [c["comment"] for c in result["comments"]] == ["Great help"]
        html = _page(client, people.bob).content.decode()
        assert "3.5" in html and "Great help" in html

    def test_restricted_staff_average_only_the_tickets_they_may_see(self, people):
        self._answered(people, 5)
        seen = self._answered(people, 1, "Slow")
        actions.assign_ticket(ticket=seen, actor=people.alice, assignee=people.carol, team=people.blue)
        result = reports.csat(people.carol)
        assert result["count"] == 1 and result["average"] == 1
        assert reports.csat(people.bob)["count"] == 2


class TestDashboardQueries:
    def test_query_count_does_not_grow_with_tickets(self, client, people, django_assert_max_num_queries):
        client.force_login(people.bob)
        make_ticket(people.dave, people.category)
        with django_assert_max_num_queries(14) as few:
            assert client.get(reverse("dashboard")).status_code == 200
        for n in range(15):
            t = make_ticket(people.erin, people.category, subject=f"More {n}")
            actions.assign_ticket(ticket=t, actor=people.alice, assignee=people.bob, team=people.red)
            Ticket.objects.filter(pk=t.pk).update(overdue=True, sla_due_at=NOW)
        for rating in (4, 5):
            t = make_ticket(people.dave, people.category)
            actions.resolve_ticket(ticket=t, actor=people.bob, resolution_notes="Done")
            actions.answer_survey(ticket=t, actor=people.dave, rating=rating, comment="ok")
        with django_assert_max_num_queries(14) as many:
            assert client.get(reverse("dashboard")).status_code == 200
        assert len(many.captured_queries) == len(few.captured_queries)
