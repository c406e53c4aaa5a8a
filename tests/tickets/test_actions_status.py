"""The status actions against SPEC §3's transition table, one rule per test."""

from datetime import timedelta
from unittest import mock

import pytest

from tickets import actions, tasks
from tickets.access import access_ticket_by_id
from tickets.errors import ActionRefused
from tickets.jobs import sweep_scheduled_closures
from tickets.models import Message, Status, StatusKind

from ..factories import make_ticket
from .lifecycle_helpers import T0, copy_in, events, fresh, named, resolve, status, status_events


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def tk(clock, people):
    """A new ticket by dave, created at T0."""
    return make_ticket(people.dave, people.category)


def refused(code=None):
    """pytest.raises for ActionRefused; check `.value.code` afterwards when code is None."""
    return pytest.raises(ActionRefused)


class TestTransitionTicket:
    def test_staff_move_a_ticket_through_every_working_status_and_back(self, people, tk):
        for name in ["In progress", "Pending", "New", "Resolved", "Closed", "Pending", "New"]:
            actions.transition_ticket(ticket=tk, actor=people.bob, status=named(name))
            assert fresh(tk).status.name == name
        assert len(events(tk, "status")) == 7

    def test_an_admin_may_change_the_status(self, people, tk):
        actions.transition_ticket(ticket=tk, actor=people.alice, status=status("open"))
        assert fresh(tk).status.kind == "open"

    def test_restricted_staff_may_change_the_status(self, people, tk):
        actions.transition_ticket(ticket=tk, actor=people.carol, status=status("pending"))
        assert fresh(tk).status.kind == "pending"

    def test_staff_reopen_a_closed_ticket_long_after_the_window(self, people, tk, clock):
        actions.close_ticket(ticket=tk, actor=people.bob)
        clock.shift(timedelta(days=400))
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("open"))
        ticket = fresh(tk)
        assert ticket.status.kind == "open" and ticket.reopened

    def test_staff_reopen_a_resolved_ticket_past_its_window(self, people, tk, clock):
        resolve(tk, people.bob)
        clock.shift(timedelta(days=30))
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("new"))
        assert fresh(tk).status.kind == "new" and fresh(tk).reopened

    def test_the_status_may_be_given_by_id_or_by_name(self, people, tk):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=named("Pending").pk)
        assert fresh(tk).status.name == "Pending"
        actions.transition_ticket(ticket=tk, actor=people.bob, status="in progress")
        assert fresh(tk).status.name == "In progress"

    @pytest.mark.parametrize("value", [999_999, "999999", "No such status", "", None])
    def test_an_unknown_status_is_invalid(self, people, tk, value):
        with pytest.raises(ActionRefused) as exc:
            actions.transition_ticket(ticket=tk, actor=people.bob, status=value)
        assert (exc.value.code, exc.value.field) == ("invalid", "status")
        assert fresh(tk).status.kind == "new" and events(tk, "status") == []

    def test_an_inactive_status_is_invalid(self, people, tk):
        Status.objects.filter(name="Pending").update(active=False)  # an admin retired it
        with pytest.raises(ActionRefused) as exc:
            actions.transition_ticket(ticket=tk, actor=people.bob, status=named("Pending"))
        assert (exc.value.code, exc.value.field) == ("invalid", "status")
        assert fresh(tk).status.kind == "new"

    def test_closure_scheduled_needs_the_schedule_action_and_a_time(self, people, tk):
        with pytest.raises(ActionRefused) as exc:
            actions.transition_ticket(ticket=tk, actor=people.bob, status=status("closure_scheduled"))
        assert exc.value.code == "invalid"
        assert fresh(tk).status.kind == "new"

    def test_moving_between_spam_and_deleted_needs_a_restore_first(self, people, tk):
        actions.mark_spam(ticket=tk, actor=people.bob)
        with pytest.raises(ActionRefused) as exc:
            actions.transition_ticket(ticket=tk, actor=people.bob, status=status("deleted"))
        assert exc.value.code == "conflict"
        assert fresh(tk).status.kind == "spam"

    def test_moving_to_the_current_status_changes_nothing(self, people, tk):
        before = fresh(tk).updated_at
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("new"))
        assert events(tk, "status") == [] and fresh(tk).updated_at == before

    def test_the_change_is_recorded_with_actor_before_and_after(self, people, tk):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=named("Pending"))
        (event,) = events(tk, "status")
        assert event.actor == people.bob and event.at == T0
        assert event.before == {"id": named("New").pk, "name": "New", "kind": "new"}
        assert event.after == {"id": named("Pending").pk, "name": "Pending", "kind": "pending"}

    def test_a_customer_may_not_change_the_status(self, people, tk):
        with pytest.raises(ActionRefused) as exc:
            actions.transition_ticket(ticket=tk, actor=people.dave, status=status("open"))
        assert exc.value.code == "forbidden" and fresh(tk).status.kind == "new"


