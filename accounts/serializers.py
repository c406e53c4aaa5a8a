"""Input and output shapes of the accounts API (API.md, Accounts)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from tickets.models import Category

from .models import Role, Team, User


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, max_length=4096)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(source="key")


class MeSerializer(serializers.ModelSerializer):
    view_all = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ("id", "email", "name", "role", "view_all")
        read_only_fields = fields

    def get_view_all(self, user) -> bool:
        return user.is_agent and user.has_perm("tickets.view_all")


class UserSerializer(serializers.ModelSerializer):
    """A user as admins and staff see it; `view_all` comes from the selector's annotation."""

    view_all = serializers.BooleanField(source="has_view_all")
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    scope_categories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    scope_teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "name",
            "role",
            "is_active",
            "view_all",
            "teams",
            "scope_categories",
            "scope_teams",
            "date_joined",
        )
        read_only_fields = fields


def _teams_field(**kwargs):
    return serializers.PrimaryKeyRelatedField(many=True, queryset=Team.objects.all(), **kwargs)


class UserCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.CUSTOMER)
    password = serializers.CharField(required=False, write_only=True, trim_whitespace=False, max_length=4096)
    teams = _teams_field(required=False)

    def validate_email(self, email):
        email = email.lower()
        if User.objects.filter(email__iexact=email).exists():
            raise serializers.ValidationError("A user with this email exists already.")
        return email

    def validate(self, data):
        if data.get("password"):
            candidate = User(email=data["email"], name=data.get("name", ""))
            try:
                validate_password(data["password"], candidate)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"password": list(error.messages)})
        return data


class UserUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)
    view_all = serializers.BooleanField(required=False)
    teams = _teams_field(required=False)
    scope_teams = _teams_field(required=False)
    scope_categories = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Category.objects.all(), required=False
    )


class TeamSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ("id", "name", "members")
        read_only_fields = fields


class TeamCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    members = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.all(), required=False)

    def validate_name(self, name):
        if Team.objects.filter(name__iexact=name).exists():
            raise serializers.ValidationError("A team with this name exists already.")
        return name

    def validate_members(self, members):
        if any(not member.is_agent for member in members):
            raise serializers.ValidationError("Teams are made of staff.")
        return members
