"""Reads: every select_related / prefetch_related of the tickets app lives here."""

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from .access import visible_tickets
from .models import (
    HIDDEN_KINDS,
    AutomationRule,
    Category,
    Favorite,
    Item,
    Message,
    Priority,
    RecurringTicket,
    SLAPlan,
    Status,
    StatusKind,
    Survey,
    Ticket,
    TicketEvent,
    TicketType,
    Webhook,
    WebhookDelivery,
)

LIST_RELATED = ("status", "priority", "requester", "assignee", "team", "category")
DETAIL_RELATED = (
    *LIST_RELATED,
    "type",
    "item",
    "status__customer_reply_moves_to",
    "previous_status",
    "sla_plan__calendar",  # and the plan: the SLA timeline names its calendar
)


def ticket_detail_qs() -> QuerySet:
    return Ticket.objects.select_related(*DETAIL_RELATED).prefetch_related("tags", "participants")


def list_tickets_for_user(user, *, include_hidden: bool = False) -> QuerySet:
    """The tickets a user may see, newest update first, ready to render as rows."""
    qs = visible_tickets(user).select_related(*LIST_RELATED).prefetch_related("tags", "participants")
    if not include_hidden:
        qs = qs.exclude(status__kind__in=HIDDEN_KINDS)
    return qs.order_by("-updated_at", "-id")


def list_messages_for_user(ticket: Ticket, user) -> QuerySet:
    """Staff see everything (deleted replies as placeholders); customers public, undeleted."""
    from attachments.models import Attachment

    qs = ticket.messages.select_related("author").prefetch_related(
        # As a plain list (`message.files`): a manager and a queryset per message cost 2 ms a page.
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"), to_attr="files")
    )
    if not getattr(user, "is_agent", False):
        qs = qs.filter(internal=False, deleted=False)
    return qs.order_by("created_at", "id")


def list_history(ticket: Ticket) -> QuerySet:
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "id")


def list_favorites_for_user(user) -> QuerySet:
    return list_tickets_for_user(user).filter(favorites__user=user)


def public_message_count(ticket: Ticket) -> int:
    return Message.objects.filter(ticket=ticket, internal=False, deleted=False).count()


# Reads of the server-rendered pages -------------------------------------------------------


def find_ticket_by_number(user, text: str) -> int | None:
    """The number typed in the search bar (`1234` or `#1234`) when the user may see that ticket."""
    text = text.strip().lstrip("#")
    if not text.isdecimal() or len(text) > 19 or not 0 < int(text) < 2**63:  # isdigit() takes "²"
        return None
    return visible_tickets(user).filter(pk=int(text)).values_list("pk", flat=True).first()


def list_portal_tickets_for_user(user, tab: str = "open", q: str = "") -> QuerySet:
    """A customer's tickets (requested or participating), open or closed, favourites marked.

    `q` narrows to tickets where every word is in the subject, the description or a public
    reply (never an internal note or a deleted reply: the customer must not find by them);
    `#1234` or `1234` also finds that ticket by its number.
    """
    closed = (StatusKind.RESOLVED, StatusKind.CLOSED)
    qs = (
        visible_tickets(user)
        .select_related("status")
        .annotate(is_favorite=Exists(Favorite.objects.filter(user=user, ticket=OuterRef("pk"))))
    )
    if tab == "closed":
        qs = qs.filter(status__kind__in=closed)
    elif tab == "favorites":
        qs = qs.filter(is_favorite=True)
    else:
        qs = qs.exclude(status__kind__in=closed)
    for word in q.split()[:10]:
        qs = qs.filter(_public_text_matches(word))
    return qs.order_by("-updated_at", "-id")


def _public_text_matches(word: str) -> Q:
    # Correlated per ticket: the customer's few tickets are searched, not every reply of the desk.
    public_replies = Message.objects.filter(
        ticket=OuterRef("pk"), internal=False, deleted=False, body__icontains=word
    )
    match = Q(subject__icontains=word) | Q(description__icontains=word) | Q(Exists(public_replies))
    number = word.lstrip("#")
    if number.isdigit() and 0 < int(number) < 2**63:
        match |= Q(pk=int(number))
    return match