class TestResolveTicket:
    def test_resolving_records_resolved_at_and_the_notes(self, people, tk):
        resolve(tk, people.bob, "  Replaced the fuse  ")
        ticket = fresh(tk)
        assert ticket.status.kind == "resolved"
        assert ticket.resolved_at == T0 and ticket.resolution_notes == "Replaced the fuse"

    def test_notes_are_optional(self, people, tk):
        actions.resolve_ticket(ticket=tk, actor=people.bob)
        assert fresh(tk).status.kind == "resolved" and fresh(tk).resolution_notes == ""

    def test_the_notes_are_kept_when_the_customer_reopens(self, people, tk):
        resolve(tk, people.bob, "Replaced the fuse")
        actions.add_message(ticket=tk, actor=people.dave, body="Smoking again")
        ticket = fresh(tk)
        assert ticket.status.kind == "new" and ticket.resolution_notes == "Replaced the fuse"

    def test_the_notes_are_kept_when_staff_reopen(self, people, tk):
        resolve(tk, people.bob, "Replaced the fuse")
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("open"))
        assert fresh(tk).resolution_notes == "Replaced the fuse"

    def test_changed_notes_are_recorded_in_the_history(self, people, tk):
        resolve(tk, people.bob, "First")
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("open"))
        resolve(tk, people.bob, "Second")
        notes = events(tk, "resolution_notes")
        assert [(e.before, e.after) for e in notes] == [("", "First"), ("First", "Second")]

    def test_notes_given_with_another_status_are_ignored(self, people, tk):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("open"), resolution_notes="x")
        assert fresh(tk).resolution_notes == ""

    def test_resolving_again_restarts_the_window(self, people, tk, clock):
        resolve(tk, people.bob)
        clock.shift(timedelta(days=3))
        actions.add_message(ticket=tk, actor=people.dave, body="Not yet")
        resolve(tk, people.bob)
        ticket = fresh(tk)
        assert ticket.resolved_at == T0 + timedelta(days=3) and not ticket.reopened


class TestCustomerReplyOnResolved:
    def test_a_reply_inside_the_window_moves_to_new_and_flags_reopened(self, people, tk, clock):
        resolve(tk, people.bob)
        clock.shift(timedelta(days=6, hours=23))
        message = actions.add_message(ticket=tk, actor=people.dave, body="Still broken")
        ticket = fresh(tk)
        assert ticket.status.kind == "new" and ticket.reopened
        assert message.ticket_id == ticket.pk and not message.internal
        assert status_events(tk)[-1] == ("Resolved", "New")
        assert events(tk, "status")[-1].actor == people.dave

    def test_a_reply_at_the_last_moment_of_the_window_still_reopens(self, people, tk, clock):
        resolve(tk, people.bob)
        clock.shift(timedelta(days=7))
        actions.add_message(ticket=tk, actor=people.dave, body="Just in time")
        assert fresh(tk).status.kind == "new"

    def test_a_reply_after_the_window_is_refused_even_if_the_job_has_not_run(
        self, people, tk, clock, django_capture_on_commit_callbacks
    ):
        resolve(tk, people.bob)
        clock.shift(timedelta(days=7, seconds=1))
        assert fresh(tk).status.kind == "resolved"  # the hourly job has not closed it yet
        with django_capture_on_commit_callbacks() as queued, pytest.raises(ActionRefused) as exc:
            actions.add_message(ticket=tk, actor=people.dave, body="Too late")
        assert exc.value.code == "conflict" and "closed" in exc.value.reason
        assert queued == []
        assert fresh(tk).status.kind == "resolved" and not Message.objects.filter(ticket=tk).exists()

    def test_a_longer_window_set_by_the_admin_lets_a_late_reply_in(self, people, tk, clock):
        resolve(tk, people.bob)
        clock.shift(timedelta(days=9))
        actions.update_settings(actor=people.alice, reopen_window_days=10)
        actions.add_message(ticket=tk, actor=people.dave, body="Day nine")
        assert fresh(tk).status.kind == "new"

    def test_a_reply_by_a_participant_reopens_too(self, people, tk):
        copy_in(tk, people.erin, actor=people.bob)
        resolve(tk, people.bob)
        actions.add_message(ticket=tk, actor=people.erin, body="Me too")
        assert fresh(tk).status.kind == "new" and fresh(tk).reopened

    def test_a_reply_by_a_customer_not_on_the_ticket_is_forbidden(self, people, tk):
        resolve(tk, people.bob)
        with pytest.raises(ActionRefused) as exc:
            actions.add_message(ticket=tk, actor=people.erin, body="Hi")
        assert exc.value.code == "forbidden" and fresh(tk).status.kind == "resolved"


