"""Matrix rows: accounts, the catalogue, settings and admin configuration: API and pages."""

from tests.permission_matrix.matrix import C, admin, staff

ROWS = {
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
    # --- API: admin configuration (automation rules, webhooks, recurring tickets) -------------------
    "api/v1/automation-rules/": [
        C("get", lambda w: "/api/v1/automation-rules/", admin(200)),
        C(
            "post",
            lambda w: "/api/v1/automation-rules/",
            admin(201),
            lambda w: {"name": "Rule", "event": "created", "add_note": "Seen."},
        ),
    ],
    "api/v1/automation-rules/<int:id>/": [
        C("get", lambda w: "/api/v1/automation-rules/999999/", admin(404)),
        C("patch", lambda w: "/api/v1/automation-rules/999999/", admin(404), lambda w: {"name": "R"}),
        C("delete", lambda w: "/api/v1/automation-rules/999999/", admin(404)),
    ],
    "api/v1/automation-rules/<int:id>/preview/": [
        C("get", lambda w: "/api/v1/automation-rules/999999/preview/", admin(404)),
    ],
    "api/v1/webhooks/": [
        C("get", lambda w: "/api/v1/webhooks/", admin(200)),
        C(
            "post",
            lambda w: "/api/v1/webhooks/",
            admin(201),
            lambda w: {
                "name": "W",
                "url": "https://hooks.example.com/",
                "events": ["ticket.created"],
                "secret": "s",
            },
        ),
    ],
    "api/v1/webhooks/<int:id>/": [
        C("get", lambda w: "/api/v1/webhooks/999999/", admin(404)),
        C("patch", lambda w: "/api/v1/webhooks/999999/", admin(404), lambda w: {"name": "W"}),
        C("delete", lambda w: "/api/v1/webhooks/999999/", admin(404)),
    ],
    "api/v1/webhooks/<int:id>/deliveries/": [
        C("get", lambda w: "/api/v1/webhooks/999999/deliveries/", admin(404))
    ],
    "api/v1/recurring-tickets/": [
        C("get", lambda w: "/api/v1/recurring-tickets/", admin(200)),
        C(
            "post",
            lambda w: "/api/v1/recurring-tickets/",
            admin(201),
            lambda w: {
                "name": "Backups",
                "subject": "Check the backups",
                "description": "Daily.",
                "category": w.people.category.pk,
                "requester": w.people.dave.pk,
            },
        ),
    ],
    "api/v1/recurring-tickets/<int:id>/": [
        C("get", lambda w: "/api/v1/recurring-tickets/999999/", admin(404)),
        C("patch", lambda w: "/api/v1/recurring-tickets/999999/", admin(404), lambda w: {"name": "R"}),
        C("delete", lambda w: "/api/v1/recurring-tickets/999999/", admin(404)),
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
}
