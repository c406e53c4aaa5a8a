"""Webhooks, canned replies and recurring tickets (issue 11): data, and pure checks on it.

Imported at the end of `tickets.models`, so these are models of the tickets app. Nothing here
saves or sends: webhooks go out through `tickets.webhooks`, canned replies are applied by
`tickets.actions.canned`, recurring tickets are opened by `tickets.recurring`.
"""

import secrets
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .models import Category, Item, Priority, Status, Ticket, TicketType


class WebhookEvent(models.TextChoices):
    TICKET_CREATED = "ticket.created", "Ticket created"
    STATUS_CHANGED = "ticket.status_changed", "Status changed"
    MESSAGE_ADDED = "message.added", "Reply or note added"
    TICKET_ASSIGNED = "ticket.assigned", "Assigned"


def new_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    """An endpoint an admin configured: the events it gets, signed with its secret."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500, help_text="http:// or https:// address that receives a POST.")
    secret = models.CharField(
        max_length=200,
        default=new_secret,
        help_text="Key of the X-Helpdesk-Signature header (sha256=HMAC of the body).",
    )
    events = models.JSONField(default=list, help_text="The events sent to this endpoint.")
    active = models.BooleanField(default=True)
    allow_private = models.BooleanField(
        default=False,
        help_text="Allow loopback, private and link-local addresses (off: such addresses are refused, "
        "so that a webhook cannot reach the desk's own network).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        unknown = set(self.events or ()) - set(WebhookEvent.values)
        if not isinstance(self.events, list) or unknown:
            raise ValidationError({"events": f"Unknown events: {', '.join(sorted(map(str, unknown)))}."})
        from .webhooks import DeliveryRefused, check_url

        try:
            check_url(str(self.url), self.allow_private)  # what every delivery checks first
        except DeliveryRefused as refused:
            raise ValidationError({"url": str(refused)})


class WebhookDelivery(models.Model):
    """One event sent (or tried) to one webhook: the delivery log of the admin."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_created")]

    def __str__(self):
        return f"{self.event} → {self.webhook_id}"


class CannedReply(models.Model):
    """A reply template (macro): personal to its owner, or shared with all staff by an admin.

    The body may hold the placeholders of `tickets.canned.PLACEHOLDERS`; applying it may also
    set a status and a priority and add tags.
    """

    title = models.CharField(max_length=100)
    body = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        help_text="Empty for a shared reply.",
    )
    shared = models.BooleanField(default=False, help_text="Offered to all staff; managed by admins.")
    set_status = models.ForeignKey(Status, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    set_priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    add_tags = models.JSONField(default=list, blank=True, help_text='Tags to add, e.g. ["billing"].')
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        verbose_name_plural = "canned replies"
        constraints = [
            models.CheckConstraint(
                condition=Q(shared=True) | Q(owner__isnull=False), name="canned_owner_or_shared"
            )
        ]

    def __str__(self):
        return self.title


class Schedule(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly (on a weekday)"
    MONTHLY = "monthly", "Monthly (on a day of the month)"
    CRON = "cron", "Cron expression"


class RecurringTicket(models.Model):
    """A ticket opened from this template on a schedule, in the schedule's own time zone."""

    name = models.CharField(max_length=100)
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.DAILY)
    weekday = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
        help_text="Weekly: 0 = Monday … 6 = Sunday.",
    )
    day_of_month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="Monthly: 1–31; a month without that day uses its last day.",
    )
    cron = models.CharField(
        max_length=100, blank=True, help_text="Cron: five fields (minute hour day month weekday), local time."
    )
    time_of_day = models.TimeField(default=time(9, 0), help_text="Daily, weekly, monthly: local time.")
    time_zone = models.CharField(max_length=64, default="UTC", help_text="e.g. Europe/Berlin.")
    subject = models.CharField(max_length=255)
    description = models.TextField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    type = models.ForeignKey(TicketType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="A customer, or a staff member for an internal ticket.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The staff member the tickets are opened as (in their history).",
    )
    active = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["next_run_at"], name="recurring_due", condition=Q(active=True)),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from .recurring import check_schedule

        check_schedule(self)


class RecurringRun(models.Model):
    """One occurrence of a recurring ticket, claimed before its ticket is opened.

    The unique (recurring, occurrence_at) pair is the claim: two runs at once insert one row,
    so they open one ticket.
    """

    recurring = models.ForeignKey(RecurringTicket, on_delete=models.CASCADE, related_name="runs")
    occurrence_at = models.DateTimeField()
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurrence_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recurring", "occurrence_at"], name="uniq_recurring_occurrence")
        ]

    def __str__(self):
        return f"{self.recurring_id} at {self.occurrence_at:%Y-%m-%d %H:%M}"
