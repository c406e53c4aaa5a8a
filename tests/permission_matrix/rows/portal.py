"""Matrix rows: customer portal pages and invite links."""

from tests.permission_matrix.matrix import C, tid

ROWS = {
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
}
