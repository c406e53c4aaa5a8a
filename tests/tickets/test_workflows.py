"""Workflow presets (SPEC §3): loading them, and each product's own example lifecycle."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tickets import actions
from tickets.errors import ActionRefused
from tickets.jobs import close_expired_resolved, sweep_scheduled_closures
from tickets.models import HelpdeskSettings, Status, Survey
from tickets.workflows import PRESETS, load_workflow

from ..factories import make_ticket
from .lifecycle_helpers import T0, fresh, named, recipients, status_events


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def load(name: str) -> str:
    out = StringIO()
    call_command("load_workflow", name, stdout=out)
    return out.getvalue()


def reply(ticket, who, body="…", **kwargs):
    return actions.add_message(ticket=ticket, actor=who, body=body, **kwargs)


def now_in(ticket) -> str:
    return fresh(ticket).status.name


class TestLoadWorkflowCommand:
    @pytest.mark.parametrize("name", sorted(PRESETS))
    def test_each_preset_loads_its_statuses(self, db, name):
        output = load(name)
        assert f"Loaded the '{name}' workflow" in output
        expected = [(row[0], row[1]) for row in PRESETS[name]]
        assert sorted(Status.objects.values_list("name", "kind")) == sorted(expected)
        assert Status.objects.filter(kind="new", is_initial=True).count() == 1
        for kind in ("closed", "spam", "deleted", "pending_closure", "closure_scheduled"):
            assert Status.objects.filter(kind=kind).exists(), kind

    @pytest.mark.parametrize("name", sorted(PRESETS))
    def test_loading_a_preset_twice_changes_nothing(self, db, name):
        load(name)
        before = list(Status.objects.values_list("pk", "name", "kind", "customer_reply_moves_to"))
        load(name)
        assert list(Status.objects.values_list("pk", "name", "kind", "customer_reply_moves_to")) == before

    def test_it_is_refused_while_tickets_use_a_status_the_preset_would_remove(self, people):
        ticket = make_ticket(people.dave, people.category)  # in "New", which Deskpro has not
        with pytest.raises(CommandError) as exc:
            load("deskpro")
        assert str(exc.value) == "Tickets still use New, which the 'deskpro' workflow would remove."
        assert (
            named("New").pk == ticket.status_id and not Status.objects.filter(name="Awaiting agent").exists()
        )

    def test_a_deleted_tickets_earlier_status_counts_as_in_use(self, people):
        ticket = make_ticket(people.dave, people.category)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=named("In progress"))
        actions.delete_ticket(ticket=ticket, actor=people.bob)
        with pytest.raises(CommandError, match="In progress"):
            load("deskpro")

    def test_statuses_kept_by_the_new_preset_keep_their_tickets(self, people):
        ticket = make_ticket(people.dave, people.category)
        load("osticket")  # osTicket has New too
        assert fresh(ticket).status.name == "New"

    def test_an_unknown_preset_is_refused(self, db):
        with pytest.raises(CommandError):
            load("zendesk")
        with pytest.raises(ActionRefused) as exc:
            load_workflow("zendesk")
        assert exc.value.code == "invalid"


class TestDefaultLifecycle:
    def test_new_in_progress_pending_resolved_reopened_resolved_closed(self, people, clock):
        ticket = make_ticket(people.dave, people.category)
        assert now_in(ticket) == "New"
        reply(ticket, people.bob, "Looking into it", status="In progress")
        reply(ticket, people.bob, "Waiting for the part", status="Pending")
        reply(ticket, people.dave, "Any news?")
        assert now_in(ticket) == "Pending"
        actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="Part replaced")
        reply(ticket, people.dave, "It smokes again")
        row = fresh(ticket)
        assert row.status.name == "New" and row.reopened  # shown as "Reopened"
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        clock.shift(timedelta(days=7, minutes=1))
        assert close_expired_resolved() == 1
        assert now_in(ticket) == "Closed" and fresh(ticket).resolution_notes == "Part replaced"
        assert status_events(ticket) == [
            ("New", "In progress"),
            ("In progress", "Pending"),
            ("Pending", "Resolved"),
            ("Resolved", "New"),
            ("New", "Resolved"),
            ("Resolved", "Closed"),
        ]


class TestOsTicketLifecycle:
    def test_new_open_in_progress_resolved_then_a_reply_reopens_to_new(self, people, clock):
        load("osticket")
        ticket = make_ticket(people.dave, people.category)
        assert now_in(ticket) == "New"
        actions.transition_ticket(ticket=ticket, actor=people.bob, status="Open")
        actions.transition_ticket(ticket=ticket, actor=people.bob, status="In progress")
        actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="Done")
        reply(ticket, people.dave, "Not done")
        assert now_in(ticket) == "New" and fresh(ticket).reopened
        actions.close_ticket(ticket=ticket, actor=people.bob)
        with pytest.raises(ActionRefused):
            reply(ticket, people.dave, "Hello?")


class TestNineStatusLifecycle:
    def test_customer_replies_never_move_the_status(self, people, clock):
        load("nine")
        ticket = make_ticket(people.dave, people.category)
        assert now_in(ticket) == "Open"
        for name in ["In progress", "Awaiting customer", "Required test", "Required action", "Resolved"]:
            actions.transition_ticket(ticket=ticket, actor=people.bob, status=name)
            reply(ticket, people.dave, f"Reply while {name}")
            assert now_in(ticket) == name
        actions.request_closure(ticket=ticket, actor=people.dave)
        assert now_in(ticket) == "Pending closure"
        assert Survey.objects.filter(ticket=ticket, answered_at__isnull=True).count() == 1
        reply(ticket, people.dave, "Thanks")
        assert now_in(ticket) == "Pending closure"

    def test_staff_schedule_a_closure_that_fires_and_then_only_staff_post(self, people, clock):
        load("nine")
        ticket = make_ticket(people.dave, people.category)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status="Required test")
        actions.schedule_closure(ticket=ticket, actor=people.bob, at=T0 + timedelta(days=2))
        with pytest.raises(ActionRefused) as exc:
            actions.schedule_closure(ticket=ticket, actor=people.bob, at=T0 + timedelta(days=3))
        assert exc.value.code == "conflict"
        reply(ticket, people.dave, "Tested, works")  # replies still work until the closure
        clock.shift(timedelta(days=2))
        assert sweep_scheduled_closures() == 1
        assert now_in(ticket) == "Closed"
        with pytest.raises(ActionRefused):
            reply(ticket, people.dave, "One more thing")
        reply(ticket, people.bob, "Follow-up for the record")


class TestDeskproLifecycle:
    def test_the_example_ticket_goes_back_and_forth_between_agent_and_user(self, people, clock):
        load("deskpro")
        assert HelpdeskSettings.load().staff_reply_status == named("Awaiting user")
        ticket = make_ticket(people.dave, people.category)  # "a user reports an issue"
        assert now_in(ticket) == "Awaiting agent"
        reply(ticket, people.bob, "Which model is it?")  # the send button's default
        assert now_in(ticket) == "Awaiting user"
        reply(ticket, people.dave, "A LaserJet 4")
        assert now_in(ticket) == "Awaiting agent"
        reply(ticket, people.bob, "Asking the supplier", status="Pending")
        assert now_in(ticket) == "Pending"
        reply(ticket, people.dave, "Any news?")
        assert now_in(ticket) == "Awaiting agent"
        reply(ticket, people.bob, "I will get back to you", status="Awaiting agent")
        assert now_in(ticket) == "Awaiting agent"
        reply(ticket, people.dave, "It works now, thanks")
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        assert now_in(ticket) == "Resolved"
        reply(ticket, people.dave, "Broken again")
        assert now_in(ticket) == "Awaiting agent" and fresh(ticket).reopened

    def test_an_internal_note_leaves_the_status(self, people, clock):
        load("deskpro")
        ticket = make_ticket(people.dave, people.category)
        reply(ticket, people.bob, "Check the warranty", internal=True)
        assert now_in(ticket) == "Awaiting agent"

    def test_spam_and_deleted_are_hidden_and_restorable(self, people, clock):
        load("deskpro")
        ticket = make_ticket(people.dave, people.category)
        actions.mark_spam(ticket=ticket, actor=people.bob)
        actions.restore_ticket(ticket=ticket, actor=people.bob)
        assert now_in(ticket) == "Awaiting agent"


class TestServiceDeskLifecycle:
    def test_draft_active_on_hold_complete_then_closed_by_the_window(
        self, people, clock, django_capture_on_commit_callbacks, mailoutbox
    ):
        load("servicedesk")
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(people.dave, people.category, actor=people.bob)
        assert now_in(ticket) == "Draft" and fresh(ticket).status.is_draft and mailoutbox == []
        with django_capture_on_commit_callbacks(execute=True):
            actions.transition_ticket(ticket=ticket, actor=people.bob, status="Active")
        assert recipients(mailoutbox) == ["dave@example.com"]
        actions.transition_ticket(ticket=ticket, actor=people.bob, status="On hold")
        reply(ticket, people.dave, "Still waiting")
        assert now_in(ticket) == "On hold"
        actions.transition_ticket(ticket=ticket, actor=people.bob, status="Active")
        actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="Replacement shipped")
        assert now_in(ticket) == "Complete"
        clock.shift(timedelta(days=8))
        close_expired_resolved()
        assert now_in(ticket) == "Closed"  # completed work is never shown as cancelled

    def test_cancelled_is_a_closed_status_with_a_reason(self, people, clock):
        load("servicedesk")
        ticket = make_ticket(people.dave, people.category, actor=people.bob)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status="Active")
        actions.transition_ticket(
            ticket=ticket, actor=people.bob, status="Cancelled", reason="Customer bought a new one"
        )
        row = fresh(ticket)
        assert row.status.name == "Cancelled" and row.status.kind == "closed"
        assert row.close_reason == "Customer bought a new one"
        with pytest.raises(ActionRefused):
            reply(ticket, people.dave, "Wait")

    def test_a_complete_ticket_reopens_to_active_on_a_customer_reply(self, people, clock):
        load("servicedesk")
        ticket = make_ticket(people.dave, people.category, actor=people.bob)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status="Active")
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        reply(ticket, people.dave, "The replacement is faulty too")
        assert now_in(ticket) == "Active" and fresh(ticket).reopened
