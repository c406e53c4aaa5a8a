"""Tickets, their catalogue and conversation: data, and pure checks on it.

Nothing here saves or sends; the write path is `tickets.actions`.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class StatusKind(models.TextChoices):
    """The behaviour of a status, whatever an admin calls it (SPEC §3)."""

    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    RESOLVED = "resolved", "Resolved"
    PENDING_CLOSURE = "pending_closure", "Pending closure"
    CLOSURE_SCHEDULED = "closure_scheduled", "Closure scheduled"
    CLOSED = "closed", "Closed"
    SPAM = "spam", "Spam"
    DELETED = "deleted", "Deleted"


# Entering one of these creates the satisfaction survey; leaving them all drops an
# unanswered one.
SURVEY_KINDS = frozenset(
    {StatusKind.RESOLVED, StatusKind.CLOSED, StatusKind.PENDING_CLOSURE, StatusKind.CLOSURE_SCHEDULED}
)
# Entering one of these empties every customer's favourites of the ticket.
UNFAVOURITE_KINDS = frozenset({StatusKind.RESOLVED, StatusKind.CLOSED})
# Hidden from queues, search and notifications; purged after their retention.
HIDDEN_KINDS = frozenset({StatusKind.SPAM, StatusKind.DELETED})
# Working states: a customer may reply and a reply may move the ticket.
WORKING_KINDS = frozenset({StatusKind.NEW, StatusKind.OPEN, StatusKind.PENDING})
# A customer may not request closure from these.
NO_CLOSURE_REQUEST_KINDS = frozenset(
    {StatusKind.CLOSED, StatusKind.PENDING_CLOSURE, StatusKind.CLOSURE_SCHEDULED} | HIDDEN_KINDS
)


class Status(models.Model):
    name = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=StatusKind.choices)
    order = models.PositiveSmallIntegerField(default=0)
    color = models.CharField(max_length=7, default="#6c757d", help_text="Badge colour, #rrggbb.")
    active = models.BooleanField(default=True)
    customer_reply_moves_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where a customer's reply moves a ticket in this status (empty: it stays).",
    )
    is_initial = models.BooleanField(
        default=False, help_text="New tickets start here (one status of kind 'new')."
    )
    is_draft = models.BooleanField(
        default=False, help_text="Tickets here are neither notified nor queued until activated."
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "statuses"

    def __str__(self):
        return self.name


class Priority(models.Model):
    name = models.CharField(max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="Higher is more urgent.")
    color = models.CharField(max_length=7, default="#6c757d")
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["rank"]
        verbose_name_plural = "priorities"

    def __str__(self):
        return self.name


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    default_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="New tickets in this category are assigned to this team.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class TicketType(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="types")
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="uniq_type_name")]
        verbose_name = "type"

    def __str__(self):
        return f"{self.category} › {self.name}"


class Item(models.Model):
    type = models.ForeignKey(TicketType, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["type", "name"], name="uniq_item_name")]

    def __str__(self):
        return f"{self.type} › {self.name}"


class HelpdeskSettings(models.Model):
    """The one settings record of SPEC §9 (always pk=1)."""

    reopen_window_days = models.PositiveIntegerField(default=7)
    edit_window_minutes = models.PositiveIntegerField(default=15)
    max_attachment_mb = models.PositiveIntegerField(default=25)
    guest_submission_enabled = models.BooleanField(default=True)
    spam_retention_days = models.PositiveIntegerField(default=30)
    deleted_retention_days = models.PositiveIntegerField(default=30)
    customer_sets_priority = models.BooleanField(default=False)
    preclose_warning_days = models.PositiveIntegerField(
        default=1,
        help_text="Days before a resolved ticket auto-closes that its requester is warned (0: never).",
    )
    # Retention of closed tickets (both off when empty): archive, then purge the archived.
    archive_closed_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(36500)],
        help_text="Archive closed tickets this many days after closing (empty: never).",
    )
    purge_archived_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(36500)],
        help_text="Purge archived tickets this many days after archiving (empty: never).",
    )
    staff_reply_status = models.ForeignKey(
        Status,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Status a staff reply sets by default (Deskpro's 'Awaiting user'); "
        "applies to tickets in a working status.",
    )
    email_follow_up_on_closed = models.BooleanField(
        default=False,
        help_text="An emailed reply to a closed ticket opens a follow-up ticket linked to it "
        "(instead of the answer saying it was not added).",
    )

    class Meta:
        verbose_name = verbose_name_plural = "settings"

    def __str__(self):
        return "Help desk settings"

    @classmethod
    def load(cls) -> "HelpdeskSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def reopen_window(self) -> timedelta:
        return timedelta(days=self.reopen_window_days)

    @property
    def edit_window(self) -> timedelta:
        return timedelta(minutes=self.edit_window_minutes)


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# Tickets neither spam nor deleted, and open tickets: the dashboard's figures (tickets/reports.py).
LIVE_TICKETS = ~Q(status_kind__in=sorted(kind.value for kind in HIDDEN_KINDS))
OPEN_TICKETS = Q(status_kind__in=sorted(kind.value for kind in WORKING_KINDS))
# What the queues list: live and not archived. The condition of the queues' partial indexes,
# written as the queues write it (`.exclude(status_kind__in=...)` and `archived_at__isnull=True`)
# so that PostgreSQL sees the indexes apply.
QUEUE_TICKETS = LIVE_TICKETS & Q(archived_at__isnull=True)
# The columns the queues filter on (visibility, assignment, category, priority): kept in those
# indexes, so a filtered count or page reads the index alone.
QUEUE_FILTER_COLUMNS = ["assignee", "team", "category", "priority"]


class Ticket(models.Model):
    subject = models.CharField(max_length=255)
    description = models.TextField()
    description_html = models.TextField(blank=True, editable=False)
    # The five foreign keys below lead an index of Meta (with updated_at): no index of their own,
    # which every INSERT and every touch of a million-row table would also have to write.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets", db_index=False
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="participating_tickets"
    )
    category = models.ForeignKey(Category, null=True, on_delete=models.SET_NULL, related_name="+")
    type = models.ForeignKey(TicketType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.ForeignKey(Status, on_delete=models.PROTECT, related_name="+", db_index=False)
    # Where restore goes back to after spam, deletion or a scheduled deletion.
    previous_status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    resolution_notes = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # When the requester was told the ticket will auto-close; cleared when it leaves resolved.
    preclose_warned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=255, blank=True)
    reopened = models.BooleanField(default=False)
    closure_scheduled_at = models.DateTimeField(null=True, blank=True)
    purge_at = models.DateTimeField(null=True, blank=True)
    # Set by the retention job on old closed tickets: out of the default queues and search,
    # still readable and counted (tickets/jobs.py archive_closed).
    archived_at = models.DateTimeField(null=True, blank=True)
    sla_plan = models.ForeignKey(
        "tickets.SLAPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    # When the next public staff reply is due: set by a customer's reply once staff have
    # answered, cleared by the staff reply that meets it (tickets/sla.py).
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    # While the ticket is in a `pending` status the SLA clock stops; this is when it stopped.
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    overdue = models.BooleanField(default=False)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_customer_post_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Full-text search document (subject weighted A, description B, replies and notes C), kept
    # current by the actions; its GIN index is created on PostgreSQL only (migration 0004).
    search_vector = SearchVectorField(null=True, editable=False)
    # Copies of status.kind and priority.rank, written by the actions with the status and
    # priority: the queues filter on the kind and sort by priority from this table's own
    # indexes, without a join, at a million tickets (migration 0005 fills existing rows).
    status_kind = models.CharField(max_length=20, choices=StatusKind.choices, default="new", editable=False)
    priority_rank = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        permissions = [("view_all", "Can see every ticket")]
        indexes = [
            models.Index(fields=["status", "-updated_at"], name="ticket_status_updated"),
            models.Index(fields=["assignee", "-updated_at"], name="ticket_assignee_updated"),
            models.Index(fields=["team", "-updated_at"], name="ticket_team_updated"),
            models.Index(fields=["requester", "-updated_at"], name="ticket_requester_updated"),
            models.Index(
                fields=["resolved_at"],
                name="ticket_resolved_due",
                condition=Q(resolved_at__isnull=False),
            ),
            models.Index(
                fields=["closure_scheduled_at"],
                name="ticket_closure_due",
                condition=Q(closure_scheduled_at__isnull=False),
            ),
            models.Index(fields=["purge_at"], name="ticket_purge_due", condition=Q(purge_at__isnull=False)),
            models.Index(
                fields=["closed_at"], name="ticket_archive_due", condition=Q(archived_at__isnull=True)
            ),
            models.Index(
                fields=["archived_at"], name="ticket_archived", condition=Q(archived_at__isnull=False)
            ),
            # The queues (tickets/queues.py): one index per sort of SPEC §6, over the tickets the
            # queues list (QUEUE_TICKETS), holding the columns of the queues' own filters. The
            # ids of a page then come from the index alone (an index-only scan), even on page
            # 400 of a team's queue at a million tickets (bench/queues.py).
            *[
                models.Index(fields=keys, name=name, condition=QUEUE_TICKETS, include=QUEUE_FILTER_COLUMNS)
                for name, keys in (
                    ("ticket_queue_updated", ["-updated_at", "-id"]),
                    ("ticket_queue_created", ["created_at", "id"]),
                    ("ticket_queue_priority", ["-priority_rank", "-updated_at", "-id"]),
                    ("ticket_queue_sla", ["sla_due_at", "-priority_rank", "id"]),
                )
            ],
            # Status (kind) filters and the spam and deleted queues, index-only as well.
            models.Index(
                fields=["status_kind", "-updated_at", "-id"],
                name="ticket_kind_queue",
                include=["archived_at", *QUEUE_FILTER_COLUMNS],
            ),
            models.Index(fields=["priority", "-updated_at"], name="ticket_priority_updated"),
            models.Index(fields=["-updated_at"], name="ticket_reopened_updated", condition=Q(reopened=True)),
            models.Index(fields=["sla_due_at"], name="ticket_overdue_due", condition=Q(overdue=True)),
            # The dashboard: each figure counted from one index alone, at a million tickets.
            models.Index(
                fields=["status", "team"],
                name="ticket_open_status_team",
                condition=OPEN_TICKETS,
                include=["assignee", "category"],
            ),
            models.Index(
                fields=["sla_due_at", "id"],
                name="ticket_open_overdue",
                condition=Q(overdue=True) & OPEN_TICKETS,
                include=QUEUE_FILTER_COLUMNS,
            ),
            models.Index(
                fields=["created_at"],
                name="ticket_live_created",
                condition=LIVE_TICKETS,
                include=["first_response_at", *QUEUE_FILTER_COLUMNS],
            ),
            models.Index(
                fields=["resolved_at"],
                name="ticket_live_resolved",
                condition=LIVE_TICKETS,
                include=QUEUE_FILTER_COLUMNS,
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> int:
        """The ticket number shown as #1234: the sequential primary key."""
        return self.pk

    @property
    def kind(self) -> str:
        return self.status.kind

    def reopen_window_ends(self, desk: HelpdeskSettings):
        if self.status.kind != StatusKind.RESOLVED or self.resolved_at is None:
            return None
        return self.resolved_at + desk.reopen_window

    def is_party(self, user) -> bool:
        """Requester or participant: the customers who see this ticket."""
        if not user.is_authenticated:
            return False
        return self.requester_id == user.pk or self.participants.filter(pk=user.pk).exists()


