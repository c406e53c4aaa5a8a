"""Links between tickets, stored in both directions (SPEC §5)."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class LinkType(models.TextChoices):
    RELATED_TO = "related_to", "related to"
    PARENT_OF = "parent_of", "parent of"
    CHILD_OF = "child_of", "child of"
    CAUSED_BY = "caused_by", "caused by"
    CAUSES = "causes", "causes"
    DUPLICATE_OF = "duplicate_of", "duplicate of"
    DUPLICATED_BY = "duplicated_by", "duplicated by"


# What a link created on A reads as on B.
INVERSE = {
    LinkType.RELATED_TO: LinkType.RELATED_TO,
    LinkType.PARENT_OF: LinkType.CHILD_OF,
    LinkType.CHILD_OF: LinkType.PARENT_OF,
    LinkType.CAUSED_BY: LinkType.CAUSES,
    LinkType.CAUSES: LinkType.CAUSED_BY,
    LinkType.DUPLICATE_OF: LinkType.DUPLICATED_BY,
    LinkType.DUPLICATED_BY: LinkType.DUPLICATE_OF,
}


class TicketLink(models.Model):
    source = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="links")
    target = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=LinkType.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "type"], name="uniq_link"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="no_self_link"),
        ]

    def __str__(self):
        return f"#{self.source_id} {self.type} #{self.target_id}"
