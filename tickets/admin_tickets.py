"""Tickets in Django admin: read-only, filtered by status kind, with "purge now" (SPEC §3, §9).

Every change to a ticket goes through the actions and the ticket pages; here admins look, and
purge spam or deleted tickets without waiting for their retention.
"""

from django.contrib import admin
from django.template.response import TemplateResponse

from .actions.retention import purge_hidden_tickets
from .models import Ticket
from .retention import PURGEABLE_KINDS, hidden_tickets


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("id", "subject", "status", "requester", "assignee", "updated_at", "archived_at")
    list_filter = (
        "status__kind",
        "status",
        ("archived_at", admin.EmptyFieldListFilter),
        "category",
        "priority",
    )
    list_select_related = ("status", "requester", "assignee")
    search_fields = ("subject", "requester__email")
    ordering = ("-updated_at", "-id")
    show_full_result_count = False  # a million tickets: no second COUNT(*) per page
    actions = ["purge_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # tickets go by the purge, with their files, never by a bare delete

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "purge_kinds": PURGEABLE_KINDS}
        return super().changelist_view(request, extra_context)

    @admin.action(description="Purge the selected spam or deleted tickets now…")
    def purge_now(self, request, queryset):
        """Show how many of the selected tickets will go (only spam and deleted ones), then purge."""
        ids = list(queryset.values_list("pk", flat=True))
        if request.POST.get("confirm") == "yes":
            purged = sum(
                purge_hidden_tickets(actor=request.user, kind=kind, ids=ids) for kind in PURGEABLE_KINDS
            )
            self.message_user(request, f"{purged} ticket{'s' if purged != 1 else ''} purged for good.")
            return None
        counts = {kind: hidden_tickets(kind).filter(pk__in=ids).count() for kind in PURGEABLE_KINDS}
        total = sum(counts.values())
        context = {
            **self.admin_site.each_context(request),
            "title": "Purge tickets now",
            "opts": self.model._meta,
            "ids": ids,
            "counts": counts,
            "total": total,
            "kept": len(ids) - total,
            "action": "purge_now",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tickets/ticket/purge_confirm.html", context)
