"""Assignment to a staff member and/or a team (SPEC §6)."""

import pytest

from accounts.actions import update_user
from accounts.models import Role
from tickets import actions
from tickets.errors import ActionRefused

from ..factories import make_ticket, make_user
from .lifecycle_helpers import events, fresh


@pytest.fixture
def tk(people):
    return make_ticket(people.dave, people.category)


class TestAssignTicket:
    def test_assign_to_a_staff_member_and_a_team(self, people, tk):
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob, team=people.red)
        ticket = fresh(tk)
        assert ticket.assignee == people.bob and ticket.team == people.red

    def test_omitted_keys_stay_as_they_are(self, people, tk):
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob, team=people.red)
        actions.assign_ticket(ticket=tk, actor=people.alice, team=people.blue)
        ticket = fresh(tk)
        assert ticket.assignee == people.bob and ticket.team == people.blue
        assert len(events(tk, "assignee")) == 1

    def test_none_unassigns(self, people, tk):
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob, team=people.red)
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=None, team=None)
        ticket = fresh(tk)
        assert ticket.assignee is None and ticket.team is None
        assert events(tk, "assignee")[-1].after is None

    def test_a_restricted_agent_may_assign_to_anyone(self, people, tk):
        actions.assign_ticket(ticket=tk, actor=people.carol, assignee=people.bob, team=people.red)
        assert fresh(tk).assignee == people.bob

    def test_assigning_the_same_person_again_records_nothing(self, people, tk):
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        assert len(events(tk, "assignee")) == 1

    def test_a_customer_is_not_an_assignee(self, people, tk):
        with pytest.raises(ActionRefused) as exc:
            actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.erin)
        assert (exc.value.code, exc.value.field) == ("invalid", "assignee")
        assert fresh(tk).assignee is None

    def test_a_disabled_agent_is_not_an_assignee(self, people, tk):
        gone = make_user(Role.STAFF, email="gone@example.com")
        gone.is_active = False
        gone.save()
        with pytest.raises(ActionRefused) as exc:
            actions.assign_ticket(ticket=tk, actor=people.alice, assignee=gone)
        assert exc.value.code == "invalid" and fresh(tk).assignee is None


class TestAssignToMe:
    def test_an_agent_takes_an_unassigned_ticket(self, people, tk):
        actions.assign_to_me(ticket=tk, actor=people.carol)
        assert fresh(tk).assignee == people.carol
        assert events(tk, "assignee")[0].actor == people.carol

    def test_taking_a_ticket_already_mine_changes_nothing(self, people, tk):
        actions.assign_to_me(ticket=tk, actor=people.bob)
        actions.assign_to_me(ticket=tk, actor=people.bob)
        assert len(events(tk, "assignee")) == 1

    def test_a_colleagues_ticket_is_not_taken_silently(self, people, tk):
        actions.assign_to_me(ticket=tk, actor=people.bob)
        with pytest.raises(ActionRefused) as exc:
            actions.assign_to_me(ticket=tk, actor=people.carol)
        assert exc.value.code == "conflict" and "Bob Agent" in exc.value.reason
        assert fresh(tk).assignee == people.bob

    def test_a_restricted_agent_without_view_all_may_take_it(self, people, tk):
        update_user(user=people.bob, view_all=False)
        actions.assign_to_me(ticket=tk, actor=people.bob)
        assert fresh(tk).assignee == people.bob
