"""The main paths of a ticket's life, clicked through in a real browser."""

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import pytestmark  # noqa: F401 - live-server database marker
from tickets.models import Ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def submit(page, button):
    """Click a submit button and wait for the POST's answer (forms are htmx-boosted)."""
    with page.expect_response(lambda r: r.request.method == "POST"):
        button.click()
    page.wait_for_load_state("networkidle")


def open_ticket_as_customer(page, live_server, catalogue, tmp_path, subject):
    category, typ, item = catalogue
    page.goto(f"{live_server.url}/portal/new/")
    page.fill("input[name=subject]", subject)
    page.select_option("select[name=category]", str(category.pk))
    # The type and item selects appear only once their parent is chosen (htmx cascade).
    page.wait_for_selector("select[name=type]")
    page.select_option("select[name=type]", str(typ.pk))
    page.wait_for_selector("select[name=item]")
    page.select_option("select[name=item]", str(item.pk))
    page.fill("textarea[name=description]", "The battery *bulges*.")
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    page.set_input_files("input[name=files]", str(photo))
    submit(page, page.locator("button:has-text('Create ticket')"))
    return Ticket.objects.get(subject=subject)


def test_customer_and_staff_take_a_ticket_from_creation_to_reopen(
    page, live_server, login, people, catalogue, tmp_path, shot
):
    login(page, people.dave)
    ticket = open_ticket_as_customer(page, live_server, catalogue, tmp_path, "Battery swelling")
    assert ticket.item == catalogue[2] and ticket.attachments.get().filename == "photo.png"
    expect(page.locator("body")).to_contain_text("Battery swelling")
    shot(page, "portal-ticket")

    # Staff find it in the queue, take it, reply and set In progress in one action.
    login(page, people.bob)
    page.goto(f"{live_server.url}/tickets/?queue=unassigned")  # the default queue is their own work
    shot(page, "queue")
    page.click("a:has-text('Battery swelling')")
    submit(page, page.locator("button:has-text('Assign to me')"))
    reply = page.locator("form[action$='/reply/']")
    reply.locator("textarea[name=body]").fill("Please stop using it; we are sending a new one.")
    reply.locator("select[name=status]").select_option(label="In progress")
    submit(page, reply.locator("button:has-text('Send')"))
    ticket.refresh_from_db()
    assert ticket.assignee == people.bob and ticket.status.name == "In progress"
    shot(page, "staff-ticket")

    # The customer replies; staff resolve with notes.
    login(page, people.dave)
    page.goto(f"{live_server.url}/portal/tickets/{ticket.pk}/")
    expect(page.locator("body")).to_contain_text("sending a new one")
    page.locator("form[action$='/reply/'] textarea[name=body]").fill("Thanks, waiting for it.")
    submit(page, page.locator("button:has-text('Send reply')"))
    login(page, people.bob)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.fill("textarea[name=resolution_notes]", "Battery replaced.")
    submit(page, page.locator("button:has-text('Resolve')"))
    ticket.refresh_from_db()
    assert ticket.status.kind == "resolved" and ticket.resolution_notes == "Battery replaced."

    # Inside the reopen window the customer's reply reopens it.
    login(page, people.dave)
    page.goto(f"{live_server.url}/portal/tickets/{ticket.pk}/")
    expect(page.locator("body")).to_contain_text("Battery replaced.")
    page.locator("form[action$='/reply/'] textarea[name=body]").fill("The new one swells too.")
    submit(page, page.locator("button:has-text('Send reply')"))
    ticket.refresh_from_db()
    assert ticket.status.kind == "new" and ticket.reopened
    shot(page, "portal-reopened")


def test_restricted_staff_cannot_reach_a_ticket_outside_scope(page, live_server, login, people, ticket, shot):
    login(page, people.carol)
    response = page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/tickets/")
    expect(page.locator("body")).not_to_contain_text(ticket.subject)
    shot(page, "restricted-queue")


def test_customer_edits_a_reply_inside_the_window_and_not_after(
    page, live_server, login, people, ticket, shot
):
    login(page, people.dave)
    page.goto(f"{live_server.url}/portal/tickets/{ticket.pk}/")
    page.locator("form[action$='/reply/'] textarea[name=body]").fill("First words")
    submit(page, page.locator("button:has-text('Send reply')"))
    page.locator("summary:has-text('Edit or delete')").click()
    edit = page.locator("form[action*='/edit/']")
    edit.locator("textarea[name=body]").fill("Better words")
    submit(page, edit.locator("button:has-text('Save')"))
    expect(page.locator("body")).to_contain_text("Better words")
    shot(page, "edit-available")
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16), tick=True):
        page.goto(f"{live_server.url}/portal/tickets/{ticket.pk}/")
        expect(page.locator("summary:has-text('Edit or delete')")).to_have_count(0)
        shot(page, "edit-gone")


@pytest.fixture
def linked(people):
    from tests.factories import make_ticket
    from tickets import actions

    parent = make_ticket(people.dave, people.category, subject="Office network down")
    child = make_ticket(people.erin, people.category, subject="Cannot reach the file server")
    actions.transition_ticket(ticket=parent, actor=people.bob, status="In progress")
    return parent, child


def test_staff_link_two_tickets_and_resolve_all_children(page, live_server, login, people, linked, shot):
    parent, child = linked
    login(page, people.bob)
    page.goto(f"{live_server.url}/tickets/{parent.pk}/")
    panel = page.locator("#links-panel")
    panel.locator("select[name=type]").select_option("parent_of")
    panel.locator("input[name=q]").fill(f"#{child.pk}")
    # The picker lists candidates as the staff member types; the first is chosen.
    expect(panel.locator(f"#link-target-{child.pk}")).to_be_checked()
    submit(page, panel.locator("button:has-text('Add link')"))
    expect(page.locator("body")).to_contain_text("Cannot reach the file server")
    page.locator("form[action$='/resolve-children/'] textarea[name=resolution_notes]").fill(
        "Switch replaced."
    )
    submit(page, page.locator("button:has-text('Resolve all children')"))
    child.refresh_from_db()
    assert child.status.kind == "resolved"
    shot(page, "links")


def test_staff_open_the_history_and_a_messages_edit_forms_when_needed(
    page, live_server, login, people, ticket, shot
):
    from tickets import actions

    message = actions.add_message(ticket=ticket, actor=people.dave, body="Tpyo in here")
    login(page, people.bob)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    # History and edit forms are fetched (htmx) when first opened, not with the page.
    page.click("#history-tab")
    expect(page.locator("#history-pane table")).to_be_visible()
    expect(page.locator("#history-pane")).to_contain_text("Reply")
    shot(page, "staff-history")
    page.click("#conversation-tab")
    card = page.locator(f"#message-{message.pk}")
    card.locator("summary:has-text('Edit or delete')").click()
    edit = card.locator("form[action*='/edit/']")
    edit.locator("textarea[name=body]").fill("Typo in here")
    submit(page, edit.locator("button:has-text('Save')"))
    expect(page.locator(f"#message-{message.pk}")).to_contain_text("Typo in here")
    message.refresh_from_db()
    assert message.body == "Typo in here"
