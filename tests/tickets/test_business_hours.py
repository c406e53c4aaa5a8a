"""Business-hours calendars of SLA plans (issue 11): due times count working time only, in the
calendar's time zone, skipping holidays and pending time, correct across daylight-saving changes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import make_ticket, priority
from tickets import actions
from tickets.actions.calendars import add_holiday, save_business_calendar
from tickets.actions.catalogue import save_sla_plan
from tickets.errors import ActionRefused
from tickets.jobs import JOBS
from tickets.models import BusinessCalendar, Holiday, SLAWarning
from tickets.sla import Hours, add_working_time, due_times, working_time_between
from tickets.sla_warnings import warn_before_breach

from .lifecycle_helpers import fresh, status

pytestmark = pytest.mark.django_db

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
WEEKDAYS_8_TO_18 = {str(day): [["08:00", "18:00"]] for day in range(5)}
HOUR = timedelta(hours=1)


def at(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


def office(zone="Europe/Berlin", holidays=()) -> Hours:
    return Hours(zone, WEEKDAYS_8_TO_18, holidays)


# --- The pure arithmetic ----------------------------------------------------------------------


class TestWorkingTime:
    def test_four_hours_raised_monday_at_five_are_due_tuesday_at_eleven(self):
        due = add_working_time(office(), at(BERLIN, 2026, 6, 1, 17), 4 * HOUR)
        assert due == at(BERLIN, 2026, 6, 2, 11)

    def test_time_before_opening_starts_counting_at_opening(self):
        due = add_working_time(office(), at(BERLIN, 2026, 6, 1, 6, 30), 2 * HOUR)
        assert due == at(BERLIN, 2026, 6, 1, 10)

    def test_the_weekend_does_not_count(self):
        due = add_working_time(office(), at(BERLIN, 2026, 6, 5, 16), 4 * HOUR)  # a Friday
        assert due == at(BERLIN, 2026, 6, 8, 10)

    def test_holidays_do_not_count(self):
        hours = office(holidays=[date(2026, 6, 2)])
        assert add_working_time(hours, at(BERLIN, 2026, 6, 1, 17), 4 * HOUR) == at(BERLIN, 2026, 6, 3, 11)

    def test_pauses_do_not_count(self):
        pause = (at(BERLIN, 2026, 6, 2, 8), at(BERLIN, 2026, 6, 2, 10))
        due = add_working_time(office(), at(BERLIN, 2026, 6, 1, 17), 4 * HOUR, [pause])
        assert due == at(BERLIN, 2026, 6, 2, 13)

    def test_split_days_count_each_range(self):
        hours = Hours("UTC", {"0": [["09:00", "12:00"], ["13:00", "17:00"]]})
        assert add_working_time(hours, at(UTC, 2026, 6, 1, 11), 2 * HOUR) == at(UTC, 2026, 6, 1, 14)

    def test_working_time_between_counts_only_open_hours(self):
        start, end = at(BERLIN, 2026, 6, 1, 17), at(BERLIN, 2026, 6, 2, 11)
        assert working_time_between(office(), start, end) == 4 * HOUR
        assert working_time_between(office(), end, start) == timedelta(0)

    def test_a_calendar_with_only_holidays_has_no_due_time(self):
        hours = Hours("UTC", {"0": [["08:00", "09:00"]]})
        hours.holidays = frozenset(date(2026, 6, 1) + timedelta(days=n) for n in range(0, 3 * 366 + 8))
        assert add_working_time(hours, at(UTC, 2026, 6, 1, 7), HOUR) is None

    def test_without_a_calendar_every_hour_counts(self):
        start = at(UTC, 2026, 6, 1, 17)
        assert add_working_time(None, start, 4 * HOUR) == start + 4 * HOUR


class TestDaylightSaving:
    """Working hours are wall-clock hours in the calendar's zone, whatever the UTC offset does."""

    def test_berlin_spring_forward_weekend_keeps_opening_at_eight_local(self):
        # 29 March 2026: clocks go from 02:00 to 03:00 CET→CEST.
        due = add_working_time(office(), at(BERLIN, 2026, 3, 27, 16), 4 * HOUR)
        assert due == at(BERLIN, 2026, 3, 30, 10)
        assert due.astimezone(UTC) == at(UTC, 2026, 3, 30, 8)  # UTC+2 after the switch

    def test_berlin_fall_back_weekend_keeps_opening_at_eight_local(self):
        # 25 October 2026: clocks go from 03:00 back to 02:00 CEST→CET.
        due = add_working_time(office(), at(BERLIN, 2026, 10, 23, 17), 2 * HOUR)
        assert due.astimezone(UTC) == at(UTC, 2026, 10, 26, 8)  # 09:00 CET

    def test_round_the_clock_calendar_counts_real_hours_over_the_short_berlin_day(self):
        hours = Hours("Europe/Berlin", {str(day): [["00:00", "24:00"]] for day in range(7)})
        start = at(BERLIN, 2026, 3, 28, 12)
        due = add_working_time(hours, start, 48 * HOUR)
        assert due - start == 48 * HOUR  # aware subtraction in UTC
        assert due.astimezone(BERLIN).hour == 13  # a wall-clock hour was skipped

    def test_new_york_spring_forward(self):
        # 8 March 2026: 02:00 EST→03:00 EDT.
        due = add_working_time(office("America/New_York"), at(NEW_YORK, 2026, 3, 6, 17), 4 * HOUR)
        assert due.astimezone(UTC) == at(UTC, 2026, 3, 9, 15)  # 11:00 EDT (UTC-4)

    def test_new_york_fall_back(self):
        # 1 November 2026: 02:00 EDT→01:00 EST.
        due = add_working_time(office("America/New_York"), at(NEW_YORK, 2026, 10, 30, 17), 2 * HOUR)
        assert due.astimezone(UTC) == at(UTC, 2026, 11, 2, 14)  # 09:00 EST (UTC-5)

    def test_a_working_range_across_the_switch_hour_counts_its_real_length(self):
        hours = Hours("Europe/Berlin", {"6": [["00:00", "06:00"]]})  # Sundays only
        start = at(BERLIN, 2026, 3, 29, 0)
        assert working_time_between(hours, start, at(BERLIN, 2026, 3, 29, 6)) == 5 * HOUR


