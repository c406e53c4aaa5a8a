"""Matrix rows: the tickets API (tickets, lifecycle, conversation, canned replies, views, invites)."""

from tests.permission_matrix.matrix import API_READ_TICKET, C, staff, staff_on_ticket, tid

ROWS = {
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
}
