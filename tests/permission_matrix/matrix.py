"""The matrix's vocabulary: roles, the `Case` row format, answer shapes and how a case is called.

Each row lists requests (method, URL builder, body) and the expected status per role, in the
order of ROLES:

    anon  dave  frank  erin  carol  bob  alice

anon = not logged in; dave = the customer requester; frank = a customer participant; erin =
another customer; carol = restricted staff out of scope; bob = staff with view_all; alice =
admin. Guest rows (the access-link pages) use GUEST_ROLES: the right token, another ticket's
token, and no token. Refused writes must change nothing (see `snapshot`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from attachments.models import Attachment
from links.models import TicketLink
from tickets.models import Favorite, Invite, Message, Survey, Ticket, TicketEvent

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
        return {role: code for role, (code, _same) in self.answers(self.expect).items()}

    def answers(self, expect: str) -> dict[str, tuple[int, bool]]:
        """role -> (status, must change nothing) from "302 200x ...": see `state_rows`."""
        roles = GUEST_ROLES if self.guest else ROLES
        tokens = expect.split()
        assert len(tokens) == len(roles), expect
        return {
            role: (int(token.rstrip("x")), token.endswith("x"))
            for role, token in zip(roles, tokens, strict=True)
        }


def C(method, url, expect, data=None, **kwargs):
    return Case(method, url, expect, data, **kwargs)


def tid(w):
    return w.ticket.pk


def upload(w, token=None):
    return {"files": [SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")]}


# Common shapes of answers (anon dave frank erin carol bob alice).
API_READ_TICKET = "401 200 200 404 404 200 200"
API_STAFF_ON_TICKET = "401 403 403 404 404 {ok} {ok}"
API_STAFF = "401 403 403 403 {ok} {ok} {ok}"
API_ADMIN = "401 403 403 403 403 403 {ok}"


def staff_on_ticket(ok):
    return API_STAFF_ON_TICKET.format(ok=ok)


def staff(ok):
    return API_STAFF.format(ok=ok)


def admin(ok):
    return API_ADMIN.format(ok=ok)


# What a refused request must leave as it was, read in one query (the matrix sends thousands of
# requests, and reading this row by row took as long as the requests themselves).
_TICKET_ROW = (
    "SELECT concat_ws('|', updated_at, status_id, purge_at, assignee_id, subject) FROM {} WHERE id = %s"
)
_SNAPSHOT_PARTS = (
    (Ticket, "count(*)"),
    (Message, "string_agg(concat_ws(':', id, md5(body), internal, deleted), ',' ORDER BY id)"),
    (TicketEvent, "count(*)"),
    (Attachment, "count(*)"),
    (TicketLink, "count(*)"),
    (Ticket.participants.through, "string_agg(concat_ws(':', ticket_id, user_id), ',' ORDER BY id)"),
    (Ticket.tags.through, "count(*)"),
    (Favorite, "count(*)"),
    (Survey, "string_agg(concat_ws(':', id, rating, answered_at), ',' ORDER BY id)"),
    (Invite, "string_agg(concat_ws(':', id, accepted_by_id), ',' ORDER BY id)"),
)


def snapshot(w) -> tuple:
    """What a refused request must leave as it was: the ticket, the guest's ticket, and every
    table a ticket action writes to."""
    ticket_row = _TICKET_ROW.format(Ticket._meta.db_table)
    parts = [f"({ticket_row})", f"({ticket_row})"] + [
        f"(SELECT {expression} FROM {model._meta.db_table})" for model, expression in _SNAPSHOT_PARTS
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", [w.ticket.pk, w.guest_ticket.pk])
        return cursor.fetchone()


# One client of each kind for the whole run, signed in again for each request: a new client
# loads the middleware again, and WhiteNoise's indexes every static file each time it loads.
_CLIENTS: dict[bool, Client] = {}


def client_for(w, role: str, api: bool):
    client = _CLIENTS.get(api) or _CLIENTS.setdefault(api, APIClient() if api else Client())
    client.cookies.clear()
    user = None if role in ("anon", *GUEST_ROLES) else w.frank if role == "frank" else getattr(w.people, role)
    if api:
        client.force_authenticate(user)  # None: anonymous
    elif user is not None:
        client.force_login(user)
    return client


def call(w, case: Case, route: str, role: str):
    """Send the case's request as `role`; return (path, response)."""
    api = route.startswith("api/")
    token = w.tokens.get(role) if case.guest else None
    path = case.url(w, token) if case.guest else case.url(w)
    kwargs = {}
    if case.data is not None:
        kwargs["data"] = case.data(w, token) if case.guest else case.data(w)
        if api:
            kwargs["format"] = "multipart" if case.fmt == "multipart" else "json"
    return path, getattr(client_for(w, role, api), case.method)(path, **kwargs)


def is_refusal(response) -> bool:
    return response.status_code >= 400 or (
        response.status_code == 302 and "/login/" in response.get("Location", "")
    )
