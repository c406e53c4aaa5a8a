"""Bulk changes of tickets from a list: POST /api/v1/tickets/bulk/."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import actions
from ..actions.bulk import BULK_ACTIONS, MAX_BULK
from .common import IsAgent


class BulkRequestSerializer(serializers.Serializer):
    """For the schema only: `bulk_change_tickets` checks the values (400 naming the field)."""

    ids = serializers.ListField(child=serializers.IntegerField(), max_length=MAX_BULK)
    action = serializers.ChoiceField(choices=BULK_ACTIONS)
    status = serializers.CharField(required=False, help_text="action=status: a status id or name.")
    resolution_notes = serializers.CharField(required=False)
    assignee = serializers.CharField(
        required=False, allow_null=True, help_text="action=assign: staff id or email; null unassigns."
    )
    team = serializers.CharField(
        required=False, allow_null=True, help_text="action=assign: id or name; null."
    )
    tags = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="action=tag: replace."
    )
    add_tags = serializers.ListField(child=serializers.CharField(), required=False)
    remove_tags = serializers.ListField(child=serializers.CharField(), required=False)


class BulkFailureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    succeeded = serializers.ListField(child=serializers.IntegerField())
    failed = BulkFailureSerializer(many=True)


LISTS = ("ids", "tags", "add_tags", "remove_tags")
PARAMS = ("status", "resolution_notes", "assignee", "team", "tags", "add_tags", "remove_tags")


class TicketBulkApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(request=BulkRequestSerializer, responses=BulkResultSerializer)
    def post(self, request):
        """Apply one action (status, assign, spam, delete, tag) to up to 500 tickets.

        Each ticket goes through the same action as a single change, in its own transaction;
        tickets the caller may not see are reported as not found.
        """
        data = request.data if isinstance(request.data, dict) else {}
        if hasattr(data, "getlist"):  # a form post: repeated keys are lists
            data = {key: data.getlist(key) if key in LISTS else data[key] for key in data}
        params = {key: data[key] for key in PARAMS if key in data}
        for key in ("assignee", "team"):
            if key in params and params[key] is None:
                params[key] = "none"  # as in the single assign: null takes the assignment away
        result = actions.bulk_change_tickets(
            actor=request.user, ids=data.get("ids"), action=data.get("action"), **params
        )
        return Response({"succeeded": result.succeeded, "failed": result.failed})
