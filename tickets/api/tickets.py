"""Tickets: the list with its filters, creation, the detail, field edits and the history."""

from functools import partial

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from attachments.uploadhandlers import uploaded_files
from helpdesk.api import Pagination

from .. import actions, selectors
from ..models import Ticket
from ..queries import ORDERINGS, list_tickets, rank_fallback, resolve_params
from ..queue_rows import QueuePaginator, load_ticket_rows
from ..queues import QUEUES
from .common import created_ticket_response, parse, staff_ticket_for, ticket_for, ticket_response
from .serializers import (
    EventSerializer,
    TicketCreateMultipartSerializer,
    TicketCreateSerializer,
    TicketRowSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
)

LIST_PARAMETERS = [
    OpenApiParameter(
        "queue",
        str,
        enum=list(QUEUES),
        description="Staff: default (scope, mine and my teams), mine, teams, unassigned, all (needs "
        "view_all), spam, deleted. Without it: every ticket the caller may see, spam and deleted "
        "only when a status filter asks for them.",
    ),
    OpenApiParameter(
        "view", int, description="A saved view's id: its filters and sort, under the given ones."
    ),
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
    OpenApiParameter(
        "created_after", str, description="ISO date or date-time; a date counts from its start."
    ),
    OpenApiParameter("created_before", str, description="ISO date or date-time; a date counts to its end."),
    OpenApiParameter("updated_after", str),
    OpenApiParameter("updated_before", str),
    OpenApiParameter(
        "q",
        str,
        description="Full-text search of subject, description and replies (customers: public text only), "
        "or a ticket number (`#1234`); best matches first unless an ordering is given.",
    ),
    OpenApiParameter("ordering", str, enum=list(ORDERINGS), description="Default: updated (newest first)."),
]


class TicketListPagination(Pagination):
    """Pages read in two short queries; counts past 1,000 are estimates (tickets.queue_rows)."""

    def __init__(self, *, load_rows, fallback_ordering=None):
        self.django_paginator_class = partial(
            QueuePaginator, load_rows=load_rows, fallback_ordering=fallback_ordering
        )


class TicketListApi(APIView):
    # For the schema: the answer is a page {"count","next","previous","results"}.
    pagination_class = Pagination

    @extend_schema(parameters=LIST_PARAMETERS, responses=TicketRowSerializer(many=True))
    def get(self, request):
        """List the tickets the caller may see, by queue, saved view, filters, search and sort.

        Staff rows say whether a customer posted since the caller last opened the ticket (`unread`).
        """
        user = request.user
        params, _view = resolve_params(user, request.query_params)
        qs = list_tickets(user, params, Ticket.objects.all())
        paginator = TicketListPagination(
            load_rows=partial(load_ticket_rows, user=user, participants=True),
            fallback_ordering=rank_fallback(params),
        )
        rows = paginator.paginate_queryset(qs, request, view=self)
        serializer = TicketRowSerializer if user.is_agent else TicketSerializer
        return paginator.get_paginated_response(
            serializer(rows, many=True, context={"request": request}).data
        )


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
        ticket = actions.create_ticket(actor=request.user, files=files, **data)
        return created_ticket_response(request, ticket)


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
