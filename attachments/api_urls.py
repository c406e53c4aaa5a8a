from django.urls import path

from . import api

urlpatterns = [
    path(
        "tickets/<int:ticket_id>/attachments/",
        api.AttachmentCreateApi.as_view(),
        name="api-ticket-attachments",
    ),
    path(
        "attachments/<int:attachment_id>/",
        api.AttachmentDownloadApi.as_view(),
        name="api-attachment-download",
    ),
]
