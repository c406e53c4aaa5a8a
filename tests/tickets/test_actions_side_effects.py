"""Side effects that follow the status (SPEC §3): surveys, favourites, history, purge."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from attachments.models import Attachment
from links.models import LinkType, TicketLink
from tickets import actions
from tickets.errors import ActionRefused
from tickets.jobs import purge_due
from tickets.models import Favorite, Message, Survey, Ticket, TicketEvent

from ..factories import CategoryFactory, make_ticket, priority
from .lifecycle_helpers import T0, copy_in, events, fresh, resolve, status


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def tk(clock, people):
    return make_ticket(people.dave, people.category)


def open_surveys(ticket):
    return Survey.objects.filter(ticket_id=ticket.pk, answered_at__isnull=True).count()


class TestSurveys:
    @pytest.mark.parametrize("kind", ["resolved", "closed", "pending_closure"])
    def test_entering_a_closing_status_creates_one_open_survey(self, people, tk, kind):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status(kind))
        assert open_surveys(tk) == 1

    def test_scheduling_a_closure_creates_the_survey(self, people, tk):
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(days=1))
        assert open_surveys(tk) == 1

    @pytest.mark.parametrize("kind", ["new", "open", "pending", "spam", "deleted"])
    def test_other_statuses_create_no_survey(self, people, tk, kind):
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status(kind))
        assert not Survey.objects.filter(ticket_id=tk.pk).exists()

    def test_moving_between_closing_statuses_keeps_a_single_open_survey(self, people, tk):
        resolve(tk, people.bob)
        first = Survey.objects.get(ticket_id=tk.pk)
        actions.request_closure(ticket=tk, actor=people.dave)
        actions.close_ticket(ticket=tk, actor=people.bob)
        assert list(Survey.objects.filter(ticket_id=tk.pk)) == [first]

    def test_leaving_deletes_the_unanswered_survey(self, people, tk):
        resolve(tk, people.bob)
        actions.add_message(ticket=tk, actor=people.dave, body="Not fixed")
        assert not Survey.objects.filter(ticket_id=tk.pk).exists()

    def test_an_answered_survey_is_kept_when_leaving(self, people, tk):
        resolve(tk, people.bob)
        actions.answer_survey(ticket=tk, actor=people.dave, rating=2, comment="Slow")
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("open"))
        (kept,) = Survey.objects.filter(ticket_id=tk.pk)
        assert kept.rating == 2 and kept.answered_by == people.dave

    def test_re_entering_after_an_answer_opens_a_new_survey_beside_it(self, people, tk):
        resolve(tk, people.bob)
        actions.answer_survey(ticket=tk, actor=people.dave, rating=4)
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status("open"))
        resolve(tk, people.bob)
        assert open_surveys(tk) == 1 and Survey.objects.filter(ticket_id=tk.pk).count() == 2

    def test_a_survey_is_answered_once(self, people, tk):
        resolve(tk, people.bob)
        actions.answer_survey(ticket=tk, actor=people.dave, rating=5)
        with pytest.raises(ActionRefused):
            actions.answer_survey(ticket=tk, actor=people.dave, rating=1)
        assert Survey.objects.get(ticket_id=tk.pk).rating == 5

    @pytest.mark.parametrize("rating", [0, 6, True, "5", None])
    def test_a_rating_outside_one_to_five_is_invalid(self, people, tk, rating):

        resolve(tk, people.bob)
        with pytest.raises(ActionRefused) as exc:
            actions.answer_survey(ticket=tk, actor=people.dave, rating=rating)
        assert (exc.value.code, exc.value.field) == ("invalid", "rating")
        assert open_surveys(tk) == 1


class TestFavourites:
    @pytest.mark.parametrize("kind", ["resolved", "closed"])
    def test_entering_resolved_or_closed_clears_every_customers_favourite(self, people, tk, kind):
        copy_in(tk, people.erin)
        actions.add_favorite(ticket=tk, actor=people.dave)
        actions.add_favorite(ticket=tk, actor=people.erin)
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status(kind))
        assert not Favorite.objects.filter(ticket_id=tk.pk).exists()

    @pytest.mark.parametrize("kind", ["open", "pending", "pending_closure"])
    def test_other_statuses_keep_the_favourites(self, people, tk, kind):
        actions.add_favorite(ticket=tk, actor=people.dave)
        actions.transition_ticket(ticket=tk, actor=people.bob, status=status(kind))
        assert Favorite.objects.filter(ticket_id=tk.pk).count() == 1

    def test_favouriting_twice_keeps_one(self, people, tk):
        actions.add_favorite(ticket=tk, actor=people.dave)
        actions.add_favorite(ticket=tk, actor=people.dave)
        assert Favorite.objects.filter(ticket_id=tk.pk).count() == 1

    def test_a_resolved_ticket_cannot_become_a_favourite(self, people, tk):

        resolve(tk, people.bob)
        with pytest.raises(ActionRefused) as exc:
            actions.add_favorite(ticket=tk, actor=people.dave)
        assert exc.value.code == "conflict" and not Favorite.objects.exists()


class TestHistory:
    def test_field_changes_are_recorded_with_before_and_after(self, people, tk):
        network = CategoryFactory(name="Network")
        actions.update_ticket_fields(
            ticket=tk, actor=people.bob, priority=priority("High"), category=network, subject="Smoke"
        )
        by_action = {e.action: e for e in events(tk)}
        assert by_action["priority"].before["name"] == "Normal"
        assert by_action["priority"].after["name"] == "High"
        assert by_action["category"].before["name"] == "Hardware"
        assert by_action["category"].after == {"id": network.pk, "name": "Network"}
        assert by_action["subject"].before == "Printer is on fire"
        assert all(e.actor == people.bob for e in events(tk) if e.action != "created")

    def test_assignment_is_recorded(self, people, tk):
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob, team=people.red)
        (assignee,) = events(tk, "assignee")
        (team,) = events(tk, "team")
        assert assignee.actor == people.alice and assignee.before is None
        assert assignee.after == {"id": people.bob.pk, "name": "Bob Agent"}
        assert team.after == {"id": people.red.pk, "name": "Red"}

    def test_replies_and_notes_are_recorded(self, people, tk):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Hello")
        note = actions.add_message(ticket=tk, actor=people.bob, body="Psst", internal=True)
        assert [(e.action, e.after, e.actor) for e in events(tk)[1:]] == [
            ("reply", {"message": reply.pk}, people.dave),
            ("note", {"message": note.pk}, people.bob),
        ]

    def test_edits_keep_the_old_text(self, people, tk):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Helo")
        actions.edit_message(message=reply, actor=people.dave, body="Hello")
        (edit,) = events(tk, "message_edited")
        assert edit.before["body"] == "Helo" and edit.after["body"] == "Hello"

    def test_a_soft_deletion_keeps_the_text_in_history(self, people, tk):
        reply = actions.add_message(ticket=tk, actor=people.dave, body="Oops, my password is hunter2")
        actions.delete_message(message=reply, actor=people.bob)
        (deletion,) = events(tk, "message_deleted")
        assert deletion.actor == people.bob and deletion.before["body"] == "Oops, my password is hunter2"
        assert Message.objects.get(pk=reply.pk).deleted

    def test_the_system_closing_a_ticket_is_recorded_without_an_actor(self, people, tk, clock):
        actions.schedule_closure(ticket=tk, actor=people.bob, at=T0 + timedelta(hours=1))
        clock.shift(timedelta(hours=1))
        actions.fire_scheduled_closure(ticket_id=tk.pk)
        last = events(tk, "status")[-1]
        assert last.actor is None and last.at == T0 + timedelta(hours=1)


@pytest.fixture
def storage_dir(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def attach(ticket, message, name: str) -> Attachment:
    stored = default_storage.save(f"aa/bb/{name}", ContentFile(b"%PDF-1.4 not really"))
    return Attachment.objects.create(
        ticket=ticket,
        message=message,
        file=stored,
        filename=f"{name}.pdf",
        size=18,
        content_type="text/plain",
    )


class TestPurge:
    def test_purge_deletes_the_ticket_its_messages_history_attachments_and_files(
        self, people, tk, clock, storage_dir, django_capture_on_commit_callbacks
    ):
        other = make_ticket(people.erin, people.category)
        reply = actions.add_message(ticket=tk, actor=people.dave, body="See attached")
        on_reply = attach(tk, reply, "on-reply")
        on_ticket = attach(tk, None, "on-ticket")
        kept = attach(other, None, "kept")
        TicketLink.objects.create(source=tk, target=other, type=LinkType.RELATED_TO)
        TicketLink.objects.create(source=other, target=tk, type=LinkType.RELATED_TO)
        copy_in(tk, people.erin)
        actions.add_favorite(ticket=tk, actor=people.dave)
        actions.delete_ticket(ticket=tk, actor=people.bob)
        clock.shift(timedelta(days=31))
        with django_capture_on_commit_callbacks(execute=True):
            assert purge_due() == 1
        assert not Ticket.objects.filter(pk=tk.pk).exists()
        assert not Message.objects.filter(ticket_id=tk.pk).exists()
        assert not TicketEvent.objects.filter(ticket_id=tk.pk).exists()
        assert not Attachment.objects.filter(pk__in=[on_reply.pk, on_ticket.pk]).exists()
        assert not TicketLink.objects.exists() and not Favorite.objects.exists()
        assert not default_storage.exists(on_reply.file.name)
        assert not default_storage.exists(on_ticket.file.name)
        assert default_storage.exists(kept.file.name) and Ticket.objects.filter(pk=other.pk).exists()

    def test_the_files_stay_until_the_purge_commits(
        self, people, tk, clock, storage_dir, django_capture_on_commit_callbacks
    ):
        stored = attach(tk, None, "late")
        actions.mark_spam(ticket=tk, actor=people.bob)
        clock.shift(timedelta(days=31))
        with django_capture_on_commit_callbacks(execute=False) as pending:
            purge_due()
            assert default_storage.exists(stored.file.name)
        assert len(pending) == 1

    def test_purge_queries_do_not_grow_with_the_messages_of_a_batch(self, people, clock):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def queries_to_purge(tickets: int, messages: int) -> int:
            for _ in range(tickets):
                ticket = make_ticket(people.dave, people.category)
                for n in range(messages):
                    actions.add_message(ticket=ticket, actor=people.bob, body=f"Reply {n}")
                actions.delete_ticket(ticket=ticket, actor=people.bob)
            clock.shift(timedelta(days=31))
            with CaptureQueriesContext(connection) as ctx:
                assert purge_due() == tickets
            return len(ctx.captured_queries)

        assert queries_to_purge(1, 1) == queries_to_purge(12, 5)

    def test_nothing_is_purged_before_its_time(self, people, tk, clock):
        actions.update_settings(actor=people.alice, spam_retention_days=3)
        actions.mark_spam(ticket=tk, actor=people.bob)
        clock.shift(timedelta(days=3) - timedelta(seconds=1))
        assert purge_due() == 0 and Ticket.objects.filter(pk=tk.pk).exists()
        clock.shift(timedelta(seconds=1))
        assert purge_due() == 1

    def test_a_scheduled_deletion_is_purged_at_its_time(self, people, tk, clock):
        actions.schedule_deletion(ticket=tk, actor=people.bob, at=T0 + timedelta(hours=6))
        clock.shift(timedelta(hours=6))
        assert purge_due() == 1 and not Ticket.objects.filter(pk=tk.pk).exists()

    def test_a_restored_ticket_is_never_purged(self, people, tk, clock):
        actions.mark_spam(ticket=tk, actor=people.bob)
        actions.restore_ticket(ticket=tk, actor=people.bob)
        clock.shift(timedelta(days=400))
        assert purge_due() == 0 and fresh(tk).status.kind == "new"