def is_favorite(ticket: Ticket, user) -> bool:
    return Favorite.objects.filter(ticket=ticket, user=user).exists()


def open_survey(ticket: Ticket):
    return Survey.objects.filter(ticket=ticket, answered_at__isnull=True).first()


def cti_options(category_id, type_id=None) -> dict:
    """The types of a category and the items of a type, for the chained selects.

    Unknown or foreign ids give empty lists rather than errors: the form validates on submit.
    """
    pk = _as_id(category_id)
    category = Category.objects.filter(pk=pk, active=True).first() if pk else None
    types = list(TicketType.objects.filter(category=category, active=True)) if category else []
    chosen = next((t for t in types if t.pk == _as_id(type_id)), None)
    items = list(Item.objects.filter(type=chosen, active=True)) if chosen else []
    return {"category": category, "types": types, "type": chosen, "items": items}


def list_ticket_files(ticket: Ticket) -> QuerySet:
    """The files attached to the ticket itself (at creation), not to one of its messages."""
    from attachments.models import Attachment

    return Attachment.objects.filter(ticket=ticket, message__isnull=True).order_by("id")


def _as_id(value) -> int | None:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None


# --- Reads of the REST API -------------------------------------------------------------
ROW_RELATED = (*LIST_RELATED, "type", "item")


def list_ticket_rows_for_user(user) -> QuerySet:
    """Every ticket a user may see, hidden ones included (the list filters decide), with all
    that a row of the API shows; unordered."""
    return visible_tickets(user).select_related(*ROW_RELATED).prefetch_related("tags", "participants")


def list_favorite_rows_for_user(user) -> QuerySet:
    return (
        list_ticket_rows_for_user(user)
        .exclude(status__kind__in=HIDDEN_KINDS)
        .filter(favorites__user=user)
        .order_by("-updated_at", "-id")
    )


def get_ticket_detail(pk: int) -> Ticket:
    """Re-read a ticket after an action, ready to render (the caller already checked access)."""
    return ticket_detail_qs().get(pk=pk)


def list_statuses() -> QuerySet:
    return (
        Status.objects.filter(active=True).select_related("customer_reply_moves_to").order_by("order", "id")
    )


def list_priorities() -> QuerySet:
    return Priority.objects.order_by("rank")


def list_category_tree() -> QuerySet:
    """Active categories with their active types and items: the CTI cascade of a form."""
    items = Prefetch("items", queryset=Item.objects.filter(active=True).order_by("name", "id"))
    types = Prefetch(
        "types",
        queryset=TicketType.objects.filter(active=True).prefetch_related(items).order_by("name", "id"),
    )
    return Category.objects.filter(active=True).prefetch_related(types).order_by("name", "id")


def list_sla_plans() -> QuerySet:
    """Every SLA plan, most urgent priority first, priority-only plans before category ones."""
    return SLAPlan.objects.select_related("priority", "category", "calendar").order_by(
        "-priority__rank", F("category__name").asc(nulls_first=True), "name", "id"
    )


# --- Admin configuration (the API's lists of automation rules, webhooks, recurring tickets) --


def list_automation_rules() -> QuerySet:
    """The rules in the order they run, with every condition and action row joined."""
    return AutomationRule.objects.select_related(
        "if_category",
        "if_priority",
        "if_team",
        "if_tag",
        "set_status",
        "set_priority",
        "set_team",
        "set_assignee",
    ).order_by("order", "id")


def list_webhooks() -> QuerySet:
    return Webhook.objects.order_by("name", "id")


def list_webhook_deliveries(webhook: Webhook) -> QuerySet:
    """The webhook's delivery log, newest first (the index `delivery_webhook_created`)."""
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")


def list_recurring_tickets() -> QuerySet:
    return RecurringTicket.objects.select_related(
        "category", "type", "item", "priority", "team", "assignee", "requester", "created_by"
    ).order_by("name", "id")
