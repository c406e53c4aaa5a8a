"""Deleting tickets for good (tickets.purge): everything hanging off them goes, nothing else does,
with or without the database's per-row foreign-key checks."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from links.models import LinkType, TicketLink
from tickets import actions, purge
from tickets.models import Favorite, Message, OutboundEmail, Status, Survey, Ticket, TicketEvent

from ..factories import make_ticket
from .test_jobs import wait_for_a_lock_wait


@pytest.fixture(autouse=True)
def fresh_probe():
    """Each test learns afresh whether the role may skip the checks."""
    purge._may_skip_checks = None
    yield
    purge._may_skip_checks = None


def busy_ticket(people) -> Ticket:
    """A ticket with something in most of the tables that point at tickets."""
    ticket = make_ticket(people.dave, people.category, subject="Busy")
    actions.add_message(ticket=ticket, actor=people.bob, body="On it")
    actions.add_message(ticket=ticket, actor=people.dave, body="Thanks")
    Favorite.objects.create(ticket=ticket, user=people.dave)
    Survey.objects.create(ticket=ticket)
    OutboundEmail.objects.create(key=f"k-{ticket.pk}", kind="reply", ticket=ticket, recipient="d@example.com")
    return ticket


def rows_of(ticket) -> tuple[int, int]:
    return Message.objects.filter(ticket=ticket).count(), TicketEvent.objects.filter(ticket=ticket).count()


def gone(ticket) -> bool:
    return not (
        Ticket.objects.filter(pk=ticket.pk).exists()
        or Message.objects.filter(ticket_id=ticket.pk).exists()
        or TicketEvent.objects.filter(ticket_id=ticket.pk).exists()
        or Favorite.objects.filter(ticket_id=ticket.pk).exists()
        or Survey.objects.filter(ticket_id=ticket.pk).exists()
        or TicketLink.objects.filter(Q(source_id=ticket.pk) | Q(target_id=ticket.pk)).exists()
    )


class TestPurgeTickets:
    @pytest.mark.parametrize("may_skip_checks", [True, False], ids=["checks skipped", "checks kept"])
    def test_it_removes_the_tickets_and_what_hangs_off_them_and_nothing_else(self, people, may_skip_checks):
        doomed, kept = busy_ticket(people), busy_ticket(people)
        TicketLink.objects.create(source=doomed, target=kept, type=LinkType.RELATED_TO)
        TicketLink.objects.create(source=kept, target=doomed, type=LinkType.RELATED_TO)
        mail = OutboundEmail.objects.get(ticket=doomed)
        kept_rows = rows_of(kept)
        if not may_skip_checks:
            purge._may_skip_checks = False

        with transaction.atomic():
            purge.purge_tickets([doomed.pk])

        assert gone(doomed)
        assert Ticket.objects.filter(pk=kept.pk).exists()
        assert rows_of(kept) == kept_rows
        assert Favorite.objects.filter(ticket=kept).exists() and Survey.objects.filter(ticket=kept).exists()
        mail.refresh_from_db()
        assert mail.ticket_id is None  # the sent-mail record outlives its ticket (SET_NULL)

    def test_nothing_happens_for_no_ids(self, people):
        ticket = busy_ticket(people)
        purge.purge_tickets([])
        assert Ticket.objects.filter(pk=ticket.pk).exists()

    def test_a_relation_that_neither_cascades_nor_clears_is_refused_up_front(self):
        # Tickets PROTECT their status: purging statuses this way must refuse, not orphan tickets.
        with pytest.raises(RuntimeError, match="must CASCADE or SET_NULL"):
            purge._relations_to(Status)


@pytest.mark.django_db(transaction=True)
class TestTheChecksSkipped:
    """Committed transactions: what SET LOCAL changed must be back to normal afterwards."""

    def test_a_superuser_role_skips_the_checks_for_its_own_transaction_only(self, people):
        ticket = busy_ticket(people)
        with transaction.atomic():
            purge.purge_tickets([ticket.pk])
            with connection.cursor() as cursor:
                cursor.execute("SHOW session_replication_role")
                assert cursor.fetchone()[0] == "replica"
        assert purge._may_skip_checks is True
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"
        assert gone(ticket)

    def test_a_role_that_may_not_skip_the_checks_purges_with_them(self, people):
        ticket, other = busy_ticket(people), busy_ticket(people)
        with connection.cursor() as cursor:
            cursor.execute("DROP ROLE IF EXISTS helpdesk_purge_probe")
            cursor.execute("CREATE ROLE helpdesk_purge_probe NOLOGIN")
            cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO helpdesk_purge_probe")
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL ROLE helpdesk_purge_probe")
                purge.purge_tickets([ticket.pk])
                with connection.cursor() as cursor:
                    cursor.execute("SHOW session_replication_role")
                    assert cursor.fetchone()[0] == "origin"
            assert purge._may_skip_checks is False
            assert gone(ticket) and Ticket.objects.filter(pk=other.pk).exists()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM helpdesk_purge_probe")
                cursor.execute("DROP ROLE helpdesk_purge_probe")

    def test_other_transactions_keep_their_checks_and_cannot_orphan_a_row(self, people):
        ticket = make_ticket(people.dave, people.category)
        purged, outcome = threading.Event(), {}

        def purge_and_hold():
            try:
                with transaction.atomic():
                    Ticket.objects.select_for_update().get(pk=ticket.pk)
                    purge.purge_tickets([ticket.pk])
                    purged.set()
                    wait_for_a_lock_wait()  # commit only once the writer waits on the ticket's lock
            finally:
                connection.close()

        def write_behind_its_back():
            purged.wait(30)
            try:
                with transaction.atomic():
                    Message.objects.create(ticket_id=ticket.pk, body="Sneaked in", body_html="")
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            except IntegrityError as exc:
                outcome["error"] = exc
            finally:
                connection.close()

        threads = [threading.Thread(target=purge_and_hold), threading.Thread(target=write_behind_its_back)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in threads)
        assert "error" in outcome
        assert not Ticket.objects.filter(pk=ticket.pk).exists()
        assert not Message.objects.filter(ticket_id=ticket.pk).exists()
