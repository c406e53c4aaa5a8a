"""The periodic jobs of SPEC §10: right with the clock moved, idempotent, and safe to overlap."""

import threading
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tickets import actions
from tickets.errors import ActionRefused
from tickets.jobs import close_expired_resolved, flag_overdue, purge_due, run_all
from tickets.models import Message, Survey, Ticket, TicketEvent

from ..factories import make_ticket
from .lifecycle_helpers import T0, events, fresh, resolve, status

WINDOW_END = T0 + timedelta(days=7)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def resolved_tickets(people, count: int) -> list[Ticket]:
    tickets = [make_ticket(people.dave, people.category, subject=f"Case {i}") for i in range(count)]
    for ticket in tickets:
        resolve(ticket, people.bob)
    return tickets


def auto_closes(ticket) -> list[TicketEvent]:
    return [e for e in events(ticket, "status") if e.after.get("auto")]


class TestCloseExpiredResolved:
    def test_it_closes_only_tickets_past_their_window(self, people, clock):
        old, older = resolved_tickets(people, 2)
        clock.shift(timedelta(seconds=1))
        young = resolved_tickets(people, 1)[0]
        clock.move_to(WINDOW_END + timedelta(seconds=1), tick=False)
        assert close_expired_resolved() == 2
        assert fresh(old).status.kind == "closed" and fresh(older).status.kind == "closed"
        assert fresh(young).status.kind == "resolved"

    def test_a_ticket_exactly_at_the_end_of_its_window_is_kept(self, people, clock):
        (ticket,) = resolved_tickets(people, 1)
        clock.move_to(WINDOW_END, tick=False)
        assert close_expired_resolved() == 0 and fresh(ticket).status.kind == "resolved"

    def test_closing_records_history_without_an_actor(self, people, clock):
        (ticket,) = resolved_tickets(people, 1)
        now = WINDOW_END + timedelta(hours=1)
        clock.move_to(now, tick=False)
        assert close_expired_resolved() == 1
        (event,) = auto_closes(ticket)
        assert event.actor is None and event.at == now
        assert event.before["kind"] == "resolved" and event.after["kind"] == "closed"
        row = fresh(ticket)
        assert row.closed_at == now and row.updated_at == now and row.resolution_notes

    def test_the_open_survey_is_kept_and_a_missing_one_is_created(self, people, clock):
        answered, unanswered = resolved_tickets(people, 2)
        actions.answer_survey(ticket=answered, actor=people.dave, rating=5)
        Survey.objects.filter(ticket=unanswered).delete()  # e.g. resolved before surveys existed
        clock.move_to(WINDOW_END + timedelta(hours=1), tick=False)
        close_expired_resolved()
        assert Survey.objects.get(ticket=answered).rating == 5
        assert Survey.objects.filter(ticket=answered).count() == 1
        assert Survey.objects.filter(ticket=unanswered, answered_at__isnull=True).count() == 1

    def test_a_window_lengthened_by_the_admin_keeps_the_ticket_open(self, people, clock):
        (ticket,) = resolved_tickets(people, 1)
        actions.update_settings(actor=people.alice, reopen_window_days=14)
        clock.move_to(WINDOW_END + timedelta(days=1), tick=False)
        assert close_expired_resolved() == 0 and fresh(ticket).status.kind == "resolved"
        actions.add_message(ticket=ticket, actor=people.dave, body="Still here")
        assert fresh(ticket).status.kind == "new"

    def test_a_window_shortened_by_the_admin_closes_sooner(self, people, clock):
        (ticket,) = resolved_tickets(people, 1)
        actions.update_settings(actor=people.alice, reopen_window_days=1)
        clock.move_to(T0 + timedelta(days=1, seconds=1), tick=False)
        assert close_expired_resolved() == 1 and fresh(ticket).status.kind == "closed"

    def test_running_twice_closes_once(self, people, clock):
        tickets = resolved_tickets(people, 3)
        clock.move_to(WINDOW_END + timedelta(hours=1), tick=False)
        assert close_expired_resolved(batch=2) == 3
        assert close_expired_resolved(batch=2) == 0
        assert all(len(auto_closes(t)) == 1 for t in tickets)

    def test_its_queries_do_not_grow_with_the_number_of_tickets(self, people, clock):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def queries_to_close(count: int) -> int:
            resolved_tickets(people, count)
            clock.shift(timedelta(days=8))
            with CaptureQueriesContext(connection) as ctx:
                assert close_expired_resolved() == count
            return len(ctx.captured_queries)

        # settings, closed status, resolved statuses; then per batch one statement (plus its
        # savepoint), and one more batch that finds nothing.
        assert queries_to_close(1) == queries_to_close(25)

    def test_reopened_and_other_statuses_are_left_alone(self, people, clock):
        reopened, other = resolved_tickets(people, 2)
        actions.add_message(ticket=reopened, actor=people.dave, body="No")
        actions.transition_ticket(ticket=other, actor=people.bob, status=status("pending"))
        clock.move_to(WINDOW_END + timedelta(days=30), tick=False)
        assert close_expired_resolved() == 0

    def test_inside_the_job_a_customer_reply_after_the_window_was_already_refused(self, people, clock):
        (ticket,) = resolved_tickets(people, 1)
        clock.move_to(WINDOW_END + timedelta(minutes=1), tick=False)
        with pytest.raises(ActionRefused):
            actions.add_message(ticket=ticket, actor=people.dave, body="Late")
        assert close_expired_resolved() == 1


