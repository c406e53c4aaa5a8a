"""Links API (API.md): staff only. Hidden tickets answer 404, customers who see one 403."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.access import access_ticket_by_id
from tickets.api.common import IsAgent, route
from tickets.errors import ActionRefused
from tickets.lifecycle import require_agent
from tickets.models import Ticket

from . import actions, selectors
from .models import LinkType
from .serializers import (
    LinkCreateSerializer,
    LinkedTicketSerializer,
    ResolveChildrenResultSerializer,
    ResolveChildrenSerializer,
    TicketLinkSerializer,
)


def staff_ticket(user, ticket_id) -> Ticket:
    """404 when the caller cannot see the ticket; then 403 unless they are staff."""
    ticket = access_ticket_by_id(user, ticket_id)
    require_agent(user, "Links between tickets")
    return ticket


def target_for(user, target_id) -> Ticket:
    target = selectors.find_link_target(user, target_id)
    if target is None:
        raise ActionRefused(f"There is no ticket #{target_id} you can see.", "invalid", "target")
    return target


def parse(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TicketLinkListApi(APIView):
    @extend_schema(responses=TicketLinkSerializer(many=True))
    def get(self, request, ticket_id: int):
        """The ticket's links to tickets the caller can see, in both directions' reading."""
        ticket = staff_ticket(request.user, ticket_id)
        links = selectors.list_links_for_user(ticket, request.user)
        return Response(TicketLinkSerializer(links, many=True).data)


class TicketLinkCreateApi(APIView):
    @extend_schema(
        request=LinkCreateSerializer,
        responses={201: TicketLinkSerializer, 400: OpenApiResponse(description="Self-link, duplicate.")},
    )
    def post(self, request, ticket_id: int):
        """Link this ticket to another; the inverse link appears on the other ticket."""
        ticket = staff_ticket(request.user, ticket_id)
        data = parse(LinkCreateSerializer, request.data)
        target = target_for(request.user, data["target"])
        link = actions.link_tickets(actor=request.user, source=ticket, target=target, type=data["type"])
        return Response(TicketLinkSerializer(link).data, status=status.HTTP_201_CREATED)


class TicketLinkDeleteApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("type", str, required=True, enum=list(LinkType.values))],
        responses={204: None, 404: OpenApiResponse(description="No such link.")},
    )
    def delete(self, request, ticket_id: int, target_id: int):
        """Remove the link and its inverse."""
        ticket = staff_ticket(request.user, ticket_id)
        link_type = request.query_params.get("type")
        if not link_type:
            raise ValidationError({"type": ["This query parameter is required."]})
        target = selectors.find_link_target(request.user, target_id)
        if target is None:
            raise ActionRefused("No such link.", "not_found")
        actions.unlink_tickets(actor=request.user, source=ticket, target=target, type=link_type)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TicketLinkSearchApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="A number (1234 or #1234) or words of the subject."),
            OpenApiParameter("exclude", int, description="A ticket to leave out (the one being linked)."),
        ],
        responses=LinkedTicketSerializer(many=True),
    )
    def get(self, request):
        """Up to 20 tickets the caller can see, for the link picker."""
        exclude = selectors.find_link_target(request.user, request.query_params.get("exclude"))
        tickets = selectors.link_search(request.user, request.query_params.get("q", ""), exclude=exclude)
        return Response(LinkedTicketSerializer(tickets, many=True).data)


class TicketResolveChildrenApi(APIView):
    @extend_schema(request=ResolveChildrenSerializer, responses=ResolveChildrenResultSerializer)
    def post(self, request, ticket_id: int):
        """Resolve every child not yet resolved or closed, with the parent's notes by default."""
        ticket = staff_ticket(request.user, ticket_id)
        data = parse(ResolveChildrenSerializer, request.data)
        count = actions.resolve_children(
            actor=request.user, parent=ticket, resolution_notes=data.get("resolution_notes")
        )
        return Response(ResolveChildrenResultSerializer({"resolved": count}).data)


ticket_links = route(TicketLinkListApi, TicketLinkCreateApi)
