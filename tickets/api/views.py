"""Saved views of the queue: list, save, rename, delete (API.md "Surveys and saved views")."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import actions
from ..access import access_saved_view_by_id
from ..models import SavedView
from ..queries import ORDERINGS
from ..queues import list_saved_views
from .common import IsAgent, parse


class SavedViewSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()

    class Meta:
        model = SavedView
        fields = ("id", "name", "filters", "ordering", "shared", "owner", "mine", "created_at")
        read_only_fields = fields

    def get_owner(self, view) -> dict:
        return {"id": view.owner_id, "name": str(view.owner)}

    def get_mine(self, view) -> bool:
        return view.owner_id == self.context["request"].user.pk


class SavedViewCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    filters = serializers.JSONField(
        required=False, help_text='Parameters of the ticket list, e.g. {"status": ["New"]}.'
    )
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False)
    shared = serializers.BooleanField(default=False, help_text="Publish to all staff (admins only).")


class SavedViewRenameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)


def _view_response(request, view, status=200) -> Response:
    return Response(SavedViewSerializer(view, context={"request": request}).data, status=status)


class SavedViewListApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(responses=SavedViewSerializer(many=True))
    def get(self, request):
        """The caller's own views and the views admins shared, by name."""
        views = list_saved_views(request.user)
        return Response(SavedViewSerializer(views, many=True, context={"request": request}).data)


class SavedViewCreateApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(request=SavedViewCreateSerializer, responses={201: SavedViewSerializer})
    def post(self, request):
        """Save filters and a sort under a name; `shared` (admins only) publishes it to all staff."""
        view = actions.save_view(actor=request.user, **parse(SavedViewCreateSerializer, request))
        return _view_response(request, view, status=201)


class SavedViewRenameApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(request=SavedViewRenameSerializer, responses=SavedViewSerializer)
    def patch(self, request, id):
        """Rename a view (its owner)."""
        view = access_saved_view_by_id(request.user, id)
        view = actions.rename_view(view=view, actor=request.user, **parse(SavedViewRenameSerializer, request))
        return _view_response(request, view)


class SavedViewDeleteApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(responses={204: None})
    def delete(self, request, id):
        """Delete a view: its owner, or an admin for a shared one."""
        view = access_saved_view_by_id(request.user, id)
        actions.delete_view(view=view, actor=request.user)
        return Response(status=204)
