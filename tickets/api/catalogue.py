"""The catalogue a form needs (statuses, priorities, category → type → item) and the
settings record, which only admins change."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import actions, selectors
from ..models import HelpdeskSettings
from .common import IsAdmin, parse
from .serializers import (
    CatalogueEntryCreateSerializer,
    CatalogueEntrySerializer,
    CategorySerializer,
    PrioritySerializer,
    SettingsSerializer,
    StatusSerializer,
)


class StatusListApi(APIView):
    @extend_schema(responses=StatusSerializer(many=True))
    def get(self, request):
        """The active statuses in workflow order."""
        return Response(StatusSerializer(selectors.list_statuses(), many=True).data)


class PriorityListApi(APIView):
    @extend_schema(responses=PrioritySerializer(many=True))
    def get(self, request):
        """The priorities, least urgent first (a higher rank is more urgent)."""
        return Response(PrioritySerializer(selectors.list_priorities(), many=True).data)


class CategoryListApi(APIView):
    permission_classes = [AllowAny]  # the guest form needs the cascade

    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request):
        """The active categories with their active types and items."""
        return Response(CategorySerializer(selectors.list_category_tree(), many=True).data)


class CategoryCreateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=CatalogueEntryCreateSerializer, responses={201: CatalogueEntrySerializer})
    def post(self, request):
        """Add a category; with `parent_category` a type of it; with `parent_type` an item of it."""
        data = parse(CatalogueEntryCreateSerializer, request)
        entry = actions.create_catalogue_entry(actor=request.user, **data)
        return Response(CatalogueEntrySerializer(entry).data, status=201)


class SettingsDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=SettingsSerializer)
    def get(self, request):
        return Response(SettingsSerializer(HelpdeskSettings.load()).data)


class SettingsUpdateApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=SettingsSerializer, responses=SettingsSerializer)
    def patch(self, request):
        """Change some settings; the fields left out keep their values."""
        data = parse(SettingsSerializer, request, partial=True)
        return Response(SettingsSerializer(actions.update_settings(actor=request.user, **data)).data)
