"""Automation rules (admins): list, add, read, change, delete, and the dry run of one rule."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Team
from helpdesk.api import Pagination

from .. import automation, selectors
from ..actions.automation_rules import RULE_FIELDS, delete_automation_rule, save_automation_rule
from ..actions.create import MAX_BODY
from ..models import Category, Priority, Status, StatusKind, Tag, Ticket
from ..models_automation import AutomationEvent, AutomationRule
from .common import IsAdmin, paginated, parse
from .serializers import (
    ACTIVE_STAFF,
    IdField,
    LookupField,
    NamedRefSerializer,
    PersonSerializer,
    PriorityRefSerializer,
    StatusRefSerializer,
    TagsField,
)

MAX_IDLE_HOURS = 24 * 365 * 10


class AutomationRuleSerializer(serializers.ModelSerializer):
    if_category = NamedRefSerializer(allow_null=True)
    if_priority = PriorityRefSerializer(allow_null=True)
    if_team = NamedRefSerializer(allow_null=True)
    if_tag = NamedRefSerializer(allow_null=True)
    set_status = StatusRefSerializer(allow_null=True)
    set_priority = PriorityRefSerializer(allow_null=True)
    set_team = NamedRefSerializer(allow_null=True)
    set_assignee = PersonSerializer(allow_null=True)
    add_tags = serializers.SerializerMethodField()

    class Meta:
        model = AutomationRule
        fields = ("id", *RULE_FIELDS, "created_at")
        read_only_fields = fields

    def get_add_tags(self, rule) -> list[str]:
        return rule.tag_names()


class AutomationRuleWriteSerializer(serializers.Serializer):
    """A rule's fields; on PATCH any subset. An empty condition matches every ticket."""

    name = serializers.CharField(max_length=100)
    active = serializers.BooleanField(required=False)
    order = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, help_text="Rules run in this order, lowest first."
    )
    event = serializers.ChoiceField(choices=AutomationEvent.choices)
    idle_hours = serializers.IntegerField(
        min_value=1,
        max_value=MAX_IDLE_HOURS,
        required=False,
        allow_null=True,
        help_text="For the idle event (and only for it): hours without any update.",
    )
    if_category = LookupField(Category.objects.all(), required=False, allow_null=True)
    if_priority = LookupField(Priority.objects.all(), required=False, allow_null=True)
    if_status_kind = serializers.ChoiceField(choices=StatusKind.choices, required=False, allow_blank=True)
    if_team = LookupField(Team.objects.all(), required=False, allow_null=True)
    if_tag = LookupField(Tag.objects.all(), required=False, allow_null=True)
    if_requester_domain = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text="e.g. example.com."
    )
    if_subject_contains = serializers.CharField(max_length=200, required=False, allow_blank=True)
    if_body_contains = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="In the description or a customer's reply.",
    )
    set_status = LookupField(Status.objects.all(), required=False, allow_null=True)
    set_priority = LookupField(Priority.objects.all(), required=False, allow_null=True)
    set_team = LookupField(Team.objects.all(), required=False, allow_null=True)
    set_assignee = IdField(ACTIVE_STAFF, required=False, allow_null=True)
    add_tags = TagsField(required=False)
    add_note = serializers.CharField(
        max_length=MAX_BODY, required=False, allow_blank=True, help_text="An internal note to add."
    )
    reply_text = serializers.CharField(
        max_length=MAX_BODY,
        required=False,
        allow_blank=True,
        help_text="A public reply; may hold {{ ticket.number }}, {{ ticket.subject }}, {{ requester.name }} "
        "and {{ requester.email }}.",
    )


class PreviewTicketSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="pk", read_only=True)
    status = StatusRefSerializer()
    requester = PersonSerializer()

    class Meta:
        model = Ticket
        fields = ("id", "number", "subject", "status", "requester", "updated_at")
        read_only_fields = fields


class AutomationPreviewSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many open tickets the rule matches now.")
    limit = serializers.IntegerField(help_text="At most this many are listed.")
    tickets = PreviewTicketSerializer(many=True, help_text="The most recently updated first.")


def _rule_response(rule: AutomationRule, status: int = 200) -> Response:
    rule = selectors.list_automation_rules().get(pk=rule.pk)
    return Response(AutomationRuleSerializer(rule).data, status=status)


class AutomationRuleListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = Pagination

    @extend_schema(responses=AutomationRuleSerializer(many=True))
    def get(self, request):
        """Every automation rule, in the order they run."""
        return paginated(self, request, selectors.list_automation_rules(), AutomationRuleSerializer)


class AutomationRuleCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=AutomationRuleWriteSerializer, responses={201: AutomationRuleSerializer})
    def post(self, request):
        """Add a rule: when `event`, if the given conditions all match, then its actions (at least one)."""
        rule = save_automation_rule(actor=request.user, **parse(AutomationRuleWriteSerializer, request))
        return _rule_response(rule, status=201)


class AutomationRuleDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=AutomationRuleSerializer)
    def get(self, request, id):
        return Response(
            AutomationRuleSerializer(get_object_or_404(selectors.list_automation_rules(), pk=id)).data
        )


class AutomationRuleUpdateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=AutomationRuleWriteSerializer, responses=AutomationRuleSerializer)
    def patch(self, request, id):
        """Change the given fields; the rule as a whole is checked again."""
        rule = get_object_or_404(AutomationRule, pk=id)
        data = parse(AutomationRuleWriteSerializer, request, partial=True)
        return _rule_response(save_automation_rule(actor=request.user, rule=rule, **data))


class AutomationRuleDeleteApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses={204: None})
    def delete(self, request, id):
        delete_automation_rule(actor=request.user, rule=get_object_or_404(AutomationRule, pk=id))
        return Response(status=204)


class AutomationRulePreviewApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=AutomationPreviewSerializer)
    def get(self, request, id):
        """Dry run: the open tickets the rule's conditions match now (idle rules: idle long enough).

        Reads only: nothing runs and nothing changes.
        """
        count, tickets = automation.preview_rule(get_object_or_404(AutomationRule, pk=id))
        preview = {"count": count, "limit": automation.PREVIEW_LIMIT, "tickets": tickets}
        return Response(AutomationPreviewSerializer(preview).data)
