"""Creating tickets and changing their fields (SPEC §2)."""

from django.db import transaction
from django.utils import timezone

from accounts.actions import get_or_create_customer
from attachments.validation import MB, CheckedFile, check_files

from ..automation import queue_automation
from ..errors import ActionRefused
from ..lifecycle import initial_status, require_agent
from ..markup import render_markdown
from ..models import Category, HelpdeskSettings, Item, Priority, Tag, Ticket, TicketType
from ..search import new_ticket_document, refresh_search_vector, uses_full_text
from ..sla import apply_sla
from ._common import lock_ticket, notify, record, touch

MAX_BODY = 100_000


def check_text(field: str, value: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionRefused("This field may not be blank.", "invalid", field)
    if len(value) > max_length:
        raise ActionRefused(f"Ensure this field has no more than {max_length} characters.", "invalid", field)
    return value


def check_cti(category: Category | None, type: TicketType | None, item: Item | None):
    """Validate the Category → Type → Item cascade: children must belong to their parent,
    and a level is required when its parent has active children."""
    if category is None or not category.active:
        raise ActionRefused("Choose a category.", "invalid", "category")
    if type is not None and (type.category_id != category.pk or not type.active):
        raise ActionRefused("This type does not belong to the chosen category.", "invalid", "type")
    if type is None and category.types.filter(active=True).exists():
        raise ActionRefused("Choose a type for this category.", "invalid", "type")
    if item is not None and (type is None or item.type_id != type.pk or not item.active):
        raise ActionRefused("This item does not belong to the chosen type.", "invalid", "item")
    if item is None and type is not None and type.items.filter(active=True).exists():
        raise ActionRefused("Choose an item for this type.", "invalid", "item")


def tag_objects(names) -> list[Tag]:
    clean = sorted({n.strip().lower()[:50] for n in names or () if n and n.strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=clean)}
    return [existing.get(n) or Tag.objects.get_or_create(name=n)[0] for n in clean]


def check_upload(files, desk: HelpdeskSettings) -> list[CheckedFile]:
    """Validate the files sent with a ticket or a reply before the action writes anything, so a
    refused file refuses the whole action; the action stores them with `store_files` at its end."""
    return check_files(files, desk.max_attachment_mb * MB) if files else []


@transaction.atomic
def create_ticket(
    *,
    actor,
    subject: str,
    description: str,
    category: Category | None,
    type: TicketType | None = None,
    item: Item | None = None,
    priority: Priority | None = None,
    requester_email: str | None = None,
    requester=None,
    tags=(),
    files=(),
) -> Ticket:
    """Open a ticket: for oneself, or (staff) on behalf of a customer found or created by email."""
    desk = HelpdeskSettings.load()
    subject = check_text("subject", subject, 255)
    description = check_text("description", description, MAX_BODY)
    check_cti(category, type, item)
    on_behalf = bool(requester_email) or requester is not None
    if on_behalf:
        require_agent(actor, "Creating a ticket for someone else")
    if priority is not None and not actor.is_agent and not desk.customer_sets_priority:
        raise ActionRefused("Customers may not set the priority.", "invalid", "priority")
    if actor.is_customer and tags:
        raise ActionRefused("Customers may not set tags.", "invalid", "tags")
    checked = check_upload(files, desk)
    # Every check is done: the writes start here (the requester found or created by email first).
    if not on_behalf:
        requester = actor
    elif requester is None:
        requester = get_or_create_customer(email=requester_email)
    if priority is None:
        priority = (
            Priority.objects.filter(is_default=True).first() or Priority.objects.order_by("rank").first()
        )
    now = timezone.now()
    ticket = Ticket(
        subject=subject,
        description=description,
        description_html=render_markdown(description),
        requester=requester,
        category=category,
        type=type,
        item=item,
        priority=priority,
        status=initial_status(),
        team=category.default_team,
        created_at=now,
        updated_at=now,
        last_customer_post_at=None if actor.is_agent else now,
    )
    ticket.status_kind, ticket.priority_rank = ticket.status.kind, priority.rank  # copies for the queues
    apply_sla(ticket, now, replan=True)  # the plan and due times go in with the row
    if uses_full_text():  # and the search document
        ticket.search_vector = new_ticket_document(subject, description)
    ticket.save(force_insert=True)
    ticket.__dict__.pop("search_vector", None)  # the expression, not a value: read it if needed
    if tags:
        ticket.tags.set(tag_objects(tags))
    record(ticket, actor, "created", None, {"subject": subject, "status": ticket.status.name}, at=now)
    from .routing import auto_assign  # automatic assignment of the team's routing (issue 11)

    ticket = auto_assign(ticket=ticket)
    if checked:
        from attachments.actions import store_files  # attachments builds on tickets

        store_files(ticket=ticket, actor=actor, checked=checked, desk=desk)
    notify("created", ticket)
    queue_automation("created", ticket, actor)
    return ticket


FIELD_NAMES = ("subject", "priority", "category", "type", "item")


def _ref(value):
    if hasattr(value, "pk"):
        return {"id": value.pk, "name": getattr(value, "name", str(value))}
    return value


@transaction.atomic
def update_ticket_fields(*, ticket: Ticket, actor, tags=None, **changes) -> Ticket:
    """Change subject, priority, CTI and tags (staff); each change goes into the history."""
    require_agent(actor, "Editing ticket fields")
    ticket = lock_ticket(ticket)
    now = timezone.now()
    if "subject" in changes:
        changes["subject"] = check_text("subject", changes["subject"], 255)
    if {"category", "type", "item"} & changes.keys():
        # A child level survives only while its parent stays the same.
        cat = changes.get("category", ticket.category)
        typ = changes.get("type", ticket.type if cat == ticket.category else None)
        itm = changes.get("item", ticket.item if typ == ticket.type and typ is not None else None)
        check_cti(cat, typ, itm)
        changes.update(category=cat, type=typ, item=itm)
    if "priority" in changes and changes["priority"] is None:
        raise ActionRefused("Choose a priority.", "invalid", "priority")
    changed = []
    for name in FIELD_NAMES:
        if name in changes and getattr(ticket, name) != changes[name]:
            record(ticket, actor, name, _ref(getattr(ticket, name)), _ref(changes[name]), at=now)
            setattr(ticket, name, changes[name])
            changed.append(name)
    if tags is not None:
        new = tag_objects(tags)
        old = sorted(t.name for t in ticket.tags.all())
        if old != [t.name for t in new]:
            ticket.tags.set(new)
            record(ticket, actor, "tags", old, [t.name for t in new], at=now)
            changed.append("tags")
    if "priority" in changed:
        ticket.priority_rank = ticket.priority.rank
        changed.append("priority_rank")
    if {"priority", "category"} & set(changed):
        changed += apply_sla(ticket, now, replan=True)
    if changed:
        touch(ticket, now, [f for f in changed if f != "tags"])
    if "subject" in changed:
        refresh_search_vector(ticket.pk)
    return ticket
