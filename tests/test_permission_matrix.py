"""Permission matrix: every URL pattern of the project × every role, with the answer API.md expects.

The table ROWS has one entry per URL pattern (the resolver's route string). A pattern without a
row fails `test_every_url_pattern_has_a_row`, so a new endpoint cannot ship without deciding
who may call it. Each row lists requests (method, URL builder, body) and the expected status per
role, in the order of ROLES:

    anon  dave  frank  erin  carol  bob  alice

anon = not logged in; dave = the customer requester; frank = a customer participant; erin =
another customer; carol = restricted staff out of scope; bob = staff with view_all; alice =
admin. Guest rows (the access-link pages) use GUEST_ROLES: the right token, another ticket's
token, and no token. Refused writes must change nothing (see `_snapshot`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signing import dumps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.models import Role
from attachments.actions import attach_files
from attachments.models import Attachment
from links.models import TicketLink
from tests.factories import make_ticket, make_user
from tickets.actions import add_message
from tickets.actions.canned import save_canned_reply
from tickets.actions.customer import add_participant
from tickets.actions.guests import issue_access_token, submit_guest_ticket
from tickets.actions.invites import create_invite
from tickets.actions.saved_views import save_view
from tickets.models import Message, Ticket, TicketEvent

ROLES = ("anon", "dave", "frank", "erin", "carol", "bob", "alice")
GUEST_ROLES = ("guest", "other_token", "no_token")
EXCLUDED_PREFIXES = ("admin/", "api/schema/", "api/docs/", "static/")


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def project_routes() -> set[str]:
    return {route for route in _walk(get_resolver()) if not route.startswith(EXCLUDED_PREFIXES)}


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable  # world -> path
    expect: str  # one status per role, space separated
    data: Callable | None = None  # world -> body
    guest: bool = False  # roles are GUEST_ROLES; the URL builder receives the token to use
    fmt: str = "json"

    def statuses(self) -> dict[str, int]:
        roles = GUEST_ROLES if self.guest else ROLES
        codes = [int(code) for code in self.expect.split()]
        assert len(codes) == len(roles), self.expect
        return dict(zip(roles, codes, strict=True))


def C(method, url, expect, data=None, **kwargs):
    return Case(method, url, expect, data, **kwargs)


def tid(w):
    return w.ticket.pk


def _upload(w):
    return {"files": [SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")]}


# Common shapes of answers (anon dave frank erin carol bob alice).
API_READ_TICKET = "401 200 200 404 404 200 200"
API_STAFF_ON_TICKET = "401 403 403 404 404 {ok} {ok}"
API_STAFF = "401 403 403 403 {ok} {ok} {ok}"
API_ADMIN = "401 403 403 403 403 403 {ok}"
PAGE_STAFF = "302 404 404 404 {ok} {ok} {ok}"


def staff_on_ticket(ok):
    return API_STAFF_ON_TICKET.format(ok=ok)


def staff(ok):
    return API_STAFF.format(ok=ok)


def admin(ok):
    return API_ADMIN.format(ok=ok)


ROWS: dict[str, list[Case]] = {
    # --- API: accounts and catalogue ---------------------------------------------------------------
    "api/v1/auth/token/": [
        C(
            "post",
            lambda w: "/api/v1/auth/token/",
            "400 400 400 400 400 400 400",
            lambda w: {"email": "x@y.z"},
        ),
    ],
    "api/v1/me/": [C("get", lambda w: "/api/v1/me/", "401 200 200 200 200 200 200")],
    "api/v1/users/": [
        C("get", lambda w: "/api/v1/users/", "401 403 403 403 200 200 200"),
        C(
            "post",
            lambda w: "/api/v1/users/",
            admin(201),
            lambda w: {"email": "new@example.com", "name": "N"},
        ),
    ],
    "api/v1/users/<int:id>/": [
        C("patch", lambda w: f"/api/v1/users/{w.people.erin.pk}/", admin(200), lambda w: {"name": "Renamed"}),
    ],
    "api/v1/teams/": [
        C("get", lambda w: "/api/v1/teams/", staff(200)),
        C("post", lambda w: "/api/v1/teams/", admin(201), lambda w: {"name": "Green"}),
    ],
    "api/v1/statuses/": [C("get", lambda w: "/api/v1/statuses/", "401 200 200 200 200 200 200")],
    "api/v1/priorities/": [C("get", lambda w: "/api/v1/priorities/", "401 200 200 200 200 200 200")],
    "api/v1/categories/": [
        C("get", lambda w: "/api/v1/categories/", "200 200 200 200 200 200 200"),
        C("post", lambda w: "/api/v1/categories/", admin(201), lambda w: {"name": "Software"}),
    ],
    "api/v1/sla-plans/": [C("get", lambda w: "/api/v1/sla-plans/", staff(200))],
    "api/v1/settings/": [
        C("get", lambda w: "/api/v1/settings/", admin(200)),
        C("patch", lambda w: "/api/v1/settings/", admin(200), lambda w: {"auto_close_days": 9}),
    ],
    "api/v1/teams/<int:id>/routing/": [
        C("get", lambda w: f"/api/v1/teams/{w.people.red.pk}/routing/", admin(200))
    ],
    "api/v1/me/away/": [C("get", lambda w: "/api/v1/me/away/", staff(200))],
    "api/v1/business-calendars/": [C("get", lambda w: "/api/v1/business-calendars/", staff(200))],
    "api/v1/business-calendars/<int:id>/holidays/": [
        C("post", lambda w: "/api/v1/business-calendars/999999/holidays/", admin(404), lambda w: {}),
    ],
    # --- API: tickets ------------------------------------------------------------------------------
    "api/v1/tickets/": [
        C("get", lambda w: "/api/v1/tickets/", "401 200 200 200 200 200 200"),
        C(
            "post",
            lambda w: "/api/v1/tickets/",
            "401 201 201 201 201 201 201",
            lambda w: {"subject": "S", "description": "D", "category": w.people.category.pk},
        ),
    ],
    "api/v1/tickets/bulk/": [
        C(
            "post",
            lambda w: "/api/v1/tickets/bulk/",
            staff(200),
            lambda w: {"ids": [w.ticket.pk], "action": "tag", "add_tags": ["x"]},
        ),
    ],
    "api/v1/tickets/export/": [C("get", lambda w: "/api/v1/tickets/export/", staff(200))],
    "api/v1/canned-replies/": [
        C("get", lambda w: "/api/v1/canned-replies/", staff(200)),
        C("post", lambda w: "/api/v1/canned-replies/", staff(201), lambda w: {"title": "T", "body": "B"}),
    ],
    "api/v1/canned-replies/<int:id>/": [
        C("delete", lambda w: f"/api/v1/canned-replies/{w.canned.pk}/", "401 403 403 403 404 204 404"),
    ],
    "api/v1/tickets/<int:id>/apply-canned-reply/": [
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/apply-canned-reply/",
            "401 403 403 404 404 201 404",
            lambda w: {"canned_reply": w.canned.pk},
        ),
    ],
    "api/v1/views/": [
        C("get", lambda w: "/api/v1/views/", staff(200)),
        C("post", lambda w: "/api/v1/views/", staff(201), lambda w: {"name": "Mine", "filters": {}}),
    ],
    "api/v1/views/<int:id>/": [
        C(
            "patch",
            lambda w: f"/api/v1/views/{w.view.pk}/",
            "401 403 403 403 404 200 404",
            lambda w: {"name": "R"},
        ),
        C("delete", lambda w: f"/api/v1/views/{w.view.pk}/", "401 403 403 403 404 204 404"),
    ],
    "api/v1/tickets/<int:id>/": [
        C("get", lambda w: f"/api/v1/tickets/{tid(w)}/", API_READ_TICKET),
        C(
            "patch",
            lambda w: f"/api/v1/tickets/{tid(w)}/",
            staff_on_ticket(200),
            lambda w: {"subject": "New"},
        ),
    ],
    "api/v1/tickets/<int:id>/merge/": [
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/merge/",
            staff_on_ticket(200),
            lambda w: {"target": w.linked_ticket.pk},
        ),
    ],
    "api/v1/tickets/<int:id>/history/": [
        C("get", lambda w: f"/api/v1/tickets/{tid(w)}/history/", staff_on_ticket(200)),
    ],
    "api/v1/tickets/<int:id>/transition/": [
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/transition/",
            staff_on_ticket(200),
            lambda w: {"status": w.open_status.pk},
        ),
    ],
    "api/v1/tickets/<int:id>/assign/": [
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/assign/",
            staff_on_ticket(200),
            lambda w: {"assignee": w.people.bob.pk},
        ),
    ],
    "api/v1/tickets/<int:id>/assign-to-me/": [
        C("post", lambda w: f"/api/v1/tickets/{tid(w)}/assign-to-me/", staff_on_ticket(200)),
    ],
    "api/v1/tickets/<int:id>/request-closure/": [
        C("post", lambda w: f"/api/v1/tickets/{tid(w)}/request-closure/", "401 200 200 404 404 403 403"),
    ],
    "api/v1/tickets/<int:id>/schedule-closure/": [
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/schedule-closure/",
            staff_on_ticket(400),
            lambda w: {},
        ),
    ],
    "api/v1/tickets/<int:id>/close/": [
        C("post", lambda w: f"/api/v1/tickets/{tid(w)}/close/", "401 409 409 404 404 200 200", lambda w: {}),
    ],
    "api/v1/tickets/<int:id>/spam/": [
        C("post", lambda w: f"/api/v1/tickets/{tid(w)}/spam/", staff_on_ticket(200)),
    ],
    "api/v1/tickets/<int:id>/delete/": [
        C("post", lambda w: f"/api/v1/tickets/{tid(w)}/delete/", staff_on_ticket(200)),
    ],
    "api/v1/tickets/<int:id>/restore/": [
        C("post", lambda w: f"/api/v1/tickets/{tid(w)}/restore/", staff_on_ticket(409)),
    ],
    "api/v1/tickets/<int:id>/schedule-deletion/": [
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/schedule-deletion/",
            staff_on_ticket(400),
            lambda w: {},
        ),
    ],
    "api/v1/tickets/<int:id>/messages/": [
        C("get", lambda w: f"/api/v1/tickets/{tid(w)}/messages/", API_READ_TICKET),
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/messages/",
            "401 201 201 404 404 201 201",
            lambda w: {"body": "Hi"},
        ),
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/messages/",
            "401 403 403 404 404 201 201",
            lambda w: {"body": "Note", "internal": True},
        ),
    ],
    "api/v1/tickets/<int:id>/messages/<int:mid>/": [
        C(
            "patch",
            lambda w: f"/api/v1/tickets/{tid(w)}/messages/{w.message.pk}/",
            "401 200 403 404 404 200 200",
            lambda w: {"body": "Edited"},
        ),
        C(
            "delete",
            lambda w: f"/api/v1/tickets/{tid(w)}/messages/{w.message.pk}/",
            "401 204 403 404 404 204 204",
        ),
    ],
    "api/v1/tickets/<int:id>/favorite/": [
        C("post", lambda w: f"/api/v1/tickets/{tid(w)}/favorite/", "401 204 204 404 404 403 403"),
        C("delete", lambda w: f"/api/v1/tickets/{tid(w)}/favorite/", "401 204 204 404 404 403 403"),
    ],
    "api/v1/favorites/": [C("get", lambda w: "/api/v1/favorites/", "401 200 200 200 200 200 200")],
    "api/v1/tickets/<int:id>/survey/": [
        C("get", lambda w: f"/api/v1/tickets/{tid(w)}/survey/", "401 404 403 404 404 403 403"),
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/survey/",
            "401 404 403 404 404 403 403",
            lambda w: {"rating": 5},
        ),
    ],
    "api/v1/tickets/<int:id>/invites/": [
        C("post", lambda w: f"/api/v1/tickets/{tid(w)}/invites/", "401 201 403 404 404 403 403"),
    ],
    "api/v1/invites/<str:token>/accept/": [
        C("post", lambda w: f"/api/v1/invites/{w.invite_token}/accept/", "401 200 200 200 403 403 403"),
    ],
    "api/v1/guest/tickets/": [
        C(
            "post",
            lambda w: "/api/v1/guest/tickets/",
            "201 201 201 201 201 201 201",
            lambda w: {
                "email": "walkin@example.com",
                "subject": "S",
                "description": "D",
                "category": w.people.category.pk,
            },
        ),
    ],
    "api/v1/guest/tickets/<int:id>/": [
        C(
            "get",
            lambda w, t: f"/api/v1/guest/tickets/{w.guest_ticket.pk}/?token={t}",
            "200 404 404",
            guest=True,
        ),
    ],
    "api/v1/guest/tickets/<int:id>/messages/": [
        C(
            "get",
            lambda w, t: f"/api/v1/guest/tickets/{w.guest_ticket.pk}/messages/?token={t}",
            "200 404 404",
            guest=True,
        ),
        C(
            "post",
            lambda w, t: f"/api/v1/guest/tickets/{w.guest_ticket.pk}/messages/?token={t}",
            "201 404 404",
            lambda w, t: {"body": "From the guest"},
            guest=True,
        ),
    ],
    "api/v1/tickets/<int:ticket_id>/attachments/": [
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/attachments/",
            "401 201 201 404 404 201 201",
            _upload,
            fmt="multipart",
        ),
    ],
    "api/v1/attachments/<int:attachment_id>/": [
        C("get", lambda w: f"/api/v1/attachments/{w.attachment.pk}/", "401 200 200 404 404 200 200"),
    ],
    "api/v1/tickets/link-search/": [
        C("get", lambda w: "/api/v1/tickets/link-search/?q=Printer", staff(200)),
    ],
    "api/v1/tickets/<int:ticket_id>/links/": [
        C("get", lambda w: f"/api/v1/tickets/{tid(w)}/links/", staff_on_ticket(200)),
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/links/",
            staff_on_ticket(201),
            lambda w: {"target": w.other_ticket.pk, "type": "related_to"},
        ),
    ],
    "api/v1/tickets/<int:ticket_id>/links/<int:target_id>/": [
        C(
            "delete",
            lambda w: f"/api/v1/tickets/{tid(w)}/links/{w.linked_ticket.pk}/?type=related_to",
            staff_on_ticket(204),
        ),
    ],
    "api/v1/tickets/<int:ticket_id>/resolve-children/": [
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/resolve-children/",
            staff_on_ticket(200),
            lambda w: {},
        ),
    ],
    # --- Pages: accounts ----------------------------------------------------------------------------
    "": [C("get", lambda w: "/", "302 302 302 302 302 302 302")],
    "login/": [C("get", lambda w: "/login/", "200 302 302 302 302 302 302")],
    "logout/": [C("post", lambda w: "/logout/", "302 302 302 302 302 302 302")],
    "password/change/": [C("get", lambda w: "/password/change/", "302 200 200 200 200 200 200")],
    "password/change/done/": [C("get", lambda w: "/password/change/done/", "302 200 200 200 200 200 200")],
    "password/reset/": [C("get", lambda w: "/password/reset/", "200 200 200 200 200 200 200")],
    "password/reset/sent/": [C("get", lambda w: "/password/reset/sent/", "200 200 200 200 200 200 200")],
    "password/reset/<uidb64>/<token>/": [
        C("get", lambda w: w.reset_url, "302 200 302 302 302 302 302"),
    ],
    "password/reset/done/": [C("get", lambda w: "/password/reset/done/", "200 200 200 200 200 200 200")],
    # --- Pages: staff -------------------------------------------------------------------------------
    "tickets/": [C("get", lambda w: "/tickets/", "302 404 404 404 200 200 200")],
    "tickets/bulk/": [
        C(
            "post",
            lambda w: "/tickets/bulk/",
            "302 404 404 404 302 302 302",
            lambda w: {"ids": [w.ticket.pk]},
            fmt="form",
        ),
    ],
    "tickets/purge/<str:kind>/": [C("get", lambda w: "/tickets/purge/spam/", "302 404 404 404 403 403 200")],
    "tickets/export.csv": [C("get", lambda w: "/tickets/export.csv", "302 404 404 404 200 200 200")],
    "tickets/views/": [
        C(
            "post",
            lambda w: "/tickets/views/",
            "302 404 404 404 302 302 302",
            lambda w: {"name": "V"},
            fmt="form",
        ),
    ],
    "tickets/views/<int:pk>/delete/": [
        C("post", lambda w: f"/tickets/views/{w.view.pk}/delete/", "302 404 404 404 404 302 404", fmt="form"),
    ],
    "tickets/new/": [C("get", lambda w: "/tickets/new/", "302 404 404 404 200 200 200")],
    "tickets/<int:pk>/": [C("get", lambda w: f"/tickets/{tid(w)}/", "302 404 404 404 404 200 200")],
    "tickets/<int:pk>/reply/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/reply/",
            "302 404 404 404 404 302 302",
            lambda w: {"body": "Hi"},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/fields/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/fields/",
            "302 404 404 404 404 302 302",
            lambda w: {},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/assign/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/assign/",
            "302 404 404 404 404 302 302",
            lambda w: {},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/assign-to-me/": [
        C("post", lambda w: f"/tickets/{tid(w)}/assign-to-me/", "302 404 404 404 404 302 302", fmt="form"),
    ],
    "tickets/<int:pk>/status/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/status/",
            "302 404 404 404 404 302 302",
            lambda w: {},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/resolve/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/resolve/",
            "302 404 404 404 404 302 302",
            lambda w: {},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/schedule-closure/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/schedule-closure/",
            "302 404 404 404 404 302 302",
            lambda w: {},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/spam/": [
        C("post", lambda w: f"/tickets/{tid(w)}/spam/", "302 404 404 404 404 302 302", fmt="form"),
    ],
    "tickets/<int:pk>/delete/": [
        C("post", lambda w: f"/tickets/{tid(w)}/delete/", "302 404 404 404 404 302 302", fmt="form"),
    ],
    "tickets/<int:pk>/restore/": [
        C("post", lambda w: f"/tickets/{tid(w)}/restore/", "302 404 404 404 404 302 302", fmt="form"),
    ],
    "tickets/<int:pk>/schedule-deletion/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/schedule-deletion/",
            "302 404 404 404 404 302 302",
            lambda w: {},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/merge/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/merge/",
            "302 404 404 404 404 302 302",
            lambda w: {"target": w.linked_ticket.pk},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/canned/<int:canned_id>/": [
        C("get", lambda w: f"/tickets/{tid(w)}/canned/{w.canned.pk}/", "302 404 404 404 404 200 404"),
    ],
    "tickets/<int:pk>/apply-canned/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/apply-canned/",
            "302 404 404 404 404 302 404",
            lambda w: {"canned_reply": w.canned.pk},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/messages/<int:message_id>/edit/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/messages/{w.message.pk}/edit/",
            "302 404 404 404 404 302 302",
            lambda w: {"body": "E"},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/messages/<int:message_id>/delete/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/messages/{w.message.pk}/delete/",
            "302 404 404 404 404 302 302",
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/participants/<int:user_id>/remove/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/participants/{w.frank.pk}/remove/",
            "302 404 404 404 404 302 302",
            fmt="form",
        ),
    ],
    "dashboard/": [C("get", lambda w: "/dashboard/", "302 404 404 404 200 200 200")],
    "markdown/preview/": [
        C(
            "post",
            lambda w: "/markdown/preview/",
            "302 200 200 200 200 200 200",
            lambda w: {"text": "*x*"},
            fmt="form",
        ),
    ],
    "staff/away/": [
        C("post", lambda w: "/staff/away/", "302 404 404 404 302 302 302", lambda w: {}, fmt="form")
    ],
    "cti/options/": [C("get", lambda w: "/cti/options/", "200 200 200 200 200 200 200")],
    # --- Pages: portal ------------------------------------------------------------------------------
    "portal/": [C("get", lambda w: "/portal/", "302 200 200 200 302 302 302")],
    "portal/new/": [C("get", lambda w: "/portal/new/", "302 200 200 200 302 302 302")],
    "portal/tickets/<int:pk>/": [
        C("get", lambda w: f"/portal/tickets/{tid(w)}/", "302 200 200 404 302 302 302")
    ],
    "portal/tickets/<int:pk>/reply/": [
        C(
            "post",
            lambda w: f"/portal/tickets/{tid(w)}/reply/",
            "302 302 302 404 404 404 404",
            lambda w: {"body": "Hi"},
            fmt="form",
        ),
    ],
    "portal/tickets/<int:pk>/request-closure/": [
        C(
            "post",
            lambda w: f"/portal/tickets/{tid(w)}/request-closure/",
            "302 302 302 404 404 404 404",
            fmt="form",
        ),
    ],
    "portal/tickets/<int:pk>/close/": [
        C("post", lambda w: f"/portal/tickets/{tid(w)}/close/", "302 302 302 404 404 404 404", fmt="form"),
    ],
    "portal/tickets/<int:pk>/favorite/": [
        C("post", lambda w: f"/portal/tickets/{tid(w)}/favorite/", "302 302 302 404 404 404 404", fmt="form"),
    ],
    "portal/tickets/<int:pk>/messages/<int:message_id>/edit/": [
        C(
            "post",
            lambda w: f"/portal/tickets/{tid(w)}/messages/{w.message.pk}/edit/",
            "302 302 302 404 404 404 404",
            lambda w: {"body": "E"},
            fmt="form",
        ),
    ],
    "portal/tickets/<int:pk>/messages/<int:message_id>/delete/": [
        C(
            "post",
            lambda w: f"/portal/tickets/{tid(w)}/messages/{w.message.pk}/delete/",
            "302 302 302 404 404 404 404",
            fmt="form",
        ),
    ],
    "portal/tickets/<int:pk>/follow-up/": [
        C(
            "post",
            lambda w: f"/portal/tickets/{tid(w)}/follow-up/",
            "302 400 400 404 404 404 404",
            fmt="form",
        ),
    ],
    "portal/tickets/<int:pk>/survey/": [
        C(
            "post",
            lambda w: f"/portal/tickets/{tid(w)}/survey/",
            "302 404 404 404 404 404 404",
            lambda w: {"rating": 5},
            fmt="form",
        ),
    ],
    "portal/tickets/<int:pk>/invite/": [
        C("post", lambda w: f"/portal/tickets/{tid(w)}/invite/", "302 200 302 404 404 404 404", fmt="form"),
    ],
    "invites/<str:token>/": [
        C("get", lambda w: f"/invites/{w.invite_token}/", "200 200 200 200 403 403 403")
    ],
    # --- Pages: guests --------------------------------------------------------------------------------
    "submit/": [C("get", lambda w: "/submit/", "200 200 200 200 200 200 200")],
    "submit/done/": [C("get", lambda w: "/submit/done/", "200 200 200 200 200 200 200")],
    "submit/resend/": [C("get", lambda w: "/submit/resend/", "200 200 200 200 200 200 200")],
    "t/<int:pk>/": [C("get", lambda w, t: f"/t/{w.guest_ticket.pk}/?token={t}", "200 404 404", guest=True)],
    "t/<int:pk>/reply/": [
        C(
            "post",
            lambda w, t: f"/t/{w.guest_ticket.pk}/reply/",
            "302 404 404",
            lambda w, t: {"token": t, "body": "Guest reply"},
            guest=True,
            fmt="form",
        ),
    ],
    "t/<int:pk>/survey/": [
        C(
            "post",
            lambda w, t: f"/t/{w.guest_ticket.pk}/survey/",
            "302 404 404",
            lambda w, t: {"token": t, "rating": 5},
            guest=True,
            fmt="form",
        ),
    ],
    "t/<int:pk>/files/<int:attachment_id>/": [
        C(
            "get",
            lambda w, t: f"/t/{w.guest_ticket.pk}/files/{w.guest_attachment.pk}/?token={t}",
            "200 404 404",
            guest=True,
        ),
    ],
    "register/": [C("get", lambda w: "/register/", "200 302 302 302 302 302 302")],
    "register/confirm/<str:signed>/": [
        C("get", lambda w: "/register/confirm/not-a-valid-signature/", "410 410 410 410 410 410 410"),
    ],
    "close/done/": [C("get", lambda w: "/close/done/", "200 200 200 200 200 200 200")],
    "close/<str:token>/": [C("get", lambda w: f"/close/{w.close_token}/", "404 404 404 404 404 404 404")],
    # --- Pages: links and attachments -----------------------------------------------------------------
    "tickets/<int:pk>/links/": [
        C("get", lambda w: f"/tickets/{tid(w)}/links/", "302 404 404 404 404 200 200")
    ],
    "tickets/<int:pk>/links/search/": [
        C("get", lambda w: f"/tickets/{tid(w)}/links/search/?q=x", "302 404 404 404 404 200 200"),
    ],
    "tickets/<int:pk>/links/add/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/links/add/",
            "302 404 404 404 404 302 302",
            lambda w: {"target": w.other_ticket.pk, "type": "related_to"},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/links/<int:target_id>/remove/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/links/{w.linked_ticket.pk}/remove/",
            "302 404 404 404 404 302 302",
            lambda w: {"type": "related_to"},
            fmt="form",
        ),
    ],
    "tickets/<int:pk>/resolve-children/": [
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/resolve-children/",
            "302 404 404 404 404 302 302",
            fmt="form",
        ),
    ],
    "attachments/<int:attachment_id>/": [
        C("get", lambda w: f"/attachments/{w.attachment.pk}/", "302 200 200 404 404 200 200"),
    ],
}


@pytest.fixture
def world(people, ticket, settings, tmp_path):
    """One ticket set: dave's ticket with frank copied in, a reply, a file, a link; a guest ticket."""
    settings.MEDIA_ROOT = str(tmp_path)
    if hasattr(settings, "ATTACHMENT_DIR"):
        settings.ATTACHMENT_DIR = str(tmp_path / "attachments")
    frank = make_user(Role.CUSTOMER, email="frank@example.com", name="Frank Participant")
    add_participant(ticket=ticket, actor=people.dave, user=frank)
    message = add_message(ticket=ticket, actor=people.dave, body="More details")
    attachment = attach_files(
        ticket=ticket,
        actor=people.dave,
        files=[SimpleUploadedFile("log.txt", b"log", content_type="text/plain")],
    )[0]
    other_ticket = make_ticket(people.erin, people.category, subject="Other printer")
    linked_ticket = make_ticket(people.dave, people.category, subject="Linked printer")
    from links.actions import link_tickets

    link_tickets(actor=people.bob, source=ticket, target=linked_ticket, type="related_to")
    guest_ticket = submit_guest_ticket(
        email="gina@example.com", subject="Guest problem", description="Help", category=people.category
    )
    guest_attachment = attach_files(
        ticket=guest_ticket,
        actor=guest_ticket.requester,
        files=[SimpleUploadedFile("g.txt", b"g", content_type="text/plain")],
    )[0]
    guest_token = issue_access_token(ticket=guest_ticket)
    other_token = issue_access_token(ticket=other_ticket)
    canned = save_canned_reply(actor=people.bob, title="Thanks", body="Thanks!")
    view = save_view(actor=people.bob, name="Bob's view")
    _invite, invite_token = create_invite(ticket=ticket, actor=people.dave)
    uid = urlsafe_base64_encode(force_bytes(people.dave.pk))
    reset_url = f"/password/reset/{uid}/{default_token_generator.make_token(people.dave)}/"
    from tickets.models import Status

    return SimpleNamespace(
        people=people,
        ticket=ticket,
        frank=frank,
        message=message,
        attachment=attachment,
        other_ticket=other_ticket,
        linked_ticket=linked_ticket,
        guest_ticket=guest_ticket,
        guest_attachment=guest_attachment,
        tokens={"guest": guest_token, "other_token": other_token, "no_token": ""},
        canned=canned,
        view=view,
        invite_token=invite_token,
        reset_url=reset_url,
        close_token=dumps({"t": 0}, salt="nothing"),
        open_status=Status.objects.exclude(pk=ticket.status_id).filter(kind="open").first()
        or Status.objects.exclude(pk=ticket.status_id).first(),
    )


