"""The SLA overdue sweep (SPEC §6, §10): flags breaches, unflags what is no longer late,
idempotent, constant in queries, and never waits for a ticket an action holds."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tests.factories import make_ticket, priority
from tickets import actions
from tickets.actions.catalogue import save_sla_plan
from tickets.jobs import flag_overdue
from tickets.models import Ticket
from tickets.tasks import flag_overdue_task

from .lifecycle_helpers import T0, fresh, status

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def plans(people):
    """High: first response in 4h, resolution in 24h; Normal: 8h and 72h."""
    for name, first, resolution in (("High", 4, 24), ("Normal", 8, 72)):
        save_sla_plan(
            actor=people.alice,
            name=name,
            priority=priority(name),
            first_response_hours=first,
            resolution_hours=resolution,
        )


def open_ticket(people, prio="Normal", answered=True):
    """A ticket bob opened for dave now, answered at once unless told otherwise."""
    ticket = make_ticket(people.dave, people.category, actor=people.bob, priority=priority(prio))
    if answered:
        actions.add_message(ticket=ticket, actor=people.bob, body="We are on it")
    return ticket


def flags(*tickets) -> list[bool]:
    return [fresh(t).overdue for t in tickets]


class TestFlagOverdue:
    def test_it_flags_tickets_past_their_resolution_due_time(self, people, plans, clock):
        late, fine = open_ticket(people, "High"), open_ticket(people)
        clock.move_to(T0 + 25 * HOUR, tick=False)
        assert flag_overdue() == 1
        assert flags(late, fine) == [True, False]

    def test_it_flags_a_missed_first_response(self, people, plans, clock):
        silent, answered = open_ticket(people, answered=False), open_ticket(people)
        clock.move_to(T0 + 9 * HOUR, tick=False)
        assert flag_overdue() == 1
        assert flags(silent, answered) == [True, False]

    def test_a_due_time_is_late_only_once_passed(self, people, plans, clock):
        ticket = open_ticket(people, "High")
        assert flag_overdue(now=T0 + 24 * HOUR) == 0
        assert flag_overdue(now=T0 + 24 * HOUR + timedelta(seconds=1)) == 1
        assert flags(ticket) == [True]

    def test_a_second_run_changes_nothing(self, people, plans, clock):
        late = open_ticket(people, "High")
        clock.move_to(T0 + 25 * HOUR, tick=False)
        assert flag_overdue() == 1
        updated = fresh(late).updated_at
        assert flag_overdue() == 0
        assert flags(late) == [True] and fresh(late).updated_at == updated

    def test_it_unflags_a_stale_flag(self, people, plans, clock):
        ticket = open_ticket(people)
        # A flag left over from before an action moved the due time (e.g. written by an older
        # release): the sweep is the safety net that puts it right.
        Ticket.objects.filter(pk=ticket.pk).update(overdue=True)
        assert flag_overdue() == 0
        assert flags(ticket) == [False]

    def test_a_ticket_whose_priority_relaxed_stays_unflagged(self, people, plans, clock):
        ticket = open_ticket(people, "High")
        clock.move_to(T0 + 25 * HOUR, tick=False)
        flag_overdue()
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("Normal"))
        assert flag_overdue() == 0
        assert flags(ticket) == [False]

    @pytest.mark.parametrize("kind", ["pending", "resolved", "closed", "pending_closure", "spam", "deleted"])
    def test_tickets_whose_clock_does_not_run_are_never_flagged(self, people, plans, clock, kind):
        ticket = open_ticket(people, "High", answered=False)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status(kind))
        clock.move_to(T0 + 100 * HOUR, tick=False)
        assert flag_overdue() == 0
        assert flags(ticket) == [False]

    def test_tickets_without_a_plan_are_never_flagged(self, people, clock):
        ticket = open_ticket(people, answered=False)
        clock.move_to(T0 + 1000 * HOUR, tick=False)
        assert flag_overdue() == 0
        assert flags(ticket) == [False]

    def test_small_batches_reach_every_ticket(self, people, plans, clock):
        late = [open_ticket(people, "High") for _ in range(5)]
        clock.move_to(T0 + 25 * HOUR, tick=False)
        assert flag_overdue(batch=2) == 5
        Ticket.objects.filter(pk__in=[t.pk for t in late]).update(sla_due_at=T0 + 100 * HOUR)
        assert flag_overdue(batch=2) == 0
        assert flags(*late) == [False] * 5

    def test_progress_is_reported_with_the_running_total(self, people, plans, clock):
        for _ in range(3):
            open_ticket(people, "High")
        clock.move_to(T0 + 25 * HOUR, tick=False)
        seen = []
        assert flag_overdue(batch=2, progress=seen.append) == 3
        assert seen == [2, 3]

    def test_query_count_does_not_grow_with_tickets(self, people, plans, clock, django_assert_num_queries):
        # 3 queries: the ids of the running statuses, then one claim-and-update per direction.
        open_ticket(people, "High")
        clock.move_to(T0 + 25 * HOUR, tick=False)
        with django_assert_num_queries(3):
            assert flag_overdue() == 1
        for _ in range(20):
            open_ticket(people, "High")
        clock.move_to(T0 + 50 * HOUR, tick=False)
        with django_assert_num_queries(3):
            assert flag_overdue() == 20


class TestSweepEntryPoints:
    def test_the_lifecycle_command_runs_the_sweep(self, people, plans, clock, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        late = open_ticket(people, "High")
        clock.move_to(T0 + 25 * HOUR, tick=False)
        out = StringIO()
        call_command("run_lifecycle_jobs", stdout=out)
        assert "sla_overdue: 1 ticket(s) flagged overdue" in out.getvalue()
        assert flags(late) == [True]

    def test_the_celery_task_runs_the_sweep(self, people, plans, clock):
        late = open_ticket(people, "High")
        clock.move_to(T0 + 25 * HOUR, tick=False)
        assert flag_overdue_task() == 1  # direct: an eager .get() is refused inside a task context
        assert flags(late) == [True]


@pytest.mark.django_db(transaction=True)
class TestSweepAndLockedTickets:
    def test_a_ticket_an_action_holds_is_skipped_not_waited_for(self, people, plans, clock):
        held, free = open_ticket(people, "High"), open_ticket(people, "High")
        locked, release, errors = threading.Event(), threading.Event(), []

        def hold():
            try:
                with transaction.atomic():
                    Ticket.objects.select_for_update().filter(pk=held.pk).exists()
                    locked.set()
                    release.wait(30)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        holder = threading.Thread(target=hold)
        holder.start()
        try:
            assert locked.wait(30)
            assert flag_overdue(now=T0 + 25 * HOUR) == 1
        finally:
            release.set()
            holder.join(30)
        assert errors == []
        assert flags(held, free) == [False, True]
        assert flag_overdue(now=T0 + 25 * HOUR) == 1  # the next run catches up
        assert flags(held) == [True]
