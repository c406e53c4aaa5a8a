from django import forms
from django.contrib import admin

from .actions.catalogue import check_sla_plan
from .actions.copies import sync_ticket_copies
from .actions.recurring import check_recurring_template, plan_recurring_ticket
from .errors import ActionRefused
from .models import (
    AccessToken,
    CannedReply,
    Category,
    FailedInboundMessage,
    HelpdeskSettings,
    InboundAddress,
    InboundEmail,
    Invite,
    Item,
    OutboundEmail,
    Priority,
    RecurringRun,
    RecurringTicket,
    SLAPlan,
    Status,
    Tag,
    TicketType,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "order", "color", "active", "customer_reply_moves_to", "is_initial")
    list_editable = ("order", "active")
    list_filter = ("kind", "active")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sync_ticket_copies(status=obj)  # the queues filter on the tickets' copy of the kind


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ("name", "rank", "color", "is_default")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sync_ticket_copies(priority=obj)  # the queues sort on the tickets' copy of the rank


class TypeInline(admin.TabularInline):
    model = TicketType
    extra = 0
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "default_team", "active")
    inlines = [TypeInline]


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0


@admin.register(TicketType)
class TicketTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "active")
    list_filter = ("category",)
    inlines = [ItemInline]


class SLAPlanForm(forms.ModelForm):
    class Meta:
        model = SLAPlan
        fields = (
            "name",
            "priority",
            "category",
            "first_response_hours",
            "next_response_hours",
            "resolution_hours",
            "calendar",
            "active",
        )

    def clean(self):
        data = super().clean()
        if self.errors:  # the fields themselves come first
            return data
        try:
            check_sla_plan(
                priority=data.get("priority"),
                category=data.get("category"),
                first_response_hours=data.get("first_response_hours"),
                next_response_hours=data.get("next_response_hours"),
                resolution_hours=data.get("resolution_hours"),
                plan=self.instance,
            )
        except ActionRefused as refused:
            self.add_error(refused.field if refused.field in self.fields else None, refused.reason)
        return data


@admin.register(SLAPlan)
class SLAPlanAdmin(admin.ModelAdmin):
    form = SLAPlanForm
    list_display = (
        "name",
        "priority",
        "category",
        "first_response_hours",
        "next_response_hours",
        "resolution_hours",
        "calendar",
        "active",
    )
    list_editable = ("active",)
    list_filter = ("active", "priority", "category")
    list_select_related = ("priority", "category", "calendar")
    search_fields = ("name",)
    ordering = ("priority__rank", "category__name", "name")


@admin.register(HelpdeskSettings)
class HelpdeskSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not HelpdeskSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Tag)
admin.site.site_header = "Help desk administration"


# Email in and out (SPEC §8): what went out once, what came in, and what could not be taken in.
@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "ticket", "recipient", "sent_at")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient", "message_id", "key")
    readonly_fields = ("key", "kind", "ticket", "recipient", "message_id", "created_at", "sent_at")
    raw_id_fields = ("ticket",)

    def has_add_permission(self, request):
        return False


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "sender", "subject", "outcome", "ticket")
    list_filter = ("outcome",)
    search_fields = ("sender", "subject", "message_id")
    readonly_fields = ("message_id", "sender", "subject", "ticket", "outcome", "received_at")

    def has_add_permission(self, request):
        return False


@admin.register(FailedInboundMessage)
class FailedInboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "source", "error_summary", "size")
    list_filter = ("source",)
    readonly_fields = ("received_at", "source", "error", "message_text")
    exclude = ("raw",)
    actions = ["take_in_again"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="error")
    def error_summary(self, obj):
        return obj.error[:120]

    @admin.display(description="bytes")
    def size(self, obj):
        return len(obj.raw or b"")

    @admin.display(description="message (first 20,000 characters)")
    def message_text(self, obj):
        return bytes(obj.raw or b"")[:20_000].decode("utf-8", errors="replace")

    @admin.action(description="Take the selected messages in again")
    def take_in_again(self, request, queryset):
        from .mail.ingest import retry_failed

        outcomes = [retry_failed(failed).outcome for failed in queryset]
        self.message_user(request, "Outcomes: " + ", ".join(outcomes))


@admin.register(InboundAddress)
class InboundAddressAdmin(admin.ModelAdmin):
    list_display = ("email", "default_category")
    list_select_related = ("default_category",)


# Guests' access links and invite links (SPEC §8): only hashes are stored, so these rows show
# when a link was made and let an admin revoke it (delete the row); they never reveal a link.
@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ("created_at", "ticket")
    readonly_fields = ("ticket", "token_hash", "created_at")
    raw_id_fields = ("ticket",)

    def has_add_permission(self, request):
        return False


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ("created_at", "ticket", "created_by", "expires_at", "accepted_by", "accepted_at")
    readonly_fields = (
        "ticket",
        "token_hash",
        "created_by",
        "created_at",
        "expires_at",
        "accepted_by",
        "accepted_at",
    )
    list_select_related = ("ticket", "created_by", "accepted_by")

    def has_add_permission(self, request):
        return False


# Webhooks, canned replies and recurring tickets (issue 11).
class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        max_length=500, assume_scheme="https", help_text=Webhook._meta.get_field("url").help_text
    )
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Webhook
        fields = ("name", "url", "events", "active", "secret", "allow_private")


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ("name", "url", "active", "allow_private", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "url")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only."""

    list_display = ("created_at", "webhook", "event", "ticket", "status_code", "attempts", "delivered_at")
    list_filter = ("event", "webhook", ("delivered_at", admin.EmptyFieldListFilter))
    list_select_related = ("webhook",)
    readonly_fields = (
        "webhook",
        "event",
        "ticket",
        "payload",
        "status_code",
        "response_excerpt",
        "attempts",
        "error",
        "created_at",
        "delivered_at",
    )
    raw_id_fields = ("ticket",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "shared", "owner", "set_status", "set_priority")
    list_filter = ("shared",)
    list_select_related = ("owner", "set_status", "set_priority")
    search_fields = ("title", "body")
    raw_id_fields = ("owner",)


class RecurringRunInline(admin.TabularInline):
    model = RecurringRun
    extra = 0
    fields = ("occurrence_at", "ticket", "error", "created_at")
    readonly_fields = fields
    can_delete = False
    max_num = 0
    ordering = ("-occurrence_at",)


class RecurringTicketForm(forms.ModelForm):
    """Admin's form checks the template as the API does (tickets.actions.recurring)."""

    def _post_clean(self):
        super()._post_clean()
        if self.errors:  # the fields themselves come first
            return
        try:
            check_recurring_template(self.instance)
        except ActionRefused as refused:
            self.add_error(refused.field if refused.field in self.fields else None, refused.reason)


@admin.register(RecurringTicket)
class RecurringTicketAdmin(admin.ModelAdmin):
    form = RecurringTicketForm
    list_display = ("name", "schedule", "time_zone", "active", "next_run_at", "last_run_at")
    list_filter = ("active", "schedule")
    search_fields = ("name", "subject")
    raw_id_fields = ("requester", "assignee", "created_by")
    readonly_fields = ("next_run_at", "last_run_at")
    inlines = [RecurringRunInline]

    def get_changeform_initial_data(self, request):
        return {"created_by": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        plan_recurring_ticket(obj)  # the next occurrence of the schedule as saved


# Tickets (read-only, purge now) and automation rules (with their dry run) live beside this file.
# Business calendars, team routing and staff away flags (issue 11) too.
from . import admin_automation, admin_tickets, admin_workflow  # noqa: E402, F401
