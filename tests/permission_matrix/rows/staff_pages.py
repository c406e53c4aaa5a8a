"""Matrix rows: staff pages: queue, ticket page actions, dashboard."""

from tests.permission_matrix.matrix import C, tid

ROWS = {
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
    "tickets/<int:pk>/history/": [
        C("get", lambda w: f"/tickets/{tid(w)}/history/", "302 404 404 404 404 200 200"),
    ],
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
    "tickets/<int:pk>/messages/<int:message_id>/forms/": [
        C(
            "get",
            lambda w: f"/tickets/{tid(w)}/messages/{w.message.pk}/forms/",
            "302 404 404 404 404 200 200",
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
}