class TestClosedTicket:
    def test_a_customer_reply_on_closed_is_refused_with_a_clear_message(self, people, tk):
        actions.close_ticket(ticket=tk, actor=people.bob)
        with pytest.raises(ActionRefused) as exc:
            actions.add_message(ticket=tk, actor=people.dave, body="Hello?")
        assert exc.value.code == "conflict"
        assert (
            exc.value.reason
            == "This ticket is closed, so it can no longer be replied to. Please open a new ticket."
        )
        assert not Message.objects.filter(ticket=tk).exists()

    def test_the_customer_can_still_read_a_closed_ticket(self, people, tk):
        actions.close_ticket(ticket=tk, actor=people.bob)
        assert access_ticket_by_id(people.dave, tk.pk).pk == tk.pk

    def test_the_customer_may_not_request_closure_of_a_closed_ticket(self, people, tk):
        actions.close_ticket(ticket=tk, actor=people.bob)
        with pytest.raises(ActionRefused) as exc:
            actions.request_closure(ticket=tk, actor=people.dave)
        assert exc.value.code == "conflict"

    def test_the_customer_may_not_favourite_a_closed_ticket(self, people, tk):
        actions.close_ticket(ticket=tk, actor=people.bob)
        with pytest.raises(ActionRefused):
            actions.add_favorite(ticket=tk, actor=people.dave)

    def test_closing_with_a_reason_keeps_it_on_the_ticket_and_in_history(self, people, tk):
        actions.close_ticket(ticket=tk, actor=people.bob, reason="Duplicate of #12")
        ticket = fresh(tk)
        assert ticket.close_reason == "Duplicate of #12" and ticket.closed_at == T0
        assert events(tk, "status")[-1].after["reason"] == "Duplicate of #12"

    def test_closing_a_closed_ticket_is_refused(self, people, tk):
        actions.close_ticket(ticket=tk, actor=people.bob)
        with pytest.raises(ActionRefused) as exc:
            actions.close_ticket(ticket=tk, actor=people.bob)
        assert exc.value.code == "conflict" and len(events(tk, "status")) == 1

    @pytest.mark.parametrize(
        "kind", ["new", "open", "pending", "resolved", "pending_closure", "closed", "spam", "deleted"]
    )
    def test_staff_can_post_on_every_status(self, people, tk, kind):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status(kind))
        actions.add_message(ticket=tk, actor=people.bob, body="A reply")
        actions.add_message(ticket=tk, actor=people.bob, body="A note", internal=True)
        assert Message.objects.filter(ticket=tk).count() == 2
        assert fresh(tk).status.kind == kind

    def test_staff_can_post_on_a_closure_scheduled_ticket(self, people, tk):
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(days=1))
        actions.add_message(ticket=tk, actor=people.bob, body="Closing tomorrow")
        assert fresh(tk).status.kind == "closure_scheduled"


