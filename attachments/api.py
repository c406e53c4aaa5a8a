"""Attachments API (API.md): upload to a ticket, and download through the application."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets.access import access_ticket_by_id
from tickets.guests import guest_ticket_for_token

from .access import access_attachment_by_id
from .actions import attach_files
from .downloads import download_response
from .serializers import AttachmentSerializer, AttachmentUploadSerializer
from .uploadhandlers import uploaded_files


class AttachmentCreateApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentSerializer(many=True),
            400: OpenApiResponse(description="A refused type, an empty file, or more than 10 files."),
            413: OpenApiResponse(description="A file over the size limit."),
        },
    )
    def post(self, request, ticket_id: int):
        """Attach 1 to 10 files to a ticket the caller can see; all are stored, or none."""
        ticket = access_ticket_by_id(request.user, ticket_id)
        attachments = attach_files(ticket=ticket, actor=request.user, files=uploaded_files(request))
        data = AttachmentSerializer(attachments, many=True, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class LoggedInOrToken(permissions.BasePermission):
    """A logged-in caller, or anyone with the `?token=` of a guest's access link."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) or "token" in request.query_params


class AttachmentDownloadApi(APIView):
    permission_classes = [LoggedInOrToken]

    @extend_schema(
        parameters=[
            OpenApiParameter("token", str, description="A guest's access link token, instead of a login.")
        ],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such attachment, or not one the caller may see."),
        },
    )
    def get(self, request, attachment_id: int):
        """The file, as an attachment (never rendered inline), if the caller sees its ticket."""
        if "token" in request.query_params:
            # A guest's access link (SPEC §8): the token's ticket, as its requester sees it.
            ticket = guest_ticket_for_token(request, request.query_params["token"])
            return download_response(access_attachment_by_id(None, attachment_id, guest_ticket=ticket))
        return download_response(access_attachment_by_id(request.user, attachment_id))

    def perform_content_negotiation(self, request, force=False):
        # A file answers any Accept header; errors fall back to JSON instead of a 406.
        return super().perform_content_negotiation(request, force=True)
