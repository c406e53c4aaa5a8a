"""Automation rules: "when EVENT and CONDITIONS then ACTIONS" (data and pure checks only).

Conditions and actions are explicit nullable fields, so the admin form validates them and a
deleted category or team simply empties its condition. Evaluation is tickets/automation.py;
running the actions is tickets/actions/automation.py. Imported at the end of tickets/models.py.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .models import Category, Priority, Status, StatusKind, Tag, Ticket

# The placeholders a canned reply may use, and what each becomes.
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")
PLACEHOLDERS = ("ticket.number", "ticket.subject", "requester.name", "requester.email")


class AutomationEvent(models.TextChoices):
    CREATED = "created", "Ticket created"
    CUSTOMER_REPLIED = "customer_replied", "Customer replied"
    STATUS_CHANGED = "status_changed", "Status changed"
    IDLE = "idle", "Idle for some hours"


class AutomationRule(models.Model):
    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0, help_text="Rules run in this order, lowest first.")
    event = models.CharField(max_length=20, choices=AutomationEvent.choices)
    idle_hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="For the idle event: hours without any update."
    )
    # Conditions: an empty one matches every ticket; all the given ones must match.
    if_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    if_priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    if_status_kind = models.CharField(max_length=20, blank=True, choices=StatusKind.choices)
    if_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    if_tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    if_requester_domain = models.CharField(
        max_length=150,
        blank=True,
        help_text="e.g. example.com: the requester's email ends with @example.com.",
    )
    if_subject_contains = models.CharField(max_length=200, blank=True)
    if_body_contains = models.CharField(
        max_length=200, blank=True, help_text="In the description or a customer's reply."
    )
    # Actions, in this order: status, priority, team, assignee, tags, internal note, canned reply.
    set_status = models.ForeignKey(Status, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    set_priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    set_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    set_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"role__in": ("admin", "staff"), "is_active": True},
    )
    add_tags = models.CharField(max_length=200, blank=True, help_text="Comma-separated tag names.")
    add_note = models.TextField(blank=True, help_text="An internal note to add.")
    reply_text = models.TextField(
        blank=True,
        help_text="A canned public reply; placeholders: " + ", ".join(f"{{{{ {p} }}}}" for p in PLACEHOLDERS),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "id"]
        indexes = [
            models.Index(fields=["event", "order"], name="rule_event_order", condition=models.Q(active=True))
        ]

    def __str__(self):
        return self.name

    def tag_names(self) -> list[str]:
        return [name.strip().lower() for name in self.add_tags.split(",") if name.strip()][:20]

    def has_actions(self) -> bool:
        return any((self.set_status_id, self.set_priority_id, self.set_team_id, self.set_assignee_id)) or any(
            text.strip() for text in (self.add_tags, self.add_note, self.reply_text)
        )

    def clean(self):
        errors = {}
        if self.event == AutomationEvent.IDLE and not self.idle_hours:
            errors["idle_hours"] = "An idle rule needs a number of hours."
        if self.event != AutomationEvent.IDLE and self.idle_hours:
            errors["idle_hours"] = "Only idle rules wait a number of hours."
        if self.set_status_id and self.set_status.kind == StatusKind.CLOSURE_SCHEDULED:
            errors["set_status"] = "A closure is scheduled with a time; choose another status."
        if self.set_status_id and not self.set_status.active:
            errors["set_status"] = "Choose an active status."
        unknown = sorted(set(PLACEHOLDER.findall(self.reply_text)) - set(PLACEHOLDERS))
        if unknown:
            errors["reply_text"] = f"Unknown placeholder: {unknown[0]}. Use: {', '.join(PLACEHOLDERS)}."
        if self.if_requester_domain.strip().lstrip("@").count("@"):
            errors["if_requester_domain"] = "Give a domain such as example.com."
        if not self.has_actions():
            errors["__all__"] = "Give the rule at least one action."
        if errors:
            raise ValidationError(errors)
        self.if_requester_domain = self.if_requester_domain.strip().lstrip("@").lower()


class AutomationIdleRun(models.Model):
    """An idle rule ran on a ticket idle since `idle_since`: once per idle period."""

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    idle_since = models.DateTimeField()
    ran_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket", "idle_since"], name="uniq_idle_run"),
        ]
