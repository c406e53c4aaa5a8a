"""The staff pages: the queue, the ticket page, and one POST view per action."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import CategoryFactory, ItemFactory, TicketTypeFactory, make_ticket, priority
from tickets import actions
from tickets.lifecycle import status_of_kind
from tickets.models import HelpdeskSettings, StatusKind, Ticket

pytestmark = pytest.mark.django_db


def snapshot(ticket):
    """Everything a refused POST must leave as it was."""
    t = Ticket.objects.get(pk=ticket.pk)
    return (
        t.status_id,
        t.subject,
        t.priority_id,
        t.category_id,
        t.assignee_id,
        t.team_id,
        t.resolution_notes,
        t.closure_scheduled_at,
        t.purge_at,
        t.updated_at,
        t.messages.count(),
        t.events.count(),
    )


def local_input(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


class TestQueuePage:
    def test_staff_sees_visible_tickets_newest_update_first(self, client, people, ticket):
        other = make_ticket(people.erin, people.category, subject="Screen is blue")
        client.force_login(people.bob)
        response = client.get(reverse("ticket_list"), {"queue": "all"})
        assert response.status_code == 200
        body = response.content.decode()
        assert f"#{ticket.number}" in body and "Screen is blue" in body
        assert body.index("Screen is blue") < body.index("Printer is on fire")
        assert 'data-color="#0d6efd"' in body  # the status badge carries the status colour
        assert other.requester.display_name in body

    def test_admin_sees_the_queue(self, client, people, ticket):
        client.force_login(people.alice)
        assert client.get(reverse("ticket_list")).status_code == 200

    def test_anonymous_is_sent_to_login(self, client, people):
        response = client.get(reverse("ticket_list"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_customer_gets_404(self, client, people, ticket):
        client.force_login(people.dave)
        assert client.get(reverse("ticket_list")).status_code == 404

    def test_restricted_staff_sees_only_tickets_in_reach(self, client, people, ticket):
        mine = make_ticket(people.erin, people.category, subject="Blue team ticket")
        actions.assign_ticket(ticket=mine, actor=people.alice, team=people.blue)
        client.force_login(people.carol)
        body = client.get(reverse("ticket_list")).content.decode()
        assert "Blue team ticket" in body
        assert "Printer is on fire" not in body

    def test_spam_and_deleted_queues_list_only_those(self, client, people, ticket):
        spam = make_ticket(people.erin, people.category, subject="Cheap pills")
        gone = make_ticket(people.erin, people.category, subject="Deleted one")
        actions.mark_spam(ticket=spam, actor=people.bob)
        actions.delete_ticket(ticket=gone, actor=people.bob)
        client.force_login(people.bob)
        main = client.get(reverse("ticket_list")).content.decode()
        assert "Cheap pills" not in main and "Deleted one" not in main
        spam_page = client.get(reverse("ticket_list"), {"queue": "spam"}).content.decode()
        assert "Cheap pills" in spam_page and "Deleted one" not in spam_page
        assert "Printer is on fire" not in spam_page
        deleted_page = client.get(reverse("ticket_list"), {"queue": "deleted"}).content.decode()
        assert "Deleted one" in deleted_page and "Cheap pills" not in deleted_page

    def test_mine_queue_lists_tickets_assigned_to_me(self, client, people, ticket):
        make_ticket(people.erin, people.category, subject="Not mine")
        actions.assign_to_me(ticket=ticket, actor=people.bob)
        client.force_login(people.bob)
        body = client.get(reverse("ticket_list"), {"queue": "mine"}).content.decode()
        assert "Printer is on fire" in body and "Not mine" not in body

    def test_search_by_number_opens_the_ticket(self, client, people, ticket):
        client.force_login(people.bob)
        response = client.get(reverse("ticket_list"), {"q": f"#{ticket.number}"})
        assert response.status_code == 302
        assert response.url == reverse("ticket_detail", args=[ticket.pk])

    def test_search_by_number_of_a_hidden_ticket_does_not_open_it(self, client, people, ticket):
        client.force_login(people.carol)
        response = client.get(reverse("ticket_list"), {"q": str(ticket.number)})
        assert response.status_code == 200
        assert "Printer is on fire" not in response.content.decode()

    def test_search_by_words_matches_subjects(self, client, people, ticket):
        make_ticket(people.erin, people.category, subject="Mouse squeaks")
        client.force_login(people.bob)
        body = client.get(reverse("ticket_list"), {"q": "printer"}).content.decode()
        assert "Printer is on fire" in body and "Mouse squeaks" not in body

    def test_pages_hold_25_tickets(self, client, people):
        for n in range(27):
            make_ticket(people.dave, people.category, subject=f"Ticket {n:02d}")
        client.force_login(people.bob)
        first = client.get(reverse("ticket_list"), {"queue": "all"}).content.decode()
        second = client.get(reverse("ticket_list"), {"queue": "all", "page": 2}).content.decode()
        assert first.count('name="ids"') == 25  # one checkbox a row
        assert second.count('name="ids"') == 2
        assert "Ticket 00" in second and "Ticket 26" in first

    def test_query_count_does_not_grow_with_rows(self, client, people, django_assert_max_num_queries):
        # 9 queries at 5 rows and at a full page of 25 of the All queue: session, user, user and
        # group permissions (view_all), the catalogue with the saved views (one UNION), count,
        # the page's ids, its rows, tags (more in tests/tickets/test_queues.py).
        client.force_login(people.bob)
        for n in range(5):
            make_ticket(people.dave, people.category, subject=f"Ticket {n}", actor=people.bob)
        with django_assert_max_num_queries(9) as few:
            assert client.get(reverse("ticket_list"), {"queue": "all"}).status_code == 200
        for n in range(25):
            ticket = make_ticket(people.erin, people.category, subject=f"More {n}")
            actions.assign_ticket(ticket=ticket, actor=people.alice, assignee=people.bob, team=people.red)
            actions.update_ticket_fields(ticket=ticket, actor=people.bob, tags=["urgent", f"t{n}"])
        with django_assert_max_num_queries(9) as many:
            assert client.get(reverse("ticket_list"), {"queue": "all"}).status_code == 200
        assert len(many.captured_queries) == len(few.captured_queries)


class TestTicketPage:
    def test_staff_sees_the_whole_conversation(self, client, people, ticket):
        actions.add_message(ticket=ticket, actor=people.bob, body="Public answer")
        actions.add_message(ticket=ticket, actor=people.bob, body="Secret note", internal=True)
        gone = actions.add_message(ticket=ticket, actor=people.dave, body="Oops wrong text")
        actions.delete_message(message=gone, actor=people.bob)
        actions.add_system_message(ticket, "Closed as scheduled.", timezone.now())
        client.force_login(people.bob)
        response = client.get(reverse("ticket_detail", args=[ticket.pk]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Public answer" in body and "Secret note" in body
        assert "message-internal" in body and "Internal note" in body
        assert "Deleted reply" in body and "Oops wrong text" not in body.split("History")[0]
        assert "message-system" in body and "Closed as scheduled." in body
        assert "<em>smokes</em>" in body  # the description, as Markdown

    def test_history_tab_lists_changes_with_actor_and_before_after(self, client, people, ticket):
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("High"))
        client.force_login(people.bob)
        body = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        url = reverse("ticket_history", args=[ticket.pk])
        assert f'hx-get="{url}"' in body  # the tab fetches its rows when first opened
        assert "Normal → High" not in body
        history = client.get(url).content.decode()
        assert "Bob Agent" in history and "Priority" in history and "Normal → High" in history

    def test_history_tab_query_count_does_not_grow_with_events(
        self, client, people, ticket, django_assert_max_num_queries
    ):
        client.force_login(people.bob)
        url = reverse("ticket_history", args=[ticket.pk])
        with django_assert_max_num_queries(8) as few:
            assert client.get(url).status_code == 200
        for n in range(10):
            actions.add_message(ticket=ticket, actor=people.bob, body=f"Staff {n}")
            actions.update_ticket_fields(ticket=ticket, actor=people.alice, subject=f"Subject {n}")
        with django_assert_max_num_queries(8) as many:
            assert client.get(url).status_code == 200
        assert len(many.captured_queries) == len(few.captured_queries)

    def test_reopened_badge_and_resolution_notes_are_shown(self, client, people, ticket):
        actions.resolve_ticket(ticket=ticket, actor=people.bob, resolution_notes="Replaced the fuse")
        actions.add_message(ticket=ticket, actor=people.dave, body="Still smoking")
        client.force_login(people.bob)
        body = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        assert "Reopened" in body and "Replaced the fuse" in body

    def test_reply_status_defaults_to_the_workflow_staff_reply_status(self, client, people, ticket):
        pending = status_of_kind(StatusKind.PENDING)
        HelpdeskSettings.objects.filter(pk=1).update(staff_reply_status=pending)  # the admin's setting
        client.force_login(people.bob)
        body = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        assert f'<option value="{pending.pk}" selected>' in body
        assert "Keep the current status" not in body  # choosing the current status keeps it

    def test_reply_status_keeps_the_status_without_a_workflow_default(self, client, people, ticket):
        client.force_login(people.bob)
        body = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        assert '<option value="" selected>Keep the current status</option>' in body

    def test_anonymous_is_sent_to_login(self, client, ticket):
        response = client.get(reverse("ticket_detail", args=[ticket.pk]))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_requester_gets_404_on_the_staff_page(self, client, people, ticket):
        client.force_login(people.dave)
        assert client.get(reverse("ticket_detail", args=[ticket.pk])).status_code == 404

    def test_restricted_staff_outside_scope_gets_404(self, client, people, ticket):
        client.force_login(people.carol)
        assert client.get(reverse("ticket_detail", args=[ticket.pk])).status_code == 404

    def test_restricted_staff_sees_a_ticket_of_their_team(self, client, people, ticket):
        actions.assign_ticket(ticket=ticket, actor=people.alice, team=people.blue)
        client.force_login(people.carol)
        assert client.get(reverse("ticket_detail", args=[ticket.pk])).status_code == 200

    def test_unknown_ticket_is_404(self, client, people):
        client.force_login(people.bob)
        assert client.get("/tickets/999999/").status_code == 404

    def test_query_count_does_not_grow_with_messages(
        self, client, people, ticket, django_assert_max_num_queries
    ):
        # The same count (23) at 2 and at 20 messages: session, user, 2 permission reads, the ticket with its
        # related rows, tags, participants, settings, the CTI types, the ticket's files, messages with
        # authors, their files, the select lists of the forms (one query per menu: statuses x2,
        # staff, teams, priorities, categories), the canned replies, the links panel, and the
        # read marker (a read, and the upsert as a customer posted since the last look).
        client.force_login(people.bob)
        for n in range(2):
            actions.add_message(ticket=ticket, actor=people.dave, body=f"Customer {n}")
        with django_assert_max_num_queries(24) as few:
            assert client.get(reverse("ticket_detail", args=[ticket.pk])).status_code == 200
        for n in range(18):
            actions.add_message(ticket=ticket, actor=people.bob, body=f"Staff {n}", internal=n % 2 == 0)
        actions.add_message(ticket=ticket, actor=people.dave, body="Customer again")
        with django_assert_max_num_queries(24) as many:
            assert client.get(reverse("ticket_detail", args=[ticket.pk])).status_code == 200
        assert len(many.captured_queries) == len(few.captured_queries)


def post(client, ticket, action, data=None, **kwargs):
    return client.post(reverse(action, args=[ticket.pk, *kwargs.values()]), data or {})


def flash(client) -> list[str]:
    """The messages waiting for the next page."""
    page = client.get(reverse("home"), follow=True)
    return [str(m) for m in page.context["messages"]]


class TestStaffActions:
    def test_reply_posts_a_public_reply(self, client, people, ticket):
        client.force_login(people.bob)
        response = post(client, ticket, "ticket_reply", {"body": "We are on it"})
        assert response.status_code == 302 and response.url == reverse("ticket_detail", args=[ticket.pk])
        message = ticket.messages.get()
        assert message.body == "We are on it" and not message.internal

    def test_reply_as_internal_note_with_a_status(self, client, people, ticket):
        pending = status_of_kind(StatusKind.PENDING)
        client.force_login(people.bob)
        post(
            client,
            ticket,
            "ticket_reply",
            {"body": "Waiting on vendor", "internal": "on", "status": pending.pk},
        )
        ticket.refresh_from_db()
        assert ticket.messages.get().internal
        assert ticket.status == pending

    def test_reply_with_a_refused_file_writes_nothing(self, client, people, ticket, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        client.force_login(people.bob)
        before = snapshot(ticket)
        upload = SimpleUploadedFile("fix.sh", b"#!/bin/sh\necho hi\n", content_type="text/plain")
        post(client, ticket, "ticket_reply", {"body": "Run this", "files": [upload]})
        assert snapshot(ticket) == before
        assert not [p for p in tmp_path.rglob("*") if p.is_file()]
        assert any("not accepted" in m for m in flash(client))

    def test_empty_reply_is_refused_with_a_message(self, client, people, ticket):
        client.force_login(people.bob)
        before = snapshot(ticket)
        post(client, ticket, "ticket_reply", {"body": "  "})
        assert snapshot(ticket) == before
        assert any("Message" in m for m in flash(client))

    def test_update_fields_changes_subject_priority_and_tags(self, client, people, ticket):
        client.force_login(people.bob)
        data = {
            "subject": "Printer melted",
            "priority": priority("High").pk,
            "category": people.category.pk,
            "tags": "hardware, urgent",
        }
        post(client, ticket, "ticket_update_fields", data)
        ticket.refresh_from_db()
        assert ticket.subject == "Printer melted" and ticket.priority.name == "High"
        assert sorted(t.name for t in ticket.tags.all()) == ["hardware", "urgent"]

    def test_update_fields_refuses_a_type_of_another_category(self, client, people, ticket):
        foreign = TicketTypeFactory(category=CategoryFactory(name="Software"))
        client.force_login(people.bob)
        before = snapshot(ticket)
        data = {"subject": "x", "priority": priority().pk, "category": people.category.pk, "type": foreign.pk}
        post(client, ticket, "ticket_update_fields", data)
        assert snapshot(ticket) == before
        assert "This type does not belong to the chosen category." in flash(client)

    def test_assign_sets_assignee_and_team(self, client, people, ticket):
        client.force_login(people.bob)
        post(client, ticket, "ticket_assign", {"assignee": people.carol.pk, "team": people.blue.pk})
        ticket.refresh_from_db()
        assert ticket.assignee == people.carol and ticket.team == people.blue

    def test_assign_to_a_customer_is_refused(self, client, people, ticket):
        client.force_login(people.bob)
        before = snapshot(ticket)
        post(client, ticket, "ticket_assign", {"assignee": people.dave.pk})
        assert snapshot(ticket) == before
        assert any("Select a valid choice" in m for m in flash(client))

    def test_assign_to_me_takes_the_ticket(self, client, people, ticket):
        client.force_login(people.bob)
        post(client, ticket, "ticket_assign_to_me")
        ticket.refresh_from_db()
        assert ticket.assignee == people.bob

    def test_transition_changes_the_status(self, client, people, ticket):
        in_progress = status_of_kind(StatusKind.OPEN)
        client.force_login(people.bob)
        post(client, ticket, "ticket_transition", {"status": in_progress.pk})
        ticket.refresh_from_db()
        assert ticket.status == in_progress

    def test_transition_to_closure_scheduled_is_refused_with_the_reason(self, client, people, ticket):
        client.force_login(people.bob)
        before = snapshot(ticket)
        post(client, ticket, "ticket_transition", {"status": status_of_kind(StatusKind.CLOSURE_SCHEDULED).pk})
        assert snapshot(ticket) == before
        assert "Use 'schedule closure' with a time to schedule a closure." in flash(client)

    def test_resolve_records_resolution_notes(self, client, people, ticket):
        client.force_login(people.bob)
        post(client, ticket, "ticket_resolve", {"resolution_notes": "Replaced the fuse"})
        ticket.refresh_from_db()
        assert ticket.status.kind == StatusKind.RESOLVED and ticket.resolution_notes == "Replaced the fuse"

    def test_schedule_closure_sets_the_time(self, client, people, ticket):
        at = timezone.now() + timedelta(days=2)
        client.force_login(people.bob)
        post(client, ticket, "ticket_schedule_closure", {"at": local_input(at)})
        ticket.refresh_from_db()
        assert ticket.status.kind == StatusKind.CLOSURE_SCHEDULED
        assert abs(ticket.closure_scheduled_at - at) < timedelta(minutes=1)

    def test_second_schedule_closure_is_refused_with_the_reason(self, client, people, ticket):
        actions.schedule_closure(ticket=ticket, actor=people.bob, at=timezone.now() + timedelta(days=1))
        client.force_login(people.bob)
        before = snapshot(ticket)
        post(
            client, ticket, "ticket_schedule_closure", {"at": local_input(timezone.now() + timedelta(days=3))}
        )
        assert snapshot(ticket) == before
        assert "A closure is already scheduled for this ticket." in flash(client)

    def test_schedule_closure_without_a_time_is_refused(self, client, people, ticket):
        client.force_login(people.bob)
        before = snapshot(ticket)
        post(client, ticket, "ticket_schedule_closure", {"at": "not a date"})
        assert snapshot(ticket) == before
        assert any(m.startswith("When:") for m in flash(client))

    def test_spam_hides_the_ticket(self, client, people, ticket):
        client.force_login(people.bob)
        post(client, ticket, "ticket_spam")
        ticket.refresh_from_db()
        assert ticket.status.kind == StatusKind.SPAM and ticket.purge_at is not None

    def test_delete_then_restore(self, client, people, ticket):
        client.force_login(people.bob)
        post(client, ticket, "ticket_delete")
        ticket.refresh_from_db()
        assert ticket.status.kind == StatusKind.DELETED
        page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        assert "Restore" in page
        post(client, ticket, "ticket_restore")
        ticket.refresh_from_db()
        assert ticket.status.kind == StatusKind.NEW and ticket.purge_at is None

    def test_restore_of_a_live_ticket_is_refused_with_the_reason(self, client, people, ticket):
        client.force_login(people.bob)
        before = snapshot(ticket)
        post(client, ticket, "ticket_restore")
        assert snapshot(ticket) == before
        assert "Only spam, deleted or deletion-scheduled tickets can be restored." in flash(client)

    def test_second_spam_is_refused_with_the_reason(self, client, people, ticket):
        actions.mark_spam(ticket=ticket, actor=people.bob)
        client.force_login(people.bob)
        before = snapshot(ticket)
        post(client, ticket, "ticket_spam")
        assert snapshot(ticket) == before
        assert "The ticket is already Spam." in flash(client)

    def test_schedule_deletion_closes_now_and_sets_the_purge_time(self, client, people, ticket):
        at = timezone.now() + timedelta(days=5)
        client.force_login(people.bob)
        post(client, ticket, "ticket_schedule_deletion", {"at": local_input(at)})
        ticket.refresh_from_db()
        assert ticket.status.kind == StatusKind.CLOSED and ticket.purge_at is not None

    def test_a_messages_edit_forms_load_when_opened(self, client, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Typo <here>")
        client.force_login(people.bob)
        page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        forms_url = reverse("ticket_message_edit_form", args=[ticket.pk, message.pk])
        assert f'hx-get="{forms_url}"' in page
        assert reverse("ticket_message_edit", args=[ticket.pk, message.pk]) not in page  # not until opened
        forms = client.get(forms_url).content.decode()
        assert reverse("ticket_message_edit", args=[ticket.pk, message.pk]) in forms
        assert reverse("ticket_message_delete", args=[ticket.pk, message.pk]) in forms
        assert "Typo &lt;here&gt;</textarea>" in forms and "csrfmiddlewaretoken" in forms

    def test_the_edit_forms_of_another_tickets_message_are_404(self, client, people, ticket):
        other = make_ticket(people.erin, people.category)
        message = actions.add_message(ticket=other, actor=people.erin, body="Elsewhere")
        client.force_login(people.bob)
        url = reverse("ticket_message_edit_form", args=[ticket.pk, message.pk])
        assert client.get(url).status_code == 404

    def test_edit_and_delete_a_message(self, client, people, ticket):
        message = actions.add_message(ticket=ticket, actor=people.dave, body="Typo here")
        client.force_login(people.bob)
        client.post(reverse("ticket_message_edit", args=[ticket.pk, message.pk]), {"body": "Fixed"})
        message.refresh_from_db()
        assert message.body == "Fixed"
        client.post(reverse("ticket_message_delete", args=[ticket.pk, message.pk]))
        message.refresh_from_db()
        assert message.deleted

    def test_system_message_edit_is_refused_with_the_reason(self, client, people, ticket):
        message = actions.add_system_message(ticket, "Closed as scheduled.", timezone.now())
        client.force_login(people.bob)
        client.post(reverse("ticket_message_edit", args=[ticket.pk, message.pk]), {"body": "Changed"})
        message.refresh_from_db()
        assert message.body == "Closed as scheduled."
        assert "System messages cannot be changed." in flash(client)

    def test_message_of_another_ticket_is_404(self, client, people, ticket):
        other = make_ticket(people.erin, people.category)
        message = actions.add_message(ticket=other, actor=people.erin, body="Mine")
        client.force_login(people.bob)
        url = reverse("ticket_message_delete", args=[ticket.pk, message.pk])
        assert client.post(url).status_code == 404
        message.refresh_from_db()
        assert not message.deleted

    def test_get_on_an_action_is_not_allowed(self, client, people, ticket):
        client.force_login(people.bob)
        assert client.get(reverse("ticket_spam", args=[ticket.pk])).status_code == 405


# Refused before the input is read, so the ids in the data need not exist.
ACTION_POSTS = [
    ("ticket_reply", {"body": "Hello"}),
    ("ticket_update_fields", {"subject": "Changed", "priority": 1, "category": 1}),
    ("ticket_assign", {"team": ""}),
    ("ticket_assign_to_me", {}),
    ("ticket_transition", {"status": 1}),
    ("ticket_resolve", {"resolution_notes": "Done"}),
    ("ticket_schedule_closure", {"at": "2999-01-01T10:00"}),
    ("ticket_spam", {}),
    ("ticket_delete", {}),
    ("ticket_restore", {}),
    ("ticket_schedule_deletion", {"at": "2999-01-01T10:00"}),
]


class TestStaffActionsRefusedToOthers:
    """Every staff POST: anonymous → login, customers and staff out of reach → 404, nothing changed."""

    @pytest.mark.parametrize(("action", "data"), ACTION_POSTS)
    def test_anonymous_is_sent_to_login(self, client, ticket, action, data):
        before = snapshot(ticket)
        response = post(client, ticket, action, data)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert snapshot(ticket) == before

    @pytest.mark.parametrize(("action", "data"), ACTION_POSTS)
    def test_requester_gets_404(self, client, people, ticket, action, data):
        client.force_login(people.dave)
        before = snapshot(ticket)
        assert post(client, ticket, action, data).status_code == 404
        assert snapshot(ticket) == before

    @pytest.mark.parametrize(("action", "data"), ACTION_POSTS)
    def test_restricted_staff_out_of_scope_gets_404(self, client, people, ticket, action, data):
        client.force_login(people.carol)
        before = snapshot(ticket)
        assert post(client, ticket, action, data).status_code == 404
        assert snapshot(ticket) == before

    @pytest.mark.parametrize("action", ["ticket_message_edit", "ticket_message_delete"])
    def test_message_posts_refused_to_customers_and_out_of_scope_staff(self, client, people, ticket, action):
        message = actions.add_message(ticket=ticket, actor=people.bob, body="Staff words")
        for user in (people.dave, people.erin, people.carol):
            client.force_login(user)
            response = client.post(reverse(action, args=[ticket.pk, message.pk]), {"body": "Hacked"})
            assert response.status_code == 404
        message.refresh_from_db()
        assert message.body == "Staff words" and not message.deleted


class TestCtiOnTicketPage:
    def test_side_panel_shows_type_and_item_of_the_ticket(self, client, people):
        kind = TicketTypeFactory(category=people.category, name="Laptop")
        item = ItemFactory(type=kind, name="Battery")
        ticket = make_ticket(people.dave, people.category, type=kind, item=item)
        client.force_login(people.bob)
        body = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        assert f'<option value="{kind.pk}" selected>Laptop</option>' in body
        assert f'<option value="{item.pk}" selected>Battery</option>' in body