class TestFlagOverdue:
    def test_live_tickets_past_their_due_time_are_flagged_and_unflagged_when_it_moves(self, people, clock):
        late, pending, fine = (make_ticket(people.dave, people.category) for _ in range(3))
        actions.transition_ticket(ticket=pending, actor=people.bob, status=status("pending"))
        # No action sets SLA due times yet; the SLA plans will. Set them as such a plan would.
        Ticket.objects.filter(pk__in=[late.pk, pending.pk]).update(sla_due_at=T0 - timedelta(hours=1))
        Ticket.objects.filter(pk=fine.pk).update(sla_due_at=T0 + timedelta(hours=1))
        assert flag_overdue() == 1
        assert [fresh(t).overdue for t in (late, pending, fine)] == [True, False, False]
        assert flag_overdue() == 0
        Ticket.objects.filter(pk=late.pk).update(sla_due_at=T0 + timedelta(days=1))
        flag_overdue()
        assert not fresh(late).overdue


class TestRunLifecycleJobsCommand:
    def test_it_runs_every_job_once_and_says_what_it_did(self, people, clock, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        (expired,) = resolved_tickets(people, 1)
        scheduled = make_ticket(people.dave, people.category)
        actions.schedule_closure(ticket=scheduled, actor=people.bob, at=T0 + timedelta(hours=1))
        spam = make_ticket(people.erin, people.category)
        actions.mark_spam(ticket=spam, actor=people.bob)
        clock.move_to(T0 + timedelta(days=40), tick=False)
        out = StringIO()
        call_command("run_lifecycle_jobs", stdout=out)
        text = out.getvalue()
        assert "auto_close: 1 resolved ticket(s) closed" in text
        assert "scheduled_closures: 1 scheduled closure(s) fired" in text
        assert "purge: 1 ticket(s) purged" in text
        assert "sla_overdue: 0" in text and "orphan_files: 0" in text
        assert fresh(expired).status.kind == "closed" and fresh(scheduled).status.kind == "closed"
        assert not Ticket.objects.filter(pk=spam.pk).exists()
        out = StringIO()
        call_command("run_lifecycle_jobs", stdout=out)
        assert "auto_close: 0" in out.getvalue() and "purge: 0" in out.getvalue()

    def test_run_all_reports_each_job(self, people, clock, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        lifecycle = {"auto_close", "scheduled_closures", "purge", "sla_overdue", "orphan_files"}
        assert lifecycle <= set(run_all())  # other features add their own jobs


# --- Overlapping runs, against PostgreSQL with real concurrent transactions -----------------


def in_threads(*functions, timeout: float = 60):
    """Run the functions at once, each in its own thread and database connection."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def run(index, function):
        try:
            barrier.wait(timeout)
            results[index] = function()
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors


concurrent = pytest.mark.django_db(transaction=True)


@concurrent
class TestOverlappingRuns:
    def test_two_auto_close_runs_at_once_close_every_ticket_exactly_once(self, people, clock):
        tickets = resolved_tickets(people, 40)
        now = WINDOW_END + timedelta(hours=1)
        results, errors = in_threads(
            lambda: close_expired_resolved(now=now, batch=3), lambda: close_expired_resolved(now=now, batch=3)
        )
        assert errors == []
        assert sum(results) == 40
        for ticket in tickets:
            assert fresh(ticket).status.kind == "closed"
            assert len(auto_closes(ticket)) == 1
            assert Survey.objects.filter(ticket=ticket).count() == 1

    def test_two_purges_at_once_delete_every_ticket_once_even_when_linked(self, people, clock):
        from links.models import LinkType, TicketLink

        tickets = [make_ticket(people.dave, people.category) for _ in range(30)]
        for left, right in zip(tickets, tickets[1:], strict=False):
            TicketLink.objects.create(source=left, target=right, type=LinkType.PARENT_OF)
            TicketLink.objects.create(source=right, target=left, type=LinkType.CHILD_OF)
            actions.add_message(ticket=left, actor=people.bob, body="Linked")
        for ticket in tickets:
            actions.delete_ticket(ticket=ticket, actor=people.bob)
        later = T0 + timedelta(days=31)
        results, errors = in_threads(
            lambda: purge_due(now=later, batch=2), lambda: purge_due(now=later, batch=2)
        )
        assert errors == []
        assert sum(results) == 30
        assert not Ticket.objects.exists() and not TicketLink.objects.exists()
        assert not Message.objects.exists() and not TicketEvent.objects.exists()


@concurrent
class TestReplyRacingTheJob:
    """At the window's edge the customer's reply and the job both have a claim; one wins."""

    def test_a_reply_holding_the_ticket_wins_and_the_job_leaves_it(self, people, clock):
        (ticket,) = resolved_tickets(people, 1)
        clock.move_to(WINDOW_END, tick=False)  # the last moment a reply is in time
        holding, release = threading.Event(), threading.Event()
        check = actions.conversation.check_post_message

        def check_slowly(*args, **kwargs):
            holding.set()  # the reply has the row lock now
            release.wait(30)
            return check(*args, **kwargs)

        with mock.patch("tickets.actions.conversation.check_post_message", check_slowly):
            replies, errors = [], []
            reply = threading.Thread(target=_reply, args=(ticket, people.dave, replies, errors))
            reply.start()
            assert holding.wait(30)
            closed_meanwhile = close_expired_resolved(now=WINDOW_END + timedelta(seconds=1))
            release.set()
            reply.join(30)
        assert errors == [] and closed_meanwhile == 0
        row = fresh(ticket)
        assert row.status.kind == "new" and row.reopened
        assert Message.objects.filter(ticket=ticket, body="Wait, not yet").count() == 1
        assert close_expired_resolved(now=WINDOW_END + timedelta(seconds=1)) == 0
        assert auto_closes(ticket) == []

    def test_a_job_holding_the_ticket_wins_and_the_reply_is_refused_not_lost(self, people, clock):
        (ticket,) = resolved_tickets(people, 1)
        clock.move_to(WINDOW_END, tick=False)
        claimed, release = threading.Event(), threading.Event()
        closed = []

        def job():
            with transaction.atomic():  # keep the job's locks until the reply is waiting
                closed.append(close_expired_resolved(now=WINDOW_END + timedelta(seconds=1)))
                claimed.set()
                release.wait(30)
            connection.close()

        runner = threading.Thread(target=job)
        runner.start()
        assert claimed.wait(30)
        replies, errors = [], []
        reply = threading.Thread(target=_reply, args=(ticket, people.dave, replies, errors))
        reply.start()
        wait_for_a_lock_wait()  # the reply is queued behind the job's row lock
        release.set()
        runner.join(30)
        reply.join(30)
        assert closed == [1] and replies == []
        (refusal,) = errors
        assert isinstance(refusal, ActionRefused) and refusal.code == "conflict"
        assert fresh(ticket).status.kind == "closed" and len(auto_closes(ticket)) == 1
        assert not Message.objects.filter(ticket=ticket).exists()

    def test_many_replies_racing_one_job_each_get_exactly_one_outcome(self, people, clock):
        tickets = resolved_tickets(people, 6)
        clock.move_to(WINDOW_END, tick=False)
        now = WINDOW_END + timedelta(seconds=1)
        replies, errors = [], []
        results, crashed = in_threads(
            lambda: close_expired_resolved(now=now, batch=1),
            *[lambda t=t: _reply(t, people.dave, replies, errors) for t in tickets],
        )
        assert crashed == [] and all(isinstance(e, ActionRefused) for e in errors)
        assert len(replies) + len(errors) == len(tickets)
        for ticket in tickets:
            row = fresh(ticket)
            saved = Message.objects.filter(ticket=ticket).count()
            if row.status.kind == "closed":
                assert saved == 0 and len(auto_closes(ticket)) == 1
            else:
                assert row.status.kind == "new" and saved == 1 and auto_closes(ticket) == []
        assert results[0] == len(errors)


def wait_for_a_lock_wait(timeout: float = 30) -> None:
    """Return once another connection of this database waits on a row lock.

    Synchronisation, not simulated time: the reply must really be blocked on the job's
    lock when the job commits, the case where a locking read could lose its row.
    """
    deadline = threading.Event()
    for _ in range(int(timeout / 0.01)):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh figures inside a transaction too
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        deadline.wait(0.01)
    raise AssertionError("no connection ever waited on the lock")


def _reply(ticket, customer, replies: list, errors: list) -> None:
    try:
        replies.append(actions.add_message(ticket=ticket, actor=customer, body="Wait, not yet"))
    except ActionRefused as exc:
        errors.append(exc)
    finally:
        connection.close()
