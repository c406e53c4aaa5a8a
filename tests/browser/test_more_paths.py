"""More paths in a real browser: a guest at /submit, saved views with bulk assignment, and the
staff keyboard shortcuts with Markdown preview, collision warning and the dashboard."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import pytestmark  # noqa: F401 - live-server database marker
from tests.factories import make_ticket
from tickets import actions
from tickets.models import Message, Ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ACCESS_LINK = re.compile(r"/t/(\d+)/\?token=[A-Za-z0-9_\-.:%]+")


def submit(page, button):
    """Click a submit button and wait for the POST's answer."""
    with page.expect_response(lambda r: r.request.method == "POST"):
        button.click()
    page.wait_for_load_state("networkidle")


def test_a_guest_submits_opens_the_emailed_link_replies_and_downloads(
    page, live_server, people, tmp_path, shot
):
    mail.outbox.clear()
    page.goto(f"{live_server.url}/submit/")
    page.fill("input[name=email]", "guest@example.net")
    page.fill("input[name=name]", "Gus Guest")
    page.fill("input[name=subject]", "Cannot print labels")
    page.select_option("select[name=category]", str(people.category.pk))
    page.fill("textarea[name=description]", "The label printer feeds *blank* labels.")
    photo = tmp_path / "label.png"
    photo.write_bytes(PNG)
    page.set_input_files("input[name=files]", str(photo))
    shot(page, "submit-form")
    submit(page, page.locator("main button[type=submit]:has-text('Send')"))
    ticket = Ticket.objects.get(subject="Cannot print labels")
    assert ticket.requester.email == "guest@example.net"

    # The access link arrives by email (locmem backend: the live server runs in this process).
    bodies = [m.body for m in mail.outbox if "guest@example.net" in m.to]
    links = [ACCESS_LINK.search(body) for body in bodies]
    link = next(match for match in links if match and match.group(1) == str(ticket.pk))
    page.goto(live_server.url + link.group(0))
    expect(page.locator("main")).to_contain_text("Cannot print labels")
    shot(page, "guest-ticket")

    form = page.locator("form[action$='/reply/']")
    form.locator("textarea[name=body]").fill("It also jams now.")
    submit(page, form.locator("button[type=submit]"))
    assert Message.objects.filter(ticket=ticket, body="It also jams now.", author=ticket.requester).exists()
    expect(page.locator("main")).to_contain_text("It also jams now.")

    href = page.locator("a:has-text('label.png')").first.get_attribute("href")
    assert "token=" in href
    download = page.request.get(live_server.url + href)
    assert download.ok and download.body() == PNG
    shot(page, "guest-replied")


def test_staff_save_a_view_and_bulk_assign_from_it(page, live_server, login, people, shot):
    tickets = [make_ticket(people.dave, people.category, subject=f"Toner {n}") for n in range(3)]
    make_ticket(people.erin, subject="Something else")
    login(page, people.bob)
    page.goto(f"{live_server.url}/tickets/?queue=all&q=Toner")
    page.wait_for_load_state("networkidle")
    page.fill("#view-name", "Toner tickets")
    submit(page, page.locator("button:has-text('Save view')"))
    page.click("a:has-text('Toner tickets')")
    page.wait_for_load_state("networkidle")
    expect(page.locator("main table tbody tr")).to_have_count(3)
    shot(page, "saved-view")

    for ticket in tickets[:2]:
        page.check(f"input[name=ids][value='{ticket.pk}']")
    page.select_option("#bulk-action", "assign")
    page.select_option("#bulk-assignee", str(people.bob.pk))
    submit(page, page.locator("button:has-text('Apply to selected')"))
    assigned = set(Ticket.objects.filter(assignee=people.bob).values_list("pk", flat=True))
    assert assigned == {tickets[0].pk, tickets[1].pk}
    shot(page, "bulk-assigned")


def test_staff_use_shortcuts_preview_and_are_warned_of_a_collision(page, live_server, login, people, shot):
    ticket = make_ticket(people.dave, people.category, subject="Mouse double-clicks")
    make_ticket(people.erin, people.category, subject="Keyboard sticky")
    login(page, people.bob)
    page.goto(f"{live_server.url}/tickets/?queue=all&ordering=oldest")
    page.wait_for_load_state("networkidle")

    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_be_visible()
    expect(page.locator("#shortcuts-help")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-help")).to_be_hidden()
    page.keyboard.press("/")
    expect(page.locator("#filter-q")).to_be_focused()  # the queue's own search field
    page.locator("#filter-q").blur()
    page.keyboard.press("j")
    expect(page.locator("main tr.kbd-selected")).to_have_count(1)
    expect(page.locator("main tr.kbd-selected")).to_contain_text("Mouse double-clicks")  # oldest first
    page.keyboard.press("j")
    expect(page.locator("main tr.kbd-selected")).to_contain_text("Keyboard sticky")
    page.keyboard.press("k")
    expect(page.locator("main tr.kbd-selected")).to_contain_text("Mouse double-clicks")
    shot(page, "queue-selected")
    page.keyboard.press("o")
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    page.wait_for_load_state("networkidle")

    page.keyboard.press("r")
    expect(page.locator("#reply_body")).to_be_focused()
    page.keyboard.type("Try **another** port.")
    page.click("button:has-text('Preview')")
    expect(page.locator("#reply_body-preview strong")).to_have_text("another")

    # Meanwhile Alice answers: sending now shows what changed, keeps the text, and asks again.
    actions.add_message(ticket=ticket, actor=people.alice, body="Replaced the mouse.")
    submit(page, page.locator("#reply-form button[type=submit]"))
    expect(page.locator("#collision-warning")).to_contain_text("Alice Admin replied")
    expect(page.locator("#reply_body")).to_have_value("Try **another** port.")
    shot(page, "collision-warning")
    assert not Message.objects.filter(ticket=ticket, body="Try **another** port.").exists()
    submit(page, page.locator("#reply-form button:has-text('Send anyway')"))
    assert Message.objects.filter(ticket=ticket, body="Try **another** port.").exists()

    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("svg.dash-chart")).to_be_visible()
    shot(page, "dashboard")
