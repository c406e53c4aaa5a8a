"""The queues (SPEC §1, §6): who sees what in which tab, filters, sorts, bad input, paging,
query counts, and the sort keys the actions copy onto tickets."""

import re
from unittest import mock

import pytest
from django.urls import reverse

from accounts.actions import update_user
from tests.factories import CategoryFactory, TeamFactory, make_ticket, priority
from tickets import actions
from tickets.actions.copies import sync_ticket_copies
from tickets.lifecycle import status_of_kind
from tickets.models import Priority, Status, StatusKind, Ticket
from tickets.queue_rows import QueuePaginator
from tickets.queues import queue_tickets

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def page_ids(response) -> list[int]:
    """The ticket numbers listed on a queue page, in order."""
    assert response.status_code == 200, response.content[:500]
    return [int(n) for n in re.findall(r'name="ids" value="(\d+)"', response.content.decode())]


@pytest.fixture
def desk(people):
    """One ticket in each corner of the visibility rules; carol's scope is Network and Green."""
    network = CategoryFactory(name="Network")
    green = TeamFactory(name="Green")
    update_user(user=people.carol, scope_categories=[network], scope_teams=[green])

    def ticket(subject, category=None, **assign):
        t = make_ticket(people.dave, category or people.category, subject=subject)
        if assign:
            actions.assign_ticket(ticket=t, actor=people.alice, **assign)
        return t

    d = {
        "bobs": ticket("Assigned to Bob", assignee=people.bob),
        "red": ticket("Red team's", team=people.red),
        "blue": ticket("Blue team's", team=people.blue),
        "network": ticket("Network category", category=network),
        "green": ticket("Green team's", team=green),
        "nobodys": ticket("Nobody's"),
        "spam": ticket("Cheap pills", team=people.blue),
        "deleted": ticket("Deleted one", team=people.red),
    }
    actions.mark_spam(ticket=d["spam"], actor=people.bob)
    actions.delete_ticket(ticket=d["deleted"], actor=people.bob)
    return {name: t.pk for name, t in d.items()}


def names(desk, found) -> set[str]:
    by_pk = {pk: name for name, pk in desk.items()}
    return {by_pk[pk] for pk in found}


LIVE = {"bobs", "red", "blue", "network", "green", "nobodys"}


class TestStaffQueues:
    @pytest.mark.parametrize(
        "persona, queue, expected",
        [
            ("bob", "default", {"bobs", "red"}),  # view_all, yet the default queue is his own work
            ("bob", "mine", {"bobs"}),
            ("bob", "teams", {"red"}),
            ("bob", "unassigned", LIVE - {"bobs"}),
            ("bob", "all", LIVE),
            ("bob", "spam", {"spam"}),
            ("bob", "deleted", {"deleted"}),
            ("carol", "default", {"blue", "network", "green"}),  # her team and her scope
            ("carol", "mine", set()),
            ("carol", "teams", {"blue"}),
            ("carol", "unassigned", {"blue", "network", "green"}),
            ("carol", "spam", {"spam"}),  # the spam of her team
            ("carol", "deleted", set()),  # deleted in Red: not hers
            ("alice", "all", LIVE),
        ],
    )
    def test_queue_lists_its_tickets_in_the_api_and_on_the_page(
        self, api, client, people, desk, persona, queue, expected
    ):
        user = getattr(people, persona)
        assert names(desk, ids(api(user).get(f"/api/v1/tickets/?queue={queue}&page_size=100"))) == expected
        client.force_login(user)
        page = client.get(reverse("ticket_list"), {"queue": queue, "page_size": 100})
        assert names(desk, page_ids(page)) == expected

    def test_the_page_opens_on_the_default_queue(self, client, people, desk):
        client.force_login(people.bob)
        assert names(desk, page_ids(client.get(reverse("ticket_list")))) == {"bobs", "red"}

    def test_scope_by_category_and_team_joins_the_default_queue_of_view_all_staff(self, api, people, desk):
        update_user(user=people.bob, scope_categories=[Ticket.objects.get(pk=desk["network"]).category])
        update_user(user=people.bob, scope_teams=[people.blue])
        found = ids(api(people.bob).get("/api/v1/tickets/?queue=default"))
        assert names(desk, found) == {"bobs", "red", "network", "blue"}

    def test_assignment_to_restricted_staff_brings_the_ticket_into_view(self, api, people, desk):
        actions.assign_ticket(
            ticket=Ticket.objects.get(pk=desk["nobodys"]), actor=people.bob, assignee=people.carol
        )
        assert names(desk, ids(api(people.carol).get("/api/v1/tickets/?queue=mine"))) == {"nobodys"}
        assert "nobodys" in names(desk, ids(api(people.carol).get("/api/v1/tickets/?queue=default")))

    def test_team_membership_brings_the_team_tickets_into_view(self, api, people, desk):
        update_user(user=people.carol, teams=[people.blue, people.red])
        found = names(desk, ids(api(people.carol).get("/api/v1/tickets/?queue=teams")))
        assert found == {"blue", "red"}

    def test_all_queue_needs_view_all(self, api, client, people, desk):
        response = api(people.carol).get("/api/v1/tickets/?queue=all")
        assert response.status_code == 403 and "detail" in response.json()
        client.force_login(people.carol)
        assert client.get(reverse("ticket_list"), {"queue": "all"}).status_code == 404
        assert b"?queue=all" not in client.get(reverse("ticket_list")).content  # no tab either

    def test_without_a_queue_the_api_lists_everything_visible_but_hidden_kinds(self, api, people, desk):
        assert names(desk, ids(api(people.bob).get("/api/v1/tickets/?page_size=100"))) == LIVE
        assert names(desk, ids(api(people.carol).get("/api/v1/tickets/"))) == {"blue", "network", "green"}

    def test_unknown_queue_is_refused(self, api, client, people, desk):
        response = api(people.bob).get("/api/v1/tickets/?queue=everything")
        assert response.status_code == 400 and "queue" in response.json()
        client.force_login(people.bob)
        assert client.get(reverse("ticket_list"), {"queue": "everything"}).status_code == 404


