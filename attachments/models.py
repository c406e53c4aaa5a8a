"""Files attached to a ticket or one of its messages (SPEC §7)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def random_path(instance, filename: str) -> str:
    """A random storage name: no part of the user's filename reaches the path."""
    token = uuid.uuid4().hex
    return f"{token[:2]}/{token[2:4]}/{token}"


class Attachment(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    # Indexed: the orphan sweep asks which stored names still have a row.
    file = models.FileField(upload_to=random_path, max_length=255, db_index=True)
    filename = models.CharField(max_length=255, help_text="The original name, sanitised.")
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.filename
