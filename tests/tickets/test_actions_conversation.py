"""Replies, notes, their edits and deletions, and how replies move the status (SPEC §3, §4)."""

from datetime import timedelta

import pytest

from tickets import actions
from tickets.errors import ActionRefused
from tickets.models import Message, Status

from ..factories import make_ticket
from .lifecycle_helpers import T0, events, fresh, named, resolve, status


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def tk(clock, people):
    return make_ticket(people.dave, people.category)


class TestCustomerReplyMovesTo:
    @pytest.mark.parametrize(
        ("start", "after"),
        [
            ("New", "New"),
            ("In progress", "In progress"),
            ("Pending", "Pending"),
            ("Resolved", "New"),
            ("Pending closure", "Pending closure"),
        ],
    )
    def test_in_the_default_workflow_a_customer_reply_moves(self, people, tk, start, after):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=named(start))
        actions.add_message(ticket=tk, actor=people.dave, body="Any news?")
        assert fresh(tk).status.name == after

    def test_on_a_closure_scheduled_ticket_the_customer_may_reply_and_it_stays(self, people, tk):
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(days=1))
        actions.add_message(ticket=tk, actor=people.dave, body="Thanks")
        assert fresh(tk).status.kind == "closure_scheduled"

    def test_the_admin_setting_decides_where_a_reply_moves(self, people, tk):
        Status.objects.filter(name="Pending").update(customer_reply_moves_to=named("In progress"))
        actions.transition_ticket(ticket=tk, actor=people.bob, status=named("Pending"))
        actions.add_message(ticket=tk, actor=people.dave, body="Here is the log")
        ticket = fresh(tk)
        assert ticket.status.name == "In progress" and not ticket.reopened
        assert events(tk, "status")[-1].after["by_reply"] is True

    def test_a_reply_never_moves_to_an_inactive_status(self, people, tk):
        Status.objects.filter(name="New").update(active=False)
        Status.objects.create(name="Reopened", kind="new", order=5)
        resolve(tk, people.bob)
        actions.add_message(ticket=tk, actor=people.dave, body="Broken again")
        assert fresh(tk).status.name == "Resolved"

    def test_a_customer_reply_records_the_customers_last_post(self, people, tk, clock):
        clock.shift(timedelta(minutes=5))
        actions.add_message(ticket=tk, actor=people.dave, body="More detail")
        assert fresh(tk).last_customer_post_at == T0 + timedelta(minutes=5)


class TestStaffReply:
    def test_a_staff_reply_may_set_a_status_in_the_same_action(self, people, tk):
        message = actions.add_message(ticket=tk, actor=people.bob, body="Fixed", status=status("resolved"))
        ticket = fresh(tk)
        assert ticket.status.kind == "resolved" and ticket.resolved_at == T0
        assert [e.action for e in events(tk)][-2:] == ["reply", "status"]
        assert message.pk

    def test_the_status_may_be_named(self, people, tk):
        actions.add_message(ticket=tk, actor=people.bob, body="Waiting on vendor", status="Pending")
        assert fresh(tk).status.name == "Pending"

    def test_an_invalid_status_refuses_the_whole_reply(self, people, tk):
        with pytest.raises(ActionRefused) as exc:
            actions.add_message(ticket=tk, actor=people.bob, body="x", status=status("closure_scheduled"))
        assert exc.value.code == "invalid"
        assert not Message.objects.filter(ticket_id=tk.pk).exists()

    def test_without_a_default_a_staff_reply_leaves_the_status(self, people, tk):
        actions.add_message(ticket=tk, actor=people.bob, body="Looking")
        assert fresh(tk).status.name == "New"

    def test_the_workflows_default_applies_to_a_staff_reply(self, people, tk):
        actions.update_settings(actor=people.alice, staff_reply_status=named("Pending"))
        actions.add_message(ticket=tk, actor=people.bob, body="Asked the vendor")
        assert fresh(tk).status.name == "Pending"

    def test_a_status_given_with_the_reply_wins_over_the_default(self, people, tk):
        actions.update_settings(actor=people.alice, staff_reply_status=named("Pending"))
        actions.add_message(ticket=tk, actor=people.bob, body="On it", status=named("In progress"))
        assert fresh(tk).status.name == "In progress"

    def test_an_internal_note_never_moves_the_status(self, people, tk):
        actions.update_settings(actor=people.alice, staff_reply_status=named("Pending"))
        actions.add_message(ticket=tk, actor=people.bob, body="Note to self", internal=True)
        assert fresh(tk).status.name == "New"

    def test_the_default_does_not_reopen_a_resolved_ticket(self, people, tk):
        actions.update_settings(actor=people.alice, staff_reply_status=named("Pending"))
        resolve(tk, people.bob)
        actions.add_message(ticket=tk, actor=people.bob, body="Glad it works")
        assert fresh(tk).status.name == "Resolved"

    def test_the_first_public_staff_reply_is_the_first_response(self, people, tk, clock):
        clock.shift(timedelta(minutes=3))
        actions.add_message(ticket=tk, actor=people.bob, body="Note", internal=True)
        assert fresh(tk).first_response_at is None
        clock.shift(timedelta(minutes=3))
        actions.add_message(ticket=tk, actor=people.bob, body="Hello")
        clock.shift(timedelta(minutes=3))
        actions.add_message(ticket=tk, actor=people.alice, body="Hello again")
        assert fresh(tk).first_response_at == T0 + timedelta(minutes=6)


