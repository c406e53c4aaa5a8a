"""SLA plans, read-only for staff (admins change them in the Django admin)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..models import SLAPlan
from .common import IsAgent
from .serializers import NamedRefSerializer


class SLAPlanSerializer(serializers.ModelSerializer):
    priority = NamedRefSerializer()
    category = NamedRefSerializer(allow_null=True)
    calendar = NamedRefSerializer(allow_null=True)

    class Meta:
        model = SLAPlan
        fields = (
            "id",
            "name",
            "priority",
            "category",
            "first_response_hours",
            "next_response_hours",
            "resolution_hours",
            "calendar",
            "active",
        )
        read_only_fields = fields


class SLAPlanListApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(responses=SLAPlanSerializer(many=True))
    def get(self, request):
        """Every SLA plan: targets in hours by priority and optionally category."""
        return Response(SLAPlanSerializer(selectors.list_sla_plans(), many=True).data)
