"""Input and output shapes of the tickets API (API.md). Serializers validate and render only:
every write goes through `tickets.actions`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Role, Team, User
from attachments.serializers import AttachmentSerializer
from attachments.validation import MAX_FILES

from ..actions.create import MAX_BODY
from ..errors import ActionRefused
from ..models import (
    Category,
    HelpdeskSettings,
    Item,
    Message,
    Priority,
    Status,
    Survey,
    Ticket,
    TicketEvent,
    TicketType,
)
from ..queries import lookup

DELETED_PLACEHOLDER_HTML = '<p class="text-muted"><em>This reply was deleted.</em></p>'
# Who may be given work: assignees and creators of automatic tickets.
ACTIVE_STAFF = User.objects.filter(is_active=True, role__in=(Role.ADMIN, Role.STAFF))


# --- Fields ---------------------------------------------------------------------------


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class LookupField(serializers.Field):
    """A row given by id or (when `by_name`) by its case-insensitive name; renders the id."""

    def __init__(self, queryset, *, by_name: str | None = "name", **kwargs):
        self.queryset, self.by_name = queryset, by_name
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return lookup(self.queryset.all(), data, self.field_name, by_name=self.by_name)
        except ActionRefused as refused:
            raise serializers.ValidationError(refused.reason)

    def to_representation(self, value):
        return value.pk


@extend_schema_field(OpenApiTypes.INT)
class IdField(LookupField):
    """A row given by id only."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, by_name=None, **kwargs)


# --- Output: references -----------------------------------------------------------------


class StatusRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Status
        fields = ("id", "name", "kind")


class PriorityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Priority
        fields = ("id", "name", "rank")


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "email", "name")


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "name", "role")


# --- Output: tickets, messages, history ------------------------------------------------


class TicketSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="pk", read_only=True)
    status = StatusRefSerializer()
    priority = PriorityRefSerializer()
    category = NamedRefSerializer(allow_null=True)
    type = NamedRefSerializer(allow_null=True)
    item = NamedRefSerializer(allow_null=True)
    requester = PersonSerializer()
    participants = PersonSerializer(many=True)
    assignee = PersonSerializer(allow_null=True)
    team = NamedRefSerializer(allow_null=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Ticket
        fields = (
            "id",
            "number",
            "subject",
            "description",
            "description_html",
            "status",
            "priority",
            "category",
            "type",
            "item",
            "requester",
            "participants",
            "assignee",
            "team",
            "tags",
            "reopened",
            "resolution_notes",
            "resolved_at",
            "closed_at",
            "closure_scheduled_at",
            "purge_at",
            "archived_at",
            "sla_due_at",
            "overdue",
            "first_response_due_at",
            "first_response_at",
            "next_response_due_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class TicketRowSerializer(TicketSerializer):
    """A ticket in a staff member's list: also whether a customer posted since they last looked."""

    unread = serializers.BooleanField(read_only=True, default=False)

    class Meta(TicketSerializer.Meta):
        fields = (*TicketSerializer.Meta.fields, "unread")
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    """A reply or note; a deleted one is a placeholder without its text (only staff get it)."""

    author = AuthorSerializer(allow_null=True)
    attachments = AttachmentSerializer(many=True, source="files")  # list_messages_for_user

    class Meta:
        model = Message
        fields = (
            "id",
            "author",
            "body",
            "body_html",
            "internal",
            "deleted",
            "created_at",
            "edited_at",
            "attachments",
        )
        read_only_fields = fields

    def to_representation(self, message):
        data = super().to_representation(message)
        if message.deleted:
            data.update(body="", body_html=DELETED_PLACEHOLDER_HTML, attachments=[])
        return data


class EventSerializer(serializers.ModelSerializer):
    actor = AuthorSerializer(allow_null=True)
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)

    class Meta:
        model = TicketEvent
        fields = ("id", "at", "actor", "action", "before", "after", "via")
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer):
    class Meta:
        model = Survey
        fields = ("id", "created_at", "rating", "comment", "answered_at")
        read_only_fields = fields


# --- Input: tickets ---------------------------------------------------------------------

STAFF_ONLY_ON_CREATE = ("requester_email", "tags")


class TagsField(serializers.ListField):
    child = serializers.CharField(max_length=50)

    def __init__(self, **kwargs):
        super().__init__(max_length=50, **kwargs)


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=MAX_BODY)
    category = LookupField(Category.objects.all())
    type = IdField(TicketType.objects.all(), required=False, allow_null=True)
    item = IdField(Item.objects.all(), required=False, allow_null=True)
    priority = LookupField(Priority.objects.all(), required=False, allow_null=True)
    requester_email = serializers.EmailField(required=False, help_text="Staff only: open it for this person.")
    tags = TagsField(required=False, help_text="Staff only.")

    def validate(self, data):
        """Refuse the staff-only fields from a customer (priority unless the desk allows it)."""
        user = self.context["request"].user
        if user.is_agent:
            return data
        staff_only = list(STAFF_ONLY_ON_CREATE)
        if not HelpdeskSettings.load().customer_sets_priority:
            staff_only.append("priority")
        for field in staff_only:
            if data.get(field) not in (None, "", []):
                raise serializers.ValidationError({field: ["Only staff can set this field."]})
        return data


