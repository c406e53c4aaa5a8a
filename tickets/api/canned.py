"""Canned replies (macros): list, save, delete, and apply one to a ticket."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import Pagination

from .. import actions, selectors
from ..actions.create import MAX_BODY
from ..canned import access_canned_reply_by_id, list_canned_replies_for_user
from ..models import CannedReply, Priority, Status
from .common import IsAgent, paginated, parse, staff_ticket_for
from .serializers import (
    LookupField,
    MessageSerializer,
    PriorityRefSerializer,
    StatusRefSerializer,
    TagsField,
    TicketSerializer,
)


class CannedReplySerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()
    set_status = StatusRefSerializer(allow_null=True)
    set_priority = PriorityRefSerializer(allow_null=True)
    add_tags = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = CannedReply
        fields = (
            "id",
            "title",
            "body",
            "shared",
            "owner",
            "mine",
            "set_status",
            "set_priority",
            "add_tags",
            "created_at",
        )
        read_only_fields = fields

    def get_owner(self, canned) -> dict | None:
        return None if canned.owner is None else {"id": canned.owner_id, "name": str(canned.owner)}

    def get_mine(self, canned) -> bool:
        return canned.owner_id == self.context["request"].user.pk


class CannedReplyCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    body = serializers.CharField(
        max_length=MAX_BODY,
        help_text="Markdown; may hold {{ ticket.number }}, {{ ticket.subject }}, {{ requester.name }}, "
        "{{ requester.email }} and {{ agent.name }}.",
    )
    shared = serializers.BooleanField(default=False, help_text="Offer it to all staff (admins only).")
    set_status = LookupField(Status.objects.filter(active=True), required=False, allow_null=True)
    set_priority = LookupField(Priority.objects.all(), required=False, allow_null=True)
    add_tags = TagsField(required=False)


class CannedReplyApplySerializer(serializers.Serializer):
    canned_reply = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The canned reply's id."
    )
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_BODY,
        help_text="The text to post, when edited; empty: the canned body filled in for the ticket.",
    )
    internal = serializers.BooleanField(default=False, help_text="Post it as an internal note.")


class CannedReplyListApi(APIView):
    permission_classes = [IsAgent]
    pagination_class = Pagination

    @extend_schema(responses=CannedReplySerializer(many=True))
    def get(self, request):
        """The caller's own canned replies and the shared ones, by title."""
        qs = list_canned_replies_for_user(request.user)
        return paginated(self, request, qs, CannedReplySerializer)


class CannedReplyCreateApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(request=CannedReplyCreateSerializer, responses={201: CannedReplySerializer})
    def post(self, request):
        """Save a canned reply: personal, or shared with all staff (admins only)."""
        # The new row holds the objects it was made from (owner, status, priority): no re-read.
        canned = actions.save_canned_reply(actor=request.user, **parse(CannedReplyCreateSerializer, request))
        return Response(CannedReplySerializer(canned, context={"request": request}).data, status=201)


class CannedReplyDeleteApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(responses={204: None})
    def delete(self, request, id):
        """Delete a canned reply: the owner a personal one, an admin a shared one."""
        canned = access_canned_reply_by_id(request.user, id)
        actions.delete_canned_reply(canned_reply=canned, actor=request.user)
        return Response(status=204)


class TicketApplyCannedReplyApi(APIView):
    @extend_schema(
        request=CannedReplyApplySerializer,
        responses={
            201: inline_serializer(
                "AppliedCannedReply", {"message": MessageSerializer(), "ticket": TicketSerializer()}
            )
        },
    )
    def post(self, request, id):
        """Post a canned reply (or its edited text) and set its status, priority and tags at once."""
        ticket = staff_ticket_for(request.user, id)
        data = parse(CannedReplyApplySerializer, request)
        canned = access_canned_reply_by_id(request.user, data["canned_reply"])
        message = actions.apply_canned_reply(
            ticket=ticket,
            actor=request.user,
            canned_reply=canned,
            body=data.get("body"),
            internal=data["internal"],
        )
        context = {"request": request}
        fresh = selectors.list_messages_for_user(ticket, request.user).get(pk=message.pk)
        return Response(
            {
                "message": MessageSerializer(fresh, context=context).data,
                "ticket": TicketSerializer(selectors.get_ticket_detail(ticket.pk), context=context).data,
            },
            status=201,
        )