class TestRequestClosure:
    @pytest.mark.parametrize("kind", ["new", "open", "pending", "resolved"])
    def test_the_requester_may_request_closure_and_the_survey_exists_at_once(self, people, tk, kind):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status(kind))
        actions.request_closure(ticket=tk, actor=people.dave)
        assert fresh(tk).status.kind == "pending_closure"
        assert tk.surveys.filter(answered_at__isnull=True).count() == 1
        assert events(tk, "status")[-1].actor == people.dave

    @pytest.mark.parametrize("kind", ["closed", "pending_closure", "spam", "deleted"])
    def test_closure_may_not_be_requested_from(self, people, tk, kind):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status(kind))
        with pytest.raises(ActionRefused) as exc:
            actions.request_closure(ticket=tk, actor=people.dave)
        assert exc.value.code == "conflict" and fresh(tk).status.kind == kind

    def test_closure_may_not_be_requested_once_scheduled(self, people, tk):
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(hours=1))
        with pytest.raises(ActionRefused) as exc:
            actions.request_closure(ticket=tk, actor=people.dave)
        assert exc.value.code == "conflict" and fresh(tk).status.kind == "closure_scheduled"

    def test_closure_may_not_be_requested_on_a_resolved_ticket_past_its_window(self, people, tk, clock):
        resolve(tk, people.bob)
        clock.shift(timedelta(days=8))
        with pytest.raises(ActionRefused):
            actions.request_closure(ticket=tk, actor=people.dave)
        assert fresh(tk).status.kind == "resolved"

    def test_a_participant_may_request_closure(self, people, tk):
        copy_in(tk, people.erin, actor=people.dave)
        actions.request_closure(ticket=tk, actor=people.erin)
        assert fresh(tk).status.kind == "pending_closure"

    @pytest.mark.parametrize("who", ["bob", "erin"])
    def test_staff_and_outsiders_may_not_request_closure(self, people, tk, who):
        with pytest.raises(ActionRefused) as exc:
            actions.request_closure(ticket=tk, actor=getattr(people, who))
        assert exc.value.code == "forbidden" and fresh(tk).status.kind == "new"