# --- Through the actions ----------------------------------------------------------------------


@pytest.fixture
def calendar(people):
    return save_business_calendar(
        actor=people.alice, name="Berlin office", time_zone="Europe/Berlin", working_hours=WEEKDAYS_8_TO_18
    )


@pytest.fixture
def plan(people, calendar):
    return save_sla_plan(
        actor=people.alice,
        name="Normal 4h business",
        priority=priority("Normal"),
        first_response_hours=2,
        next_response_hours=1,
        resolution_hours=4,
        calendar=calendar,
    )


def open_ticket(people):
    return make_ticket(people.dave, people.category, actor=people.bob, priority=priority("Normal"))


class TestSlaWithCalendar:
    def test_a_new_ticket_is_due_in_working_hours(self, people, plan, time_machine):
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 17), tick=False)
        row = fresh(open_ticket(people))
        assert row.sla_due_at == at(BERLIN, 2026, 6, 2, 11)
        assert row.first_response_due_at == at(BERLIN, 2026, 6, 2, 9)

    def test_pending_time_moves_the_due_time_by_working_time_only(self, people, plan, time_machine):
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 9), tick=False)
        ticket = open_ticket(people)
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 10), tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 18, 30), tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        # 3 working hours were left at 10:00; counted again from the evening: Tuesday 11:00.
        assert fresh(ticket).sla_due_at == at(BERLIN, 2026, 6, 2, 11)

    def test_replanning_counts_past_pauses_as_intervals(self, people, plan, calendar, time_machine):
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 9), tick=False)
        ticket = open_ticket(people)
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 10), tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 12), tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        save_sla_plan(
            actor=people.alice,
            name="High 8h business",
            priority=priority("High"),
            resolution_hours=8,
            calendar=calendar,
        )
        actions.update_ticket_fields(ticket=fresh(ticket), actor=people.bob, priority=priority("High"))
        # 8 working hours from 09:00 minus the 10:00-12:00 pause: Tuesday 09:00.
        assert fresh(ticket).sla_due_at == at(BERLIN, 2026, 6, 2, 9)

    def test_a_holiday_added_counts_for_tickets_planned_afterwards(
        self, people, plan, calendar, time_machine
    ):
        add_holiday(actor=people.alice, calendar=calendar, date=date(2026, 6, 2), name="Whit Tuesday")
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 17), tick=False)
        assert fresh(open_ticket(people)).sla_due_at == at(BERLIN, 2026, 6, 3, 11)


