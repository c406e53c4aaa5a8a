"""Attachments as the API shows them; the messages and tickets APIs nest this one."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Attachment
from .validation import MAX_FILES


class AttachmentSerializer(serializers.ModelSerializer):
    """`id`, `filename` (the original, sanitised), `size` in bytes, `content_type`, `url`."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ("id", "filename", "size", "content_type", "url")
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment: Attachment) -> str:
        path = reverse("api-attachment-download", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AttachmentUploadSerializer(serializers.Serializer):
    """The shape of an upload, for the schema; `attach_files` decides what is accepted."""

    files = serializers.ListField(
        child=serializers.FileField(), min_length=1, max_length=MAX_FILES, help_text="1 to 10 files."
    )
