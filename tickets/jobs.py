"""The periodic lifecycle jobs of SPEC §10: set-based, batched, idempotent, overlap-safe.

Each batch claims its rows with `SELECT ... FOR UPDATE SKIP LOCKED`, so two runs at once
split the work instead of doing it twice, and a ticket an action holds locked (a customer
reply at the window's edge) is skipped, never overwritten: the next run re-decides on what
that action left. Claims filter on the ticket's own columns only, never through a join, so
PostgreSQL's re-check of a row changed meanwhile sees its new values.
"""

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from attachments.actions import remove_orphan_files

from .actions import fire_scheduled_closure
from .actions.automation import run_idle_rules
from .actions.recurring import open_due_recurring_tickets
from .models import Favorite, HelpdeskSettings, Status, StatusKind, Survey, Ticket, TicketEvent
from .preclose import warn_before_auto_close
from .purge import purge_in_batches
from .sla import RUNNING_KINDS
from .sla_warnings import warn_before_breach
from .webhooks import queue_status_webhooks

log = logging.getLogger(__name__)

BATCH = 10_000  # tickets closed per transaction: big enough to be fast, small enough to lock briefly
PURGE_BATCH = 5_000


def _sql_names() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "ticket": quote(Ticket._meta.db_table),
        "status": quote(Status._meta.db_table),
        "event": quote(TicketEvent._meta.db_table),
        "survey": quote(Survey._meta.db_table),
        "favorite": quote(Favorite._meta.db_table),
    }


# One statement per batch: claim, close, write the history rows, create the missing
# surveys and empty the favourites. Every CTE runs even though only `closed` is read, and
# all of them act on exactly the rows the claim locked.
AUTO_CLOSE_SQL = """
WITH due AS (
    SELECT id, status_id FROM {ticket}
    WHERE status_id = ANY(%(resolved)s) AND resolved_at < %(cutoff)s
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
), closed AS (
    UPDATE {ticket} AS t
    SET status_id = %(closed)s, status_kind = 'closed', closed_at = %(now)s, updated_at = %(now)s,
        closure_scheduled_at = NULL, close_reason = ''
    FROM due WHERE t.id = due.id
    RETURNING t.id, due.status_id AS was
), events AS (
    INSERT INTO {event} (ticket_id, actor_id, action, before, after, at)
    SELECT c.id, NULL, 'status', jsonb_build_object('id', s.id, 'name', s.name, 'kind', s.kind),
           %(after)s::jsonb, %(now)s
    FROM closed c JOIN {status} s ON s.id = c.was
), surveys AS (
    INSERT INTO {survey} (ticket_id, created_at, rating, comment, answered_at, answered_by_id)
    SELECT c.id, %(now)s, NULL, '', NULL, NULL FROM closed c
    WHERE NOT EXISTS (SELECT 1 FROM {survey} v WHERE v.ticket_id = c.id)
), unfavoured AS (
    DELETE FROM {favorite} f USING closed c WHERE f.ticket_id = c.id
)
SELECT id, was FROM closed
"""


def close_expired_resolved(
    now: datetime | None = None, batch: int = BATCH, progress: Callable | None = None
) -> int:
    """Close resolved tickets whose reopen window has passed, with history, surveys, favourites.

    The window is read now, so a window an admin lengthened keeps tickets open longer. A
    ticket gets a survey only if it has none at all: one answered while resolved is enough.
    """
    now = now or timezone.now()
    cutoff = now - HelpdeskSettings.load().reopen_window
    closed = Status.objects.filter(kind=StatusKind.CLOSED, active=True).order_by("order", "id").first()
    if closed is None:
        log.warning("auto-close skipped: the workflow has no active status of kind 'closed'")
        return 0
    params = {
        # Inactive resolved statuses too: their tickets still have a window that ends.
        "resolved": list(Status.objects.filter(kind=StatusKind.RESOLVED).values_list("pk", flat=True)),
        "cutoff": cutoff,
        "batch": batch,
        "closed": closed.pk,
        "now": now,
        "after": json.dumps({"id": closed.pk, "name": closed.name, "kind": closed.kind, "auto": True}),
    }
    sql = AUTO_CLOSE_SQL.format(**_sql_names())
    total = 0
    while True:
        with transaction.atomic():
            changes = _close_batch(sql, params, closed)
            queue_status_webhooks(changes, closed)  # after this batch commits
        done = len(changes)
        if not done:
            return total
        total += done
        if progress:
            progress(total)


