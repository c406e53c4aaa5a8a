"""Workflow presets of SPEC §3, loadable into a fresh install (`manage.py load_workflow`).

Each preset lists its statuses as (name, kind, colour, extras); extras may name the status a
customer reply moves to ("reply_to"), mark the initial or a draft status, or the status a
staff reply sets by default ("staff_reply_default").

Every preset also has Spam, Deleted, Pending closure, Closure scheduled and a status of kind
`closed`, even where the product it imitates names none: marking spam, deleting, requesting
and scheduling closure and the reopen-window auto-close are desk-wide actions that need
them. The first `closed` status (by order) is where the auto-close and closures go; the
service desk's Cancelled is a second one, chosen by staff with a reason.
"""

from django.db import transaction
from django.db.models import Q

from .errors import ActionRefused

HIDDEN = [("Spam", "spam", "#343a40", {}), ("Deleted", "deleted", "#212529", {})]
CLOSURES = [
    ("Pending closure", "pending_closure", "#6f42c1", {}),
    ("Closure scheduled", "closure_scheduled", "#6610f2", {}),
]

PRESETS = {
    "default": [
        ("New", "new", "#0d6efd", {"initial": True}),
        ("In progress", "open", "#fd7e14", {}),
        ("Pending", "pending", "#ffc107", {}),
        ("Resolved", "resolved", "#198754", {"reply_to": "New"}),
        *CLOSURES,
        ("Closed", "closed", "#6c757d", {}),
        *HIDDEN,
    ],
    "osticket": [
        ("New", "new", "#0d6efd", {"initial": True}),
        ("Open", "open", "#0dcaf0", {}),
        ("In progress", "open", "#fd7e14", {}),
        ("Resolved", "resolved", "#198754", {"reply_to": "New"}),
        *CLOSURES,
        ("Closed", "closed", "#6c757d", {}),
        *HIDDEN,
    ],
    "nine": [
        ("Open", "new", "#0d6efd", {"initial": True}),
        ("In progress", "open", "#fd7e14", {}),
        ("Awaiting customer", "open", "#ffc107", {}),
        ("Required test", "open", "#20c997", {}),
        ("Required action", "open", "#d63384", {}),
        ("Resolved", "resolved", "#198754", {}),
        ("Closed", "closed", "#6c757d", {}),
        *CLOSURES,
        *HIDDEN,
    ],
    "deskpro": [
        ("Awaiting agent", "new", "#0d6efd", {"initial": True}),
        ("Awaiting user", "open", "#ffc107", {"reply_to": "Awaiting agent", "staff_reply_default": True}),
        ("Pending", "pending", "#fd7e14", {"reply_to": "Awaiting agent"}),
        ("Resolved", "resolved", "#198754", {"reply_to": "Awaiting agent"}),
        *CLOSURES,
        ("Closed", "closed", "#6c757d", {}),
        *HIDDEN,
    ],
    "servicedesk": [
        ("Draft", "new", "#adb5bd", {"initial": True, "draft": True}),
        ("Active", "open", "#0d6efd", {}),
        ("On hold", "pending", "#ffc107", {}),
        ("Complete", "resolved", "#198754", {"reply_to": "Active"}),
        *CLOSURES,
        ("Closed", "closed", "#6c757d", {}),
        ("Cancelled", "closed", "#495057", {}),
        *HIDDEN,
    ],
}


@transaction.atomic
def load_workflow(name: str, Status=None, HelpdeskSettings=None, Ticket=None) -> list:
    """Replace the statuses with a preset's; refuse if tickets use a status it would remove.

    The model classes may be passed in so that a data migration can use this too.
    """
    if Status is None:
        from .models import HelpdeskSettings, Status, Ticket
    if name not in PRESETS:
        raise ActionRefused(f"Unknown workflow '{name}'; choose one of {', '.join(PRESETS)}.", "invalid")
    spec = PRESETS[name]
    keep = {row[0] for row in spec}
    # A deleted ticket's previous status counts: restore goes back to it.
    used = Q(pk__in=Ticket.objects.values("status_id")) | Q(
        pk__in=Ticket.objects.filter(previous_status__isnull=False).values("previous_status_id")
    )
    in_use = list(Status.objects.exclude(name__in=keep).filter(used).values_list("name", flat=True))
    if in_use:
        raise ActionRefused(
            f"Tickets still use {', '.join(sorted(in_use))}, which the '{name}' workflow would remove."
        )
    Status.objects.update(customer_reply_moves_to=None)
    Status.objects.exclude(name__in=keep).delete()
    rows = {}
    for order, (sname, kind, color, extra) in enumerate(spec, start=1):
        status, _ = Status.objects.update_or_create(
            name=sname,
            defaults={
                "kind": kind,
                "order": order * 10,
                "color": color,
                "active": True,
                "is_initial": bool(extra.get("initial")),
                "is_draft": bool(extra.get("draft")),
            },
        )
        rows[sname] = status
    for sname, _kind, _color, extra in spec:
        if "reply_to" in extra:
            rows[sname].customer_reply_moves_to = rows[extra["reply_to"]]
            rows[sname].save(update_fields=["customer_reply_moves_to"])
    staff_default = next((rows[s] for s, _k, _c, e in spec if e.get("staff_reply_default")), None)
    desk, _ = HelpdeskSettings.objects.get_or_create(pk=1)
    desk.staff_reply_status = staff_default
    desk.save(update_fields=["staff_reply_status"])
    return list(rows.values())
