"""Webhooks (admins): list, add, read, change, delete, and read a webhook's delivery log.

The secret is write-only: it signs the deliveries and is never answered back.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import Pagination

from .. import selectors
from ..actions.webhooks import delete_webhook, save_webhook
from ..models import Webhook, WebhookDelivery, WebhookEvent
from .common import IsAdmin, paginated, parse


def _events(**kwargs):
    return serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), **kwargs)


class WebhookSerializer(serializers.ModelSerializer):
    events = _events(read_only=True)

    class Meta:
        model = Webhook
        fields = ("id", "name", "url", "events", "active", "allow_private", "created_at")
        read_only_fields = fields


class WebhookWriteSerializer(serializers.Serializer):
    """A webhook's fields; on PATCH any subset."""

    name = serializers.CharField(max_length=100)
    url = serializers.URLField(
        max_length=500,
        help_text="http:// or https:// address that receives a POST. Loopback, private, link-local and "
        "reserved addresses are refused unless allow_private.",
    )
    events = _events(allow_empty=False, max_length=len(WebhookEvent.values))
    secret = serializers.CharField(
        max_length=200,
        write_only=True,
        help_text="Key of the X-Helpdesk-Signature header (sha256=HMAC of the body). Never answered back.",
    )
    active = serializers.BooleanField(required=False)
    allow_private = serializers.BooleanField(
        required=False, help_text="Allow loopback, private and link-local addresses."
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    ticket = serializers.IntegerField(source="ticket_id", allow_null=True, read_only=True)
    payload = serializers.JSONField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "event",
            "ticket",
            "payload",
            "status_code",
            "response_excerpt",
            "attempts",
            "error",
            "created_at",
            "delivered_at",
        )
        read_only_fields = fields


class WebhookListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = Pagination

    @extend_schema(responses=WebhookSerializer(many=True))
    def get(self, request):
        """Every webhook, by name (without its secret)."""
        return paginated(self, request, selectors.list_webhooks(), WebhookSerializer)


class WebhookCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=WebhookWriteSerializer, responses={201: WebhookSerializer})
    def post(self, request):
        """Add a webhook: the events POSTed to `url`, signed with `secret`."""
        webhook = save_webhook(actor=request.user, **parse(WebhookWriteSerializer, request))
        return Response(WebhookSerializer(webhook).data, status=201)


class WebhookDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=WebhookSerializer)
    def get(self, request, id):
        return Response(WebhookSerializer(get_object_or_404(Webhook, pk=id)).data)


class WebhookUpdateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=WebhookWriteSerializer, responses=WebhookSerializer)
    def patch(self, request, id):
        """Change the given fields (a new `secret` signs the deliveries from now on)."""
        webhook = get_object_or_404(Webhook, pk=id)
        data = parse(WebhookWriteSerializer, request, partial=True)
        return Response(WebhookSerializer(save_webhook(actor=request.user, webhook=webhook, **data)).data)


class WebhookDeleteApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses={204: None})
    def delete(self, request, id):
        """Delete the webhook and its delivery log."""
        delete_webhook(actor=request.user, webhook=get_object_or_404(Webhook, pk=id))
        return Response(status=204)


class WebhookDeliveryListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = Pagination

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    def get(self, request, id):
        """The webhook's delivery log, newest first: what was sent, the answer, attempts and errors."""
        webhook = get_object_or_404(Webhook, pk=id)
        return paginated(self, request, selectors.list_webhook_deliveries(webhook), WebhookDeliverySerializer)