class TestScheduleClosure:
    def test_scheduling_moves_to_closure_scheduled_with_the_time_and_a_survey(self, people, tk):
        at = T0 + timedelta(days=2)
        actions.schedule_closure(ticket=tk, actor=people.bob, at=at)
        ticket = fresh(tk)
        assert ticket.status.kind == "closure_scheduled" and ticket.closure_scheduled_at == at
        assert tk.surveys.count() == 1
        assert events(tk, "status")[-1].after["at"] == at.isoformat()

    @pytest.mark.parametrize("delta", [timedelta(0), timedelta(minutes=-5)])
    def test_the_time_must_be_in_the_future(self, people, tk, delta):
        with pytest.raises(ActionRefused) as exc:
            actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + delta)
        assert (exc.value.code, exc.value.field) == ("invalid", "at")
        assert fresh(tk).status.kind == "new"

    def test_a_second_schedule_is_refused_as_a_conflict(self, people, tk):
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(days=2))
        with pytest.raises(ActionRefused) as exc:
            actions.schedule_closure(ticket=tk, actor=people.alice, at=T0 + timedelta(days=1))
        assert exc.value.code == "conflict"
        assert fresh(tk).closure_scheduled_at == T0 + timedelta(days=2)

    @pytest.mark.parametrize("kind", ["closed", "spam", "deleted"])
    def test_a_closure_may_not_be_scheduled_on(self, people, tk, kind):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status(kind))
        with pytest.raises(ActionRefused) as exc:
            actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(days=1))
        assert exc.value.code == "conflict"

    def test_the_task_is_queued_for_the_exact_time(self, people, tk, django_capture_on_commit_callbacks):
        at = T0 + timedelta(hours=5, minutes=7)
        with (
            mock.patch.object(tasks.close_scheduled_ticket_task, "apply_async") as apply_async,
            django_capture_on_commit_callbacks(execute=True),
        ):
            actions.schedule_closure(ticket=tk, actor=people.bob, at=at)
        apply_async.assert_called_once_with((tk.pk,), eta=at)

    def test_a_staff_status_change_cancels_the_schedule(self, people, tk, clock):
        at = T0 + timedelta(days=1)
        actions.schedule_closure(ticket=tk, actor=people.bob, at=at)
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("open"))
        ticket = fresh(tk)
        assert ticket.status.kind == "open" and ticket.closure_scheduled_at is None
        clock.move_to(at + timedelta(minutes=1), tick=False)
        assert tasks.close_scheduled_ticket_task(tk.pk) is False
        assert fresh(tk).status.kind == "open"

    def test_a_cancelled_schedule_may_be_scheduled_again(self, people, tk):
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(days=1))
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("open"))
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(days=3))
        assert fresh(tk).closure_scheduled_at == T0 + timedelta(days=3)

    def test_the_customer_may_close_it_early(self, people, tk):
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(days=1))
        actions.close_ticket(ticket=tk, actor=people.dave)
        ticket = fresh(tk)
        assert ticket.status.kind == "closed" and ticket.closure_scheduled_at is None
        assert events(tk, "status")[-1].actor == people.dave

    def test_the_customer_may_not_close_a_ticket_that_is_not_scheduled(self, people, tk):
        with pytest.raises(ActionRefused) as exc:
            actions.close_ticket(ticket=tk, actor=people.dave)
        assert exc.value.code == "conflict" and fresh(tk).status.kind == "new"

    def test_at_the_time_it_closes_with_a_system_message(self, people, tk, clock):
        at = T0 + timedelta(days=1)
        actions.schedule_closure(ticket=tk, actor=people.bob, at=at)
        clock.move_to(at, tick=False)
        assert actions.fire_scheduled_closure(ticket_id=tk.pk) is True
        ticket = fresh(tk)
        assert ticket.status.kind == "closed" and ticket.closed_at == at
        (system,) = Message.objects.filter(ticket=tk)
        assert system.author is None and system.is_system and not system.internal
        last = events(tk, "status")[-1]
        assert last.actor is None and last.after["kind"] == "closed"

    def test_the_task_closes_it_at_the_time(self, people, tk, clock):
        at = T0 + timedelta(hours=3)
        actions.schedule_closure(ticket=tk, actor=people.bob, at=at)
        clock.move_to(at, tick=False)
        assert tasks.close_scheduled_ticket_task(tk.pk) is True
        assert fresh(tk).status.kind == "closed"

    def test_fired_early_it_does_nothing(self, people, tk, clock):
        at = T0 + timedelta(hours=3)
        actions.schedule_closure(ticket=tk, actor=people.bob, at=at)
        clock.move_to(at - timedelta(seconds=1), tick=False)
        assert tasks.close_scheduled_ticket_task(tk.pk) is False
        assert actions.fire_scheduled_closure(ticket_id=tk.pk) is False
        assert fresh(tk).status.kind == "closure_scheduled"
        assert not Message.objects.filter(ticket=tk).exists()

    def test_fired_twice_it_closes_once(self, people, tk, clock):
        at = T0 + timedelta(hours=3)
        actions.schedule_closure(ticket=tk, actor=people.bob, at=at)
        clock.move_to(at + timedelta(minutes=2), tick=False)
        assert tasks.close_scheduled_ticket_task(tk.pk) is True
        assert tasks.close_scheduled_ticket_task(tk.pk) is False
        assert sweep_scheduled_closures() == 0
        assert Message.objects.filter(ticket=tk).count() == 1
        assert status_events(tk)[-1] == ("Closure scheduled", "Closed")
        assert len(events(tk, "status")) == 2

    def test_the_task_for_a_purged_ticket_does_nothing(self, people, tk):
        assert tasks.close_scheduled_ticket_task(tk.pk + 1000) is False

    def test_the_sweep_closes_only_the_schedules_that_are_due(self, people, clock):
        early = make_ticket(people.dave, people.category)
        late = make_ticket(people.dave, people.category)
        actions.schedule_closure(ticket=early, actor=people.bob, at=T0 + timedelta(hours=1))
        actions.schedule_closure(ticket=late, actor=people.bob, at=T0 + timedelta(hours=3))
        clock.move_to(T0 + timedelta(hours=2), tick=False)
        assert sweep_scheduled_closures() == 1
        assert fresh(early).status.kind == "closed" and fresh(late).status.kind == "closure_scheduled"
        assert Message.objects.filter(ticket=early, author=None).count() == 1
        assert sweep_scheduled_closures() == 0


