"""Tickets: the list with its filters, creation, the detail, field edits and the history."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from attachments.actions import attach_files
from attachments.uploadhandlers import uploaded_files
from helpdesk.api import Pagination

from .. import actions, selectors
from ..queries import ORDERINGS, query_tickets
from .common import paginated, parse, staff_ticket_for, ticket_for, ticket_response
from .serializers import (
    EventSerializer,
    TicketCreateMultipartSerializer,
    TicketCreateSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
)

LIST_PARAMETERS = [
    OpenApiParameter("status", str, description="Status id or name; repeat for several."),
    OpenApiParameter("status_kind", str, description="new, open, pending, resolved, ..., spam, deleted."),
    OpenApiParameter("priority", str, description="Priority id or name."),
    OpenApiParameter("category", str, description="Category id or name."),
    OpenApiParameter("type", str, description="Type id or name."),
    OpenApiParameter("item", str, description="Item id or name."),
    OpenApiParameter("team", str, description="Team id or name, or `none`."),
    OpenApiParameter("assignee", str, description="Staff id or email, `me` or `none`."),
    OpenApiParameter("requester", str, description="Requester id or email, or `me`."),
    OpenApiParameter("tag", str),
    OpenApiParameter("reopened", bool),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("q", str, description="Words of the subject, or a ticket number."),
    OpenApiParameter("ordering", str, enum=list(ORDERINGS), description="Default: updated (newest first)."),
]


class TicketListApi(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=LIST_PARAMETERS, responses=TicketSerializer(many=True))
    def get(self, request):
        """List the tickets the caller may see; spam and deleted only when staff filter on them."""
        qs = query_tickets(
            selectors.list_ticket_rows_for_user(request.user), request.query_params, request.user
        )
        return paginated(self, request, qs, TicketSerializer)


class TicketCreateApi(APIView):
    @extend_schema(
        request={
            "application/json": TicketCreateSerializer,
            "multipart/form-data": TicketCreateMultipartSerializer,
        },
        responses={201: TicketSerializer},
    )
    def post(self, request):
        """Open a ticket: for oneself, or (staff) for the customer of `requester_email`.

        With files (multipart), the ticket and its attachments are created together or not at all.
        """
        files = uploaded_files(request)
        data = parse(TicketCreateSerializer, request)
        with transaction.atomic():
            ticket = actions.create_ticket(actor=request.user, **data)
            if files:
                attach_files(ticket=ticket, actor=request.user, files=files)
        return ticket_response(request, ticket, status=201)


class TicketDetailApi(APIView):
    @extend_schema(responses=TicketSerializer)
    def get(self, request, id):
        return Response(
            TicketSerializer(ticket_for(request.user, id, detail=True), context={"request": request}).data
        )


class TicketUpdateApi(APIView):
    @extend_schema(request=TicketUpdateSerializer, responses=TicketSerializer)
    def patch(self, request, id):
        """Change subject, priority, category/type/item and tags (staff)."""
        ticket = staff_ticket_for(request.user, id)
        changes = dict(parse(TicketUpdateSerializer, request))
        ticket = actions.update_ticket_fields(ticket=ticket, actor=request.user, **changes)
        return ticket_response(request, ticket)


class TicketHistoryApi(APIView):
    @extend_schema(responses=EventSerializer(many=True))
    def get(self, request, id):
        """Every recorded change, oldest first (staff only)."""
        ticket = staff_ticket_for(request.user, id)
        events = selectors.list_history(ticket)
        return Response(EventSerializer(events, many=True).data)
