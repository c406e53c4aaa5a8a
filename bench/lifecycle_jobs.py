"""Benchmark the lifecycle jobs on a dedicated PostgreSQL database.

    .venv/bin/python bench/lifecycle_jobs.py [--tickets N] [--batch B]

Creates (if needed) and migrates the database `helpdesk_bench_jobs`, loads N resolved tickets
past their reopen window with COPY, and times `close_expired_resolved` (status, history row
and survey for each); then loads N deleted tickets due for purge, each with two messages and
two history rows, and times `purge_due` (`--keep-fk-checks`: as a database role that may not
skip the per-row foreign-key checks). Prints tickets per second; asserts nothing on time.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "helpdesk_bench_jobs"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def configure() -> None:
    """Point Django's test settings at the bench database, creating it if needed."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings.test"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reset() -> None:
    from django.db import connection

    from tickets.models import Ticket

    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{Ticket._meta.db_table}" RESTART IDENTITY CASCADE')


def copy_tickets(count: int, **values) -> None:
    """COPY `count` ticket rows; every column not given takes its model default."""
    from django.db import connection

    from tickets.models import Ticket

    fields = [f for f in Ticket._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = [values.get(f.attname, f.get_default()) for f in fields]
    subject = [i for i, f in enumerate(fields) if f.attname == "subject"][0]
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(f'COPY "{Ticket._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for n in range(count):
                row = list(defaults)
                row[subject] = f"Bench ticket {n}"
                copy.write_row(row)


def sql(statement: str, params=None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def fixtures():
    from accounts.actions import get_or_create_customer
    from tickets.models import Category, Priority

    requester = get_or_create_customer(email="bench@example.com", name="Bench")
    category, _ = Category.objects.get_or_create(name="Bench")
    return requester, category, Priority.objects.get(is_default=True)


def bench_auto_close(count: int, batch: int) -> None:
    from tickets.jobs import close_expired_resolved
    from tickets.lifecycle import status_of_kind
    from tickets.models import HelpdeskSettings, Survey, Ticket, TicketEvent

    reset()
    requester, category, priority = fixtures()
    now = datetime.now(UTC)
    resolved_at = now - HelpdeskSettings.load().reopen_window - timedelta(hours=1)
    started = time.perf_counter()
    copy_tickets(
        count,
        description="It smokes.",
        description_html="<p>It smokes.</p>",
        requester_id=requester.pk,
        category_id=category.pk,
        priority_id=priority.pk,
        status_id=status_of_kind("resolved").pk,
        resolution_notes="Replaced the fuse",
        resolved_at=resolved_at,
        created_at=resolved_at - timedelta(days=2),
        updated_at=resolved_at,
    )
    # As the resolve action leaves them: an open survey and a history row each.
    sql(
        f'INSERT INTO "{Survey._meta.db_table}" (ticket_id, created_at, comment) '
        f"SELECT id, resolved_at, '' FROM \"{Ticket._meta.db_table}\""
    )
    sql(
        f'INSERT INTO "{TicketEvent._meta.db_table}" (ticket_id, action, before, after, at) '
        f'SELECT id, \'status\', \'{{"kind": "open"}}\', \'{{"kind": "resolved"}}\', resolved_at '
        f'FROM "{Ticket._meta.db_table}"'
    )
    sql("ANALYZE")
    print(f"loaded {count:,} resolved tickets in {time.perf_counter() - started:.1f}s")

    started = time.perf_counter()
    closed = close_expired_resolved(now=now, batch=batch)
    took = time.perf_counter() - started
    auto = TicketEvent.objects.filter(after__auto=True).count()
    surveys = Survey.objects.count()
    print(
        f"close_expired_resolved: {closed:,} closed in {took:.2f}s = {closed / took:,.0f} tickets/s "
        f"(history rows {auto:,}, surveys {surveys:,}, batch {batch:,})"
    )
    assert closed == count == auto == surveys, "every ticket closed once, with its history row"
    assert close_expired_resolved(now=now) == 0


def bench_purge(count: int, batch: int) -> None:
    from tickets.jobs import purge_due
    from tickets.lifecycle import status_of_kind
    from tickets.models import Message, Ticket, TicketEvent

    reset()
    requester, category, priority = fixtures()
    now = datetime.now(UTC)
    started = time.perf_counter()
    copy_tickets(
        count,
        description="Buy cheap watches",
        description_html="<p>Buy cheap watches</p>",
        requester_id=requester.pk,
        category_id=category.pk,
        priority_id=priority.pk,
        status_id=status_of_kind("deleted").pk,
        previous_status_id=status_of_kind("new").pk,
        purge_at=now - timedelta(minutes=5),
        created_at=now - timedelta(days=40),
        updated_at=now - timedelta(days=30),
    )
    for n in (1, 2):
        sql(
            f'INSERT INTO "{Message._meta.db_table}" '
            "(ticket_id, body, body_html, internal, deleted, created_at) "
            f"SELECT id, 'Message {n}', '<p>Message {n}</p>', false, false, created_at "
            f'FROM "{Ticket._meta.db_table}"'
        )
        sql(
            f'INSERT INTO "{TicketEvent._meta.db_table}" (ticket_id, action, at) '
            f"SELECT id, 'reply', created_at FROM \"{Ticket._meta.db_table}\""
        )
    sql("ANALYZE")
    print(
        f"loaded {count:,} deleted tickets (2 messages, 2 history rows each) "
        f"in {time.perf_counter() - started:.1f}s"
    )

    started = time.perf_counter()
    purged = purge_due(now=now, batch=batch)
    took = time.perf_counter() - started
    print(f"purge_due: {purged:,} purged in {took:.2f}s = {purged / took:,.0f} tickets/s (batch {batch:,})")
    assert purged == count and not Ticket.objects.exists() and not Message.objects.exists()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=None, help="auto-close batch (default: the job's)")
    parser.add_argument("--purge-batch", type=int, default=None, help="purge batch (default: the job's)")
    parser.add_argument("--only", choices=["auto_close", "purge"], help="run one of the two benchmarks")
    parser.add_argument(
        "--keep-fk-checks",
        action="store_true",
        help="purge as a role that may not set session_replication_role would (tickets/purge.py)",
    )
    args = parser.parse_args()
    configure()
    from tickets import jobs, purge

    if args.keep_fk_checks:
        purge._may_skip_checks = False

    if args.only in (None, "auto_close"):
        bench_auto_close(args.tickets, args.batch or jobs.BATCH)
    if args.only in (None, "purge"):
        bench_purge(args.tickets, args.purge_batch or jobs.PURGE_BATCH)
    reset()


if __name__ == "__main__":
    main()
