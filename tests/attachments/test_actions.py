"""attach_files, the files= of create_ticket and add_message, the orphan sweep and the purge."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from attachments.actions import attach_files, remove_orphan_files
from attachments.models import Attachment
from tests.factories import make_ticket
from tickets import actions
from tickets.errors import ActionRefused
from tickets.jobs import JOBS, purge_due
from tickets.models import HelpdeskSettings, Message, Ticket, TicketEvent
from tickets.purge import purge_tickets

from . import samples
from .samples import stored_files, upload


def writes(queries) -> list[str]:
    """The statements that changed a row, of those captured."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


class TestAttachFiles:
    def test_files_are_stored_under_random_names_with_their_sniffed_type(self, people, ticket, media):
        stored = attach_files(
            ticket=ticket,
            actor=people.dave,
            files=[upload("report.pdf", samples.PDF, "text/html"), upload("dot.png", samples.png())],
        )
        assert [(a.filename, a.content_type, a.size) for a in stored] == [
            ("report.pdf", "application/pdf", len(samples.PDF)),
            ("dot.png", "image/png", len(samples.png())),
        ]
        for attachment in stored:
            assert "report" not in attachment.file.name and "dot" not in attachment.file.name
            assert attachment.uploaded_by == people.dave and attachment.message is None
        with default_storage.open(stored[0].file.name) as handle:
            assert handle.read() == samples.PDF
        assert len(stored_files(media)) == 2

    def test_the_upload_is_recorded_in_the_history(self, people, ticket):
        attach_files(ticket=ticket, actor=people.bob, files=[upload("a.txt"), upload("b.txt")])
        event = TicketEvent.objects.get(ticket=ticket, action="attachments")
        assert event.actor == people.bob
        assert event.after == {"files": ["a.txt", "b.txt"], "message": None}

    def test_one_refused_file_stores_nothing(self, people, ticket, media):
        events = TicketEvent.objects.count()
        with pytest.raises(ActionRefused) as refused:
            attach_files(
                ticket=ticket,
                actor=people.dave,
                files=[upload("a.txt"), upload("report.pdf", samples.elf()), upload("b.txt")],
            )
        assert refused.value.code == "invalid"
        assert not Attachment.objects.exists()
        assert stored_files(media) == []
        assert TicketEvent.objects.count() == events

    def test_a_failure_while_storing_removes_what_was_already_stored(self, people, ticket, media):
        real_save = default_storage.save
        calls = []

        def failing_save(name, content, **kwargs):
            calls.append(name)
            if len(calls) == 2:
                raise OSError("disk full")
            return real_save(name, content, **kwargs)

        with mock.patch.object(default_storage, "save", side_effect=failing_save), pytest.raises(OSError):
            attach_files(ticket=ticket, actor=people.dave, files=[upload("a.txt"), upload("b.txt")])
        assert stored_files(media) == []
        assert not Attachment.objects.exists()

    def test_a_customer_cannot_attach_to_a_closed_ticket(self, people, ticket, media):
        actions.close_ticket(ticket=ticket, actor=people.bob)
        with pytest.raises(ActionRefused) as refused:
            attach_files(ticket=ticket, actor=people.dave, files=[upload("a.txt")])
        assert refused.value.code == "conflict"
        assert stored_files(media) == [] and not Attachment.objects.exists()

    def test_staff_can_attach_to_a_closed_ticket(self, people, ticket):
        actions.close_ticket(ticket=ticket, actor=people.bob)
        assert len(attach_files(ticket=ticket, actor=people.bob, files=[upload("a.txt")])) == 1

    def test_a_message_of_another_ticket_is_refused(self, people, ticket):
        other = make_ticket(people.dave, people.category)
        message = actions.add_message(ticket=other, actor=people.bob, body="Hi")
        with pytest.raises(ActionRefused):
            attach_files(ticket=ticket, actor=people.bob, files=[upload("a.txt")], message=message)
        assert not Attachment.objects.exists()


class TestCreateTicketWithFiles:
    def test_the_files_are_attached_to_the_new_ticket(self, people):
        ticket = make_ticket(people.dave, people.category, files=[upload("photo.png", samples.png())])
        attachment = ticket.attachments.get()
        assert attachment.filename == "photo.png" and attachment.message is None

    def test_a_refused_file_refuses_the_ticket(self, people, media):
        with pytest.raises(ActionRefused):
            make_ticket(people.dave, people.category, files=[upload("setup.exe", samples.pe())])
        assert not Ticket.objects.exists()
        assert stored_files(media) == []

    def test_the_files_are_checked_before_anything_is_written(self, people, media):
        HelpdeskSettings.load()  # the desk's settings row exists, as on any running desk
        with CaptureQueriesContext(connection) as queries, pytest.raises(ActionRefused) as refused:
            actions.create_ticket(
                actor=people.bob,
                subject="Printer on fire",
                description="Smoke from tray 2.",
                category=people.category,
                requester_email="newcomer@example.com",
                files=[upload("notes.txt"), upload("setup.exe", samples.pe())],
            )
        assert refused.value.field == "files"
        assert writes(queries) == []  # not even the customer of requester_email
        assert not User.objects.filter(email="newcomer@example.com").exists()
        assert stored_files(media) == []

    def test_no_notification_is_queued_when_the_file_is_refused(
        self, people, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ActionRefused):
            make_ticket(people.dave, people.category, files=[upload("a.txt", b"")])
        assert callbacks == []


