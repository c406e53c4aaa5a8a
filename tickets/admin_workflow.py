"""Admin of business-hours calendars (with holidays), team routing and staff away flags (issue 11)."""

from django.contrib import admin

from .models_workflow import BusinessCalendar, Holiday, SLAWarning, StaffStatus, TeamRouting


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone")
    search_fields = ("name",)
    inlines = [HolidayInline]


@admin.register(TeamRouting)
class TeamRoutingAdmin(admin.ModelAdmin):
    list_display = ("team", "mode", "capacity", "last_assigned_user")
    list_select_related = ("team", "last_assigned_user")
    raw_id_fields = ("last_assigned_user",)


@admin.register(StaffStatus)
class StaffStatusAdmin(admin.ModelAdmin):
    list_display = ("user", "away", "updated_at")
    list_filter = ("away",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(SLAWarning)
class SLAWarningAdmin(admin.ModelAdmin):
    """The breach warnings sent (read-only): one per ticket and due time."""

    list_display = ("ticket", "due_at", "sent_at")
    raw_id_fields = ("ticket",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
