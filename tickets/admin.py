from django.contrib import admin

from .models import Category, HelpdeskSettings, Item, Priority, Status, Tag, TicketType


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "order", "color", "active", "customer_reply_moves_to", "is_initial")
    list_editable = ("order", "active")
    list_filter = ("kind", "active")


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ("name", "rank", "color", "is_default")


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


@admin.register(HelpdeskSettings)
class HelpdeskSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not HelpdeskSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Tag)
admin.site.site_header = "Help desk administration"
