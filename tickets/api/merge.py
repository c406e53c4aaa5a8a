"""Merge a duplicate ticket into another (issue 11)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from ..actions.merge import merge_tickets
from ..models import Ticket
from .common import parse, staff_ticket_for, ticket_response
from .serializers import TicketSerializer


class MergeSerializer(serializers.Serializer):
    target = serializers.IntegerField(min_value=1, help_text="Number of the ticket to merge into.")
    confirm = serializers.BooleanField(
        default=False, help_text="Merge even though the tickets have different requesters."
    )


class TicketMergeApi(APIView):
    @extend_schema(
        request=MergeSerializer,
        responses={
            200: TicketSerializer,
            400: OpenApiResponse(description="Unknown or unmergeable target"),
            409: OpenApiResponse(description="Different requesters: send again with confirm=true"),
        },
    )
    def post(self, request, id):
        """Merge this ticket into `target`: conversation, files and people move; this one closes as a
        duplicate and its requester is told. Returns the target."""
        source = staff_ticket_for(request.user, id)
        data = parse(MergeSerializer, request)
        target = Ticket.objects.filter(pk=data["target"]).first() or Ticket(pk=data["target"])
        target = merge_tickets(
            actor=request.user, source=source, target=target, confirm_cross_customer=data["confirm"]
        )
        return ticket_response(request, target)
