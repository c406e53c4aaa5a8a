"""Breach warnings (issue 11): the assignee is emailed once before a ticket's next-response or
resolution due time.

`SLA_WARNING_MINUTES` (setting, default 60) is how long before. One warning per due time
(SLAWarning rows): a due time moved by a pause or a new priority, or a new customer reply
waiting for an answer, warns again.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import SLAWarning, Ticket
from .sla import RUNNING_KINDS

BATCH = 500
# The due times warned of, as Ticket columns: the next staff reply and the resolution.
WARNED_DUE_TIMES = ("next_response_due_at", "sla_due_at")


def warn_before_breach(now: datetime | None = None, progress: Callable | None = None) -> int:
    """Queue a warning for each running, assigned ticket due within the lead time; return how many."""
    from .tasks import send_notification_task

    now = now or timezone.now()
    lead = timedelta(minutes=getattr(settings, "SLA_WARNING_MINUTES", 60))
    total = 0
    for column in WARNED_DUE_TIMES:
        due = Ticket.objects.filter(
            status_kind__in=list(RUNNING_KINDS),
            sla_paused_at__isnull=True,
            assignee__isnull=False,
            **{f"{column}__gt": now, f"{column}__lte": now + lead},
        ).exclude(Exists(SLAWarning.objects.filter(ticket=OuterRef("pk"), due_at=OuterRef(column))))
        for pk, due_at in due.order_by(column, "pk").values_list("pk", column)[:BATCH]:
            try:
                with transaction.atomic():
                    SLAWarning.objects.create(ticket_id=pk, due_at=due_at, sent_at=now)
                    event = f"sla-{due_at.isoformat()}"
                    transaction.on_commit(
                        lambda pk=pk, event=event: send_notification_task.delay(
                            "sla_warning", pk, event=event
                        )
                    )
            except IntegrityError:  # another run warned meanwhile, or both due times are the same
                continue
            total += 1
            if progress:
                progress(total)
    return total
