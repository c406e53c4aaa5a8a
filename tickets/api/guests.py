"""The guest API (API.md "Guests"): open a ticket without an account; read and answer it with
the access link's `?token=`. A wrong token answers 404, an address that keeps trying 429."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from attachments.uploadhandlers import uploaded_files

from .. import actions, ratelimit, selectors
from ..actions.create import MAX_BODY
from ..actions.guests import submit_guest_ticket
from ..errors import ActionRefused
from ..guests import guest_request_limit, guest_ticket_for
from ..models import Category, HelpdeskSettings, Item, Priority, TicketType
from .common import paginated, parse
from .conversation import ConversationPagination
from .serializers import (
    FilesField,
    IdField,
    LookupField,
    MessageCreateMultipartSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    TicketSerializer,
)

TOKEN = OpenApiParameter("token", str, required=True, description="The token of the emailed access link.")


class GuestTicketCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    subject = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=MAX_BODY)
    category = LookupField(Category.objects.all())
    type = IdField(TicketType.objects.all(), required=False, allow_null=True)
    item = IdField(Item.objects.all(), required=False, allow_null=True)
    priority = LookupField(
        Priority.objects.all(),
        required=False,
        allow_null=True,
        help_text="Only when the desk lets customers.",
    )


class GuestTicketCreateMultipartSerializer(GuestTicketCreateSerializer):
    files = FilesField()


class GuestTicketCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class GuestApi(APIView):
    """No login: the token (or, to open a ticket, nothing) is the credential."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]


def refuse_oversized(request) -> None:
    """413 before any of the body is read (DRF parses lazily, on first use of request.data)."""
    if ratelimit.request_too_large(request, guest_request_limit(HelpdeskSettings.load())):
        raise ActionRefused("The request is too large.", "too_large")


def guest_ticket(request, id, *, detail: bool = False):
    token = request.query_params.get("token", "")
    return guest_ticket_for(request, id, token, selectors.ticket_detail_qs() if detail else None)


class GuestTicketCreateApi(GuestApi):
    @extend_schema(
        request={
            "application/json": GuestTicketCreateSerializer,
            "multipart/form-data": GuestTicketCreateMultipartSerializer,
        },
        responses={201: GuestTicketCreatedSerializer},
    )
    def post(self, request):
        """Open a ticket as a guest; the access link is emailed to `email`, never returned."""
        if not HelpdeskSettings.load().guest_submission_enabled:
            raise Http404("Guest submission is switched off.")
        refuse_oversized(request)
        ip = ratelimit.client_ip(request)
        ratelimit.hit(ratelimit.SUBMIT_PER_IP, ip)
        ratelimit.hit(ratelimit.SUBMIT_PER_IP_HOUR, ip)
        files = uploaded_files(request)
        data = parse(GuestTicketCreateSerializer, request)
        ratelimit.hit(ratelimit.SUBMIT_PER_ADDRESS, data["email"])
        ticket = submit_guest_ticket(files=files, **data)
        return Response({"id": ticket.pk, "number": ticket.number}, status=201)


class GuestTicketDetailApi(GuestApi):
    @extend_schema(parameters=[TOKEN], responses=TicketSerializer)
    def get(self, request, id):
        """The ticket as its requester sees it."""
        ticket = guest_ticket(request, id, detail=True)
        return Response(TicketSerializer(ticket, context={"request": request}).data)


class GuestMessageListApi(GuestApi):
    pagination_class = ConversationPagination

    @extend_schema(parameters=[TOKEN], responses=MessageSerializer(many=True))
    def get(self, request, id):
        """The public conversation, oldest first (never internal notes or deleted replies)."""
        ticket = guest_ticket(request, id)
        messages = selectors.list_messages_for_user(ticket, ticket.requester)
        return paginated(self, request, messages, MessageSerializer, ConversationPagination)


class GuestMessageCreateApi(GuestApi):
    @extend_schema(
        parameters=[TOKEN],
        request={
            "application/json": MessageCreateSerializer,
            "multipart/form-data": MessageCreateMultipartSerializer,
        },
        responses={201: MessageSerializer},
    )
    def post(self, request, id):
        """Reply as the requester, with files if multipart; 409 when the ticket takes no replies."""
        refuse_oversized(request)
        ticket = guest_ticket(request, id)
        files = uploaded_files(request)
        data = parse(MessageCreateSerializer, request)
        message = actions.add_message(
            ticket=ticket,
            actor=ticket.requester,
            body=data["body"],
            internal=data["internal"],
            status=data.get("status"),
            files=files,
        )
        fresh = selectors.list_messages_for_user(ticket, ticket.requester).get(pk=message.pk)
        return Response(MessageSerializer(fresh, context={"request": request}).data, status=201)