class TestCustomerQueue:
    def test_customer_lists_requested_and_participating_tickets(self, api, people, desk):
        mine = make_ticket(people.erin, people.category, subject="Erin's own")
        theirs = Ticket.objects.get(pk=desk["blue"])
        theirs.participants.add(people.erin)
        assert set(ids(api(people.erin).get("/api/v1/tickets/"))) == {mine.pk, theirs.pk}
        assert set(ids(api(people.erin).get("/api/v1/tickets/?queue=default"))) == {mine.pk, theirs.pk}

    def test_customer_never_lists_spam_or_deleted(self, api, people, desk):
        listed = set(ids(api(people.dave).get("/api/v1/tickets/?page_size=100")))
        assert names(desk, listed) == LIVE
        assert ids(api(people.dave).get("/api/v1/tickets/?status_kind=spam")) == []

    @pytest.mark.parametrize("queue", ["spam", "all", "mine"])
    def test_customer_has_no_staff_queues(self, api, people, desk, queue):
        response = api(people.dave).get(f"/api/v1/tickets/?queue={queue}")
        assert response.status_code == 400 and "queue" in response.json()

    def test_customer_gets_404_on_the_queue_page(self, client, people):
        client.force_login(people.dave)
        assert client.get(reverse("ticket_list")).status_code == 404


@pytest.fixture
def two(people, time_machine):
    """An old normal ticket of dave's and a newer high one of erin's, tagged, assigned to bob."""
    time_machine.move_to("2025-03-01 10:00Z")
    old = make_ticket(people.dave, people.category, subject="Printer on fire")
    time_machine.move_to("2025-03-10 10:00Z")
    new = make_ticket(
        people.erin,
        people.category,
        actor=people.bob,
        subject="VPN down",
        priority=priority("High"),
        tags=["vpn"],
    )
    actions.assign_ticket(ticket=new, actor=people.bob, assignee=people.bob, team=people.red)
    time_machine.move_to("2025-03-20 10:00Z")
    actions.add_message(ticket=old, actor=people.bob, body="Looking into it")
    return old, new


FILTERS = [
    ("status=New", [0, 1]),
    ("status_kind=new", [0, 1]),
    ("priority=High", [1]),
    ("category=Hardware", [0, 1]),
    ("team=Red", [1]),
    ("team=none", [0]),
    ("assignee=me", [1]),
    ("assignee=none", [0]),
    ("requester=dave@example.com", [0]),
    ("tag=vpn", [1]),
    ("reopened=false", [0, 1]),
    ("overdue=false", [0, 1]),
    ("created_after=2025-03-05", [1]),
    ("created_before=2025-03-01", [0]),  # a date alone counts to its end
    ("created_after=2025-03-01T10:00:01Z", [1]),
    ("updated_after=2025-03-15", [0]),
    ("updated_before=2025-03-15", [1]),
    ("updated_before=2025-03-20T09:00:00%2B00:00", [1]),
    ("q=vpn", [1]),
]


