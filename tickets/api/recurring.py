"""Recurring tickets (admins): list, add, read, change, delete a ticket template and its schedule."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Team, User
from helpdesk.api import Pagination

from .. import selectors
from ..actions.create import MAX_BODY
from ..actions.recurring import RECURRING_FIELDS, delete_recurring_ticket, save_recurring_ticket
from ..models import Category, Item, Priority, RecurringTicket, Schedule, TicketType
from .common import IsAdmin, paginated, parse
from .serializers import (
    ACTIVE_STAFF,
    IdField,
    LookupField,
    NamedRefSerializer,
    PersonSerializer,
    PriorityRefSerializer,
)


class RecurringTicketSerializer(serializers.ModelSerializer):
    category = NamedRefSerializer()
    type = NamedRefSerializer(allow_null=True)
    item = NamedRefSerializer(allow_null=True)
    priority = PriorityRefSerializer(allow_null=True)
    team = NamedRefSerializer(allow_null=True)
    assignee = PersonSerializer(allow_null=True)
    requester = PersonSerializer()
    created_by = PersonSerializer()

    class Meta:
        model = RecurringTicket
        fields = ("id", *RECURRING_FIELDS, "next_run_at", "last_run_at", "created_at")
        read_only_fields = fields


class RecurringTicketWriteSerializer(serializers.Serializer):
    """A template and its schedule; on PATCH any subset. Times are local to `time_zone`."""

    name = serializers.CharField(max_length=100)
    schedule = serializers.ChoiceField(choices=Schedule.choices, required=False)
    weekday = serializers.IntegerField(
        min_value=0,
        max_value=6,
        required=False,
        allow_null=True,
        help_text="Weekly: 0 = Monday … 6 = Sunday.",
    )
    day_of_month = serializers.IntegerField(
        min_value=1,
        max_value=31,
        required=False,
        allow_null=True,
        help_text="Monthly: 1–31; a month without that day uses its last day.",
    )
    cron = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Cron: five fields (minute hour day month weekday), local time.",
    )
    time_of_day = serializers.TimeField(required=False, help_text="Daily, weekly, monthly: local time.")
    time_zone = serializers.CharField(max_length=64, required=False, help_text="e.g. Europe/Berlin.")
    subject = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=MAX_BODY)
    category = LookupField(Category.objects.all())
    type = IdField(TicketType.objects.all(), required=False, allow_null=True)
    item = IdField(Item.objects.all(), required=False, allow_null=True)
    priority = LookupField(Priority.objects.all(), required=False, allow_null=True)
    team = LookupField(Team.objects.all(), required=False, allow_null=True)
    assignee = IdField(ACTIVE_STAFF, required=False, allow_null=True)
    requester = IdField(
        User.objects.filter(is_active=True), help_text="A customer, or a staff member for an internal ticket."
    )
    created_by = IdField(
        ACTIVE_STAFF,
        required=False,
        help_text="The staff member the tickets are opened as; the caller by default.",
    )
    active = serializers.BooleanField(required=False)


def _recurring_response(recurring: RecurringTicket, status: int = 200) -> Response:
    recurring = selectors.list_recurring_tickets().get(pk=recurring.pk)
    return Response(RecurringTicketSerializer(recurring).data, status=status)


class RecurringTicketListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = Pagination

    @extend_schema(responses=RecurringTicketSerializer(many=True))
    def get(self, request):
        """Every recurring ticket, by name, with when it opens next."""
        return paginated(self, request, selectors.list_recurring_tickets(), RecurringTicketSerializer)


class RecurringTicketCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=RecurringTicketWriteSerializer, responses={201: RecurringTicketSerializer})
    def post(self, request):
        """Add a recurring ticket: daily, weekly (weekday), monthly (day_of_month) or cron."""
        data = parse(RecurringTicketWriteSerializer, request)
        return _recurring_response(save_recurring_ticket(actor=request.user, **data), status=201)


class RecurringTicketDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=RecurringTicketSerializer)
    def get(self, request, id):
        recurring = get_object_or_404(selectors.list_recurring_tickets(), pk=id)
        return Response(RecurringTicketSerializer(recurring).data)


class RecurringTicketUpdateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=RecurringTicketWriteSerializer, responses=RecurringTicketSerializer)
    def patch(self, request, id):
        """Change the given fields; the schedule is planned again from now."""
        recurring = get_object_or_404(RecurringTicket, pk=id)
        data = parse(RecurringTicketWriteSerializer, request, partial=True)
        return _recurring_response(save_recurring_ticket(actor=request.user, recurring=recurring, **data))


class RecurringTicketDeleteApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses={204: None})
    def delete(self, request, id):
        """Delete the schedule and its runs; the tickets it opened stay."""
        delete_recurring_ticket(actor=request.user, recurring=get_object_or_404(RecurringTicket, pk=id))
        return Response(status=204)