class TestNextResponseWithCalendar:
    """The next response (1 working hour here) after a customer's reply, in the calendar's hours."""

    def answered(self, people, time_machine, when):
        time_machine.move_to(when, tick=False)
        ticket = open_ticket(people)
        actions.add_message(ticket=ticket, actor=people.bob, body="We are on it")
        return ticket

    def reply(self, people, time_machine, ticket, when):
        time_machine.move_to(when, tick=False)
        actions.add_message(ticket=ticket, actor=people.dave, body="Still broken")

    def test_it_counts_working_hours_across_the_spring_forward_weekend(self, people, plan, time_machine):
        ticket = self.answered(people, time_machine, at(BERLIN, 2026, 3, 27, 10))  # a Friday
        self.reply(people, time_machine, ticket, at(BERLIN, 2026, 3, 27, 17, 30))
        due = fresh(ticket).next_response_due_at
        assert due == at(BERLIN, 2026, 3, 30, 8, 30)  # half an hour Friday, half Monday
        assert due.astimezone(UTC) == at(UTC, 2026, 3, 30, 6, 30)  # CEST (UTC+2) by Monday

    def test_pending_time_moves_it_by_working_time_only(self, people, plan, time_machine):
        ticket = self.answered(people, time_machine, at(BERLIN, 2026, 6, 1, 9))
        self.reply(people, time_machine, ticket, at(BERLIN, 2026, 6, 1, 9, 30))  # due 10:30
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 10), tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 18, 30), tick=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        assert fresh(ticket).next_response_due_at == at(BERLIN, 2026, 6, 2, 8, 30)  # 30 min were left

    def test_a_reply_after_hours_is_due_an_hour_into_the_next_working_day(self, people, plan, time_machine):
        ticket = self.answered(people, time_machine, at(BERLIN, 2026, 6, 5, 12))  # a Friday
        self.reply(people, time_machine, ticket, at(BERLIN, 2026, 6, 5, 20))
        assert fresh(ticket).next_response_due_at == at(BERLIN, 2026, 6, 8, 9)


class TestCalendarActions:
    @pytest.mark.parametrize(
        ("field", "kwargs"),
        [
            ("time_zone", {"time_zone": "Mars/Olympus"}),
            ("working_hours", {"working_hours": {"7": [["08:00", "18:00"]]}}),
            ("working_hours", {"working_hours": {"0": [["18:00", "08:00"]]}}),
            ("working_hours", {"working_hours": {"0": [["08:00", "12:00"], ["11:00", "13:00"]]}}),
            ("working_hours", {"working_hours": {"0": [["8am", "6pm"]]}}),
            ("working_hours", {"working_hours": {}}),
            ("working_hours", {"working_hours": ["08:00"]}),
        ],
    )
    def test_bad_calendars_are_refused_and_nothing_is_written(self, people, field, kwargs):
        values = {"name": "Bad", "time_zone": "UTC", "working_hours": WEEKDAYS_8_TO_18} | kwargs
        with pytest.raises(ActionRefused) as refused:
            save_business_calendar(actor=people.alice, **values)
        assert refused.value.field == field
        assert not BusinessCalendar.objects.exists()

    @pytest.mark.parametrize("who", ["bob", "carol", "dave"])
    def test_only_admins_change_calendars(self, people, who):
        with pytest.raises(ActionRefused) as refused:
            save_business_calendar(actor=getattr(people, who), name="X", time_zone="UTC", working_hours={})
        assert refused.value.code == "forbidden"
        assert not BusinessCalendar.objects.exists()

    def test_a_day_is_a_holiday_once(self, people, calendar):
        add_holiday(actor=people.alice, calendar=calendar, date=date(2026, 12, 25), name="Christmas")
        with pytest.raises(ActionRefused):
            add_holiday(actor=people.alice, calendar=calendar, date=date(2026, 12, 25))
        assert Holiday.objects.count() == 1


class TestCalendarApi:
    url = "/api/v1/business-calendars/"

    def test_admin_adds_a_calendar_and_a_holiday(self, api, people):
        response = api(people.alice).post(
            self.url,
            {"name": "NY", "time_zone": "America/New_York", "working_hours": WEEKDAYS_8_TO_18},
            format="json",
        )
        assert response.status_code == 201, response.content
        calendar_id = response.json()["id"]
        response = api(people.alice).post(
            f"{self.url}{calendar_id}/holidays/",
            {"date": "2026-07-03", "name": "Independence Day"},
            format="json",
        )
        assert response.status_code == 201
        listed = api(people.bob).get(self.url).json()
        assert listed[0]["holidays"][0]["date"] == "2026-07-03"

    def test_bad_input_is_a_400_and_writes_nothing(self, api, people):
        response = api(people.alice).post(
            self.url,
            {"name": "NY", "time_zone": "Nowhere/City", "working_hours": WEEKDAYS_8_TO_18},
            format="json",
        )
        assert response.status_code == 400 and "time_zone" in response.json()
        assert not BusinessCalendar.objects.exists()

    @pytest.mark.parametrize(("who", "code"), [("bob", 403), ("dave", 403), (None, 403)])
    def test_non_admins_cannot_add_calendars(self, api, people, who, code):
        client = api(getattr(people, who)) if who else api()
        response = client.post(
            self.url, {"name": "X", "time_zone": "UTC", "working_hours": {}}, format="json"
        )
        assert response.status_code in {code, 401}
        assert not BusinessCalendar.objects.exists()

    def test_customers_cannot_list_calendars(self, api, people):
        assert api(people.dave).get(self.url).status_code == 403

    def test_sla_plans_show_their_calendar(self, api, people, plan, calendar):
        rows = api(people.bob).get("/api/v1/sla-plans/").json()
        row = next(r for r in rows if r["id"] == plan.pk)
        assert row["calendar"] == {"id": calendar.pk, "name": "Berlin office"}


