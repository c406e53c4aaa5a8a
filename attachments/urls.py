from django.urls import path

from . import views

urlpatterns = [
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment-download"),
]
