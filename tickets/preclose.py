"""The pre-close warning: a set number of days before a resolved ticket closes by itself, its
requester is emailed once, with the time and how to keep it open (a reply reopens it).

The claim is set-based: per batch, one locking SELECT (skipping rows an action or another run
holds) and one UPDATE that marks them (`preclose_warned_at`), so two runs at once warn each
ticket once. Leaving the resolved status clears the mark (`tickets.actions._common.apply_status`):
a ticket resolved again is warned again.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import HelpdeskSettings, Status, StatusKind, Ticket

BATCH = 2_000


def closes_at(ticket: Ticket, desk: HelpdeskSettings | None = None) -> datetime | None:
    """When the auto-close job closes this resolved ticket (the end of its reopen window)."""
    if ticket.resolved_at is None:
        return None
    return ticket.resolved_at + (desk or HelpdeskSettings.load()).reopen_window


def warn_before_auto_close(now: datetime | None = None, progress: Callable | None = None) -> int:
    """Email the requesters of resolved tickets that close within the warning days; return how many."""
    from .tasks import send_notification_task

    now = now or timezone.now()
    desk = HelpdeskSettings.load()
    if not desk.preclose_warning_days:
        return 0
    # A ticket closes at resolved_at + window: warn from `days` before that until it closes.
    due = Ticket.objects.filter(
        status_id__in=list(Status.objects.filter(kind=StatusKind.RESOLVED).values_list("pk", flat=True)),
        preclose_warned_at__isnull=True,
        resolved_at__lte=now - desk.reopen_window + timedelta(days=desk.preclose_warning_days),
        resolved_at__gt=now - desk.reopen_window,
    )
    event = f"preclose-{now.isoformat()}"
    total = 0
    while True:
        with transaction.atomic():
            # Claim: lock a batch (skipping rows an action or another run holds), mark it.
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:BATCH])
            Ticket.objects.filter(pk__in=ids, preclose_warned_at__isnull=True).update(preclose_warned_at=now)
            for pk in ids:
                transaction.on_commit(lambda pk=pk: send_notification_task.delay("preclose", pk, event=event))
        total += len(ids)
        if ids and progress:
            progress(total)
        if len(ids) < BATCH:
            return total
