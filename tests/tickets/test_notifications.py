"""Email out (SPEC §8): who is mailed for what, after the commit, and when nothing goes out."""

import pytest

from accounts.models import Role
from tickets import actions
from tickets.errors import ActionRefused
from tickets.notifications import thread_id
from tickets.workflows import load_workflow

from ..factories import make_ticket, make_user
from .lifecycle_helpers import copy_in, named, recipients, resolve, status


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks (the queued emails) when it ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def tk(people, commit, mailoutbox):
    with commit():
        ticket = make_ticket(people.dave, people.category)
    mailoutbox.clear()
    return ticket


class TestAutoResponse:
    def test_the_requester_gets_an_auto_response_with_the_number(self, people, commit, mailoutbox):
        with commit():
            ticket = make_ticket(people.dave, people.category)
        (mail,) = mailoutbox
        assert mail.to == ["dave@example.com"]
        assert f"#{ticket.pk}" in mail.subject and f"#{ticket.pk}" in mail.body
        assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
        assert mail.extra_headers["In-Reply-To"] == thread_id(ticket)
        assert mail.extra_headers["References"] == thread_id(ticket)

    def test_staff_creating_for_a_customer_mails_the_customer_only(self, people, commit, mailoutbox):
        with commit():
            actions.create_ticket(
                actor=people.bob,
                subject="Phoned in",
                description="By phone",
                category=people.category,
                requester_email="new.person@example.com",
            )
        assert recipients(mailoutbox) == ["new.person@example.com"]

    def test_nothing_is_sent_before_the_commit(self, people, django_capture_on_commit_callbacks, mailoutbox):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            make_ticket(people.dave, people.category)
        notifications = [c for c in queued if c.__qualname__.startswith("notify.")]
        assert mailoutbox == [] and len(notifications) == 1


class TestReplies:
    def test_a_staff_reply_goes_to_requester_participants_and_assignee_not_the_author(
        self, people, tk, commit, mailoutbox
    ):
        copy_in(tk, people.erin)
        actions.assign_ticket(ticket=tk, actor=people.carol, assignee=people.carol)
        with commit():
            message = actions.add_message(ticket=tk, actor=people.bob, body="Try *this*")
        assert recipients(mailoutbox) == ["carol@example.com", "dave@example.com", "erin@example.com"]
        assert all("Try *this*" in mail.body for mail in mailoutbox)
        assert all(mail.extra_headers["In-Reply-To"] == thread_id(tk) for mail in mailoutbox)
        assert "Auto-Submitted" not in mailoutbox[0].extra_headers
        assert message.pk

    def test_a_customer_reply_goes_to_the_others_not_the_author(self, people, tk, commit, mailoutbox):
        copy_in(tk, people.erin)
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        mailoutbox.clear()
        with commit():
            actions.add_message(ticket=tk, actor=people.erin, body="Same here")
        assert recipients(mailoutbox) == ["bob@example.com", "dave@example.com"]

    def test_an_internal_note_is_never_mailed(self, people, tk, commit, mailoutbox):
        copy_in(tk, people.erin)
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        mailoutbox.clear()
        with commit():
            actions.add_message(ticket=tk, actor=people.alice, body="Secret", internal=True)
        assert mailoutbox == []

    def test_a_disabled_participant_is_not_mailed(self, people, tk, commit, mailoutbox):
        copy_in(tk, people.erin)
        people.erin.is_active = False
        people.erin.save()
        with commit():
            actions.add_message(ticket=tk, actor=people.bob, body="Hello")
        assert recipients(mailoutbox) == ["dave@example.com"]


class TestAssignmentMail:
    def test_the_new_assignee_is_mailed(self, people, tk, commit, mailoutbox):
        with commit():
            actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        (mail,) = mailoutbox
        assert mail.to == ["bob@example.com"] and "Assigned to you" in mail.subject

    def test_taking_a_ticket_yourself_sends_nothing(self, people, tk, commit, mailoutbox):
        with commit():
            actions.assign_to_me(ticket=tk, actor=people.bob)
        assert mailoutbox == []

    def test_the_previous_assignee_is_told_only_as_a_participant(self, people, tk, commit, mailoutbox):
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        with commit():
            actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.carol)
        assert recipients(mailoutbox) == ["carol@example.com"]
        mailoutbox.clear()
        copy_in(tk, people.carol, actor=people.alice)
        with commit():
            actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        assert recipients(mailoutbox) == ["bob@example.com", "carol@example.com"]

    def test_a_team_assignment_mails_nobody(self, people, tk, commit, mailoutbox):
        with commit():
            actions.assign_ticket(ticket=tk, actor=people.alice, team=people.red)
        assert mailoutbox == []