class TestFilters:
    @pytest.mark.parametrize("query, which", FILTERS)
    def test_filter_in_the_api(self, api, people, two, query, which):
        assert sorted(ids(api(people.bob).get(f"/api/v1/tickets/?{query}"))) == sorted(
            two[i].pk for i in which
        )

    @pytest.mark.parametrize("query, which", FILTERS)
    def test_filter_on_the_page(self, client, people, two, query, which):
        client.force_login(people.bob)
        response = client.get(f"{reverse('ticket_list')}?queue=all&{query}")
        assert sorted(page_ids(response)) == sorted(two[i].pk for i in which)

    def test_filter_bar_keeps_its_state(self, client, people, two):
        client.force_login(people.bob)
        body = client.get(reverse("ticket_list"), {"queue": "all", "priority": "High", "tag": "vpn"}).content
        high = Priority.objects.get(name="High")
        assert f'<option value="{high.pk}" selected>High</option>'.encode() in body
        assert b'name="tag" value="vpn"' in body

    def test_status_kind_filter_reads_the_copied_kind(self, api, people, two):
        old, _ = two
        actions.transition_ticket(ticket=old, actor=people.bob, status=status_of_kind(StatusKind.PENDING))
        assert ids(api(people.bob).get("/api/v1/tickets/?status_kind=pending")) == [old.pk]

    def test_several_values_of_one_filter_are_alternatives(self, api, people, two):
        assert len(ids(api(people.bob).get("/api/v1/tickets/?priority=High&priority=Normal"))) == 2


BAD = [
    ("status=Nope", "status"),
    ("status_kind=bogus", "status_kind"),
    ("priority=Urgent", "priority"),
    ("category=Nope", "category"),
    ("type=0", "type"),
    ("item=-1", "item"),
    ("team=Green", "team"),
    ("assignee=nobody@example.com", "assignee"),
    ("requester=99999", "requester"),
    ("reopened=maybe", "reopened"),
    ("overdue=2", "overdue"),
    ("created_after=yesterday", "created_after"),
    ("created_before=2025-02-30", "created_before"),
    ("updated_after=2025-13-01", "updated_after"),
    ("updated_before=9999-12-31T25:00", "updated_before"),
    ("ordering=random", "ordering"),
    ("ordering=-created_at", "ordering"),
    ("q=a%00b", "q"),
]


class TestBadInput:
    @pytest.mark.parametrize("query, param", BAD)
    def test_api_answers_400_naming_the_parameter(self, api, people, two, query, param):
        response = api(people.bob).get(f"/api/v1/tickets/?{query}")
        assert response.status_code == 400
        assert param in response.json()

    @pytest.mark.parametrize("query, param", BAD)
    def test_page_shows_a_form_error_naming_the_parameter(self, client, people, two, query, param):
        client.force_login(people.bob)
        response = client.get(f"{reverse('ticket_list')}?queue=all&{query}")
        assert response.status_code == 400
        body = response.content.decode()
        assert 'id="filter-error"' in body and f"<strong>{param}</strong>" in body
        assert 'name="ids"' not in body  # nothing is listed under a refused filter

    def test_date_at_the_end_of_time_is_refused_not_a_500(self, api, people):
        response = api(people.bob).get("/api/v1/tickets/?created_before=9999-12-31")
        assert response.status_code == 400 and "created_before" in response.json()

    def test_page_past_the_end_shows_the_last_page(self, client, people, two):
        client.force_login(people.bob)
        response = client.get(reverse("ticket_list"), {"queue": "all", "page": 99})
        assert len(page_ids(response)) == 2

    def test_api_page_past_the_end_is_404(self, api, people, two):
        assert api(people.bob).get("/api/v1/tickets/?page=99").status_code == 404


