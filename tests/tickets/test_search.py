"""Search (SPEC §6): the quick search bar, and full-text search kept current by the actions."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_ticket
from tickets import actions
from tickets.models import Ticket
from tickets.search import MAX_QUERY_CHARS, refresh_search_vector

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def search(api, user, text, **extra) -> list[int]:
    return ids(api(user).get("/api/v1/tickets/", {"q": text, **extra}))


def lexemes(ticket) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM tickets_ticket WHERE id = %s", [ticket.pk])
        return cursor.fetchone()[0] or ""


class TestSearchVectorIsKeptCurrent:
    def test_create_puts_subject_and_description_in(self, people):
        t = make_ticket(people.dave, people.category, subject="Keyboard sticky", description="Coffee spilled")
        assert "'keyboard':1A" in lexemes(t) and "'coffe':3B" in lexemes(t)

    def test_the_new_ticket_document_is_the_one_a_refresh_builds(self, people):
        text = "Printer *on fire*: the 3rd floor's HP LaserJet, since Monday's update."
        t = make_ticket(people.dave, people.category, subject="  HP LaserJet smokes!  ", description=text)
        written_with_the_row = lexemes(t)
        refresh_search_vector(t.pk)
        assert written_with_the_row == lexemes(t) and "'laserjet':2A" in written_with_the_row

    def test_create_writes_the_ticket_row_once(self, people):
        with CaptureQueriesContext(connection) as run:
            make_ticket(people.dave, people.category)
        row_writes = re.compile(r'(INSERT INTO|UPDATE) "?tickets_ticket"?[\s(]')
        writes = [q["sql"].split()[0] for q in run.captured_queries if row_writes.match(q["sql"])]
        assert writes == ["INSERT"]

    @pytest.mark.parametrize(
        "who, internal", [("dave", False), ("bob", False), ("bob", True)], ids=["customer", "staff", "note"]
    )
    def test_a_reply_writes_the_ticket_row_once_with_its_text(self, people, ticket, who, internal):
        # With or without the status change a reply may bring, one UPDATE of the row.
        with CaptureQueriesContext(connection) as run:
            actions.add_message(ticket=ticket, actor=getattr(people, who), body="Toner", internal=internal)
        row_updates = re.compile(r'UPDATE "?tickets_ticket"?[\s(]')
        assert len([q for q in run.captured_queries if row_updates.match(q["sql"])]) == 1
        assert "'toner':" in lexemes(ticket)

    def test_subject_change_refreshes_it(self, people, ticket):
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, subject="Scanner jammed")
        assert "scanner" in lexemes(ticket) and "printer" not in lexemes(ticket)

    def test_replies_and_notes_are_in_and_deleted_ones_leave(self, people, ticket):
        reply = actions.add_message(ticket=ticket, actor=people.dave, body="Flames everywhere")
        actions.add_message(ticket=ticket, actor=people.bob, body="Extinguisher ordered", internal=True)
        assert "'flame'" in lexemes(ticket) and "'extinguish'" in lexemes(ticket)
        actions.edit_message(message=reply, actor=people.dave, body="Sparks everywhere")
        assert "'spark'" in lexemes(ticket) and "'flame'" not in lexemes(ticket)
        actions.delete_message(message=reply, actor=people.bob)
        assert "'spark'" not in lexemes(ticket)

    def test_refresh_is_one_update(self, people, ticket, django_assert_num_queries):
        with django_assert_num_queries(1):
            refresh_search_vector(ticket.pk)


class TestStaffSearch:
    def test_words_match_subject_description_and_replies(self, api, people):
        a = make_ticket(people.dave, people.category, subject="Monitor flickers")
        b = make_ticket(people.dave, people.category, subject="Other", description="The monitor is dark")
        c = make_ticket(people.dave, people.category, subject="Third")
        actions.add_message(ticket=c, actor=people.bob, body="Swapped the monitors")
        make_ticket(people.dave, people.category, subject="Unrelated")
        assert set(search(api, people.bob, "monitor")) == {a.pk, b.pk, c.pk}

    def test_best_matches_come_first_unless_a_sort_is_given(self, api, people):
        in_text = make_ticket(people.dave, people.category, subject="Other", description="the laptop is slow")
        in_subject = make_ticket(people.dave, people.category, subject="Laptop slow", description="x")
        make_ticket(people.dave, people.category, subject="Newest, unrelated")
        assert search(api, people.bob, "laptop") == [in_subject.pk, in_text.pk]
        assert search(api, people.bob, "laptop", ordering="newest") == [in_subject.pk, in_text.pk]
        assert search(api, people.bob, "laptop", ordering="oldest") == [in_text.pk, in_subject.pk]

    def test_internal_notes_match_for_staff(self, api, people, ticket):
        actions.add_message(ticket=ticket, actor=people.bob, body="Vendor warranty claim", internal=True)
        assert search(api, people.bob, "warranty") == [ticket.pk]

    def test_restricted_staff_search_only_what_they_see(self, api, people, ticket):
        assert search(api, people.carol, "printer") == []
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)
        assert search(api, people.carol, "printer") == [ticket.pk]

    def test_spam_and_deleted_stay_out_of_search(self, api, people, ticket):
        actions.mark_spam(ticket=ticket, actor=people.bob)
        assert search(api, people.bob, "printer") == []
        assert search(api, people.bob, "printer", queue="spam") == [ticket.pk]

    def test_search_combines_with_filters(self, api, people, ticket):
        other = make_ticket(people.dave, people.category, subject="Printer out of toner", actor=people.bob)
        actions.assign_to_me(ticket=other, actor=people.bob)
        assert search(api, people.bob, "printer", assignee="me") == [other.pk]


class TestCustomerSearch:
    def test_internal_note_text_never_makes_a_ticket_match(self, api, people, ticket):
        actions.add_message(ticket=ticket, actor=people.bob, body="Customer is a VIP", internal=True)
        assert search(api, people.dave, "vip") == []
        assert search(api, people.bob, "vip") == [ticket.pk]

    def test_public_text_matches_across_subject_and_replies(self, api, people, ticket):
        actions.add_message(ticket=ticket, actor=people.bob, body="Call the fire brigade")
        assert search(api, people.dave, "printer brigade") == [ticket.pk]

    def test_deleted_replies_do_not_match(self, api, people, ticket):
        reply = actions.add_message(ticket=ticket, actor=people.dave, body="My password is hunter2")
        actions.delete_message(message=reply, actor=people.bob)
        assert search(api, people.dave, "hunter2") == []

    def test_customers_search_only_their_own_tickets(self, api, people, ticket):
        make_ticket(people.erin, people.category, subject="Printer at Erin's")
        assert search(api, people.dave, "printer") == [ticket.pk]
        assert search(api, people.erin, "printer") != [ticket.pk]


HOSTILE = [
    "'",
    "''",
    "a & b",
    "a | b",
    "!",
    "!!a",
    "a:*",
    ":*",
    "\\",
    "a\\",
    "(",
    "a <-> b",
    '"unterminated',
    "-",
    "OR",
    "& | ! ( ) : * ' \\",
    "ümlaut ß 漢字 🔥",
    "x" * 10_000,
    "word " * 2_000,
]


class TestHostileSearchText:
    @pytest.mark.parametrize("text", HOSTILE)
    def test_api_never_fails(self, api, people, ticket, text):
        for user in (people.bob, people.dave):
            response = api(user).get("/api/v1/tickets/", {"q": text})
            assert response.status_code == 200, response.content[:300]

    @pytest.mark.parametrize("text", HOSTILE)
    def test_queue_page_never_fails(self, client, people, ticket, text):
        client.force_login(people.bob)
        assert client.get(reverse("ticket_list"), {"q": text}).status_code == 200

    def test_long_text_is_cut_not_refused(self, api, people, ticket):
        assert search(api, people.bob, "printer " + "the " * 2_500) == [ticket.pk]  # stop words drop out
        assert search(api, people.bob, "x" * 10_000) == []
        assert MAX_QUERY_CHARS < 10_000


class TestQuickSearch:
    def test_number_opens_a_visible_ticket(self, client, people, ticket):
        client.force_login(people.bob)
        for text in (str(ticket.pk), f"#{ticket.pk}", f"  #{ticket.pk} "):
            response = client.get(reverse("ticket_list"), {"q": text})
            assert response.status_code == 302 and response.url == reverse("ticket_detail", args=[ticket.pk])

    def test_words_search_everything_visible_even_outside_my_queue(self, client, people, ticket):
        client.force_login(people.bob)
        body = client.get(reverse("ticket_list"), {"q": "printer"}).content.decode()
        assert "Printer is on fire" in body  # unassigned: not in bob's default queue

    def test_search_bar_is_on_every_staff_page(self, client, people, ticket):
        client.force_login(people.bob)
        for url in (
            reverse("ticket_list"),
            reverse("ticket_detail", args=[ticket.pk]),
            reverse("ticket_create"),
        ):
            assert b'role="search"' in client.get(url).content

    def test_number_search_of_a_hidden_ticket_is_a_word_search(self, client, people, ticket):
        numbered = make_ticket(people.dave, people.category, subject=f"Invoice {ticket.pk} is wrong")
        actions.assign_ticket(ticket=numbered, actor=people.bob, team=people.blue)
        client.force_login(people.carol)
        response = client.get(reverse("ticket_list"), {"q": str(ticket.pk)})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Invoice" in body and "Printer is on fire" not in body

    def test_superscript_digits_are_words_not_a_500(self, client, people, ticket):
        client.force_login(people.bob)
        assert client.get(reverse("ticket_list"), {"q": "²"}).status_code == 200


class TestTicketsWithoutAVector:
    def test_number_still_finds_a_ticket_without_a_vector(self, api, people, ticket):
        Ticket.objects.filter(pk=ticket.pk).update(search_vector=None)  # as before the data migration
        assert search(api, people.bob, f"#{ticket.pk}") == [ticket.pk]
        assert search(api, people.bob, "printer") == []


class TestTooManyMatchesToRank:
    def test_past_the_rank_limit_the_most_recently_updated_come_first(self, api, client, people, monkeypatch):
        from tickets import queue_rows

        in_subject = make_ticket(people.dave, people.category, subject="Laptop slow", description="x")
        in_text = make_ticket(people.dave, people.category, subject="Other", description="the laptop is slow")
        assert search(api, people.bob, "laptop") == [in_subject.pk, in_text.pk]  # best match first
        monkeypatch.setattr(queue_rows, "RANK_LIMIT", 1)
        assert search(api, people.bob, "laptop") == [in_text.pk, in_subject.pk]  # newest update first
        client.force_login(people.bob)
        body = client.get(reverse("ticket_list"), {"q": "laptop"}).content.decode()
        assert "too many matches to rank" in body
