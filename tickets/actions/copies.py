"""The tickets' copies of their status kind and priority rank, which the queues sort and
filter on without a join (tickets/queues.py). The actions write them with the status and the
priority; this brings them along when an admin changes a status's kind or a priority's rank."""

from django.db import transaction

from ..models import Priority, Status, Ticket


@transaction.atomic
def sync_ticket_copies(*, status: Status | None = None, priority: Priority | None = None) -> int:
    """Copy `status.kind` and `priority.rank` onto their tickets; return how many rows changed."""
    changed = 0
    if status is not None:
        changed += (
            Ticket.objects.filter(status=status)
            .exclude(status_kind=status.kind)
            .update(status_kind=status.kind)
        )
    if priority is not None:
        changed += (
            Ticket.objects.filter(priority=priority)
            .exclude(priority_rank=priority.rank)
            .update(priority_rank=priority.rank)
        )
    return changed
