"""Deleting tickets for good: a few set-based statements per batch, whatever the batch holds.

Every relation to a ticket (and to the rows hanging off it) is followed from the models'
metadata, so a table another app adds later is purged too: CASCADE rows are deleted children
first, SET_NULL columns are cleared. Anything else pointing at a ticket is refused up front.

The last statement, the DELETE of the tickets, is where PostgreSQL spends most of the time
on its own: for each ticket row it checks every foreign key pointing at tickets (about twenty
index probes per ticket). Those checks can only find the rows this purge has just deleted, so
when the database role may set `session_replication_role` (a superuser, or on PostgreSQL 15+
after `GRANT SET ON PARAMETER session_replication_role TO <role>`), the purge skips them for
its own transaction. Other transactions keep their checks: one inserting a row for a ticket
being purged waits on the ticket's row lock and then fails its own check.
"""

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection, models, transaction
from django.db.models import QuerySet

from attachments.storage import delete_files_on_commit

from .models import Ticket

log = logging.getLogger(__name__)

MAX_DEPTH = 6
# Every name below is quoted by the database backend; every value is a query parameter.
POINTS_SQL = "{column} IN (SELECT {target} FROM {table} WHERE {where})"
SET_NULL_SQL = "UPDATE {table} SET {column} = NULL WHERE {where}"
LOCK_SQL = "SELECT {pk} FROM {table} WHERE {where} ORDER BY {pk} FOR UPDATE"
FILES_SQL = "SELECT {column} FROM {table} WHERE ({where}) AND {column} <> ''"
DELETE_SQL = "DELETE FROM {table} WHERE {where}"
_may_skip_checks: bool | None = None  # learnt once per process


def purge_tickets(ids: list[int]) -> None:
    """Delete tickets and everything hanging off them; files go once the commit is done.

    Call inside a transaction that holds the tickets' row locks.
    """
    if not ids:
        return
    files: list[str] = []
    with connection.cursor() as cursor:
        where, params = _in_ids(Ticket._meta.pk.column, ids)
        _skip_redundant_checks(cursor)
        _delete(cursor, Ticket, where, params, files, depth=0)
    delete_files_on_commit(files)


def purge_in_batches(due: QuerySet, batch: int, progress: Callable | None = None) -> int:
    """Purge the tickets of `due` batch by batch, each claimed and purged in its own transaction.

    A big purge never holds thousands of locks at once. The claim skips rows another
    transaction holds (an action, a restore, another run), which a later run re-decides on.
    Returns how many were purged.
    """
    total = 0
    while True:
        with transaction.atomic():
            # OF self: `due` may join the status, whose rows are not ours to lock.
            claim = due.select_for_update(skip_locked=True, of=("self",))
            ids = list(claim.values_list("pk", flat=True)[:batch])
            if not ids:
                return total
            purge_tickets(ids)
        total += len(ids)
        if progress:
            progress(total)


def _in_ids(column: str, ids: list[int], key: str = "ids") -> tuple[str, dict]:
    """`column` among `ids` as SQL: one array parameter on PostgreSQL, a list elsewhere."""
    quoted = connection.ops.quote_name(column)
    if connection.vendor == "postgresql":
        return f"{quoted} = ANY(%({key})s)", {key: list(ids)}
    params = {f"{key}_{n}": pk for n, pk in enumerate(ids)}
    return f"{quoted} IN ({', '.join(f'%({name})s' for name in params)})", params


def _skip_redundant_checks(cursor) -> None:
    """Turn off this transaction's foreign-key triggers when the role may (see the module)."""
    global _may_skip_checks
    if connection.vendor != "postgresql" or _may_skip_checks is False:
        return
    try:
        with transaction.atomic():  # a savepoint: a refusal must not break the purge
            cursor.execute("SET LOCAL session_replication_role = replica")
        _may_skip_checks = True
    except DatabaseError:
        _may_skip_checks = False
        log.info(
            "purge: the database role may not set session_replication_role; purging with "
            "per-row foreign-key checks (slower, same result)"
        )


def _relations_to(model) -> dict:
    """The models pointing at `model`, with their relations, grouped by model."""
    children: dict = {}
    for rel in model._meta.get_fields(include_hidden=True):
        if not ((rel.one_to_many or rel.one_to_one) and rel.auto_created and not rel.concrete):
            continue
        if rel.on_delete not in (models.CASCADE, models.SET_NULL):
            raise RuntimeError(
                f"{rel.related_model.__name__}.{rel.field.name} must CASCADE or SET_NULL for "
                f"{model.__name__} rows to be purged."
            )
        children.setdefault(rel.related_model, []).append(rel)
    return children


def _delete(cursor, model, where: str, params: dict, files: list[str], depth: int) -> None:
    """Delete the rows of `model` matching `where`, after everything that points at them."""
    if depth > MAX_DEPTH:
        raise RuntimeError(f"Relations nest too deep to purge {model.__name__}.")
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    for child, rels in _relations_to(model).items():
        child_table = quote(child._meta.db_table)

        def points_here(rel):
            target = quote(rel.field.target_field.column)
            return POINTS_SQL.format(column=quote(rel.field.column), target=target, table=table, where=where)

        for rel in rels:
            if rel.on_delete is models.SET_NULL:
                column = quote(rel.field.column)
                cursor.execute(
                    SET_NULL_SQL.format(table=child_table, column=column, where=points_here(rel)), params
                )
        cascading = [rel for rel in rels if rel.on_delete is models.CASCADE]
        if not cascading:
            continue
        match, child_params = " OR ".join(points_here(rel) for rel in cascading), params
        if len(cascading) > 1:
            # A row pointing at two tickets (a link) can be reached by two purges at once
            # from either end; locking in id order makes the second wait, not deadlock.
            child_pk = child._meta.pk.column
            cursor.execute(LOCK_SQL.format(pk=quote(child_pk), table=child_table, where=match), params)
            doomed = [row[0] for row in cursor.fetchall()]
            if not doomed:
                continue
            match, child_params = _in_ids(child_pk, doomed, key=f"ids{depth + 1}")
        _delete(cursor, child, match, child_params, files, depth + 1)
    for field in model._meta.concrete_fields:
        if isinstance(field, models.FileField):
            column = quote(field.column)
            cursor.execute(FILES_SQL.format(column=column, table=table, where=where), params)
            files.extend(row[0] for row in cursor.fetchall())
    cursor.execute(DELETE_SQL.format(table=table, where=where), params)