def _snapshot(w) -> tuple:
    """What a refused request must leave as it was."""
    t = Ticket.objects.get(pk=w.ticket.pk)
    return (
        t.updated_at,
        t.status_id,
        t.assignee_id,
        t.subject,
        Ticket.objects.count(),
        Message.objects.count(),
        tuple(Message.objects.order_by("pk").values_list("pk", "body")),
        TicketEvent.objects.count(),
        Attachment.objects.count(),
        TicketLink.objects.count(),
        t.participants.count(),
        t.tags.count(),
    )


def _client(w, role: str, api: bool):
    if role in ("anon", *GUEST_ROLES):
        return APIClient() if api else Client()
    user = w.frank if role == "frank" else getattr(w.people, role)
    if api:
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        client.force_login(user)
    return client


CASES = [
    pytest.param(route, index, id=f"{case.method}:{route or '/'}#{index}")
    for route, cases in ROWS.items()
    for index, case in enumerate(cases)
]


def test_every_url_pattern_has_a_row():
    missing = project_routes() - set(ROWS)
    stale = set(ROWS) - project_routes()
    assert not missing, f"new endpoint without a row in the permission matrix: {sorted(missing)}"
    assert not stale, f"rows for URL patterns that no longer exist: {sorted(stale)}"


def _call(world, case: Case, route: str, role: str):
    api = route.startswith("api/")
    token = world.tokens.get(role) if case.guest else None
    path = case.url(world, token) if case.guest else case.url(world)
    kwargs = {}
    if case.data is not None:
        kwargs["data"] = case.data(world, token) if case.guest else case.data(world)
        if api:
            kwargs["format"] = "multipart" if case.fmt == "multipart" else "json"
    return path, getattr(_client(world, role, api), case.method)(path, **kwargs)


@pytest.mark.parametrize(("route", "index"), CASES)
def test_permission_matrix(world, route, index):
    """Each role in turn, inside a savepoint rolled back after it: one ticket set per row."""
    case = ROWS[route][index]
    wrong = []
    for role, expected in case.statuses().items():
        cache.clear()
        with transaction.atomic():
            before = _snapshot(world)
            path, response = _call(world, case, route, role)
            refused = response.status_code >= 400 or (
                response.status_code == 302 and "/login/" in response.get("Location", "")
            )
            if response.status_code != expected:
                wrong.append(f"{role}: {response.status_code} (expected {expected})")
            elif case.method != "get" and refused and _snapshot(world) != before:
                wrong.append(f"{role}: refused with {response.status_code} but changed data")
            transaction.set_rollback(True)
    assert not wrong, f"{case.method.upper()} {path}: " + "; ".join(wrong)