class TestPostingRefused:
    @pytest.mark.parametrize("kwargs", [{"internal": True}, {"status": "Pending"}])
    def test_a_customer_may_not_post_notes_or_set_a_status(self, people, tk, kwargs):
        with pytest.raises(ActionRefused) as exc:
            actions.add_message(ticket=tk, actor=people.dave, body="Hi", **kwargs)
        assert exc.value.code == "forbidden"
        assert not Message.objects.filter(ticket_id=tk.pk).exists()

    @pytest.mark.parametrize("body", ["", "   ", None, "x" * 100_001])
    def test_an_empty_or_huge_body_is_invalid(self, people, tk, body):
        with pytest.raises(ActionRefused) as exc:
            actions.add_message(ticket=tk, actor=people.bob, body=body)
        assert (exc.value.code, exc.value.field) == ("invalid", "body")

    @pytest.mark.parametrize("kind", ["spam", "deleted"])
    def test_a_customer_may_not_reply_to_a_hidden_ticket(self, people, tk, kind):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status(kind))
        with pytest.raises(ActionRefused):
            actions.add_message(ticket=tk, actor=people.dave, body="Hello")
        assert not Message.objects.filter(ticket_id=tk.pk).exists()


class TestEditMessage:
    def test_the_author_edits_within_the_window(self, people, tk, clock):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Helo")
        clock.shift(timedelta(minutes=15))
        edited = actions.edit_message(message=reply, actor=people.dave, body="Hello *there*")
        stored = Message.objects.get(pk=reply.pk)
        assert stored.body == "Hello *there*" and "<em>there</em>" in stored.body_html
        assert stored.edited_at == T0 + timedelta(minutes=15) and edited.edited_at == stored.edited_at

    def test_the_author_may_not_edit_after_the_window(self, people, tk, clock):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Helo")
        clock.shift(timedelta(minutes=15, seconds=1))
        with pytest.raises(ActionRefused) as exc:
            actions.edit_message(message=reply, actor=people.dave, body="Hello")
        assert exc.value.code == "conflict" and "15 minutes" in exc.value.reason
        assert Message.objects.get(pk=reply.pk).body == "Helo" and events(tk, "message_edited") == []

    def test_the_admin_sets_the_edit_window(self, people, tk, clock):
        actions.update_settings(actor=people.alice, edit_window_minutes=60)
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Helo")
        clock.shift(timedelta(minutes=59))
        actions.edit_message(message=reply, actor=people.dave, body="Hello")
        assert Message.objects.get(pk=reply.pk).body == "Hello"

    def test_the_author_may_not_edit_on_a_closed_ticket_even_within_the_window(self, people, tk):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Helo")
        actions.close_ticket(ticket=tk, actor=people.bob)
        with pytest.raises(ActionRefused) as exc:
            actions.edit_message(message=reply, actor=people.dave, body="Hello")
        assert exc.value.code == "conflict" and Message.objects.get(pk=reply.pk).body == "Helo"

    def test_the_author_may_edit_on_a_resolved_ticket_within_the_window(self, people, tk):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Thanks!")
        resolve(tk, people.bob)
        actions.edit_message(message=reply, actor=people.dave, body="Thanks a lot!")
        assert fresh(tk).status.kind == "resolved"

    def test_a_customer_may_not_edit_someone_elses_reply(self, people, tk):
        reply = actions.add_message(ticket=tk, actor=people.bob, body="Try turning it off")
        with pytest.raises(ActionRefused) as exc:
            actions.edit_message(message=reply, actor=people.dave, body="Nope")
        assert exc.value.code == "forbidden"

    def test_staff_edit_any_reply_at_any_time_even_on_closed(self, people, tk, clock):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Call me at 555")
        actions.close_ticket(ticket=tk, actor=people.bob)
        clock.shift(timedelta(days=90))
        actions.edit_message(message=reply, actor=people.carol, body="Call me at [redacted]")
        assert Message.objects.get(pk=reply.pk).body == "Call me at [redacted]"
        assert events(tk, "message_edited")[0].actor == people.carol

    def test_a_system_message_cannot_be_edited(self, people, tk, clock):
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(hours=1))
        clock.shift(timedelta(hours=1))
        actions.fire_scheduled_closure(ticket_id=tk.pk)
        system = Message.objects.get(ticket_id=tk.pk)
        with pytest.raises(ActionRefused):
            actions.edit_message(message=system, actor=people.alice, body="Rewritten")

    def test_an_empty_edit_is_invalid(self, people, tk):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Helo")
        with pytest.raises(ActionRefused) as exc:
            actions.edit_message(message=reply, actor=people.dave, body="  ")
        assert exc.value.code == "invalid"


