"""Reads of people and teams, owning their prefetches."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Team, User


def list_users() -> QuerySet:
    """Users with their teams and scope, and `has_view_all` (superusers hold every permission)."""
    grants = User.user_permissions.through.objects.filter(
        user_id=OuterRef("pk"), permission__codename="view_all", permission__content_type__app_label="tickets"
    )
    return (
        User.objects.annotate(has_view_all=Q(is_superuser=True) | Exists(grants))
        .prefetch_related("teams", "scope_categories", "scope_teams")
        .order_by("name", "email", "id")
    )


def list_teams() -> QuerySet:
    return Team.objects.prefetch_related("members").order_by("name", "id")
