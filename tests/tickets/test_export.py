"""CSV export of a queue or saved view: streamed, the list's own filters and visibility,
staff only, and cells a spreadsheet would run as formulas made harmless."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from tests.factories import make_ticket
from tickets import actions
from tickets.export import COLUMNS, safe_cell
from tickets.models import SavedView

pytestmark = pytest.mark.django_db

API = "/api/v1/tickets/export/"


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, getattr(response, "content", b"")
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    assert tuple(header) == COLUMNS
    return [dict(zip(header, row, strict=True)) for row in reader]


def numbers(rows) -> list[int]:
    return [int(row["number"]) for row in rows]


@pytest.fixture
def desk(people):
    """Three tickets: dave's in Hardware (Blue team, assigned to carol), erin's, and a resolved one."""
    first = make_ticket(people.dave, people.category, subject="Printer is on fire")
    actions.assign_ticket(ticket=first, actor=people.bob, assignee=people.carol, team=people.blue)
    actions.update_ticket_fields(ticket=first, actor=people.bob, tags=["printer", "urgent"])
    second = make_ticket(people.erin, people.category, subject="Screen is blue")
    third = make_ticket(people.dave, people.category, subject="Old one")
    actions.resolve_ticket(ticket=third, actor=people.bob)
    return first, second, third


class TestExportApi:
    def test_staff_get_every_visible_ticket_as_a_streamed_csv(self, api, people, desk):
        first, second, third = desk
        response = api(people.bob).get(API)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="tickets-all-')
        rows = rows_of(response)
        assert sorted(numbers(rows)) == sorted(t.pk for t in desk)
        row = next(r for r in rows if int(r["number"]) == first.pk)
        assert row["subject"] == "Printer is on fire" and row["status"] == "New"
        assert row["priority"] == "Normal" and row["category"] == "Hardware"
        assert row["requester_email"] == "dave@example.com" and row["assignee"] == "carol@example.com"
        assert row["team"] == "Blue" and row["tags"] == "printer, urgent"
        assert row["created_at"].startswith(str(first.created_at.year)) and row["type"] == ""

    def test_the_list_filters_and_sort_apply(self, api, people, desk):
        first, second, third = desk
        assert numbers(rows_of(api(people.bob).get(API, {"status": "Resolved"}))) == [third.pk]
        assert numbers(
            rows_of(api(people.bob).get(API, {"requester": "dave@example.com", "ordering": "oldest"}))
        ) == [
            first.pk,
            third.pk,
        ]
        assert numbers(rows_of(api(people.bob).get(API, {"tag": "urgent"}))) == [first.pk]
        assert numbers(rows_of(api(people.bob).get(API, {"queue": "unassigned", "ordering": "newest"}))) == [
            third.pk,
            second.pk,
        ]

    def test_a_saved_view_is_exported_with_its_filters(self, api, people, desk):
        view = actions.save_view(actor=people.bob, name="Dave's", filters={"requester": ["dave@example.com"]})
        rows = rows_of(api(people.bob).get(API, {"view": view.pk, "ordering": "oldest"}))
        assert numbers(rows) == [desk[0].pk, desk[2].pk]

    def test_another_agents_saved_view_is_a_404(self, api, people, desk):
        view = actions.save_view(actor=people.carol, name="Mine", filters={})
        assert api(people.bob).get(API, {"view": view.pk}).status_code == 404
        assert SavedView.objects.filter(pk=view.pk).exists()

    def test_a_restricted_agent_exports_only_what_they_may_see(self, api, people, desk):
        rows = rows_of(api(people.carol).get(API))
        assert numbers(rows) == [desk[0].pk]
        assert api(people.carol).get(API, {"queue": "all"}).status_code == 403

    def test_spam_stays_out_unless_asked_for(self, api, people, desk):
        actions.mark_spam(ticket=desk[1], actor=people.bob)
        assert desk[1].pk not in numbers(rows_of(api(people.bob).get(API)))
        assert numbers(rows_of(api(people.bob).get(API, {"queue": "spam"}))) == [desk[1].pk]

    def test_customers_and_anonymous_are_refused(self, api, people, desk):
        assert api(people.dave).get(API).status_code == 403
        assert api().get(API).status_code == 401

    @pytest.mark.parametrize(
        "params",
        [{"status": "Nope"}, {"ordering": "random"}, {"queue": "elsewhere"}, {"created_after": "yesterday"}],
    )
    def test_a_bad_filter_is_a_400_with_the_reason(self, api, people, desk, params):
        response = api(people.bob).get(API, params)
        assert response.status_code == 400
        assert set(response.json()) <= {*params, "detail"}

    def test_a_client_asking_for_csv_gets_it(self, api, people, desk):
        response = api(people.bob).get(API, HTTP_ACCEPT="text/csv")
        assert len(rows_of(response)) == 3

    def test_the_queries_do_not_grow_with_the_rows(self, api, people, django_assert_num_queries):
        people.bob.has_perm("tickets.view_all")  # the permission cache, loaded before counting

        def count_export() -> int:
            client = api(people.bob)
            # the server-side cursor's rows (status, priority, CTI, people and team joined), their tags
            with django_assert_num_queries(2) as captured:
                rows = rows_of(client.get(API))
            return len(rows), len(captured.captured_queries)

        make_ticket(people.dave, people.category)
        assert count_export() == (1, 2)
        for i in range(25):
            ticket = make_ticket(
                people.dave, people.category, subject=f"T{i}", actor=people.bob, tags=["a", "b"]
            )
            actions.assign_ticket(ticket=ticket, actor=people.bob, assignee=people.bob, team=people.red)
        assert count_export() == (26, 2)


class TestCsvInjection:
    @pytest.mark.parametrize(
        "value, cell",
        [
            ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("Plain subject", "Plain subject"),
            ("a=b", "a=b"),
            (None, ""),
            (42, "42"),
        ],
    )
    def test_cells_that_would_run_as_formulas_get_a_quote(self, value, cell):
        assert safe_cell(value) == cell

    def test_the_export_escapes_subjects_and_tags(self, api, people):
        ticket = make_ticket(people.dave, people.category, subject="=cmd|' /C calc'!A0")
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, tags=["@evil"])
        (row,) = rows_of(api(people.bob).get(API))
        assert row["subject"] == "'=cmd|' /C calc'!A0"
        assert row["tags"] == "'@evil"


class TestExportPage:
    url = reverse("ticket_export")

    def test_staff_export_their_queue(self, client, people, desk):
        client.force_login(people.bob)
        rows = rows_of(client.get(self.url, {"queue": "all", "ordering": "oldest"}))
        assert numbers(rows) == [t.pk for t in desk]

    def test_the_default_queue_is_the_pages(self, client, people, desk):
        client.force_login(people.carol)
        response = client.get(self.url)
        assert response["Content-Disposition"].startswith('attachment; filename="tickets-default-')
        assert numbers(rows_of(response)) == [desk[0].pk]

    def test_a_restricted_agent_may_not_export_all(self, client, people, desk):
        client.force_login(people.carol)
        assert client.get(self.url, {"queue": "all"}).status_code == 404

    def test_a_bad_filter_is_a_400(self, client, people, desk):
        client.force_login(people.bob)
        response = client.get(self.url, {"queue": "all", "priority": "Whatever"})
        assert response.status_code == 400 and b"priority" in response.content

    def test_customers_get_404_and_anonymous_log_in(self, client, people, desk):
        response = client.get(self.url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        client.force_login(people.dave)
        assert client.get(self.url).status_code == 404

    def test_the_queue_page_links_to_the_export_with_its_filters(self, client, people, desk):
        client.force_login(people.bob)
        body = client.get(reverse("ticket_list"), {"queue": "all", "status": "New"}).content.decode()
        assert f'href="{self.url}?queue=all&amp;status=New"' in body
        assert "Export CSV" in body