def _close_batch(sql: str, params: dict, closed: Status) -> list[tuple[int, int]]:
    """Close one batch; return (ticket id, previous status id) pairs."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # SQLite (`make run`): the same writes through the ORM; one process, so no SKIP LOCKED.
    rows = list(
        Ticket.objects.filter(status_id__in=params["resolved"], resolved_at__lt=params["cutoff"]).values_list(
            "pk", "status_id", "status__name"
        )[: params["batch"]]
    )
    ids = [pk for pk, _sid, _name in rows]
    now = params["now"]
    Ticket.objects.filter(pk__in=ids).update(
        status=closed,
        status_kind=closed.kind,
        closed_at=now,
        updated_at=now,
        closure_scheduled_at=None,
        close_reason="",
    )
    after = json.loads(params["after"])
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=pk,
            action="status",
            at=now,
            after=after,
            before={"id": sid, "name": name, "kind": StatusKind.RESOLVED},
        )
        for pk, sid, name in rows
    )
    have = set(Survey.objects.filter(ticket_id__in=ids).values_list("ticket_id", flat=True))
    Survey.objects.bulk_create(Survey(ticket_id=pk, created_at=now) for pk in ids if pk not in have)
    Favorite.objects.filter(ticket_id__in=ids).delete()
    return [(pk, sid) for pk, sid, _name in rows]


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


def purge_due(now: datetime | None = None, batch: int = PURGE_BATCH, progress: Callable | None = None) -> int:
    """Delete for good the tickets whose purge time has come, with their files."""
    now = now or timezone.now()
    return purge_in_batches(Ticket.objects.filter(purge_at__lte=now), batch, progress)


# `tickets.sla.is_overdue` in SQL: the clock runs (a `new` or `open` status, not paused) and a
# due time has passed, the first-response one only while no public staff reply has come (the
# next-response one is cleared by the reply that meets it).
BREACHED_SQL = """
    status_id = ANY(%(running)s) AND sla_paused_at IS NULL
    AND (sla_due_at < %(now)s OR next_response_due_at < %(now)s
         OR (first_response_at IS NULL AND first_response_due_at < %(now)s))