class TestSlaTimeline:
    def test_the_staff_page_shows_when_the_clock_ran_and_paused(self, client, people, plan, time_machine):
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 9), tick=False)
        ticket = open_ticket(people)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        client.force_login(people.bob)
        html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        assert "SLA timeline" in html and "Berlin office" in html
        assert html.count("sla-timeline-running") == 2 and html.count("sla-timeline-paused") == 1
        assert "waiting, the time does not count" in html

    def test_no_timeline_without_a_plan(self, client, people):
        ticket = open_ticket(people)
        client.force_login(people.bob)
        assert "SLA timeline" not in client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()


def test_due_times_without_a_plan_are_none():
    assert due_times(None, at(UTC, 2026, 6, 1)) == (None, None)


class TestBreachWarning:
    @pytest.fixture
    def assigned(self, people, plan, time_machine):
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 9), tick=False)
        ticket = open_ticket(people)
        actions.assign_ticket(ticket=ticket, actor=people.alice, assignee=people.bob)
        return ticket  # due 13:00 Berlin

    def warned(self, mailoutbox):
        return [m for m in mailoutbox if "SLA deadline approaching" in m.subject]

    def test_the_assignee_is_warned_once_within_the_lead_time(
        self, people, assigned, time_machine, mailoutbox, django_capture_on_commit_callbacks
    ):
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 11, 30), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert warn_before_breach() == 0  # 90 minutes ahead: not yet
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 12, 15), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert warn_before_breach() == 1
            assert warn_before_breach() == 0
        (mail,) = self.warned(mailoutbox)
        assert mail.to == ["bob@example.com"] and f"#{assigned.pk}" in mail.subject

    def test_paused_unassigned_or_past_due_tickets_are_not_warned(self, people, assigned, time_machine):
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 12, 15), tick=False)
        actions.transition_ticket(ticket=assigned, actor=people.bob, status=status("pending"))
        assert warn_before_breach() == 0
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 14), tick=False)
        assert warn_before_breach() == 0
        assert not SLAWarning.objects.exists()

    def test_a_warning_queued_before_a_pause_is_not_sent(
        self, people, assigned, time_machine, mailoutbox, django_capture_on_commit_callbacks
    ):
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 12, 15), tick=False)
        with django_capture_on_commit_callbacks() as queued:
            assert warn_before_breach() == 1
        actions.transition_ticket(ticket=assigned, actor=people.bob, status=status("pending"))
        mailoutbox.clear()
        for send in queued:  # the task runs after the pause: the clock no longer runs
            send()
        assert self.warned(mailoutbox) == []

    def test_the_assignee_is_warned_before_the_next_response_due_time(
        self, people, assigned, time_machine, mailoutbox, django_capture_on_commit_callbacks
    ):
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 9, 10), tick=False)
        actions.add_message(ticket=assigned, actor=people.bob, body="Looking")
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 9, 20), tick=False)
        actions.add_message(ticket=assigned, actor=people.dave, body="Any news?")  # due 10:20
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 9, 30), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert warn_before_breach() == 1  # the resolution (13:00) is not near yet
            assert warn_before_breach() == 0
        (mail,) = self.warned(mailoutbox)
        assert mail.to == ["bob@example.com"]
        assert "- Next response due Monday 1 June 2026, 08:20 UTC" in mail.body
        assert mail.body.index("Next response due") < mail.body.index("Resolution due")
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 12, 15), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert warn_before_breach() == 1  # now the resolution
        assert len(self.warned(mailoutbox)) == 2
        assert SLAWarning.objects.filter(ticket=assigned).count() == 2

    def test_a_next_response_met_in_time_is_not_warned(self, people, assigned, time_machine):
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 9, 10), tick=False)
        actions.add_message(ticket=assigned, actor=people.bob, body="Looking")
        actions.add_message(ticket=assigned, actor=people.dave, body="Any news?")  # due 10:10
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 9, 20), tick=False)
        actions.add_message(ticket=assigned, actor=people.bob, body="Answered")
        time_machine.move_to(at(BERLIN, 2026, 6, 1, 9, 30), tick=False)
        assert warn_before_breach() == 0

    def test_it_is_a_lifecycle_job(self):
        assert JOBS["sla_warning"] is warn_before_breach
