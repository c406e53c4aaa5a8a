"""People: users with a role, teams of staff, and each staff member's scope (SPEC §1)."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    STAFF = "staff", "Staff"
    CUSTOMER = "customer", "Customer"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("role", Role.CUSTOMER)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(role=Role.ADMIN, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in by email. Guests are customers without a usable password."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Scope of a staff member: categories and/or teams whose tickets they see (SPEC §1).
    scope_categories = models.ManyToManyField("tickets.Category", blank=True, related_name="+")
    scope_teams = models.ManyToManyField("accounts.Team", blank=True, related_name="+")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "email"]
        indexes = [
            # Logins and "find the customer by address" compare emails case-insensitively
            # (email__iexact is UPPER(email) = UPPER(%s) on PostgreSQL): without this index
            # each lookup scans every user.
            models.Index(Upper("email"), name="user_email_upper"),
            # The staff menus (assignee, queue filters) among tens of thousands of customers.
            models.Index(
                fields=["name", "email"],
                name="user_staff_by_name",
                condition=models.Q(role__in=[Role.ADMIN, Role.STAFF]),
            ),
        ]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def is_staff(self) -> bool:
        """Django admin entry: only the admin role."""
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_agent(self) -> bool:
        """Staff or admin: the people who work tickets."""
        return self.role in (Role.ADMIN, Role.STAFF)

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER


class Team(models.Model):
    """A named group of staff (an osTicket department)."""

    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(User, blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