class TestSorts:
    @pytest.fixture
    def three(self, people, time_machine):
        time_machine.move_to("2025-01-01 09:00Z")
        old = make_ticket(
            people.dave, people.category, subject="old", actor=people.bob, priority=priority("Low")
        )
        time_machine.move_to("2025-01-02 09:00Z")
        mid = make_ticket(people.dave, people.category, subject="mid", actor=people.bob)
        time_machine.move_to("2025-01-03 09:00Z")
        new = make_ticket(
            people.dave, people.category, subject="new", actor=people.bob, priority=priority("High")
        )
        time_machine.move_to("2025-01-04 09:00Z")
        actions.update_ticket_fields(ticket=old, actor=people.bob, subject="old, touched")
        # Priority changes re-sort: the rank copied onto the ticket follows the action.
        actions.update_ticket_fields(ticket=mid, actor=people.bob, priority=priority("Emergency"))
        Ticket.objects.filter(pk=new.pk).update(sla_due_at="2025-01-05 09:00Z")  # what SLA planning writes
        Ticket.objects.filter(pk=old.pk).update(sla_due_at="2025-01-06 09:00Z")
        Ticket.objects.filter(pk=mid.pk).update(sla_due_at=None)
        return {t.pk: name for t, name in ((old, "old"), (mid, "mid"), (new, "new"))}

    ORDERS = [
        ("", ["mid", "old", "new"]),
        ("updated", ["mid", "old", "new"]),
        ("newest", ["new", "mid", "old"]),
        ("oldest", ["old", "mid", "new"]),
        ("priority", ["mid", "new", "old"]),
        ("sla", ["new", "old", "mid"]),  # soonest first, no due time last
    ]

    @pytest.mark.parametrize("ordering, expected", ORDERS)
    def test_sort_in_the_api(self, api, people, three, ordering, expected):
        got = ids(api(people.bob).get(f"/api/v1/tickets/?ordering={ordering}"))
        assert [three[pk] for pk in got] == expected

    @pytest.mark.parametrize("ordering, expected", ORDERS)
    def test_sort_on_the_page(self, client, people, three, ordering, expected):
        client.force_login(people.bob)
        got = page_ids(client.get(reverse("ticket_list"), {"queue": "all", "ordering": ordering}))
        assert [three[pk] for pk in got] == expected

    def test_sort_select_shows_the_current_sort(self, client, people, three):
        client.force_login(people.bob)
        body = client.get(reverse("ticket_list"), {"queue": "all", "ordering": "sla"}).content
        assert b'<option value="sla" selected>' in body


class TestSortKeyCopies:
    def test_new_ticket_carries_its_status_kind_and_priority_rank(self, people):
        t = make_ticket(people.dave, people.category, actor=people.bob, priority=priority("High"))
        t.refresh_from_db()
        assert (t.status_kind, t.priority_rank) == ("new", priority("High").rank)

    def test_status_actions_keep_the_kind(self, people, ticket):
        actions.mark_spam(ticket=ticket, actor=people.bob)
        assert Ticket.objects.get(pk=ticket.pk).status_kind == "spam"
        actions.restore_ticket(ticket=ticket, actor=people.bob)
        assert Ticket.objects.get(pk=ticket.pk).status_kind == "new"
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        assert Ticket.objects.get(pk=ticket.pk).status_kind == "resolved"

    def test_admin_changes_of_kind_and_rank_reach_the_tickets(self, people, ticket):
        status = Status.objects.get(pk=ticket.status_id)
        Status.objects.filter(pk=status.pk).update(kind=StatusKind.OPEN)  # as the admin form saves it
        status.refresh_from_db()
        low = priority("Normal")
        Priority.objects.filter(pk=low.pk).update(rank=99)
        low.refresh_from_db()
        assert sync_ticket_copies(status=status, priority=low) == 2
        t = Ticket.objects.get(pk=ticket.pk)
        assert (t.status_kind, t.priority_rank) == ("open", 99)

    def test_admin_form_saves_the_copies(self, client, people, ticket):
        client.force_login(people.alice)
        status = Status.objects.get(pk=ticket.status_id)
        data = {
            "name": status.name,
            "kind": "open",
            "order": status.order,
            "color": status.color,
            "active": "on",
            "is_initial": "on",
        }
        response = client.post(reverse("admin:tickets_status_change", args=[status.pk]), data)
        assert response.status_code == 302, response.content[:2000]
        assert Ticket.objects.get(pk=ticket.pk).status_kind == "open"


