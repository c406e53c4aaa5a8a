"""`manage.py generate_data` (tickets/datagen.py): a consistent benchmark data set."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Role, User
from attachments.models import Attachment
from links.models import TicketLink
from tickets.actions import create_ticket
from tickets.models import Category, Message, Ticket
from tickets.search import refresh_search_vector

pytestmark = pytest.mark.django_db(transaction=False)

TICKETS, PER_TICKET = 200, 3


def run(**options) -> str:
    out = StringIO()
    call_command(
        "generate_data",
        tickets=options.get("tickets", TICKETS),
        messages_per_ticket=options.get("messages", PER_TICKET),
        seed=options.get("seed", 7),
        progress_every=options.get("every", 50),
        stdout=out,
    )
    return out.getvalue()


def scalar(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


class TestGenerateData:
    def test_it_loads_the_asked_tickets_messages_and_people(self):
        run()
        assert Ticket.objects.count() == TICKETS
        assert Message.objects.count() == TICKETS * PER_TICKET
        assert User.objects.filter(role=Role.STAFF, email__startswith="gen-staff-").count() == 50
        assert User.objects.filter(email__startswith="gen-customer-").count() == TICKETS // 5 + 10
        assert Category.objects.filter(types__items__isnull=False).distinct().count() >= 5
        assert Ticket.tags.through.objects.exists()
        assert TicketLink.objects.exists() or Attachment.objects.exists()

    def test_it_prints_progress_with_rate_and_eta(self):
        out = run()
        lines = [line for line in out.splitlines() if line.startswith("generate_data:")]
        assert len(lines) >= 2
        assert "tickets/s" in lines[0] and "ETA" in lines[0]
        assert f"{TICKETS}/{TICKETS} tickets (100%)" in lines[-1]

    def test_every_search_vector_is_filled_and_matches_the_subject(self):
        run()
        assert not Ticket.objects.filter(search_vector__isnull=True).exists()
        ticket = Ticket.objects.order_by("pk").first()
        word = ticket.subject.split()[-1].lower()
        assert Ticket.objects.filter(pk=ticket.pk, search_vector=word).exists()

    def test_search_vectors_equal_the_ones_the_actions_keep(self):
        # datagen computes the document in its own INSERT: it must stay tickets/search.py's.
        run()
        generated = dict(Ticket.objects.values_list("pk", "search_vector"))
        for pk in generated:
            refresh_search_vector(pk)
        assert dict(Ticket.objects.values_list("pk", "search_vector")) == generated
        assert Message.objects.filter(ticket_id__in=generated).exists()

    def test_denormalised_columns_equal_the_joined_values(self):
        run()
        assert not scalar(
            "SELECT count(*) FROM tickets_ticket t JOIN tickets_status s ON s.id = t.status_id "
            "WHERE s.kind <> t.status_kind"
        )
        assert not scalar(
            "SELECT count(*) FROM tickets_ticket t JOIN tickets_priority p ON p.id = t.priority_id "
            "WHERE p.rank <> t.priority_rank"
        )
        # The last public post of the requester is what last_customer_post_at says.
        assert not scalar(
            "SELECT count(*) FROM tickets_ticket t WHERE t.last_customer_post_at IS DISTINCT FROM "
            "(SELECT max(m.created_at) FROM tickets_message m WHERE m.ticket_id = t.id "
            "AND m.author_id = t.requester_id)"
        )
        assert not Ticket.objects.filter(sla_plan__isnull=False, sla_due_at__isnull=True).exists()
        kinds = set(Ticket.objects.values_list("status_kind", flat=True))
        assert {"closed", "resolved", "new", "open"} <= kinds

    def test_the_same_seed_gives_the_same_tickets(self):
        run(seed=3, tickets=50)
        first = list(Ticket.objects.order_by("pk").values_list("subject", "priority_rank", "status_kind"))
        Ticket.objects.all().delete()
        run(seed=3, tickets=50)
        second = list(Ticket.objects.order_by("pk").values_list("subject", "priority_rank", "status_kind"))
        assert first == second

    def test_sequences_are_advanced_so_the_actions_still_create(self, people):
        run()
        last = Ticket.objects.order_by("-pk").values_list("pk", flat=True)[0]
        ticket = create_ticket(
            actor=people.dave, subject="After the load", description="Works", category=people.category
        )
        assert ticket.pk == last + 1
        assert ticket.search_vector is not None or Ticket.objects.get(pk=ticket.pk).search_vector

    def test_it_refuses_bad_sizes(self):
        with pytest.raises(CommandError):
            run(tickets=0)
        assert not Ticket.objects.exists()

    def test_it_refuses_sqlite(self, monkeypatch):
        monkeypatch.setattr(connection, "vendor", "sqlite")
        with pytest.raises(CommandError, match="PostgreSQL"):
            run()


class TestBenchSupport:
    """The benchmark's query-count header and floor view (installed only by BENCH_* variables)."""

    def test_the_query_count_header_counts_the_requests_queries(self, rf):
        from helpdesk.middleware import QueryCountMiddleware

        def view(request):
            list(Ticket.objects.all()[:1])
            list(Category.objects.all()[:1])
            from django.http import HttpResponse

            return HttpResponse("ok")

        response = QueryCountMiddleware(view)(rf.get("/"))
        assert response["X-Query-Count"] == "2"

    def test_the_floor_view_answers_a_fixed_kilobyte_without_queries(self, rf, django_assert_num_queries):
        from helpdesk.bench_views import floor

        with django_assert_num_queries(0):
            response = floor(rf.get("/bench/floor/"))
        assert response.status_code == 200 and len(response.content) == 1024

    def test_neither_is_installed_by_default(self, client, settings):
        assert "helpdesk.middleware.QueryCountMiddleware" not in settings.MIDDLEWARE
        assert client.get("/bench/floor/").status_code == 404
