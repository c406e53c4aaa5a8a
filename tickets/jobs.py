"""The periodic lifecycle jobs of SPEC §10: set-based, batched, idempotent, overlap-safe.

Each batch claims its rows with `SELECT ... FOR UPDATE SKIP LOCKED`, so two runs at once
split the work instead of doing it twice, and a customer reply that holds a ticket's lock
is never overwritten: the UPDATE re-checks the condition on the locked rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .actions import fire_scheduled_closure
from .lifecycle import status_of_kind
from .models import (
    Favorite,
    HelpdeskSettings,
    Message,
    StatusKind,
    Survey,
    Ticket,
    TicketEvent,
)

BATCH = 5000


@dataclass
class JobResult:
    name: str
    done: int = 0
    notes: list[str] = field(default_factory=list)


def _claim(qs, batch: int) -> list[int]:
    return list(qs.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch])


def close_expired_resolved(
    now: datetime | None = None, batch: int = BATCH, progress: Callable | None = None
) -> int:
    """Close resolved tickets whose reopen window has passed, with history and surveys."""
    now = now or timezone.now()
    cutoff = now - HelpdeskSettings.load().reopen_window
    closed = status_of_kind(StatusKind.CLOSED)
    due = Ticket.objects.filter(status__kind=StatusKind.RESOLVED, resolved_at__lt=cutoff)
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                due.select_for_update(skip_locked=True, of=("self",)).values_list(
                    "pk", "status_id", "status__name"
                )[:batch]
            )
            if not rows:
                break
            ids = [r[0] for r in rows]
            Ticket.objects.filter(pk__in=ids).update(
                status=closed, closed_at=now, updated_at=now, closure_scheduled_at=None
            )
            TicketEvent.objects.bulk_create(
                TicketEvent(
                    ticket_id=pk,
                    actor=None,
                    action="status",
                    at=now,
                    before={"id": sid, "name": sname, "kind": StatusKind.RESOLVED},
                    after={"id": closed.pk, "name": closed.name, "kind": closed.kind, "auto": True},
                )
                for pk, sid, sname in rows
            )
            # Both kinds take a survey; only a ticket without one (answered or open) gets it.
            have = set(Survey.objects.filter(ticket_id__in=ids).values_list("ticket_id", flat=True))
            Survey.objects.bulk_create(Survey(ticket_id=pk, created_at=now) for pk in ids if pk not in have)
            Favorite.objects.filter(ticket_id__in=ids).delete()
        total += len(ids)
        if progress:
            progress(total)
    return total


def sweep_scheduled_closures(now: datetime | None = None, progress: Callable | None = None) -> int:
    """The safety net behind the task queued for each scheduled closure."""
    now = now or timezone.now()
    ids = Ticket.objects.filter(
        status__kind=StatusKind.CLOSURE_SCHEDULED, closure_scheduled_at__lte=now
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(ids):
        if fire_scheduled_closure(ticket_id=pk, now=now):
            done += 1
            if progress:
                progress(done)
    return done


def purge_due(now: datetime | None = None, batch: int = 1000, progress: Callable | None = None) -> int:
    """Delete for good the tickets whose purge time has come, with their files."""
    now = now or timezone.now()
    due = Ticket.objects.filter(purge_at__lte=now)
    total = 0
    while True:
        with transaction.atomic():
            ids = _claim(due, batch)
            if not ids:
                break
            purge_tickets(ids)
        total += len(ids)
        if progress:
            progress(total)
    return total


def purge_tickets(ids: list[int]) -> None:
    """Delete tickets and everything hanging off them; files go once the rows are gone.

    Children first with plain DELETEs, so a batch costs a handful of statements whatever it
    holds, instead of Django's collector loading every message into memory.
    """
    from attachments.models import Attachment
    from attachments.storage import delete_files_on_commit
    from links.models import TicketLink

    attachments = Attachment.objects.filter(ticket_id__in=ids)
    delete_files_on_commit(list(attachments.values_list("file", flat=True)))
    db = Ticket.objects.db
    attachments._raw_delete(db)
    TicketLink.objects.filter(source_id__in=ids)._raw_delete(db)
    TicketLink.objects.filter(target_id__in=ids)._raw_delete(db)
    for model in (Message, TicketEvent, Survey, Favorite, Ticket.participants.through, Ticket.tags.through):
        model.objects.filter(ticket_id__in=ids)._raw_delete(db)
    Ticket.objects.filter(pk__in=ids)._raw_delete(db)


JOBS = {
    "auto_close": close_expired_resolved,
    "scheduled_closures": sweep_scheduled_closures,
    "purge": purge_due,
}


def run_all(now: datetime | None = None, progress_for: Callable | None = None) -> dict[str, int]:
    """Run every job once; `progress_for(name)` may return a progress callback."""
    results = {}
    for name, job in JOBS.items():
        results[name] = job(now=now, progress=progress_for(name) if progress_for else None)
    return results