class TestPaging:
    def test_counts_past_the_threshold_are_estimated(self, people):
        for n in range(6):
            make_ticket(people.dave, people.category, subject=f"T{n}")
        qs = queue_tickets(people.bob, "all").order_by("-updated_at", "-id")
        with mock.patch.object(QueuePaginator, "ESTIMATE_ABOVE", 3):
            paginator = QueuePaginator(qs, 2)
            assert paginator.count >= 4 and paginator.estimated
        exact = QueuePaginator(qs, 2)
        assert exact.count == 6 and not exact.estimated

    def test_an_estimate_below_the_truth_hides_no_page(self, api, people, monkeypatch):
        from tickets import queue_rows

        for n in range(6):
            make_ticket(people.dave, people.category, subject=f"T{n}")
        monkeypatch.setattr(QueuePaginator, "ESTIMATE_ABOVE", 3)
        monkeypatch.setattr(queue_rows, "planned_rows", lambda qs: 2)  # the planner guesses low
        body = api(people.bob).get("/api/v1/tickets/?page_size=2&page=3").json()
        assert body["count"] == 4 and len(body["results"]) == 2  # the bounded count, 3 + 1
        assert api(people.bob).get("/api/v1/tickets/?page_size=2&page=9").json()["results"] == []

    def test_page_size_choices_on_the_page(self, client, people):
        for n in range(30):
            make_ticket(people.dave, people.category, subject=f"T{n}")
        client.force_login(people.bob)
        assert len(page_ids(client.get(reverse("ticket_list"), {"queue": "all", "page_size": 50}))) == 30
        assert len(page_ids(client.get(reverse("ticket_list"), {"queue": "all", "page_size": 7}))) == 25


def fill(people, n, *, assignee=None):
    """n tickets with everything a row shows: tags, team, assignee, a customer post."""
    for i in range(n):
        t = make_ticket(
            people.dave, people.category, subject=f"Row {i}", actor=people.bob, tags=["a", f"t{i}"]
        )
        actions.assign_ticket(ticket=t, actor=people.bob, assignee=assignee or people.bob, team=people.blue)
        actions.add_message(ticket=t, actor=people.dave, body="More smoke")


class TestQueryCounts:
    """At most 12 queries whatever the number of rows; the same number at 5 and at 50 rows."""

    @pytest.mark.parametrize("persona", ["alice", "bob", "carol"])
    @pytest.mark.parametrize("query", ["", "queue=all", "queue=mine&ordering=sla", "queue=default&q=smoke"])
    def test_queue_page(self, client, people, django_assert_max_num_queries, monkeypatch, persona, query):
        # At most: session, user, 2 permission reads, the user's teams and scope (one UNION, for
        # the default queue or the visibility rule), the catalogue with the saved views (one
        # UNION), count, its estimate (past ESTIMATE_ABOVE, made small here), the page's ids,
        # its rows (with the unread subquery), tags = 11.
        monkeypatch.setattr(QueuePaginator, "ESTIMATE_ABOVE", 3)
        user = getattr(people, persona)
        if persona == "carol" and "all" in query:
            return  # not hers: 404 (TestStaffQueues)
        client.force_login(user)
        counts = []
        for n in (5, 45):
            fill(people, n, assignee=user)
            with django_assert_max_num_queries(12) as captured:
                response = client.get(f"{reverse('ticket_list')}?page_size=50&{query}")
                assert response.status_code == 200
            assert len(page_ids(response)) == (5 if n == 5 else 50)
            counts.append(len(captured.captured_queries))
        assert counts[0] == counts[1]

    @pytest.mark.parametrize("persona", ["bob", "carol", "dave"])
    def test_api_list(self, api, people, django_assert_max_num_queries, monkeypatch, persona):
        monkeypatch.setattr(QueuePaginator, "ESTIMATE_ABOVE", 3)  # the estimate's query counts too
        user = getattr(people, persona)
        user.has_perm("tickets.view_all")
        counts = []
        for n in (5, 45):
            fill(people, n, assignee=people.carol)
            with django_assert_max_num_queries(12) as captured:
                response = api(user).get("/api/v1/tickets/?page_size=50&q=smoke&ordering=priority")
            assert len(ids(response)) == (5 if n == 5 else 50)
            counts.append(len(captured.captured_queries))
        assert counts[0] == counts[1]

    def test_api_rows_of_staff_say_unread(self, api, people):
        fill(people, 2)
        rows = api(people.bob).get("/api/v1/tickets/").json()["results"]
        assert [row["unread"] for row in rows] == [True, True]
        assert "unread" not in api(people.dave).get("/api/v1/tickets/").json()["results"][0]