class TestAddMessageWithFiles:
    def test_the_files_are_attached_to_the_message(self, people, ticket):
        message = actions.add_message(
            ticket=ticket, actor=people.dave, body="Here is the log", files=[upload("log.txt")]
        )
        assert [a.filename for a in message.attachments.all()] == ["log.txt"]
        assert message.attachments.get().ticket == ticket

    def test_an_internal_note_carries_its_files(self, people, ticket):
        note = actions.add_message(
            ticket=ticket,
            actor=people.bob,
            body="Vendor quote",
            internal=True,
            files=[upload("quote.pdf", samples.PDF)],
        )
        assert note.attachments.get().content_type == "application/pdf"

    def test_a_refused_file_refuses_the_reply(self, people, ticket, media):
        with pytest.raises(ActionRefused):
            actions.add_message(
                ticket=ticket,
                actor=people.dave,
                body="See attached",
                files=[upload("run.sh", samples.SHELL_SCRIPT)],
            )
        assert not Message.objects.filter(ticket=ticket).exists()
        assert stored_files(media) == []

    def test_the_files_are_checked_before_anything_is_written(self, people, ticket, media):
        HelpdeskSettings.load()
        before = (
            TicketEvent.objects.filter(ticket=ticket).count(),
            Ticket.objects.get(pk=ticket.pk).updated_at,
        )
        with CaptureQueriesContext(connection) as queries, pytest.raises(ActionRefused) as refused:
            actions.add_message(
                ticket=ticket,
                actor=people.bob,
                body="Try this fix",
                status="Resolved",
                files=[upload("fix.txt"), upload("fix.bin", samples.elf())],
            )
        assert refused.value.field == "files"
        assert writes(queries) == []
        after = TicketEvent.objects.filter(ticket=ticket).count(), Ticket.objects.get(pk=ticket.pk).updated_at
        assert after == before and not Message.objects.filter(ticket=ticket).exists()
        assert stored_files(media) == []


class TestRemoveOrphanFiles:
    def test_files_without_a_row_older_than_an_hour_are_deleted(self, people, ticket, media):
        kept = attach_files(ticket=ticket, actor=people.dave, files=[upload("kept.txt")])[0]
        orphan = default_storage.save("ab/cd/orphan", upload("orphan.txt"))
        with time_machine.travel(timezone.now() + timedelta(hours=2)):
            assert remove_orphan_files() == 1
        assert not default_storage.exists(orphan)
        assert default_storage.exists(kept.file.name)

    def test_a_recent_file_without_a_row_is_spared(self, db, media):
        orphan = default_storage.save("ab/cd/in-flight", upload("orphan.txt"))
        assert remove_orphan_files() == 0
        assert default_storage.exists(orphan)

    def test_files_of_a_rolled_back_upload_are_swept_later(self, people, ticket, media):
        class Boom(Exception):
            pass

        with pytest.raises(Boom), transaction.atomic():
            attach_files(ticket=ticket, actor=people.dave, files=[upload("a.txt")])
            raise Boom
        assert not Attachment.objects.exists()
        assert len(stored_files(media)) == 1
        assert remove_orphan_files(now=timezone.now() + timedelta(hours=2)) == 1
        assert stored_files(media) == []

    def test_an_empty_store_is_fine(self, db):
        assert remove_orphan_files() == 0

    def test_it_is_one_of_the_periodic_jobs(self):
        assert JOBS["orphan_files"] is remove_orphan_files


class TestPurgeRemovesAttachments:
    def test_purging_a_ticket_deletes_its_attachment_rows_and_files(
        self, people, ticket, media, django_capture_on_commit_callbacks
    ):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Log", files=[upload("a.txt")])
        attach_files(ticket=ticket, actor=people.bob, files=[upload("b.txt")])
        other = make_ticket(people.dave, people.category, files=[upload("other.txt")])
        assert len(stored_files(media)) == 3
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            purge_tickets([ticket.pk])
        assert not Attachment.objects.filter(ticket_id=ticket.pk).exists()
        assert not Message.objects.filter(pk=message.pk).exists()
        remaining = stored_files(media)
        assert remaining == [other.attachments.get().file.name]

    def test_a_rolled_back_purge_keeps_the_files(
        self, people, ticket, media, django_capture_on_commit_callbacks
    ):
        attach_files(ticket=ticket, actor=people.bob, files=[upload("b.txt")])
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            purge_tickets([ticket.pk])
            raise RuntimeError
        assert Attachment.objects.filter(ticket=ticket).exists()
        assert len(stored_files(media)) == 1

    def test_the_purge_job_removes_the_files_of_deleted_tickets(
        self, people, ticket, media, django_capture_on_commit_callbacks
    ):
        attach_files(ticket=ticket, actor=people.bob, files=[upload("b.txt")])
        actions.delete_ticket(ticket=ticket, actor=people.bob)
        with django_capture_on_commit_callbacks(execute=True):
            assert purge_due(now=timezone.now() + timedelta(days=31)) == 1
        assert not Attachment.objects.exists()
        assert stored_files(media) == []
