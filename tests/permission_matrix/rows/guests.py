"""Matrix rows: guests: the guest API, /submit, access-link pages, registration, close links."""

from tests.permission_matrix.matrix import C

ROWS = {
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
}