class TestNumberGuessing:
    """A restricted staff member typing numbers learns nothing: 404 everywhere."""

    @pytest.fixture
    def hidden(self, people):
        return make_ticket(people.dave, people.category, subject="Secret merger")

    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/tickets/{}/",
            "/api/v1/tickets/{}/messages/",
            "/api/v1/tickets/{}/history/",
            "/tickets/{}/",
        ],
    )
    def test_hidden_and_missing_numbers_answer_alike(self, api, client, people, hidden, path):
        client.force_login(people.carol)
        for pk in (hidden.pk, hidden.pk + 1000):
            url = path.format(pk)
            response = client.get(url) if url.startswith("/tickets") else api(people.carol).get(url)
            assert response.status_code == 404

    def test_quick_search_by_number_does_not_open_or_show_it(self, client, people, hidden):
        client.force_login(people.carol)
        for text in (str(hidden.pk), f"#{hidden.pk}"):
            response = client.get(reverse("ticket_list"), {"q": text})
            assert response.status_code == 200 and b"Secret merger" not in response.content

    def test_api_search_by_number_finds_nothing(self, api, people, hidden):
        assert ids(api(people.carol).get(f"/api/v1/tickets/?q=%23{hidden.pk}")) == []

    def test_bulk_reports_it_as_not_found(self, api, people, hidden):
        body = api(people.carol).post(
            "/api/v1/tickets/bulk/", {"ids": [hidden.pk], "action": "spam"}, format="json"
        )
        assert body.json() == {"succeeded": [], "failed": [{"id": hidden.pk, "reason": "No such ticket."}]}
        assert Ticket.objects.get(pk=hidden.pk).status_kind == "new"


class TestRowsNameTheirCatalogue:
    """Rows get their status, priority, team and CTI from one catalogue query (queue_rows)."""

    def test_api_rows_carry_every_reference(self, api, people):
        from tests.factories import ItemFactory, TicketTypeFactory

        kind = TicketTypeFactory(category=people.category, name="Printer")
        toner = ItemFactory(type=kind, name="Toner")
        t = make_ticket(
            people.dave, people.category, actor=people.bob, type=kind, item=toner, priority=priority("High")
        )
        actions.assign_ticket(ticket=t, actor=people.bob, assignee=people.carol, team=people.blue)
        row = api(people.bob).get("/api/v1/tickets/").json()["results"][0]
        assert row["status"] == {"id": t.status_id, "name": "New", "kind": "new"}
        assert row["priority"] == {"id": priority("High").pk, "name": "High", "rank": priority("High").rank}
        assert (row["category"]["name"], row["type"]["name"], row["item"]["name"]) == (
            "Hardware",
            "Printer",
            "Toner",
        )
        assert row["team"] == {"id": people.blue.pk, "name": "Blue"}
        assert (
            row["assignee"]["email"] == "carol@example.com"
            and row["requester"]["email"] == "dave@example.com"
        )

    def test_page_rows_show_status_priority_and_team(self, client, people):
        t = make_ticket(people.dave, people.category, actor=people.bob, priority=priority("Emergency"))
        actions.assign_ticket(ticket=t, actor=people.bob, team=people.red)
        client.force_login(people.bob)
        body = client.get(reverse("ticket_list"), {"queue": "all"}).content.decode()
        row = body[body.index(f'value="{t.pk}" form="bulk-form"') :]
        assert ">New</span>" in row and "Emergency</span>" in row and ">Red</span>" in row


class TestCatalogueCompiledOnce:
    def test_each_user_gets_their_own_views_from_the_one_compiled_query(
        self, people, django_assert_num_queries
    ):
        from tickets.actions.saved_views import save_view
        from tickets.queue_rows import catalogue

        save_view(actor=people.bob, name="Bob's", filters={})
        save_view(actor=people.carol, name="Carol's", filters={})
        save_view(actor=people.alice, name="Everyone's", filters={}, shared=True)
        for user, own in ((people.bob, "Bob's"), (people.carol, "Carol's"), (people.bob, "Bob's")):
            with django_assert_num_queries(1):
                found = catalogue(user)
            assert [v["name"] for v in found["my_views"]] == [own]
            assert [v["name"] for v in found["shared_views"]] == ["Everyone's"]
            assert {s["name"] for s in found["staff"]} >= {"Bob Agent", "Carol Restricted"}