class TestDeleteMessage:
    def test_the_author_deletes_within_the_window_softly(self, people, tk, clock):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Wrong ticket")
        clock.shift(timedelta(minutes=10))
        actions.delete_message(message=reply, actor=people.dave)
        stored = Message.objects.get(pk=reply.pk)
        assert stored.deleted and stored.body == "Wrong ticket"
        assert events(tk, "message_deleted")[0].before == {"message": reply.pk, "body": "Wrong ticket"}

    def test_the_author_may_not_delete_after_the_window(self, people, tk, clock):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Keep me")
        clock.shift(timedelta(minutes=16))
        with pytest.raises(ActionRefused):
            actions.delete_message(message=reply, actor=people.dave)
        assert not Message.objects.get(pk=reply.pk).deleted

    def test_the_author_may_not_delete_on_a_closed_ticket(self, people, tk):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Keep me")
        actions.close_ticket(ticket=tk, actor=people.bob)
        with pytest.raises(ActionRefused):
            actions.delete_message(message=reply, actor=people.dave)
        assert not Message.objects.get(pk=reply.pk).deleted

    def test_staff_delete_any_reply_at_any_time(self, people, tk, clock):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Spammy link")
        actions.close_ticket(ticket=tk, actor=people.bob)
        clock.shift(timedelta(days=30))
        actions.delete_message(message=reply, actor=people.bob)
        assert Message.objects.get(pk=reply.pk).deleted

    def test_a_deleted_reply_cannot_be_deleted_or_edited_again(self, people, tk):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Gone")
        actions.delete_message(message=reply, actor=people.dave)
        with pytest.raises(ActionRefused):
            actions.delete_message(message=reply, actor=people.bob)
        with pytest.raises(ActionRefused):
            actions.edit_message(message=reply, actor=people.dave, body="Back")
        assert len(events(tk, "message_deleted")) == 1

    def test_a_customer_may_not_delete_a_staff_reply(self, people, tk):
        reply = actions.add_message(ticket=tk, actor=people.bob, body="Our answer")
        with pytest.raises(ActionRefused) as exc:
            actions.delete_message(message=reply, actor=people.dave)
        assert exc.value.code == "forbidden" and not Message.objects.get(pk=reply.pk).deleted