class Message(models.Model):
    """A public reply, an internal note, or a system message (no author)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField(blank=True, editable=False)
    internal = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created")]

    def __str__(self):
        return f"Message {self.pk} on #{self.ticket_id}"

    @property
    def is_system(self) -> bool:
        return self.author_id is None


class TicketEvent(models.Model):
    """One line of a ticket's history: who changed what, from what, to what."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    # On whose behalf the actor acted, e.g. "Automation: <rule>" (tickets/actions/_context.py).
    via = models.CharField(max_length=150, blank=True, default="", db_default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="event_ticket_at")]

    def __str__(self):
        return f"{self.action} on #{self.ticket_id}"


class Survey(models.Model):
    """The satisfaction survey; at most one unanswered per ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="surveys")
    created_at = models.DateTimeField(default=timezone.now)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(answered_at__isnull=True), name="one_open_survey"
            )
        ]

    def __str__(self):
        return f"Survey for #{self.ticket_id}"


class Favorite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="uniq_favorite")]


class SLAPlan(models.Model):
    """Response and resolution targets, chosen by priority and optionally category (SPEC §6)."""

    name = models.CharField(max_length=100)
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    first_response_hours = models.PositiveIntegerField(null=True, blank=True)
    next_response_hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="Hours for the staff reply to each customer reply; empty: no target."
    )
    resolution_hours = models.PositiveIntegerField()
    active = models.BooleanField(default=True)
    # Working hours the clock runs in (tickets/sla.py); none: around the clock.
    calendar = models.ForeignKey(
        "tickets.BusinessCalendar", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "SLA plan"
        constraints = [
            models.UniqueConstraint(fields=["priority", "category"], name="uniq_sla_plan"),
        ]

    def __str__(self):
        return self.name


class SavedView(models.Model):
    """A named set of queue filters and a sort; shared views are published to all staff."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=100)
    filters = models.JSONField(default=dict, blank=True)
    ordering = models.CharField(max_length=20, default="updated")
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class TicketView(models.Model):
    """When a staff member last looked at a ticket: newer customer posts are unread."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="views")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="uniq_ticket_view")]


class AccessToken(models.Model):
    """A guest's access link for one ticket; only a hash of the secret is stored."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="access_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)


