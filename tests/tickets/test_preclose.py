"""The pre-close warning: one email, the set number of days before a resolved ticket closes by
itself, saying when and how to keep it open; again only after a new resolution."""

from datetime import timedelta

import pytest

from tests.factories import make_ticket
from tickets import actions
from tickets.jobs import JOBS, close_expired_resolved
from tickets.models import HelpdeskSettings, Ticket
from tickets.preclose import warn_before_auto_close

from .lifecycle_helpers import T0, fresh, resolve
from .test_jobs import in_threads

WINDOW_END = T0 + timedelta(days=7)  # the default reopen window
WARN_FROM = WINDOW_END - timedelta(days=1)  # the default: one day before


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def resolved(people, clock, mailoutbox):
    ticket = make_ticket(people.dave, people.category)
    resolve(ticket, people.bob)
    mailoutbox.clear()
    return ticket


def warnings(mailoutbox) -> list:
    return [mail for mail in mailoutbox if "Closing soon" in mail.subject]


def run_at(clock, commit, moment) -> int:
    clock.move_to(moment, tick=False)
    with commit():
        return warn_before_auto_close()


@pytest.mark.django_db
class TestWarnBeforeAutoClose:
    def test_the_requester_is_warned_once_a_day_before_the_close(self, resolved, clock, commit, mailoutbox):
        assert run_at(clock, commit, WARN_FROM - timedelta(seconds=1)) == 0
        assert run_at(clock, commit, WARN_FROM) == 1
        (mail,) = warnings(mailoutbox)
        assert mail.to == ["dave@example.com"]
        assert f"[#{resolved.pk}]" in mail.subject
        assert "closed automatically on Monday 9 March 2026, 09:00" in mail.body
        assert "reply to this email" in mail.body and f"/portal/tickets/{resolved.pk}/" in mail.body
        assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
        assert run_at(clock, commit, WARN_FROM + timedelta(hours=5)) == 0
        assert len(warnings(mailoutbox)) == 1
        assert fresh(resolved).preclose_warned_at == WARN_FROM

    def test_the_number_of_days_is_the_admins(self, resolved, clock, commit, mailoutbox):
        HelpdeskSettings.objects.filter(pk=1).update(preclose_warning_days=3)
        assert run_at(clock, commit, WINDOW_END - timedelta(days=3, seconds=1)) == 0
        assert run_at(clock, commit, WINDOW_END - timedelta(days=3)) == 1

    def test_zero_days_turns_it_off(self, resolved, clock, commit, mailoutbox):
        HelpdeskSettings.objects.filter(pk=1).update(preclose_warning_days=0)
        assert run_at(clock, commit, WARN_FROM + timedelta(hours=1)) == 0
        assert warnings(mailoutbox) == []

    def test_a_ticket_past_its_window_is_closed_not_warned(self, resolved, clock, commit, mailoutbox):
        assert run_at(clock, commit, WINDOW_END + timedelta(seconds=1)) == 0
        assert close_expired_resolved() == 1 and warnings(mailoutbox) == []

    def test_a_reply_reopens_it_and_a_new_resolution_warns_again(
        self, people, resolved, clock, commit, mailoutbox
    ):
        assert run_at(clock, commit, WARN_FROM) == 1
        clock.move_to(WARN_FROM + timedelta(hours=1), tick=False)
        with commit():
            actions.add_message(ticket=resolved, actor=people.dave, body="Still broken!")
        assert fresh(resolved).status.kind == "new" and fresh(resolved).preclose_warned_at is None
        resolve(resolved, people.bob)
        second_warning = WARN_FROM + timedelta(hours=1, days=6)
        assert run_at(clock, commit, second_warning - timedelta(seconds=1)) == 0
        assert run_at(clock, commit, second_warning) == 1
        assert len(warnings(mailoutbox)) == 2

    def test_tickets_in_other_statuses_are_not_warned(self, people, clock, commit, mailoutbox):
        make_ticket(people.dave, people.category)
        pending = make_ticket(people.dave, people.category)
        actions.request_closure(ticket=pending, actor=people.dave)
        assert run_at(clock, commit, WARN_FROM + timedelta(days=30)) == 0

    def test_nothing_goes_out_before_the_commit(
        self, resolved, clock, django_capture_on_commit_callbacks, mailoutbox
    ):
        clock.move_to(WARN_FROM, tick=False)
        with django_capture_on_commit_callbacks(execute=False) as queued:
            assert warn_before_auto_close() == 1
        assert len(queued) == 1 and warnings(mailoutbox) == []

    def test_an_inactive_requester_gets_nothing_but_the_ticket_is_marked(
        self, people, resolved, clock, commit, mailoutbox
    ):
        type(people.dave).objects.filter(pk=people.dave.pk).update(is_active=False)
        assert run_at(clock, commit, WARN_FROM) == 1
        assert warnings(mailoutbox) == [] and fresh(resolved).preclose_warned_at is not None

    def test_many_tickets_are_claimed_in_a_few_queries(
        self, people, clock, commit, mailoutbox, django_assert_max_num_queries
    ):
        tickets = [make_ticket(people.dave, people.category, subject=f"T{i}") for i in range(12)]
        for ticket in tickets:
            resolve(ticket, people.bob)
        clock.move_to(WARN_FROM, tick=False)
        # settings, resolved statuses, the locking select and the update of the claim, a savepoint
        # and its release
        with django_assert_max_num_queries(6):
            assert warn_before_auto_close() == 12
        assert Ticket.objects.filter(preclose_warned_at__isnull=True).count() == 0

    def test_the_lifecycle_jobs_warn_before_they_close(self):
        names = list(JOBS)
        assert names.index("preclose_warning") < names.index("auto_close")

    def test_the_setting_is_in_the_api(self, api, people):
        response = api(people.alice).patch("/api/v1/settings/", {"preclose_warning_days": 2}, format="json")
        assert response.status_code == 200 and response.json()["preclose_warning_days"] == 2
        assert HelpdeskSettings.load().preclose_warning_days == 2
        bad = api(people.alice).patch("/api/v1/settings/", {"preclose_warning_days": -1}, format="json")
        assert bad.status_code == 400 and HelpdeskSettings.load().preclose_warning_days == 2
        assert (
            api(people.bob)
            .patch("/api/v1/settings/", {"preclose_warning_days": 5}, format="json")
            .status_code
            == 403
        )


@pytest.mark.django_db(transaction=True)
class TestOverlappingRuns:
    def test_two_runs_at_once_warn_each_ticket_once(self, people, clock, mailoutbox):
        tickets = [make_ticket(people.dave, people.category, subject=f"T{i}") for i in range(10)]
        for ticket in tickets:
            resolve(ticket, people.bob)
        mailoutbox.clear()
        results, errors = in_threads(
            lambda: warn_before_auto_close(now=WARN_FROM), lambda: warn_before_auto_close(now=WARN_FROM)
        )
        assert errors == [] and sum(results) == 10
        assert len(warnings(mailoutbox)) == 10