class FilesField(serializers.ListField):
    """Multipart only; `attachments.actions.attach_files` decides what is accepted."""

    child = serializers.FileField()

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=MAX_FILES, help_text="1 to 10 files.", **kwargs)


class TicketCreateMultipartSerializer(TicketCreateSerializer):
    files = FilesField()


class TicketUpdateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=255, required=False)
    priority = LookupField(Priority.objects.all(), required=False)
    category = LookupField(Category.objects.all(), required=False)
    type = IdField(TicketType.objects.all(), required=False, allow_null=True)
    item = IdField(Item.objects.all(), required=False, allow_null=True)
    tags = TagsField(required=False)


class TransitionSerializer(serializers.Serializer):
    status = LookupField(Status.objects.all(), help_text="A status id or name.")
    resolution_notes = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_BODY, trim_whitespace=False
    )


class AssignSerializer(serializers.Serializer):
    assignee = IdField(User.objects.filter(is_active=True), required=False, allow_null=True)
    team = LookupField(Team.objects.all(), required=False, allow_null=True)


class ScheduleSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When, in the future (ISO 8601).")


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)


# --- Input: conversation and customers ------------------------------------------------


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_BODY)
    internal = serializers.BooleanField(default=False, help_text="Staff only: an internal note.")
    status = LookupField(
        Status.objects.all(), required=False, allow_null=True, help_text="Staff only: set this status too."
    )


class MessageCreateMultipartSerializer(MessageCreateSerializer):
    files = FilesField()


class MessageUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_BODY)


class SurveyAnswerSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


# --- Catalogue and settings ------------------------------------------------------------


class StatusSerializer(serializers.ModelSerializer):
    customer_reply_moves_to = StatusRefSerializer(allow_null=True)

    class Meta:
        model = Status
        fields = ("id", "name", "kind", "order", "color", "customer_reply_moves_to")
        read_only_fields = fields


class PrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Priority
        fields = ("id", "name", "rank", "color", "is_default")
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ("id", "name")
        read_only_fields = fields


class TypeSerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True)

    class Meta:
        model = TicketType
        fields = ("id", "name", "items")
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    types = TypeSerializer(many=True)

    class Meta:
        model = Category
        fields = ("id", "name", "default_team", "types")
        read_only_fields = fields


class CatalogueEntryCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    parent_category = LookupField(Category.objects.all(), required=False, allow_null=True)
    parent_type = IdField(TicketType.objects.all(), required=False, allow_null=True)
    default_team = LookupField(Team.objects.all(), required=False, allow_null=True)


class CatalogueEntrySerializer(serializers.Serializer):
    """The created category, type or item: `level` says which."""

    id = serializers.IntegerField()
    level = serializers.ChoiceField(choices=["category", "type", "item"])
    name = serializers.CharField()
    category = serializers.IntegerField(allow_null=True, help_text="The parent category of a type.")
    type = serializers.IntegerField(allow_null=True, help_text="The parent type of an item.")
    default_team = serializers.IntegerField(allow_null=True)

    def to_representation(self, entry):
        level = {Category: "category", TicketType: "type", Item: "item"}[type(entry)]
        return {
            "id": entry.pk,
            "level": level,
            "name": entry.name,
            "category": getattr(entry, "category_id", None),
            "type": getattr(entry, "type_id", None),
            "default_team": getattr(entry, "default_team_id", None),
            **({"types": []} if level == "category" else {"items": []} if level == "type" else {}),
        }


DAYS = {"min_value": 0, "max_value": 36500}


class SettingsSerializer(serializers.ModelSerializer):
    """The settings record; on PATCH every field is optional."""

    staff_reply_status = LookupField(Status.objects.filter(active=True), required=False, allow_null=True)

    class Meta:
        model = HelpdeskSettings
        fields = (
            "reopen_window_days",
            "edit_window_minutes",
            "max_attachment_mb",
            "guest_submission_enabled",
            "spam_retention_days",
            "deleted_retention_days",
            "customer_sets_priority",
            "staff_reply_status",
            "preclose_warning_days",
            "email_follow_up_on_closed",
        )
        extra_kwargs = {
            "preclose_warning_days": DAYS,
            "reopen_window_days": DAYS,
            "edit_window_minutes": {"min_value": 0, "max_value": 525600},
            "max_attachment_mb": {"min_value": 1, "max_value": 10240},
            "spam_retention_days": DAYS,
            "deleted_retention_days": DAYS,
        }
