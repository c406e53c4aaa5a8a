"""Matrix rows: links between tickets: API and pages."""

from tests.permission_matrix.matrix import C, staff, staff_on_ticket, tid

ROWS = {
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
}