class Invite(models.Model):
    """An invite link that lets a colleague join a ticket as a participant."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="invites")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)


class OutboundEmail(models.Model):
    """One email per event and recipient: the key makes a retried task send it only once."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recipient = models.EmailField()
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)


class InboundEmail(models.Model):
    """A message taken in by email, once per Message-ID, and what became of it."""

    message_id = models.CharField(max_length=255, unique=True)
    sender = models.EmailField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=40)
    received_at = models.DateTimeField(default=timezone.now)


class FailedInboundMessage(models.Model):
    """A message that could not be parsed or ingested, kept raw so nothing is lost."""

    raw = models.BinaryField()
    error = models.TextField()
    source = models.CharField(max_length=40, default="pipe")
    received_at = models.DateTimeField(default=timezone.now)


class InboundAddress(models.Model):
    """A desk address that takes mail in, with the category its new tickets get."""

    email = models.EmailField(unique=True)
    default_category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "inbound addresses"

    def __str__(self):
        return self.email


class CloseLinkUse(models.Model):
    """A used "It's fixed, close it" link: a link closes once (tickets/closelinks.py)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(default=timezone.now)


from .models_automation import AutomationIdleRun, AutomationRule  # noqa: E402, F401  (automation rules)
from .models_integrations import (  # noqa: E402, F401  (webhooks, canned replies, recurring tickets)
    CannedReply,
    RecurringRun,
    RecurringTicket,
    Schedule,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from .models_workflow import (  # noqa: E402, F401  (business hours, automatic assignment)
    BusinessCalendar,
    Holiday,
    RoutingMode,
    SLAWarning,
    StaffStatus,
    TeamRouting,
)
