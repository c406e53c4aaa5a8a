from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "role", "is_active")
    list_filter = ("role", "is_active", "teams")
    search_fields = ("email", "name")
    filter_horizontal = ("groups", "user_permissions", "scope_categories", "scope_teams")
    fieldsets = (
        (None, {"fields": ("email", "name", "password", "role", "is_active")}),
        ("Scope (staff)", {"fields": ("scope_categories", "scope_teams")}),
        ("Permissions", {"fields": ("is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "role", "password1", "password2")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name",)
    filter_horizontal = ("members",)
