"""Recurring tickets: schedules in local time (right across DST switches), the job that opens
one ticket per occurrence through the actions, its idempotence, and the admin."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import priority
from tickets.actions.recurring import open_due_recurring_tickets, open_recurring_ticket, plan_recurring_ticket
from tickets.jobs import JOBS
from tickets.models import RecurringRun, RecurringTicket, Ticket
from tickets.recurring import check_schedule, next_occurrence

from .lifecycle_helpers import events
from .test_jobs import in_threads


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def schedule(**fields) -> RecurringTicket:
    """An unsaved schedule: the date arithmetic needs no database."""
    defaults = {"schedule": "daily", "time_of_day": time(9, 0), "time_zone": "Europe/Berlin"}
    return RecurringTicket(**{**defaults, **fields})


def occurrences(recurring, after, count) -> list[datetime]:
    found = []
    for _ in range(count):
        after = next_occurrence(recurring, after)
        found.append(after)
    return found


class TestNextOccurrence:
    def test_daily_keeps_the_local_time_across_the_spring_switch(self):
        # Europe/Berlin moves from +01:00 to +02:00 on 29 March 2026.
        found = occurrences(schedule(), utc(2026, 3, 27, 12, 0), 3)
        assert found == [utc(2026, 3, 28, 8, 0), utc(2026, 3, 29, 7, 0), utc(2026, 3, 30, 7, 0)]

    def test_a_local_time_the_spring_switch_skips_happens_once_an_hour_later(self):
        found = occurrences(schedule(time_of_day=time(2, 30)), utc(2026, 3, 28, 2, 0), 2)
        # 02:30 does not exist on the 29th: it happens at 03:30 local (01:30 UTC), once.
        assert found == [utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]

    def test_a_local_time_the_autumn_switch_repeats_happens_once(self):
        # On 25 October 2026 02:30 happens at +02:00 and again at +01:00: only the first counts.
        found = occurrences(schedule(time_of_day=time(2, 30)), utc(2026, 10, 24, 12, 0), 2)
        assert found == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]

    def test_weekly_on_a_weekday_in_new_york_across_its_switch(self):
        recurring = schedule(
            schedule="weekly", weekday=0, time_of_day=time(8, 0), time_zone="America/New_York"
        )
        found = occurrences(recurring, utc(2026, 3, 6, 12, 0), 2)  # a Friday; DST starts Sunday 8 March
        assert found == [utc(2026, 3, 9, 12, 0), utc(2026, 3, 16, 12, 0)]

    def test_monthly_on_a_day_a_month_lacks_falls_on_its_last_day(self):
        recurring = schedule(schedule="monthly", day_of_month=31, time_zone="UTC")
        found = occurrences(recurring, utc(2026, 1, 31, 10, 0), 3)
        assert found == [utc(2026, 2, 28, 9, 0), utc(2026, 3, 31, 9, 0), utc(2026, 4, 30, 9, 0)]

    def test_cron_on_working_days_in_local_time(self):
        recurring = schedule(schedule="cron", cron="0 9 * * 1-5")
        found = occurrences(recurring, utc(2026, 3, 27, 10, 0), 2)  # Friday, after 09:00 local
        assert found == [utc(2026, 3, 30, 7, 0), utc(2026, 3, 31, 7, 0)]

    def test_an_hourly_cron_stays_hourly_through_the_spring_switch(self):
        recurring = schedule(schedule="cron", cron="30 * * * *")
        found = occurrences(recurring, utc(2026, 3, 28, 23, 0), 4)
        assert found == [
            utc(2026, 3, 28, 23, 30),
            utc(2026, 3, 29, 0, 30),
            utc(2026, 3, 29, 1, 30),
            utc(2026, 3, 29, 2, 30),
        ]

    def test_the_next_occurrence_is_strictly_after(self):
        assert next_occurrence(schedule(time_zone="UTC"), utc(2026, 5, 1, 9, 0)) == utc(2026, 5, 2, 9, 0)


class TestCheckSchedule:
    @pytest.mark.parametrize(
        "fields, field",
        [
            ({"time_zone": "Mars/Olympus"}, "time_zone"),
            ({"time_zone": "../../etc/passwd"}, "time_zone"),
            ({"schedule": "weekly"}, "weekday"),
            ({"schedule": "monthly"}, "day_of_month"),
            ({"schedule": "cron", "cron": "61 * * * *"}, "cron"),
            ({"schedule": "cron", "cron": "* * * *"}, "cron"),
            ({"schedule": "cron", "cron": "0 0 * * * *"}, "cron"),
            ({"schedule": "cron", "cron": ""}, "cron"),
            ({"schedule": "hourly"}, "schedule"),
        ],
    )
    def test_a_schedule_that_cannot_be_followed_is_refused(self, fields, field):
        with pytest.raises(ValidationError) as refused:
            check_schedule(schedule(**fields))
        assert field in refused.value.message_dict

    def test_a_valid_cron_passes(self):
        check_schedule(schedule(schedule="cron", cron="*/15 8-17 * * mon-fri"))


T0 = utc(2026, 3, 2, 6, 0)  # a Monday, 07:00 in Berlin


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def recurring(people, clock):
    row = RecurringTicket.objects.create(
        name="Weekly backup check",
        schedule="daily",
        time_of_day=time(9, 0),
        time_zone="Europe/Berlin",
        subject="Check the backups",
        description="Open the backup report and *confirm* last night's run.",
        category=people.category,
        priority=priority("High"),
        team=people.red,
        assignee=people.bob,
        requester=people.dave,
        created_by=people.alice,
    )
    return plan_recurring_ticket(row)


FIRST = utc(2026, 3, 2, 8, 0)  # 09:00 in Berlin


@pytest.mark.django_db
class TestOpenRecurringTickets:
    def test_saving_plans_the_next_occurrence(self, recurring):
        assert recurring.next_run_at == FIRST
        assert RecurringTicket.objects.get(pk=recurring.pk).next_run_at == FIRST

    def test_nothing_opens_before_it_is_due(self, recurring, clock):
        clock.move_to(FIRST - timedelta(seconds=1), tick=False)
        assert open_due_recurring_tickets() == 0 and not Ticket.objects.exists()

    def test_a_due_schedule_opens_a_ticket_from_its_template(self, people, recurring, clock):
        clock.move_to(FIRST + timedelta(minutes=5), tick=False)
        assert open_due_recurring_tickets() == 1
        ticket = Ticket.objects.select_related("status", "priority").get()
        assert (ticket.subject, ticket.requester, ticket.category) == (
            "Check the backups",
            people.dave,
            people.category,
        )
        assert "<em>confirm</em>" in ticket.description_html and ticket.priority.name == "High"
        assert (ticket.assignee, ticket.team, ticket.status.kind) == (people.bob, people.red, "new")
        (event,) = events(ticket, "recurring")
        assert event.actor == people.alice and event.after["id"] == recurring.pk
        run = RecurringRun.objects.get()
        assert (run.ticket, run.occurrence_at, run.error) == (ticket, FIRST, "")
        recurring.refresh_from_db()
        assert recurring.next_run_at == FIRST + timedelta(
            days=1
        ) and recurring.last_run_at == FIRST + timedelta(minutes=5)

    def test_running_again_opens_nothing(self, recurring, clock):
        clock.move_to(FIRST + timedelta(minutes=5), tick=False)
        assert open_due_recurring_tickets() == 1
        assert open_due_recurring_tickets() == 0
        assert open_recurring_ticket(recurring_id=recurring.pk) is None
        assert Ticket.objects.count() == 1

    def test_an_occurrence_claimed_already_opens_nothing_and_the_schedule_moves_on(self, recurring, clock):
        RecurringRun.objects.create(recurring=recurring, occurrence_at=FIRST)
        clock.move_to(FIRST + timedelta(minutes=5), tick=False)
        assert open_due_recurring_tickets() == 0 and not Ticket.objects.exists()
        recurring.refresh_from_db()
        assert recurring.next_run_at == FIRST + timedelta(days=1)

    def test_missed_occurrences_are_caught_up_by_one_ticket(self, recurring, clock):
        clock.move_to(FIRST + timedelta(days=3, hours=2), tick=False)
        assert open_due_recurring_tickets() == 1
        recurring.refresh_from_db()
        assert recurring.next_run_at == FIRST + timedelta(days=4)
        assert open_due_recurring_tickets() == 0

    def test_a_template_the_desk_refuses_leaves_the_reason_and_moves_on(self, people, recurring, clock):
        type(people.category).objects.filter(pk=people.category.pk).update(active=False)
        clock.move_to(FIRST + timedelta(minutes=1), tick=False)
        assert open_due_recurring_tickets() == 0 and not Ticket.objects.exists()
        run = RecurringRun.objects.get()
        assert run.ticket is None and run.error == "category: Choose a category."
        recurring.refresh_from_db()
        assert recurring.next_run_at == FIRST + timedelta(days=1)

    def test_an_inactive_assignee_refuses_the_whole_ticket(self, people, recurring, clock):
        type(people.bob).objects.filter(pk=people.bob.pk).update(is_active=False)
        clock.move_to(FIRST + timedelta(minutes=1), tick=False)
        assert open_due_recurring_tickets() == 0 and not Ticket.objects.exists()
        assert "assignee" in RecurringRun.objects.get().error

    def test_a_switched_off_schedule_opens_nothing(self, recurring, clock):
        RecurringTicket.objects.filter(pk=recurring.pk).update(active=False)
        clock.move_to(FIRST + timedelta(minutes=1), tick=False)
        assert open_due_recurring_tickets() == 0

    def test_a_staff_requester_gets_an_internal_ticket(self, people, recurring, clock):
        RecurringTicket.objects.filter(pk=recurring.pk).update(
            requester=people.alice, assignee=None, team=None
        )
        clock.move_to(FIRST + timedelta(minutes=1), tick=False)
        assert open_due_recurring_tickets() == 1
        assert Ticket.objects.get().requester == people.alice

    def test_the_lifecycle_jobs_include_it(self):
        assert JOBS["recurring_tickets"] is open_due_recurring_tickets


@pytest.mark.django_db(transaction=True)
class TestOverlappingRuns:
    def test_two_runs_at_once_open_one_ticket(self, recurring, clock):
        now = FIRST + timedelta(minutes=1)
        results, errors = in_threads(
            lambda: open_due_recurring_tickets(now=now), lambda: open_due_recurring_tickets(now=now)
        )
        assert errors == [] and sorted(results) == [0, 1]
        assert Ticket.objects.count() == 1 and RecurringRun.objects.count() == 1


def admin_form(people, **changes) -> dict:
    return {
        "name": "Monthly report",
        "schedule": "monthly",
        "day_of_month": "31",
        "cron": "",
        "time_of_day": "09:00",
        "time_zone": "Europe/Berlin",
        "subject": "Monthly report",
        "description": "Send it",
        "category": people.category.pk,
        "requester": people.dave.pk,
        "created_by": people.alice.pk,
        "active": "on",
        "created_at_0": "2026-03-02",
        "created_at_1": "06:00:00",
        "runs-TOTAL_FORMS": "0",
        "runs-INITIAL_FORMS": "0",
        "runs-MIN_NUM_FORMS": "0",
        "runs-MAX_NUM_FORMS": "0",
        **changes,
    }


@pytest.mark.django_db
class TestAdmin:
    @pytest.mark.parametrize(
        "changes, message",
        [
            ({"schedule": "cron", "cron": "0 9 30 2 *"}, "never happens"),
            ({"assignee": "dave"}, "active staff"),
            ({"created_by": "erin"}, "active staff"),
        ],
        ids=["a cron that never fires", "a customer as assignee", "a customer as opener"],
    )
    def test_the_template_is_checked_as_the_api_checks_it(self, client, people, clock, changes, message):
        client.force_login(people.alice)
        changes = {k: getattr(people, v).pk if v in ("dave", "erin") else v for k, v in changes.items()}
        response = client.post(reverse("admin:tickets_recurringticket_add"), admin_form(people, **changes))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not RecurringTicket.objects.exists()

    def test_a_type_outside_the_category_is_refused(self, client, people, clock):
        from tickets.models import Category, TicketType

        other = TicketType.objects.create(category=Category.objects.create(name="Elsewhere"), name="Stray")
        client.force_login(people.alice)
        form = admin_form(people, type=other.pk)
        response = client.post(reverse("admin:tickets_recurringticket_add"), form)
        assert response.status_code == 200 and not RecurringTicket.objects.exists()

    def test_admins_configure_a_schedule_and_it_is_planned(self, client, people, clock):
        client.force_login(people.alice)
        response = client.post(reverse("admin:tickets_recurringticket_add"), admin_form(people))
        assert response.status_code == 302, response.content.decode()[:3000]
        assert RecurringTicket.objects.get().next_run_at == utc(2026, 3, 31, 7, 0)

    def test_a_bad_cron_is_shown_not_saved(self, client, people, clock):
        client.force_login(people.alice)
        response = client.post(
            reverse("admin:tickets_recurringticket_add"),
            {
                "name": "X",
                "schedule": "cron",
                "cron": "every day",
                "time_of_day": "09:00",
                "time_zone": "UTC",
            },
        )
        assert response.status_code == 200 and not RecurringTicket.objects.exists()