class TestReopenMail:
    def test_a_customer_reopening_mails_the_assignee(self, people, tk, commit, mailoutbox):
        actions.assign_ticket(ticket=tk, actor=people.bob, assignee=people.bob)
        resolve(tk, people.bob)
        with commit():
            actions.add_message(ticket=tk, actor=people.dave, body="Broken again")
        to_bob = [mail.subject for mail in mailoutbox if mail.to == ["bob@example.com"]]
        assert any("Reopened by the customer" in subject for subject in to_bob)
        assert any("New reply" in subject for subject in to_bob)

    def test_an_unassigned_reopen_mails_no_reopen_notice(self, people, tk, commit, mailoutbox):
        resolve(tk, people.bob)
        with commit():
            actions.add_message(ticket=tk, actor=people.dave, body="Broken again")
        assert not any("Reopened" in mail.subject for mail in mailoutbox)


class TestSurveyMail:
    def test_resolving_sends_the_survey_to_the_requester(self, people, tk, commit, mailoutbox):
        with commit():
            resolve(tk, people.bob)
        (mail,) = [m for m in mailoutbox if "How did we do?" in m.subject]  # beside the resolution notice
        assert mail.to == ["dave@example.com"] and f"/portal/tickets/{tk.pk}/survey/" in mail.body


class TestNothingMailed:
    @pytest.mark.parametrize("hide", ["mark_spam", "delete_ticket"])
    def test_nothing_goes_out_for_a_spam_or_deleted_ticket(self, people, tk, commit, mailoutbox, hide):
        copy_in(tk, people.erin)
        getattr(actions, hide)(ticket=tk, actor=people.bob)
        with commit():
            actions.add_message(ticket=tk, actor=people.bob, body="Hello?")
            actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        assert mailoutbox == []

    def test_a_ticket_hidden_before_its_mail_leaves_sends_nothing(self, people, commit, mailoutbox):
        with commit():
            ticket = make_ticket(people.dave, people.category)
            actions.mark_spam(ticket=ticket, actor=people.bob)
        assert mailoutbox == []

    def test_nothing_is_queued_when_an_action_is_refused(
        self, people, tk, django_capture_on_commit_callbacks, mailoutbox
    ):
        actions.close_ticket(ticket=tk, actor=people.bob)
        with django_capture_on_commit_callbacks(execute=True) as queued:
            with pytest.raises(ActionRefused):
                actions.add_message(ticket=tk, actor=people.dave, body="Hello?")
            with pytest.raises(ActionRefused):
                actions.assign_ticket(ticket=tk, actor=people.dave, assignee=people.bob)
        assert queued == [] and mailoutbox == []


class TestDraftStatus:
    @pytest.fixture
    def servicedesk(self, db):
        load_workflow("servicedesk")

    def test_a_draft_is_not_notified_until_activated(self, servicedesk, people, commit, mailoutbox):
        with commit():
            ticket = make_ticket(people.dave, people.category, actor=people.bob)
            actions.add_message(ticket=ticket, actor=people.bob, body="Drafting")
            actions.assign_ticket(ticket=ticket, actor=people.alice, assignee=people.carol)
        assert ticket.status.name == "Draft" and mailoutbox == []
        with commit():
            actions.transition_ticket(ticket=ticket, actor=people.bob, status=named("Active"))
        (mail,) = mailoutbox
        assert mail.to == ["dave@example.com"] and "We received your request" in mail.subject

    def test_an_activated_ticket_is_notified_as_usual(self, servicedesk, people, commit, mailoutbox):
        ticket = make_ticket(people.dave, people.category, actor=people.bob)
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        with commit():
            actions.add_message(ticket=ticket, actor=people.bob, body="Working on it")
        assert recipients(mailoutbox) == ["dave@example.com"]


def test_a_staff_requester_of_an_internal_ticket_gets_the_replies_of_others(people, commit, mailoutbox):
    other = make_user(Role.STAFF, email="olga@example.com", name="Olga")
    with commit():
        ticket = make_ticket(people.bob, people.category, subject="Laptop for the new hire")
    mailoutbox.clear()
    with commit():
        actions.add_message(ticket=ticket, actor=other, body="Ordered")
    assert recipients(mailoutbox) == ["bob@example.com"]
