"""CSV export of a queue or a saved view, streamed, for the page and the API alike.

The rows are exactly the list's (`tickets.queries.list_tickets`: visibility and the queue,
then filters, search and sort), so an export never shows a ticket its list would not. Rows
are read in chunks through a server-side cursor and written as they come, so a large queue
never sits in memory.
"""

import csv
from collections.abc import Iterator, Mapping

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from .models import Ticket
from .queries import list_tickets

CHUNK = 2000
COLUMNS = (
    "number",
    "subject",
    "status",
    "priority",
    "category",
    "type",
    "item",
    "requester_email",
    "assignee",
    "team",
    "tags",
    "created_at",
    "updated_at",
    "sla_due_at",
)
# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_tickets_qs(user, params: Mapping, queue: str | None) -> QuerySet:
    """The list's tickets with what the columns need; refused filters raise ActionRefused."""
    base = Ticket.objects.select_related(
        "status", "priority", "category", "type", "item", "requester", "assignee", "team"
    ).prefetch_related("tags")
    return list_tickets(user, params, base, default_queue=queue)


def safe_cell(value) -> str:
    """The cell's text, with a quote before anything a spreadsheet would run as a formula."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _name(obj) -> str | None:
    return None if obj is None else obj.name


def ticket_row(ticket: Ticket) -> list[str]:
    values = (
        ticket.pk,
        ticket.subject,
        _name(ticket.status),
        _name(ticket.priority),
        _name(ticket.category),
        _name(ticket.type),
        _name(ticket.item),
        ticket.requester.email,
        ticket.assignee and ticket.assignee.email,
        _name(ticket.team),
        ", ".join(sorted(tag.name for tag in ticket.tags.all())),
        ticket.created_at,
        ticket.updated_at,
        ticket.sla_due_at,
    )
    return [safe_cell(value) for value in values]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(qs: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for ticket in qs.iterator(chunk_size=CHUNK):
        yield writer.writerow(ticket_row(ticket))


def csv_response(qs: QuerySet, name: str) -> StreamingHttpResponse:
    """Stream the tickets of `qs` as a CSV download called `<name>-<time>.csv`."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(csv_lines(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