class TestSpamAndDelete:
    def test_marking_spam_sets_the_purge_time_from_the_spam_retention(self, people, tk):
        actions.update_settings(actor=people.alice, spam_retention_days=3, deleted_retention_days=40)
        actions.mark_spam(ticket=tk, actor=people.bob)
        ticket = fresh(tk)
        assert ticket.status.kind == "spam" and ticket.purge_at == T0 + timedelta(days=3)
        assert ticket.previous_status.name == "New"

    def test_deleting_sets_the_purge_time_from_the_deleted_retention(self, people, tk):
        actions.update_settings(actor=people.alice, spam_retention_days=3, deleted_retention_days=40)
        actions.transition_ticket(ticket=tk, actor=people.bob, status=named("Pending"))
        actions.delete_ticket(ticket=tk, actor=people.bob)
        ticket = fresh(tk)
        assert ticket.status.kind == "deleted" and ticket.purge_at == T0 + timedelta(days=40)
        assert ticket.previous_status.name == "Pending"

    @pytest.mark.parametrize("first", ["mark_spam", "delete_ticket"])
    def test_a_hidden_ticket_cannot_be_hidden_again(self, people, tk, first):
        getattr(actions, first)(ticket=tk, actor=people.bob)
        for action in (actions.mark_spam, actions.delete_ticket):
            with pytest.raises(ActionRefused) as exc:
                action(ticket=tk, actor=people.bob)
            assert exc.value.code == "conflict"
        assert len(events(tk, "status")) == 1

    def test_hiding_drops_the_open_survey(self, people, tk):
        resolve(tk, people.bob)
        actions.mark_spam(ticket=tk, actor=people.bob)
        assert not tk.surveys.exists()

    def test_a_hidden_ticket_is_gone_from_the_customers_view(self, people, tk):
        from django.http import Http404

        actions.delete_ticket(ticket=tk, actor=people.bob)
        with pytest.raises(Http404):
            access_ticket_by_id(people.dave, tk.pk)


class TestScheduleDeletion:
    def test_scheduling_closes_now_and_sets_the_purge_time(self, people, tk):
        at = T0 + timedelta(days=5)
        actions.schedule_deletion(ticket=tk, actor=people.bob, at=at)
        ticket = fresh(tk)
        assert ticket.status.kind == "closed" and ticket.closed_at == T0
        assert ticket.purge_at == at and ticket.previous_status.name == "New"
        assert events(tk, "deletion_scheduled")[0].after == at.isoformat()

    def test_a_closed_ticket_stays_closed(self, people, tk):
        actions.close_ticket(ticket=tk, actor=people.bob)
        actions.schedule_deletion(ticket=tk, actor=people.bob, at=T0 + timedelta(days=5))
        assert len(events(tk, "status")) == 1 and fresh(tk).purge_at == T0 + timedelta(days=5)

    def test_the_time_must_be_in_the_future(self, people, tk):
        with pytest.raises(ActionRefused) as exc:
            actions.schedule_deletion(ticket=tk, actor=people.bob, at=T0)
        assert (exc.value.code, exc.value.field) == ("invalid", "at")
        assert fresh(tk).status.kind == "new" and fresh(tk).purge_at is None

    def test_a_second_call_reschedules(self, people, tk):
        actions.schedule_deletion(ticket=tk, actor=people.bob, at=T0 + timedelta(days=5))
        actions.schedule_deletion(ticket=tk, actor=people.bob, at=T0 + timedelta(days=9))
        ticket = fresh(tk)
        assert ticket.purge_at == T0 + timedelta(days=9) and ticket.previous_status.name == "New"

    def test_moving_it_to_a_live_status_cancels_the_deletion(self, people, tk):
        actions.schedule_deletion(ticket=tk, actor=people.bob, at=T0 + timedelta(days=5))
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("open"))
        ticket = fresh(tk)
        assert ticket.purge_at is None and ticket.previous_status is None
        assert events(tk, "status")[-1].after["deletion_cancelled"] is True


