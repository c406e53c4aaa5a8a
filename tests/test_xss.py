"""Stored XSS: hostile text in every field that is shown, rendered in the pages and the emails.

Each payload goes into the subject, description, replies (customer and staff), a person's name,
an attachment's filename, a tag, a category's name, a saved view's name and a canned reply's
title and body. The staff ticket page, the queue, the portal pages and every notification email
(HTML and text parts) must show it as text: no script tag, no event handler inside a tag, no
javascript: link.
"""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Role
from attachments.actions import attach_files
from tests.factories import CategoryFactory, make_ticket, make_user
from tickets.actions import add_message, update_ticket_fields
from tickets.actions.canned import save_canned_reply
from tickets.actions.saved_views import save_view

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '[click me](javascript:alert(1)) <a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "'><iframe src=javascript:alert(1)></iframe>",
    "<a href='jav&#x09;ascript:alert(1)'>y</a> <details open ontoggle=alert(1)>",
]


class _Audit(HTMLParser):
    """Walk the real tags of a page (escaped text stays text) and note anything executable."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            squashed = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in {"href", "src", "action", "formaction", "xlink:href", "data"} and (
                squashed.startswith(("javascript:", "vbscript:", "data:text/html"))
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in {"iframe", "object", "embed", "svg"}:
            self.problems.append(f"<{tag}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert" in data:
            self.problems.append(f"inline script {data[:40]!r}")


def assert_safe(text: str, where: str) -> None:
    audit = _Audit()
    audit.feed(text)
    assert not audit.problems, f"{where}: unescaped payload {audit.problems}"


@pytest.fixture
def hostile(people, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)

    def build(payload: str):
        requester = make_user(Role.CUSTOMER, email="mallory@example.com", name=payload[:150])
        category = CategoryFactory(name=payload[:100])
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(requester, category, subject=payload, description=payload)
            add_message(ticket=ticket, actor=requester, body=payload)
            add_message(ticket=ticket, actor=people.bob, body=payload)
            add_message(ticket=ticket, actor=people.bob, body=payload, internal=True)
            update_ticket_fields(ticket=ticket, actor=people.bob, tags=[payload[:50]])
            filename = payload.replace("/", "")[:80] + ".txt"
            attach_files(
                ticket=ticket,
                actor=requester,
                files=[SimpleUploadedFile(filename, b"hello", content_type="text/plain")],
            )
        save_view(actor=people.bob, name=payload[:100])
        save_canned_reply(actor=people.bob, title=payload[:100], body=payload)
        return requester, ticket

    return build


@pytest.mark.parametrize("payload", PAYLOADS)
def test_pages_and_emails_show_hostile_text_as_text(hostile, people, payload):
    requester, ticket = hostile(payload)
    staff = Client()
    staff.force_login(people.bob)
    customer = Client()
    customer.force_login(requester)
    pages = {
        "staff ticket page": staff.get(f"/tickets/{ticket.pk}/"),
        "queue": staff.get("/tickets/"),
        "queue search": staff.get("/tickets/", {"q": payload}),
        "portal list": customer.get("/portal/"),
        "portal ticket": customer.get(f"/portal/tickets/{ticket.pk}/"),
        "links panel": staff.get(f"/tickets/{ticket.pk}/links/"),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
        assert_safe(response.content.decode(), where)
    assert mail.outbox, "the actions above send notifications"
    for message in mail.outbox:
        assert "\n" not in message.subject
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert_safe(content, f"email HTML to {message.to}")
    # The text part is plain text: it may quote the payload, but it carries no HTML rendering of
    # a link to javascript: and is not sent as HTML.
    for message in mail.outbox:
        assert message.content_subtype == "plain"
