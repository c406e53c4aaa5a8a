"""Automation rules in Django admin, with a dry run: which open tickets would a rule touch?"""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from .automation import PREVIEW_LIMIT, preview_rule
from .models_automation import AutomationRule


@admin.register(AutomationRule)
class AutomationRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "event", "idle_hours", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("event", "active")
    search_fields = ("name",)
    ordering = ("order", "id")
    raw_id_fields = ("set_assignee",)
    actions = ["preview_matches"]
    change_form_template = "admin/tickets/automationrule/change_form.html"
    fieldsets = (
        (None, {"fields": ("name", "active", "order", "event", "idle_hours")}),
        (
            "Conditions (all the given ones must match; leave empty for any)",
            {
                "fields": (
                    "if_category",
                    "if_priority",
                    "if_status_kind",
                    "if_team",
                    "if_tag",
                    "if_requester_domain",
                    "if_subject_contains",
                    "if_body_contains",
                )
            },
        ),
        (
            "Actions (done in this order, as the Automation user)",
            {
                "fields": (
                    "set_status",
                    "set_priority",
                    "set_team",
                    "set_assignee",
                    "add_tags",
                    "add_note",
                    "reply_text",
                )
            },
        ),
    )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:pk>/preview/", preview, name="tickets_automationrule_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """The dry run of one rule: reads only, changes nothing."""
        if not self.has_view_permission(request):
            raise admin.sites.PermissionDenied
        rule = get_object_or_404(AutomationRule, pk=pk)
        return self._preview_response(request, [rule])

    @admin.action(description="Preview which open tickets the rules match (dry run)")
    def preview_matches(self, request, queryset):
        return self._preview_response(request, list(queryset.order_by("order", "id")))

    def _preview_response(self, request, rules):
        previews = []
        for rule in rules:
            count, tickets = preview_rule(rule)
            previews.append({"rule": rule, "count": count, "tickets": tickets})
        context = {
            **self.admin_site.each_context(request),
            "title": "Dry run: tickets the rules would touch",
            "opts": self.model._meta,
            "previews": previews,
            "limit": PREVIEW_LIMIT,
        }
        return TemplateResponse(request, "admin/tickets/automationrule/preview.html", context)
