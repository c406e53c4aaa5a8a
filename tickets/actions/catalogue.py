"""Admin writes to the desk's configuration: the settings record and the CTI catalogue (SPEC §9)."""

from django.db import transaction

from accounts.models import Role, Team

from ..errors import ActionRefused
from ..models import Category, HelpdeskSettings, Item, Priority, SLAPlan, Status, TicketType
from .create import check_text

SETTINGS_FIELDS = frozenset(
    {
        "reopen_window_days",
        "edit_window_minutes",
        "max_attachment_mb",
        "guest_submission_enabled",
        "spam_retention_days",
        "deleted_retention_days",
        "customer_sets_priority",
        "staff_reply_status",
        "preclose_warning_days",
        "archive_closed_after_days",
        "purge_archived_after_days",
        "email_follow_up_on_closed",
    }
)


def require_admin(actor, what: str) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.role == Role.ADMIN):
        raise ActionRefused(f"{what} is for admins only.", "forbidden")


@transaction.atomic
def update_settings(*, actor, **fields) -> HelpdeskSettings:
    """Change fields of the one settings record; unknown names are refused."""
    require_admin(actor, "Changing the settings")
    unknown = sorted(set(fields) - SETTINGS_FIELDS)
    if unknown:
        raise ActionRefused("Unknown setting.", "invalid", unknown[0])
    status = fields.get("staff_reply_status")
    if status is not None and not (isinstance(status, Status) and status.active):
        raise ActionRefused("Choose an active status.", "invalid", "staff_reply_status")
    HelpdeskSettings.load()
    # Lock the single row so that two admins saving at once do not undo each other's fields.
    desk = HelpdeskSettings.objects.select_for_update().get(pk=1)
    changed = [name for name, value in fields.items() if getattr(desk, name) != value]
    for name in changed:
        setattr(desk, name, fields[name])
    if changed:
        desk.save(update_fields=changed)
    return desk


@transaction.atomic
def create_catalogue_entry(
    *,
    actor,
    name: str,
    parent_category: Category | None = None,
    parent_type: TicketType | None = None,
    default_team: Team | None = None,
) -> Category | TicketType | Item:
    """Add a category, a type of `parent_category`, or an item of `parent_type`."""
    require_admin(actor, "Changing the catalogue")
    name = check_text("name", name, 100)
    if parent_category is not None and parent_type is not None:
        raise ActionRefused("Give a parent category or a parent type, not both.", "invalid", "parent_type")
    if default_team is not None and (parent_category is not None or parent_type is not None):
        raise ActionRefused("Only a category has a default team.", "invalid", "default_team")
    if parent_type is not None:
        model, parent = Item, {"type": parent_type}
    elif parent_category is not None:
        model, parent = TicketType, {"category": parent_category}
    else:
        model, parent = Category, {}
    if model.objects.filter(name__iexact=name, **parent).exists():
        raise ActionRefused(
            f"{model._meta.verbose_name.capitalize()} {name} exists already.", "invalid", "name"
        )
    if model is Category:
        return Category.objects.create(name=name, default_team=default_team)
    return model.objects.create(name=name, **parent)


def check_sla_plan(
    *, priority, category, first_response_hours, next_response_hours, resolution_hours, plan=None
) -> None:
    """Whole hours (1 to a year) for each target, a resolution target, and one plan per priority
    and category. Admin's form runs it too."""
    for field, hours in (
        ("resolution_hours", resolution_hours),
        ("first_response_hours", first_response_hours),
        ("next_response_hours", next_response_hours),
    ):
        if hours is not None and (not isinstance(hours, int) or not 0 < hours <= 24 * 365):
            raise ActionRefused("Give a whole number of hours, at least 1.", "invalid", field)
    if resolution_hours is None:
        raise ActionRefused("Give the resolution target in hours.", "invalid", "resolution_hours")
    # The unique constraint lets many rows have no category (NULLs differ): check it here.
    twins = SLAPlan.objects.filter(priority=priority, category=category)
    if plan is not None and plan.pk is not None:
        twins = twins.exclude(pk=plan.pk)
    if twins.exists():
        raise ActionRefused("A plan for this priority and category exists already.", "invalid", "category")


@transaction.atomic
def save_sla_plan(
    *,
    actor,
    name: str,
    priority: Priority,
    resolution_hours: int,
    first_response_hours: int | None = None,
    next_response_hours: int | None = None,
    category: Category | None = None,
    active: bool = True,
    plan: SLAPlan | None = None,
    calendar=None,
) -> SLAPlan:
    """Add an SLA plan, or change `plan`; one plan per priority and category (or none).

    Tickets keep the due times they have; a plan applies to tickets created, or whose
    priority or category changes, from now on.
    """
    require_admin(actor, "Changing SLA plans")
    name = check_text("name", name, 100)
    check_sla_plan(
        priority=priority,
        category=category,
        first_response_hours=first_response_hours,
        next_response_hours=next_response_hours,
        resolution_hours=resolution_hours,
        plan=plan,
    )
    values = {
        "name": name,
        "priority": priority,
        "category": category,
        "first_response_hours": first_response_hours,
        "next_response_hours": next_response_hours,
        "resolution_hours": resolution_hours,
        "active": active,
        "calendar": calendar,  # a BusinessCalendar: count working hours only (tickets/sla.py)
    }
    if plan is None:
        return SLAPlan.objects.create(**values)
    plan = SLAPlan.objects.select_for_update().get(pk=plan.pk)
    for field, value in values.items():
        setattr(plan, field, value)
    plan.save(update_fields=list(values))
    return plan