"""
# One statement per batch and direction: claim the rows whose flag is wrong, set it. The
# claim skips rows an action holds (it sets the flag itself) and never waits on them, so
# the sweep cannot deadlock with an action locking two tickets. Unflagging starts from the
# few flagged rows (a partial index); NULL due times make the rule NULL, i.e. not breached.
OVERDUE_SQL = """
WITH wrong AS (
    SELECT id FROM {ticket} WHERE {claim}
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
)
UPDATE {ticket} AS t SET overdue = %(flag)s FROM wrong WHERE t.id = wrong.id
"""
CLAIMS = {True: "NOT overdue AND {breached}", False: "overdue AND ({breached}) IS NOT TRUE"}


def flag_overdue(now: datetime | None = None, batch: int = BATCH, progress: Callable | None = None) -> int:
    """Flag the tickets past an SLA due time; unflag those no longer past one.

    A flag goes when the due time moved (a new priority, a pause that ended), the first
    response came, or the ticket left the working statuses. Returns how many were flagged.
    """
    now = now or timezone.now()
    params = {
        "running": list(Status.objects.filter(kind__in=RUNNING_KINDS).values_list("pk", flat=True)),
        "now": now,
        "batch": batch,
    }
    if connection.vendor != "postgresql":
        return _flag_overdue_portable(params)
    ticket = _sql_names()["ticket"]
    flagged = 0
    for flag, claim in CLAIMS.items():
        sql = OVERDUE_SQL.format(ticket=ticket, claim=claim.format(breached=BREACHED_SQL))
        while True:
            with connection.cursor() as cursor:
                cursor.execute(sql, {**params, "flag": flag})
                done = cursor.rowcount
            if flag:
                flagged += done
                if progress and done:
                    progress(flagged)
            if done < batch:
                break
    return flagged


def _flag_overdue_portable(params: dict) -> int:
    """The overdue sweep through the ORM, for SQLite (`make run`)."""
    now = params["now"]
    breached = Q(status_id__in=params["running"], sla_paused_at__isnull=True) & (
        Q(sla_due_at__lt=now)
        | Q(next_response_due_at__lt=now)
        | Q(first_response_at__isnull=True, first_response_due_at__lt=now)
    )
    flagged = Ticket.objects.filter(breached, overdue=False).update(overdue=True)
    Ticket.objects.filter(overdue=True).exclude(pk__in=Ticket.objects.filter(breached).values("pk")).update(
        overdue=False
    )
    return flagged


# Retention of closed tickets (SPEC §9 settings, both off by default) -------------------------


def archive_closed(now: datetime | None = None, batch: int = BATCH, progress: Callable | None = None) -> int:
    """Archive the closed tickets closed more than `archive_closed_after_days` ago.

    Archived tickets leave the default queues and search (the `archived` filter brings them
    back) and stay readable and counted. `updated_at` is left alone: archiving is not an update
    anyone made. Reopening a ticket takes it out of the archive (tickets/actions/_common.py).
    """
    days = HelpdeskSettings.load().archive_closed_after_days
    if days is None:
        return 0
    now = now or timezone.now()
    # By status row, not the ticket's copy of the kind: the auto-close job writes status_id.
    closed = list(Status.objects.filter(kind=StatusKind.CLOSED).values_list("pk", flat=True))
    due = Ticket.objects.filter(
        status_id__in=closed, archived_at__isnull=True, closed_at__lt=now - timedelta(days=days)
    )
    total = 0
    while True:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch])
            if not ids:
                return total
            Ticket.objects.filter(pk__in=ids).update(archived_at=now)
            TicketEvent.objects.bulk_create(
                TicketEvent(ticket_id=pk, action="archived", after={"after_days": days}, at=now) for pk in ids
            )
        total += len(ids)
        if progress:
            progress(total)


def purge_archived(
    now: datetime | None = None, batch: int = PURGE_BATCH, progress: Callable | None = None
) -> int:
    """Purge for good the tickets archived more than `purge_archived_after_days` ago."""
    days = HelpdeskSettings.load().purge_archived_after_days
    if days is None:
        return 0
    now = now or timezone.now()
    return purge_in_batches(
        Ticket.objects.filter(archived_at__lt=now - timedelta(days=days)), batch, progress
    )


JOBS = {
    "preclose_warning": warn_before_auto_close,
    "auto_close": close_expired_resolved,
    "scheduled_closures": sweep_scheduled_closures,
    "purge": purge_due,
    "sla_overdue": flag_overdue,
    "sla_warning": warn_before_breach,
    "orphan_files": remove_orphan_files,
    "recurring_tickets": open_due_recurring_tickets,
    "archive_closed": archive_closed,
    "purge_archived": purge_archived,
    "automation_idle": run_idle_rules,
}


def run_all(now: datetime | None = None, progress_for: Callable | None = None) -> dict[str, int]:
    """Run every job once; `progress_for(name)` may return a progress callback."""
    results = {}
    for name, job in JOBS.items():
        results[name] = job(now=now, progress=progress_for(name) if progress_for else None)
    return results
