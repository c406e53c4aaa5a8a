"""Business-hours calendars of SLA plans: staff read them, admins add them and their holidays."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from ..actions.calendars import add_holiday, save_business_calendar
from ..models import BusinessCalendar, Holiday
from .common import IsAdmin, IsAgent, parse


class HolidaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ("id", "date", "name")
        read_only_fields = ("id",)


class BusinessCalendarSerializer(serializers.ModelSerializer):
    holidays = HolidaySerializer(many=True, read_only=True)

    class Meta:
        model = BusinessCalendar
        fields = ("id", "name", "time_zone", "working_hours", "holidays")
        read_only_fields = fields


class BusinessCalendarWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    time_zone = serializers.CharField(max_length=64)
    working_hours = serializers.JSONField(
        help_text='Weekday (0 = Monday) to ranges: {"0": [["08:00", "18:00"]]}'
    )


class CalendarListApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(responses=BusinessCalendarSerializer(many=True))
    def get(self, request):
        """Every business-hours calendar with its holidays."""
        calendars = BusinessCalendar.objects.prefetch_related("holidays").order_by("name")
        return Response(BusinessCalendarSerializer(calendars, many=True).data)


class CalendarCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=BusinessCalendarWriteSerializer, responses={201: BusinessCalendarSerializer})
    def post(self, request):
        """Add a calendar: an IANA time zone and working hours per weekday (0 = Monday)."""
        data = parse(BusinessCalendarWriteSerializer, request)
        calendar = save_business_calendar(actor=request.user, **data)
        return Response(BusinessCalendarSerializer(calendar).data, status=201)


class CalendarHolidayCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=HolidaySerializer, responses={201: HolidaySerializer})
    def post(self, request, id):
        """Add a holiday (a date in the calendar's time zone) to a calendar."""
        calendar = get_object_or_404(BusinessCalendar, pk=id)
        data = parse(HolidaySerializer, request)
        holiday = add_holiday(actor=request.user, calendar=calendar, **data)
        return Response(HolidaySerializer(holiday).data, status=201)
