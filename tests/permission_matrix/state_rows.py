"""The matrix across ticket states (SPEC §3): where the ticket's state changes who may do what.

Each row borrows a case of the URL matrix by (route, index), or gives its own, and lists the
answers (roles in the order of ROLES, or GUEST_ROLES for guest cases) in the states where they
differ from the borrowed row's own answer, which is the answer on a new ticket. Keys are
states (`world.STATES`) or these groups, a state's own key winning over its group's:

    live = new, working, pending      ended = resolved_late, closed      hidden = spam, deleted

`default=` replaces the borrowed answer for every state not named. In these rows a write
answered with success must change something, and a write refused (4xx, or a redirect to the
login) must change nothing; a code ending in "x" means "answers this and changes nothing" (the
web pages redirect back with the refusal as a message; an invite opened by someone already on
the ticket is a no-op).

Which endpoints run in which states: customers' and guests' reads in the states where they
could differ (closed, resolved past its window, spam, deleted; new is the URL matrix itself);
every customer and guest write, and staff's status actions, in all eight states; staff's other
writes in new, resolved, closed and spam (they never depend on the state).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from tests.permission_matrix.matrix import C, Case, tid
from tests.permission_matrix.rows import ROWS
from tests.permission_matrix.world import STATES

GROUPS = {
    "live": ("new", "working", "pending"),
    "ended": ("resolved_late", "closed"),
    "hidden": ("spam", "deleted"),
}
READ_STATES = ("resolved_late", "closed", "spam", "deleted")
STAFF_STATES = ("new", "resolved", "closed", "spam")

# Customers never see spam or deleted tickets (404); staff still do.
HIDDEN_API = "401 404 404 404 404 {staff} {staff}"
HIDDEN_PAGE = "302 404 404 404 404 404 404"
HIDDEN_GUEST = "404 404 404"


def hidden_api(staff) -> str:
    return HIDDEN_API.format(staff=staff)


@dataclass(frozen=True)
class StateRow:
    route: str
    case: Case
    answers: dict[str, str]  # state -> the answers of ROLES (or GUEST_ROLES)


def S(route: str, case: int | Case, *, states=STATES, default: str | None = None, **answers) -> StateRow:
    case = ROWS[route][case] if isinstance(case, int) else case
    unknown = set(answers) - set(STATES) - set(GROUPS)
    assert not unknown, f"unknown states: {unknown}"
    by_state = {}
    for state in states:
        group = next((name for name, members in GROUPS.items() if state in members), None)
        by_state[state] = answers.get(state) or answers.get(group) or default or case.expect
    return StateRow(route, case, by_state)


def _future(w):
    return {"at": (timezone.now() + timedelta(days=2)).isoformat()}


STATE_ROWS = [
    # --- Reads: customers and guests lose spam and deleted tickets, and nothing else --------------
    S("api/v1/tickets/<int:id>/", 0, states=READ_STATES, hidden=hidden_api(200)),
    S("api/v1/tickets/<int:id>/messages/", 0, states=READ_STATES, hidden=hidden_api(200)),
    S("api/v1/tickets/<int:id>/history/", 0, states=READ_STATES, hidden=hidden_api(200)),
    S("api/v1/attachments/<int:attachment_id>/", 0, states=READ_STATES, hidden=hidden_api(200)),
    S("attachments/<int:attachment_id>/", 0, states=READ_STATES, hidden="302 404 404 404 404 200 200"),
    S("portal/tickets/<int:pk>/", 0, states=READ_STATES, hidden="302 404 404 404 302 302 302"),
    S("tickets/<int:pk>/", 0, states=READ_STATES),
    S("tickets/<int:pk>/history/", 0, states=READ_STATES),
    S("api/v1/guest/tickets/<int:id>/", 0, states=READ_STATES, hidden=HIDDEN_GUEST),
    S("api/v1/guest/tickets/<int:id>/messages/", 0, states=READ_STATES, hidden=HIDDEN_GUEST),
    S("t/<int:pk>/", 0, states=READ_STATES, hidden=HIDDEN_GUEST),
    S("t/<int:pk>/files/<int:attachment_id>/", 0, states=READ_STATES, hidden=HIDDEN_GUEST),
    # --- Customer writes, API: closed (and resolved past its window) refuses with 409 -------------
    S(
        "api/v1/tickets/<int:id>/messages/",
        1,
        ended="401 409 409 404 404 201 201",
        hidden=hidden_api(201),
    ),
    S("api/v1/tickets/<int:id>/messages/", 2, hidden=hidden_api(201)),
    S(
        "api/v1/tickets/<int:id>/messages/<int:mid>/",
        0,
        ended="401 409 403 404 404 200 200",
        hidden=hidden_api(200),
    ),
    S(
        "api/v1/tickets/<int:id>/messages/<int:mid>/",
        1,
        ended="401 409 403 404 404 204 204",
        hidden=hidden_api(204),
    ),
    S(
        "api/v1/tickets/<int:ticket_id>/attachments/",
        0,
        ended="401 409 409 404 404 201 201",
        hidden=hidden_api(201),
    ),
    S(
        "api/v1/tickets/<int:id>/request-closure/",
        0,
        ended="401 409 409 404 404 403 403",
        hidden=hidden_api(403),
    ),
    S(
        "api/v1/tickets/<int:id>/close/",
        0,
        resolved="401 200 200 404 404 200 200",
        closed="401 409 409 404 404 409 409",
        hidden=hidden_api(409),
    ),
    S(
        "api/v1/tickets/<int:id>/favorite/",
        0,
        resolved="401 409 409 404 404 403 403",
        ended="401 409 409 404 404 403 403",
        hidden=hidden_api(403),
    ),
    S(
        "api/v1/tickets/<int:id>/survey/",
        0,
        resolved="401 200 403 404 404 403 403",
        ended="401 200 403 404 404 403 403",
        hidden=hidden_api(403),
    ),
    S(
        "api/v1/tickets/<int:id>/survey/",
        1,
        resolved="401 200 403 404 404 403 403",
        ended="401 200 403 404 404 403 403",
        hidden=hidden_api(403),
    ),
    S(
        "api/v1/tickets/<int:id>/invites/",
        0,
        resolved="401 409 403 404 404 403 403",
        ended="401 409 403 404 404 403 403",
        hidden=hidden_api(403),
    ),
    # Someone already on the ticket passes without using the link up; a resolved, closed, spam or
    # deleted ticket's links are gone (410), even for its own requester.
    S(
        "api/v1/invites/<str:token>/accept/",
        0,
        live="401 200x 200x 200 403 403 403",
        resolved="401 200x 200x 410 403 403 403",
        ended="401 200x 200x 410 403 403 403",
        hidden="401 410 410 410 403 403 403",
    ),
    S("api/v1/guest/tickets/<int:id>/messages/", 1, ended="409 404 404", hidden=HIDDEN_GUEST),
    # --- Customer and guest writes, pages: the refusal comes back as a message --------------------
    S(
        "portal/tickets/<int:pk>/reply/",
        0,
        ended="302 302x 302x 404 404 404 404",
        hidden=HIDDEN_PAGE,
    ),
    S(
        "portal/tickets/<int:pk>/request-closure/",
        0,
        ended="302 302x 302x 404 404 404 404",
        hidden=HIDDEN_PAGE,
    ),
    S(
        "portal/tickets/<int:pk>/close/",
        0,
        default="302 302x 302x 404 404 404 404",
        resolved="302 302 302 404 404 404 404",
        hidden=HIDDEN_PAGE,
    ),
    S(
        "portal/tickets/<int:pk>/favorite/",
        C(
            "post",
            lambda w: f"/portal/tickets/{tid(w)}/favorite/",
            "302 302 302 404 404 404 404",
            lambda w: {"favorite": "1"},
            fmt="form",
        ),
        resolved="302 302x 302x 404 404 404 404",
        ended="302 302x 302x 404 404 404 404",
        hidden=HIDDEN_PAGE,
    ),
    S(
        "portal/tickets/<int:pk>/messages/<int:message_id>/edit/",
        0,
        default="302 302 302x 404 404 404 404",
        ended="302 302x 302x 404 404 404 404",
        hidden=HIDDEN_PAGE,
    ),
    S(
        "portal/tickets/<int:pk>/messages/<int:message_id>/delete/",
        0,
        default="302 302 302x 404 404 404 404",
        ended="302 302x 302x 404 404 404 404",
        hidden=HIDDEN_PAGE,
    ),
    S(
        "portal/tickets/<int:pk>/survey/",
        0,
        resolved="302 302 400 404 404 404 404",
        ended="302 302 400 404 404 404 404",
        hidden=HIDDEN_PAGE,
    ),
    S(
        "portal/tickets/<int:pk>/invite/",
        0,
        default="302 200 302x 404 404 404 404",
        resolved="302 302x 302x 404 404 404 404",
        ended="302 302x 302x 404 404 404 404",
        hidden=HIDDEN_PAGE,
    ),
    # A follow-up is for a ticket customers can no longer reply to.
    S(
        "portal/tickets/<int:pk>/follow-up/",
        C(
            "post",
            lambda w: f"/portal/tickets/{tid(w)}/follow-up/",
            "302 400 400 404 404 404 404",
            lambda w: {"subject": "Still broken", "description": "It smokes again."},
            fmt="form",
        ),
        ended="302 302 302 404 404 404 404",
        hidden=HIDDEN_PAGE,
    ),
    S(
        "invites/<str:token>/",
        0,
        resolved="200 200 200 410 403 403 403",
        ended="200 200 200 410 403 403 403",
        hidden="200 410 410 410 403 403 403",
    ),
    S("t/<int:pk>/reply/", 0, ended="302x 404 404", hidden=HIDDEN_GUEST),
    S(
        "t/<int:pk>/survey/",
        0,
        default="302 404 404",
        live="302x 404 404",
        hidden=HIDDEN_GUEST,
    ),
    # --- Staff status actions: hidden tickets are restored, not hidden again -----------------------
    S("api/v1/tickets/<int:id>/spam/", 0, hidden=hidden_api(409)),
    S("api/v1/tickets/<int:id>/delete/", 0, hidden=hidden_api(409)),
    S("api/v1/tickets/<int:id>/restore/", 0, hidden=hidden_api(200)),
    S(
        "api/v1/tickets/<int:id>/schedule-closure/",
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/schedule-closure/",
            "401 403 403 404 404 200 200",
            _future,
        ),
        closed="401 403 403 404 404 409 409",
        hidden=hidden_api(409),
    ),
    S("tickets/<int:pk>/spam/", 0, hidden="302 404 404 404 404 302x 302x"),
    S(
        "tickets/<int:pk>/restore/",
        0,
        default="302 404 404 404 404 302x 302x",
        hidden="302 404 404 404 404 302 302",
    ),
    # --- Staff's other writes: any state, closed included (SPEC §3, §5) ----------------------------
    S(
        "api/v1/tickets/<int:id>/transition/",
        C(
            "post",
            lambda w: f"/api/v1/tickets/{tid(w)}/transition/",
            "401 403 403 404 404 200 200",
            lambda w: {"status": w.other_status.pk},
        ),
        states=STAFF_STATES,
        hidden=hidden_api(200),
    ),
    S("api/v1/tickets/<int:id>/", 1, states=STAFF_STATES, hidden=hidden_api(200)),
    S("api/v1/tickets/<int:id>/assign/", 0, states=STAFF_STATES, hidden=hidden_api(200)),
    S("api/v1/tickets/<int:ticket_id>/links/", 1, states=STAFF_STATES, hidden=hidden_api(201)),
    S("tickets/<int:pk>/reply/", 0, states=STAFF_STATES),
    S(
        "tickets/<int:pk>/status/",
        C(
            "post",
            lambda w: f"/tickets/{tid(w)}/status/",
            "302 404 404 404 404 302 302",
            lambda w: {"status": w.other_status.pk},
            fmt="form",
        ),
        states=STAFF_STATES,
    ),
]
