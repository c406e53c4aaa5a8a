"""Retention of closed tickets (issue 12): the archive job, the archived filter, and the purge of
archived tickets, with the clock moved."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tickets import actions
from tickets.jobs import JOBS, archive_closed, purge_archived
from tickets.models import StatusKind, Ticket, TicketEvent

from ..factories import make_ticket
from .lifecycle_helpers import T0, fresh, resolve, status

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def closed_ticket(people, subject="Old printer"):
    ticket = make_ticket(people.dave, people.category, subject=subject)
    actions.close_ticket(ticket=ticket, actor=people.bob)
    return ticket


def keep(people, archive=None, purge=None):
    actions.update_settings(
        actor=people.alice, archive_closed_after_days=archive, purge_archived_after_days=purge
    )


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


class TestArchiveJob:
    def test_off_by_default_nothing_is_archived(self, people, clock):
        ticket = closed_ticket(people)
        clock.move_to(T0 + 3650 * DAY, tick=False)
        assert archive_closed() == 0 and fresh(ticket).archived_at is None

    def test_closed_tickets_older_than_the_setting_are_archived_once(self, people, clock):
        keep(people, archive=30)
        ticket = closed_ticket(people)
        clock.move_to(T0 + 30 * DAY - timedelta(minutes=1), tick=False)
        assert archive_closed() == 0
        clock.move_to(T0 + 30 * DAY + timedelta(minutes=1), tick=False)
        assert archive_closed() == 1
        archived = fresh(ticket)
        assert archived.archived_at == T0 + 30 * DAY + timedelta(minutes=1)
        assert archived.updated_at == T0 and archived.status.kind == StatusKind.CLOSED
        assert archive_closed() == 0  # idempotent: a second run finds nothing
        (event,) = TicketEvent.objects.filter(ticket=ticket, action="archived")
        assert event.actor is None

    def test_only_closed_tickets_are_archived(self, people, clock):
        keep(people, archive=1)
        new = make_ticket(people.dave, people.category)
        resolved = make_ticket(people.dave, people.category)
        resolve(resolved, people.bob)
        reopened = closed_ticket(people)
        actions.transition_ticket(ticket=reopened, actor=people.bob, status=status("open"))
        spam = closed_ticket(people)
        actions.mark_spam(ticket=spam, actor=people.bob)
        clock.move_to(T0 + 2 * DAY, tick=False)
        archive_closed()
        assert not Ticket.objects.filter(archived_at__isnull=False).exists()
        assert {new.pk, resolved.pk, reopened.pk, spam.pk} <= set(Ticket.objects.values_list("pk", flat=True))

    def test_it_works_in_batches_and_reports_progress(self, people, clock):
        keep(people, archive=1)
        for n in range(5):
            closed_ticket(people, subject=f"T{n}")
        clock.move_to(T0 + 2 * DAY, tick=False)
        seen = []
        assert archive_closed(batch=2, progress=seen.append) == 5
        assert seen == [2, 4, 5]

    def test_reopening_takes_a_ticket_out_of_the_archive(self, people, clock, api):
        keep(people, archive=1)
        ticket = closed_ticket(people)
        clock.move_to(T0 + 2 * DAY, tick=False)
        archive_closed()
        actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        assert fresh(ticket).archived_at is None
        assert ticket.pk in ids(api(people.bob).get("/api/v1/tickets/?queue=all"))


@pytest.fixture
def archived(people, clock):
    keep(people, archive=1)
    old = closed_ticket(people, subject="Archived printer")
    clock.move_to(T0 + 2 * DAY, tick=False)
    archive_closed()
    live = make_ticket(people.dave, people.category, subject="Live printer")
    return old, live


class TestArchivedTicketsInLists:
    def test_the_default_lists_and_search_leave_them_out(self, people, api, archived):
        old, live = archived
        assert ids(api(people.bob).get("/api/v1/tickets/?queue=all")) == {live.pk}
        assert ids(api(people.bob).get("/api/v1/tickets/")) == {live.pk}
        assert ids(api(people.bob).get("/api/v1/tickets/?q=printer")) == {live.pk}
        assert ids(api(people.dave).get("/api/v1/tickets/")) == {live.pk}

    def test_the_archived_filter_brings_them_back(self, people, api, archived):
        old, live = archived
        assert ids(api(people.bob).get("/api/v1/tickets/?queue=all&archived=1")) == {old.pk}
        assert ids(api(people.bob).get("/api/v1/tickets/?queue=all&archived=all")) == {old.pk, live.pk}
        assert ids(api(people.bob).get("/api/v1/tickets/?q=printer&archived=all")) == {old.pk, live.pk}
        assert ids(api(people.bob).get("/api/v1/tickets/?archived=0")) == {live.pk}

    def test_they_keep_counting_for_their_status(self, people, api, archived):
        old, _ = archived
        response = api(people.bob).get("/api/v1/tickets/?status_kind=closed&archived=all")
        assert ids(response) == {old.pk} and response.json()["count"] == 1

    def test_a_bad_archived_value_is_400(self, people, api, archived):
        response = api(people.bob).get("/api/v1/tickets/?archived=maybe")
        assert response.status_code == 400 and "archived" in response.json()

    def test_the_queue_page_hides_them_and_its_filter_shows_them(self, client, people, archived):
        old, live = archived
        client.force_login(people.bob)
        page = client.get(reverse("ticket_list") + "?queue=all").content.decode()
        assert "Live printer" in page and "Archived printer" not in page
        page = client.get(reverse("ticket_list") + "?queue=all&archived=1").content.decode()
        assert "Archived printer" in page and "Live printer" not in page
        assert '<option value="1" selected>Archived only</option>' in page

    def test_they_stay_readable(self, client, people, api, archived):
        old, _ = archived
        response = api(people.bob).get(f"/api/v1/tickets/{old.pk}/")
        assert response.status_code == 200 and response.json()["archived_at"] is not None
        assert api(people.dave).get(f"/api/v1/tickets/{old.pk}/").status_code == 200
        client.force_login(people.bob)
        page = client.get(reverse("ticket_detail", args=[old.pk])).content.decode()
        assert "Archived printer" in page and "Archived</span>" in page
        client.force_login(people.dave)
        assert client.get(reverse("portal_ticket", args=[old.pk])).status_code == 200

    def test_the_number_in_the_search_bar_still_opens_one(self, client, people, archived):
        old, _ = archived
        client.force_login(people.bob)
        response = client.get(reverse("ticket_list") + f"?q=%23{old.pk}")
        assert response.status_code == 302 and response["Location"] == reverse("ticket_detail", args=[old.pk])


class TestPurgeArchivedJob:
    def test_off_by_default(self, people, archived, clock):
        clock.move_to(T0 + 3650 * DAY, tick=False)
        assert purge_archived() == 0 and Ticket.objects.filter(pk=archived[0].pk).exists()

    def test_archived_tickets_are_purged_after_the_setting(self, people, archived, clock):
        old, live = archived
        keep(people, archive=1, purge=10)
        clock.move_to(T0 + 12 * DAY - timedelta(minutes=1), tick=False)  # archived at T0 + 2 days
        assert purge_archived() == 0
        clock.move_to(T0 + 12 * DAY + timedelta(minutes=1), tick=False)
        assert purge_archived() == 1
        assert not Ticket.objects.filter(pk=old.pk).exists() and Ticket.objects.filter(pk=live.pk).exists()
        assert not TicketEvent.objects.filter(ticket_id=old.pk).exists()
        assert purge_archived() == 0


class TestLifecycleCommand:
    def test_the_jobs_run_and_report_progress(self, people, clock, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        keep(people, archive=1, purge=1)
        closed_ticket(people)
        assert {"archive_closed", "purge_archived", "automation_idle"} <= set(JOBS)
        clock.move_to(T0 + 2 * DAY, tick=False)
        out = StringIO()
        call_command("run_lifecycle_jobs", stdout=out)
        text = out.getvalue()
        assert "  archive_closed: 1…" in text and "archive_closed: 1 closed ticket(s) archived" in text
        assert "purge_archived: 0 archived ticket(s) purged" in text
        clock.move_to(T0 + 4 * DAY, tick=False)
        out = StringIO()
        call_command("run_lifecycle_jobs", stdout=out)
        assert "purge_archived: 1 archived ticket(s) purged" in out.getvalue()
        assert not Ticket.objects.exists()