class TestRestoreTicket:
    @pytest.mark.parametrize("hide", ["mark_spam", "delete_ticket"])
    def test_restore_goes_back_to_the_previous_status(self, people, tk, hide):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=named("Pending"))
        getattr(actions, hide)(ticket=tk, actor=people.bob)
        actions.restore_ticket(ticket=tk, actor=people.bob)
        ticket = fresh(tk)
        assert ticket.status.name == "Pending"
        assert ticket.purge_at is None and ticket.previous_status is None
        assert events(tk, "restored")[0].after == {"status": "Pending"}

    def test_restore_of_a_scheduled_deletion_reopens_where_it_was(self, people, tk):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=named("In progress"))
        actions.schedule_deletion(ticket=tk, actor=people.bob, at=T0 + timedelta(days=5))
        actions.restore_ticket(ticket=tk, actor=people.bob)
        ticket = fresh(tk)
        assert ticket.status.name == "In progress" and ticket.purge_at is None

    def test_restore_of_a_closed_ticket_scheduled_for_deletion_keeps_it_closed(self, people, tk):
        actions.close_ticket(ticket=tk, actor=people.bob)
        actions.schedule_deletion(ticket=tk, actor=people.bob, at=T0 + timedelta(days=5))
        actions.restore_ticket(ticket=tk, actor=people.bob)
        ticket = fresh(tk)
        assert ticket.status.kind == "closed" and ticket.purge_at is None

    def test_restore_is_refused_with_the_reason_while_the_category_is_missing(self, people, tk):
        actions.delete_ticket(ticket=tk, actor=people.bob)
        people.category.delete()  # an admin removed the category: the ticket's is now empty
        assert fresh(tk).category is None
        with pytest.raises(ActionRefused) as exc:
            actions.restore_ticket(ticket=tk, actor=people.bob)
        assert exc.value.code == "conflict" and "category" in exc.value.reason
        assert fresh(tk).status.kind == "deleted" and fresh(tk).purge_at is not None
        assert events(tk, "restored") == []

    def test_restore_is_refused_while_a_required_type_is_missing(self, people, clock):
        from ..factories import TicketTypeFactory

        printers = TicketTypeFactory(category=people.category, name="Printers")
        ticket = make_ticket(people.dave, people.category, type=printers)
        actions.mark_spam(ticket=ticket, actor=people.bob)
        TicketTypeFactory(category=people.category, name="Screens")
        printers.delete()
        with pytest.raises(ActionRefused) as exc:
            actions.restore_ticket(ticket=ticket, actor=people.bob)
        assert "type" in exc.value.reason and fresh(ticket).status.kind == "spam"

    def test_restore_succeeds_once_the_missing_field_is_set(self, people, tk):
        from ..factories import CategoryFactory

        actions.delete_ticket(ticket=tk, actor=people.bob)
        people.category.delete()
        actions.update_ticket_fields(ticket=tk, actor=people.bob, category=CategoryFactory(name="Network"))
        actions.restore_ticket(ticket=tk, actor=people.bob)
        assert fresh(tk).status.kind == "new"

    def test_a_status_change_out_of_deleted_follows_the_same_rule(self, people, tk):
        actions.delete_ticket(ticket=tk, actor=people.bob)
        people.category.delete()
        with pytest.raises(ActionRefused) as exc:
            actions.transition_ticket(ticket=tk, actor=people.bob, status=status("open"))
        assert "category" in exc.value.reason and fresh(tk).status.kind == "deleted"

    @pytest.mark.parametrize("kind", ["new", "open", "resolved", "closed"])
    def test_restore_is_refused_for_a_ticket_that_is_not_spam_or_deleted(self, people, tk, kind):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status(kind))
        with pytest.raises(ActionRefused) as exc:
            actions.restore_ticket(ticket=tk, actor=people.bob)
        assert exc.value.code == "conflict" and fresh(tk).status.kind == kind

    def test_restore_to_a_retired_status_uses_the_first_of_its_kind(self, people, tk):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=named("In progress"))
        actions.mark_spam(ticket=tk, actor=people.bob)
        Status.objects.filter(name="In progress").update(active=False)
        Status.objects.create(name="Working", kind=StatusKind.OPEN, order=25)
        actions.restore_ticket(ticket=tk, actor=people.bob)
        assert fresh(tk).status.name == "Working"

    def test_a_hidden_closure_scheduled_ticket_comes_back_open(self, people, tk):
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(days=1))
        actions.delete_ticket(ticket=tk, actor=people.bob)
        actions.restore_ticket(ticket=tk, actor=people.bob)
        ticket = fresh(tk)
        assert ticket.status.kind == "open" and ticket.closure_scheduled_at is None

    def test_restoring_to_resolved_recreates_the_survey(self, people, tk):
        resolve(tk, people.bob)
        actions.mark_spam(ticket=tk, actor=people.bob)
        actions.restore_ticket(ticket=tk, actor=people.bob)
        assert fresh(tk).status.kind == "resolved" and tk.surveys.count() == 1
