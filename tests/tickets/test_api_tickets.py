"""The tickets API: list (filters, orderings, pagination), create, detail, edit, history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from tests.factories import ItemFactory, TicketTypeFactory, make_ticket, priority
from tickets import actions
from tickets.actions.routing import save_team_routing
from tickets.errors import ActionRefused
from tickets.lifecycle import status_of_kind
from tickets.models import RoutingMode, Status, Ticket
from tickets.queries import ORDERINGS, filter_tickets, order_tickets, query_tickets

from .api_support import state, url

pytestmark = pytest.mark.django_db

TICKET_FIELDS = {
    "id", "number", "subject", "description", "description_html", "status", "priority", "category",
    "type", "item", "requester", "participants", "assignee", "team", "tags", "reopened",
    "resolution_notes", "resolved_at", "closure_scheduled_at", "purge_at", "sla_due_at", "overdue",
    "created_at", "updated_at",
}  # fmt: skip


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- GET /api/v1/tickets/ ------------------------------------------------------------------


class TestTicketList:
    def test_anonymous_gets_401(self, api, ticket):
        assert api().get("/api/v1/tickets/").status_code == 401

    def test_customer_sees_only_their_tickets_paginated(self, api, people, ticket):
        make_ticket(people.erin, people.category, subject="Erin's")
        body = api(people.dave).get("/api/v1/tickets/").json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == 1 and body["results"][0]["id"] == ticket.pk
        assert set(body["results"][0]) >= TICKET_FIELDS

    def test_participant_sees_the_ticket(self, api, people, ticket):
        ticket.participants.add(people.erin)
        assert ids(api(people.erin).get("/api/v1/tickets/")) == [ticket.pk]

    def test_staff_with_view_all_sees_everything(self, api, people, ticket):
        other = make_ticket(people.erin, people.category)
        assert set(ids(api(people.bob).get("/api/v1/tickets/"))) == {ticket.pk, other.pk}

    def test_restricted_staff_sees_only_their_scope(self, api, people, ticket):
        blue = make_ticket(people.erin, people.category)
        actions.assign_ticket(ticket=blue, actor=people.bob, team=people.blue)
        assert ids(api(people.carol).get("/api/v1/tickets/")) == [blue.pk]

    def test_page_size_and_pages(self, api, people):
        for n in range(3):
            make_ticket(people.dave, people.category, subject=f"T{n}")
        body = api(people.dave).get("/api/v1/tickets/?page_size=2").json()
        assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
        second = api(people.dave).get("/api/v1/tickets/?page_size=2&page=2").json()
        assert len(second["results"]) == 1

    def test_page_size_is_capped_at_100(self, api, people):
        for n in range(101):
            make_ticket(people.dave, people.category, subject=f"T{n}")
        body = api(people.dave).get("/api/v1/tickets/?page_size=1000").json()
        assert body["count"] == 101 and len(body["results"]) == 100 and body["next"]

    def test_hidden_tickets_are_left_out_unless_staff_filter_on_them(self, api, people, ticket):
        spam = make_ticket(people.dave, people.category, subject="Buy pills")
        actions.mark_spam(ticket=spam, actor=people.bob)
        assert ids(api(people.bob).get("/api/v1/tickets/")) == [ticket.pk]
        assert ids(api(people.bob).get("/api/v1/tickets/?status=Spam")) == [spam.pk]
        assert ids(api(people.bob).get("/api/v1/tickets/?status_kind=spam")) == [spam.pk]
        assert ids(api(people.dave).get("/api/v1/tickets/?status_kind=spam")) == []

    def test_list_runs_a_constant_number_of_queries(self, api, people, django_assert_num_queries):
        people.bob.has_perm("tickets.view_all")  # load bob's permission cache before counting

        def run(n_expected):
            # count, the page's ids, its rows (with their people and unread markers), tags,
            # participants, and the catalogue they name (status, priority, team, CTI: one UNION)
            with django_assert_num_queries(6):
                response = api(people.bob).get("/api/v1/tickets/?page_size=100")
            assert response.json()["count"] == n_expected

        make_ticket(people.dave, people.category).tags.add(*actions.create.tag_objects(["a"]))
        run(1)
        for n in range(29):
            t = make_ticket(people.dave, people.category, subject=f"T{n}", actor=people.bob, tags=["x", "y"])
            t.participants.add(people.erin)
            actions.assign_ticket(ticket=t, actor=people.bob, assignee=people.bob, team=people.red)
        run(30)

    def test_restricted_staff_and_customer_lists_are_constant_too(
        self, api, people, django_assert_num_queries
    ):
        people.carol.has_perm("tickets.view_all")
        for n in range(30):
            t = make_ticket(people.dave, people.category, subject=f"T{n}")
            actions.assign_ticket(ticket=t, actor=people.bob, team=people.blue)
        # carol's teams and scope (one UNION); count, ids, rows, tags, participants, catalogue
        with django_assert_num_queries(7):
            assert api(people.carol).get("/api/v1/tickets/?page_size=100").json()["count"] == 30
        with django_assert_num_queries(6):
            assert api(people.dave).get("/api/v1/tickets/?page_size=100").json()["count"] == 30


class TestTicketListFilters:
    @pytest.fixture
    def two(self, people, ticket):
        hardware_type = TicketTypeFactory(category=people.category, name="Printer")
        item = ItemFactory(type=hardware_type, name="Toner")
        other = make_ticket(
            people.erin,
            people.category,
            actor=people.bob,
            subject="VPN down",
            type=hardware_type,
            item=item,
            priority=priority("High"),
            tags=["network"],
        )
        actions.assign_ticket(ticket=other, actor=people.bob, assignee=people.bob, team=people.red)
        actions.transition_ticket(ticket=other, actor=people.bob, status=status_of_kind("open"))
        return ticket, other

    @pytest.mark.parametrize(
        "query, which",
        [
            ("status=New", 0),
            ("status=in progress", 1),
            ("status_kind=open", 1),
            ("priority=High", 1),
            ("priority=normal", 0),
            ("type=Printer", 1),
            ("item=Toner", 1),
            ("team=Red", 1),
            ("team=none", 0),
            ("assignee=me", 1),
            ("assignee=none", 0),
            ("requester=erin@example.com", 1),
            ("tag=network", 1),
            ("reopened=false", None),
            ("q=vpn", 1),
            ("q=fire", 0),
        ],
    )
    def test_filter(self, api, people, two, query, which):
        expected = [t.pk for t in two] if which is None else [two[which].pk]
        assert sorted(ids(api(people.bob).get(f"/api/v1/tickets/?{query}"))) == sorted(expected)

    def test_filters_by_ids(self, api, people, two):
        first, other = two
        bob = api(people.bob)
        assert ids(bob.get(f"/api/v1/tickets/?status={first.status_id}")) == [first.pk]
        assert ids(bob.get(f"/api/v1/tickets/?assignee={people.bob.pk}")) == [other.pk]
        assert ids(bob.get(f"/api/v1/tickets/?requester={people.dave.pk}")) == [first.pk]
        assert ids(bob.get(f"/api/v1/tickets/?type={other.type_id}&item={other.item_id}")) == [other.pk]
        assert set(ids(bob.get(f"/api/v1/tickets/?category={people.category.pk}"))) == {first.pk, other.pk}
        assert ids(bob.get(f"/api/v1/tickets/?q=%23{other.pk}")) == [other.pk]

    def test_repeated_values_are_alternatives(self, api, people, two):
        assert len(ids(api(people.bob).get("/api/v1/tickets/?status=New&status=In progress"))) == 2

    def test_overdue_and_reopened(self, api, people, two):
        first, other = two
        actions.resolve_ticket(ticket=first, actor=people.bob)
        actions.add_message(ticket=first, actor=people.dave, body="Still broken")
        Ticket.objects.filter(pk=other.pk).update(overdue=True)  # what the SLA sweep writes
        assert ids(api(people.bob).get("/api/v1/tickets/?reopened=true")) == [first.pk]
        assert ids(api(people.bob).get("/api/v1/tickets/?overdue=1")) == [other.pk]

    @pytest.mark.parametrize(
        "query, param",
        [
            ("status=Nope", "status"),
            ("status=999999", "status"),
            ("status_kind=bogus", "status_kind"),
            ("priority=Urgent", "priority"),
            ("category=99999999999999999999999", "category"),
            ("type=0", "type"),
            ("item=-1", "item"),
            ("team=Green", "team"),
            ("assignee=nobody@example.com", "assignee"),
            ("requester=123456", "requester"),
            ("reopened=maybe", "reopened"),
            ("overdue=2", "overdue"),
            ("ordering=random", "ordering"),
            ("ordering=-id", "ordering"),
            ("status=%00", "status"),
            ("q=a%00b", "q"),
            ("status=%C2%B2", "status"),
            ("category=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96", "category"),
        ],
    )
    def test_unknown_values_answer_400_naming_the_parameter(self, api, people, two, query, param):
        response = api(people.bob).get(f"/api/v1/tickets/?{query}")
        assert response.status_code == 400
        assert param in response.json()

    def test_unknown_tag_matches_nothing(self, api, people, two):
        assert ids(api(people.bob).get("/api/v1/tickets/?tag=nope")) == []


class TestQueriesModule:
    """tickets.queries works on plain dicts too (the queue page passes request.GET)."""

    def test_filter_and_order_with_a_dict(self, people, ticket):
        other = make_ticket(people.dave, people.category, actor=people.bob, priority=priority("High"))
        qs = query_tickets(Ticket.objects.all(), {"requester": "me", "ordering": "priority"}, people.dave)
        assert list(qs) == [other, ticket]
        qs = filter_tickets(Ticket.objects.all(), {"priority": ["High", "Low"]}, people.bob)
        assert list(qs) == [other]

    def test_refusal_names_the_parameter(self, people):
        with pytest.raises(ActionRefused) as refused:
            order_tickets(Ticket.objects.all(), "alphabetical")
        assert refused.value.field == "ordering" and refused.value.code == "invalid"
        assert set(ORDERINGS) == {"newest", "oldest", "updated", "priority", "sla"}


class TestTicketListOrdering:
    @pytest.fixture
    def three(self, people, time_machine):
        time_machine.move_to("2025-01-01 09:00Z")
        old = make_ticket(
            people.dave, people.category, subject="old", actor=people.bob, priority=priority("Low")
        )
        time_machine.move_to("2025-01-02 09:00Z")
        mid = make_ticket(
            people.dave, people.category, subject="mid", actor=people.bob, priority=priority("Emergency")
        )
        time_machine.move_to("2025-01-03 09:00Z")
        new = make_ticket(people.dave, people.category, subject="new")
        time_machine.move_to("2025-01-04 09:00Z")
        actions.update_ticket_fields(ticket=old, actor=people.bob, subject="old, touched")
        Ticket.objects.filter(pk=new.pk).update(sla_due_at="2025-01-05 09:00Z")  # what SLA planning writes
        Ticket.objects.filter(pk=mid.pk).update(sla_due_at="2025-01-06 09:00Z")
        return old, mid, new

    @pytest.mark.parametrize(
        "ordering, expected",
        [
            ("", ["old", "new", "mid"]),
            ("updated", ["old", "new", "mid"]),
            ("newest", ["new", "mid", "old"]),
            ("oldest", ["old", "mid", "new"]),
            ("priority", ["mid", "new", "old"]),
            ("sla", ["new", "mid", "old"]),
        ],
    )
    def test_orderings(self, api, people, three, ordering, expected):
        by_name = {t.pk: name for t, name in zip(three, ["old", "mid", "new"], strict=True)}
        got = ids(api(people.bob).get(f"/api/v1/tickets/?ordering={ordering}"))
        assert [by_name[pk] for pk in got] == expected


# --- POST /api/v1/tickets/ -----------------------------------------------------------------


class TestTicketCreate:
    def payload(self, people, **extra):
        return {
            "subject": "Screen flickers",
            "description": "Since *Monday*",
            "category": people.category.pk,
        } | extra

    def test_customer_opens_a_ticket_for_themselves(self, api, people):
        response = api(people.dave).post("/api/v1/tickets/", self.payload(people), format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) >= TICKET_FIELDS
        assert body["number"] == body["id"] and isinstance(body["number"], int)
        assert body["requester"] == {
            "id": people.dave.pk,
            "email": "dave@example.com",
            "name": "Dave Customer",
        }
        assert body["status"]["kind"] == "new" and set(body["status"]) == {"id", "name", "kind"}
        assert body["priority"] == {"id": priority().pk, "name": "Normal", "rank": priority().rank}
        assert body["tags"] == [] and body["description_html"] == "<p>Since <em>Monday</em></p>"
        assert Ticket.objects.get(pk=body["id"]).requester == people.dave

    def test_staff_open_a_ticket_for_a_new_customer_with_tags(self, api, people):
        data = self.payload(
            people, requester_email="new@example.com", tags=["VPN", "urgent"], priority="High"
        )
        response = api(people.bob).post("/api/v1/tickets/", data, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["requester"]["email"] == "new@example.com" and body["tags"] == ["urgent", "vpn"]
        assert body["priority"]["name"] == "High"
        assert User.objects.get(email="new@example.com").is_customer

    @pytest.mark.parametrize("routing", [False, True], ids=["unassigned", "routed-to-a-member"])
    def test_the_answer_is_the_ticket_as_a_later_read_shows_it(self, api, people, routing):
        # The 201 is rendered from the creating action's own instance, not read again.
        people.category.default_team = people.red
        people.category.save()
        if routing:
            save_team_routing(actor=people.alice, team=people.red, mode=RoutingMode.ROUND_ROBIN)
        data = self.payload(people, requester_email="new@example.com", tags=["VPN", "b"], priority="High")
        created = api(people.bob).post("/api/v1/tickets/", data, format="json")
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["assignee"] is not None) is routing and body["team"]["id"] == people.red.pk
        assert body == api(people.bob).get(url(body["id"])).json()

    def test_category_by_name_and_cti(self, api, people):
        printer = TicketTypeFactory(category=people.category, name="Printer")
        toner = ItemFactory(type=printer, name="Toner")
        data = self.payload(people, category="hardware", type=printer.pk, item=toner.pk)
        body = api(people.dave).post("/api/v1/tickets/", data, format="json").json()
        assert body["type"] == {"id": printer.pk, "name": "Printer"} and body["item"]["name"] == "Toner"

    def test_customer_may_set_priority_when_the_desk_allows_it(self, api, people):
        actions.update_settings(actor=people.alice, customer_sets_priority=True)
        response = api(people.dave).post(
            "/api/v1/tickets/", self.payload(people, priority="High"), format="json"
        )
        assert response.status_code == 201 and response.json()["priority"]["name"] == "High"

    def test_multipart_with_files_attaches_them(self, api, people):
        data = self.payload(people) | {"files": [SimpleUploadedFile("notes.txt", b"hello", "text/plain")]}
        response = api(people.dave).post("/api/v1/tickets/", data, format="multipart")
        assert response.status_code == 201, response.content
        assert Ticket.objects.get(pk=response.json()["id"]).attachments.get().filename == "notes.txt"

    def test_a_refused_file_creates_no_ticket(self, api, people):
        before = state()
        data = self.payload(people) | {
            "files": [SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/x-msdownload")]
        }
        response = api(people.dave).post("/api/v1/tickets/", data, format="multipart")
        assert response.status_code == 400 and state() == before

    def test_anonymous_gets_401(self, api, people):
        before = state()
        assert api().post("/api/v1/tickets/", self.payload(people), format="json").status_code == 401
        assert state() == before

    @pytest.mark.parametrize(
        "extra, field",
        [
            ({"requester_email": "someone@example.com"}, "requester_email"),
            ({"tags": ["vip"]}, "tags"),
            ({"priority": "Emergency"}, "priority"),
        ],
    )
    def test_customer_sending_a_staff_only_field_gets_400(self, api, people, extra, field):
        before = state()
        response = api(people.dave).post("/api/v1/tickets/", self.payload(people, **extra), format="json")
        assert response.status_code == 400 and field in response.json()
        assert state() == before
        assert not User.objects.filter(email="someone@example.com").exists()

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"category": 999999}, "category"),
            ({"category": "Nowhere"}, "category"),
            ({"category": True}, "category"),
            ({"category": [1]}, "category"),
            ({"category": 2**70}, "category"),
            ({"type": 999999}, "type"),
            ({"item": 999999}, "item"),
            ({"type": "foreign"}, "type"),
            ({"item": "foreign"}, "item"),
            ({"type": None}, "type"),
            ({"subject": ""}, "subject"),
            ({"subject": "   "}, "subject"),
            ({"subject": "x" * 256}, "subject"),
            ({"subject": None}, "subject"),
            ({"description": "x" * 100_001}, "description"),
            ({"description": "nul\x00byte"}, "description"),
            ({"priority": "Whenever"}, "priority"),
            ({"tags": "vip"}, "tags"),
            ({"tags": [["nested"]]}, "tags"),
        ],
    )
    def test_bad_input_answers_400_naming_the_field_and_writes_nothing(self, api, people, change, field):
        printer = TicketTypeFactory(category=people.category, name="Printer")
        toner = ItemFactory(type=printer, name="Toner")
        foreign_item = ItemFactory(type=TicketTypeFactory(name="Elsewhere"))
        foreign = {"type": foreign_item.type_id, "item": foreign_item.pk}
        change = {k: foreign[k] if v == "foreign" else v for k, v in change.items()}
        data = self.payload(people, type=printer.pk, item=toner.pk) | change
        before = state()
        response = api(people.bob).post("/api/v1/tickets/", data, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert state() == before

    def test_a_json_list_body_is_refused(self, api, people):
        response = api(people.dave).post("/api/v1/tickets/", [1, 2], format="json")
        assert response.status_code == 400

    def test_malformed_json_is_refused(self, api, people):
        response = api(people.dave).post("/api/v1/tickets/", "{oops", content_type="application/json")
        assert response.status_code == 400


# --- GET/PATCH /api/v1/tickets/{id}/ -------------------------------------------------------


class TestTicketDetail:
    def test_requester_and_staff_read_it(self, api, people, ticket):
        for user in (people.dave, people.bob, people.alice):
            response = api(user).get(url(ticket))
            assert response.status_code == 200 and response.json()["subject"] == "Printer is on fire"

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_may_not_see_it_get_404(self, api, people, ticket, who):
        assert api(getattr(people, who)).get(url(ticket)).status_code == 404

    def test_restricted_staff_sees_it_once_in_scope(self, api, people, ticket):
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)
        assert api(people.carol).get(url(ticket)).status_code == 200

    def test_anonymous_gets_401(self, api, ticket):
        assert api().get(url(ticket)).status_code == 401

    @pytest.mark.parametrize("pk", ["999999", "99999999999999999999999", "0"])
    def test_unknown_or_absurd_ids_are_404(self, api, people, ticket, pk):
        assert api(people.bob).get(f"/api/v1/tickets/{pk}/").status_code == 404

    def test_customer_cannot_see_spam(self, api, people, ticket):
        actions.mark_spam(ticket=ticket, actor=people.bob)
        assert api(people.dave).get(url(ticket)).status_code == 404
        assert api(people.bob).get(url(ticket)).json()["status"]["kind"] == "spam"

    def test_detail_runs_a_constant_number_of_queries(self, api, people, ticket, django_assert_num_queries):
        people.bob.has_perm("tickets.view_all")
        ticket.participants.add(people.erin)
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, tags=["a", "b", "c"])
        # the ticket with its relations, its tags, its participants
        with django_assert_num_queries(3):
            assert api(people.bob).get(url(ticket)).status_code == 200
        with django_assert_num_queries(3):
            assert api(people.dave).get(url(ticket)).status_code == 200


class TestTicketUpdate:
    def test_staff_change_fields_and_the_history_records_them(self, api, people, ticket):
        data = {"subject": "Printer melted", "priority": "Emergency", "tags": ["fire"]}
        response = api(people.bob).patch(url(ticket), data, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["subject"] == "Printer melted" and body["priority"]["name"] == "Emergency"
        assert body["tags"] == ["fire"]
        assert {"subject", "priority", "tags"} <= set(ticket.events.values_list("action", flat=True))

    def test_change_cti(self, api, people, ticket):
        printer = TicketTypeFactory(category=people.category, name="Printer")
        response = api(people.bob).patch(url(ticket), {"type": printer.pk}, format="json")
        assert response.status_code == 200 and response.json()["type"]["id"] == printer.pk

    def test_customer_gets_403_and_nothing_changes(self, api, people, ticket):
        before = state(ticket)
        response = api(people.dave).patch(url(ticket), {"subject": "Mine now"}, format="json")
        assert response.status_code == 403 and state(ticket) == before

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_may_not_see_it_get_404(self, api, people, ticket, who):
        before = state(ticket)
        response = api(getattr(people, who)).patch(url(ticket), {"subject": "x"}, format="json")
        assert response.status_code == 404 and state(ticket) == before

    def test_anonymous_gets_401(self, api, ticket):
        before = state(ticket)
        assert api().patch(url(ticket), {"subject": "x"}, format="json").status_code == 401
        assert state(ticket) == before

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"subject": ""}, "subject"),
            ({"subject": "x" * 256}, "subject"),
            ({"priority": "Whenever"}, "priority"),
            ({"priority": None}, "priority"),
            ({"category": 424242}, "category"),
            ({"type": "foreign"}, "type"),
            ({"tags": "vip"}, "tags"),
        ],
    )
    def test_bad_input_is_400_and_nothing_changes(self, api, people, ticket, data, field):
        foreign = TicketTypeFactory(name="Elsewhere")
        data = {k: foreign.pk if v == "foreign" else v for k, v in data.items()}
        before = state(ticket)
        response = api(people.bob).patch(url(ticket), data, format="json")
        assert response.status_code == 400 and field in response.json()
        assert state(ticket) == before


class TestTicketHistory:
    def test_staff_read_the_history(self, api, people, ticket):
        actions.assign_to_me(ticket=ticket, actor=people.bob)
        response = api(people.bob).get(url(ticket, "history"))
        assert response.status_code == 200
        rows = response.json()
        assert [r["action"] for r in rows] == ["created", "assignee"]
        assert set(rows[1]) >= {"at", "actor", "action", "before", "after"}
        assert rows[1]["actor"] == {"id": people.bob.pk, "name": "Bob Agent", "role": "staff"}

    def test_customer_gets_403(self, api, people, ticket):
        assert api(people.dave).get(url(ticket, "history")).status_code == 403

    @pytest.mark.parametrize("who", ["erin", "carol"])
    def test_people_who_may_not_see_it_get_404(self, api, people, ticket, who):
        assert api(getattr(people, who)).get(url(ticket, "history")).status_code == 404

    def test_history_is_constant_in_queries(self, api, people, ticket, django_assert_num_queries):
        people.bob.has_perm("tickets.view_all")
        for status in Status.objects.filter(kind__in=["open", "pending", "new"]):
            actions.transition_ticket(ticket=ticket, actor=people.bob, status=status)
        # the ticket, its events with their actors
        with django_assert_num_queries(2):
            assert len(api(people.bob).get(url(ticket, "history")).json()) == 3
