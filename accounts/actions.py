"""The write path for people and teams."""

from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction

from .models import Role, Team, User


def view_all_permission() -> Permission:
    return Permission.objects.get(codename="view_all", content_type__app_label="tickets")


@transaction.atomic
def create_user(
    *,
    email: str,
    name: str = "",
    role: str = Role.CUSTOMER,
    password: str | None = None,
    teams=(),
) -> User:
    """Create a user; the staff role starts with `tickets.view_all` (SPEC §1)."""
    user = User.objects.create_user(
        email=email,
        password=password,
        name=name,
        role=role,
        is_superuser=(role == Role.ADMIN),
    )
    if role in (Role.STAFF, Role.ADMIN):
        user.user_permissions.add(view_all_permission())
    if teams:
        user.teams.set(teams)
    return user


def get_or_create_customer(*, email: str, name: str = "") -> User:
    """Find a person by email or create a customer with no usable password (a guest)."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    try:
        # A savepoint: two requests for the same new address race on the unique email; the
        # loser takes the winner's row instead of failing.
        with transaction.atomic():
            return create_user(email=email, name=name)
    except IntegrityError:
        return User.objects.get(email__iexact=email)


@transaction.atomic
def update_user(
    *, user: User, view_all=None, scope_categories=None, scope_teams=None, teams=None, **fields
) -> User:
    """Change a user's fields, permission to see all tickets, scope and teams."""
    changed = [k for k, v in fields.items() if v is not None]
    for key in changed:
        setattr(user, key, fields[key])
    if "role" in changed:
        user.is_superuser = user.role == Role.ADMIN
        changed.append("is_superuser")
    if changed:
        user.save(update_fields=changed)
    if view_all is True:
        user.user_permissions.add(view_all_permission())
    elif view_all is False:
        user.user_permissions.remove(view_all_permission())
    if scope_categories is not None:
        user.scope_categories.set(scope_categories)
    if scope_teams is not None:
        user.scope_teams.set(scope_teams)
    if teams is not None:
        user.teams.set(teams)
    # has_perm caches per instance; drop the cache so the change is seen at once.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)
    return user


@transaction.atomic
def save_team(*, team: Team | None = None, name: str, members=None) -> Team:
    if team is None:
        team = Team.objects.create(name=name)
    elif team.name != name:
        team.name = name
        team.save(update_fields=["name"])
    if members is not None:
        team.members.set(members)
    return team


def issue_api_token(*, user: User):
    """The user's API token, created on first request (DRF authtoken: one per user)."""
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return token


def revoke_api_tokens(*, user: User) -> int:
    """Drop the user's API token (their password changed): the next token request issues a new one."""
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted
