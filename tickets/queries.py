"""Filters, search and sorts of the ticket lists (SPEC §6), shared by the API and the queue page.

`list_tickets(user, params, base)` applies, in order, the queue (tickets/queues.py), the
filters, the search (tickets/search.py) and the sort; `resolve_params` first lays a saved view
(`view=<id>`) under the given parameters. Parameters are plain query parameters (a QueryDict
or a dict of lists); every value the list does not know is refused with
`ActionRefused(..., "invalid", param)`: a typo in a filter must never quietly show the whole
queue. Nothing here knows about HTTP or DRF.
"""

import re
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import Team, User

from . import search
from .access import access_saved_view_by_id
from .errors import ActionRefused
from .models import HIDDEN_KINDS, Category, Item, Priority, SavedView, Status, StatusKind, Ticket, TicketType
from .queues import QUEUES, queue_tickets

MAX_ID = 2**63 - 1
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
NUMBER = re.compile(r"^#?([0-9]{1,18})$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

# Sorts of SPEC §6; every one ends on a unique key so that pages never overlap, and each has
# its index (Ticket.Meta.indexes). Priority sorts on the ticket's copy of the rank: no join.
ORDERINGS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "updated": ("-updated_at", "-id"),
    "priority": ("-priority_rank", "-updated_at", "-id"),
    "sla": (F("sla_due_at").asc(nulls_last=True), "-priority_rank", "id"),
}
DEFAULT_ORDERING = "updated"


def _refuse(param: str, reason: str):
    raise ActionRefused(reason, "invalid", param)


def parse_id(value, param: str) -> int:
    """An id from a query or a JSON body: a positive integer that fits the database."""
    if isinstance(value, bool):
        _refuse(param, "Give an id.")
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 19:
        value = int(value.strip())
    if not isinstance(value, int) or not 0 < value <= MAX_ID:
        _refuse(param, "Give an id.")
    return value


def _text(value, param: str) -> str:
    if not isinstance(value, str) or "\x00" in value or len(value) > 1000:
        _refuse(param, "Give text of at most 1000 characters.")
    return value.strip()


def _named(qs: QuerySet, value, param: str, by_name: str | None) -> QuerySet:
    """The rows of `qs` named by `value`: an id, or (when `by_name`) a case-insensitive name."""
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdecimal()) or not by_name:
        return qs.filter(pk=parse_id(value, param))
    return qs.filter(**{f"{by_name}__iexact": _text(value, param)})


def ids_for(qs: QuerySet, value, param: str, *, by_name: str | None = "name") -> list[int]:
    """The ids of the rows named by `value` (an id, or a case-insensitive name)."""
    ids = list(_named(qs, value, param, by_name).values_list("pk", flat=True))
    if not ids:
        _refuse(param, f"Unknown {param}: {str(value)[:100]}.")
    return ids


def lookup(qs: QuerySet, value, param: str, *, by_name: str | None = "name"):
    """The one row named by `value` (an id, or a unique name when `by_name`), in one query."""
    rows = list(_named(qs, value, param, by_name)[:2])
    if not rows:
        _refuse(param, f"Unknown {param}: {str(value)[:100]}.")
    if len(rows) > 1:
        _refuse(param, f"More than one {param} is called {str(value)[:100]}; give its id.")
    return rows[0]


def _values(params: Mapping, key: str) -> list:
    """Every non-empty value given for `key` (repeated query parameters are OR-ed)."""
    values = params.getlist(key) if hasattr(params, "getlist") else params.get(key)
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        values = [values]
    return [v for v in values if v not in ("", None)]


def _bool(value, param: str) -> bool:
    text = str(value).strip().lower()
    if text not in TRUE | FALSE:
        _refuse(param, "Give true or false.")
    return text in TRUE


def _by_ids(model, field: str, by_name="name"):
    def apply(values, user) -> Q:
        ids = [pk for v in values for pk in ids_for(model.objects.all(), v, field, by_name=by_name)]
        return Q(**{f"{field}_id__in": ids})

    return apply


def _status_kind(values, user) -> Q:
    for value in values:
        if value not in StatusKind.values:
            _refuse("status_kind", f"Unknown status kind: {str(value)[:100]}.")
    return Q(status_kind__in=values)


def _people(field: str, *, me_and_none: bool, by_name: str):
    def apply(values, user) -> Q:
        q = Q()
        for value in values:
            if value == "me":
                q |= Q(**{f"{field}_id": user.pk})
            elif value == "none" and me_and_none:
                q |= Q(**{f"{field}__isnull": True})
            else:
                q |= Q(**{f"{field}_id__in": ids_for(User.objects.all(), value, field, by_name=by_name)})
        return q

    return apply


def _team(values, user) -> Q:
    q = Q()
    for value in values:
        if value == "none":
            q |= Q(team__isnull=True)
        else:
            q |= Q(team_id__in=ids_for(Team.objects.all(), value, "team"))
    return q


def _tag(values, user) -> Q:
    names = [_text(v, "tag").lower() for v in values]
    tagged = Ticket.tags.through.objects.filter(tag__name__in=names).values("ticket_id")
    return Q(pk__in=tagged)


def _archived(values, user) -> Q:
    """`archived=1` lists only archived tickets, `archived=all` both, `archived=0` (as without
    the parameter) only the others: archived tickets leave the default lists (SPEC §9)."""
    value = str(values[-1]).strip().lower()
    if value == "all":
        return Q()
    if value not in TRUE | FALSE:
        _refuse("archived", "Give 1 (only archived), 0 (none) or all.")
    return Q(archived_at__isnull=value not in TRUE)


def _flag(field: str):
    def apply(values, user) -> Q:
        return Q(**{f"{field}__in": {_bool(v, field) for v in values}})

    return apply


def _moment(param: str, *, end_of_day: bool):
    """A date (`2025-01-31`) or a date and time (`2025-01-31T10:00:00+01:00`) in ISO 8601.

    A date alone means its whole day: `_after` from its start, `_before` up to its end.
    """

    def apply(values, user) -> Q:
        q = Q()
        for value in values:
            q &= Q(**{FIELD_OF[param]: parse_moment(value, param, end_of_day=end_of_day)})
        return q

    return apply


def parse_moment(value, param: str, *, end_of_day: bool = False) -> datetime:
    text = str(value).strip()
    try:
        if len(text) > 40:
            raise ValueError(text)
        day = parse_date(text) if DATE.match(text) else None  # parse_datetime takes a date too
        if day is not None:
            moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time.min)
        else:
            moment = parse_datetime(text)
        if moment is None:
            raise ValueError(text)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
    except (ValueError, OverflowError):
        _refuse(param, "Give a date (YYYY-MM-DD) or a date and time in ISO 8601.")
    return moment


FIELD_OF = {
    "created_after": "created_at__gte",
    "created_before": "created_at__lt",
    "updated_after": "updated_at__gte",
    "updated_before": "updated_at__lt",
}


# Each filter turns the values given for its parameter into one Q; several are AND-ed.
FILTERS: dict[str, Callable] = {
    "status": _by_ids(Status, "status"),
    "status_kind": _status_kind,
    "priority": _by_ids(Priority, "priority"),
    "category": _by_ids(Category, "category"),
    "type": _by_ids(TicketType, "type"),
    "item": _by_ids(Item, "item"),
    "team": _team,
    "assignee": _people("assignee", me_and_none=True, by_name="email"),
    "requester": _people("requester", me_and_none=False, by_name="email"),
    "tag": _tag,
    "reopened": _flag("reopened"),
    "overdue": _flag("overdue"),
    "archived": _archived,
    "created_after": _moment("created_after", end_of_day=False),
    "created_before": _moment("created_before", end_of_day=True),
    "updated_after": _moment("updated_after", end_of_day=False),
    "updated_before": _moment("updated_before", end_of_day=True),
}
# What a list understands besides its filters; a saved view keeps all but the paging.
SEARCH, QUEUE, ORDERING, VIEW = "q", "queue", "ordering", "view"
VIEW_PARAMS = (*FILTERS, SEARCH, QUEUE)


def asks_for_hidden(params: Mapping, user) -> bool:
    """Without a queue (the API's default), spam and deleted tickets stay out of the list
    unless staff filter on a status: `status=Spam` lists spam, `status=New` cannot match a
    hidden ticket anyway. With a queue, the queue decides (tickets/queues.py)."""
    if not getattr(user, "is_agent", False):
        return False
    return bool(_values(params, "status") or _values(params, "status_kind"))


def filter_tickets(qs: QuerySet, params: Mapping, user, *, queue_decides_hidden: bool = False) -> QuerySet:
    """Apply the filters of SPEC §6 given in `params` to a queryset of visible tickets."""
    return _filter(qs, params, user, queue_decides_hidden)[0]


def _filter(qs: QuerySet, params: Mapping, user, queue_decides_hidden: bool):
    for param, apply in FILTERS.items():
        values = _values(params, param)
        if values:
            qs = qs.filter(apply(values, user))
    if not queue_decides_hidden and not asks_for_hidden(params, user):
        qs = qs.exclude(status_kind__in=sorted(HIDDEN_KINDS))
    if not _values(params, "archived"):
        qs = qs.filter(archived_at__isnull=True)
    return search_tickets(qs, _values(params, SEARCH), user)


def search_tickets(qs: QuerySet, values: list, user):
    """Narrow to the tickets matching the search words (and the number, for `#1234`);
    return the queryset and the rank to sort by (None without a search)."""
    if not values:
        return qs, None
    if any(not isinstance(v, str) or "\x00" in v for v in values):
        _refuse(SEARCH, "Give text without NUL characters.")
    text = " ".join(values)
    number = NUMBER.match(text.strip())
    pk = int(number.group(1)) if number and 0 < int(number.group(1)) <= MAX_ID else None
    return search.search_tickets(qs, text, staff=getattr(user, "is_agent", False), number=pk)


def order_tickets(qs: QuerySet, ordering: str | None = None, rank=None) -> QuerySet:
    """Sort by one of ORDERINGS; a search without a sort lists the best matches first."""
    if not ordering and rank is not None:
        qs = qs.annotate(search_rank=rank)
        return qs.order_by(F("search_rank").desc(nulls_last=True), "-updated_at", "-id")
    ordering = ordering or DEFAULT_ORDERING
    if ordering not in ORDERINGS:
        _refuse(ORDERING, f"Sort by one of: {', '.join(ORDERINGS)}.")
    return qs.order_by(*ORDERINGS[ordering])


def query_tickets(qs: QuerySet, params: Mapping, user, *, queue_decides_hidden: bool = False) -> QuerySet:
    """Filter, search, then sort by the `ordering` parameter."""
    qs, rank = _filter(qs, params, user, queue_decides_hidden)
    return order_tickets(qs, last_value(params, ORDERING), rank)


def last_value(params: Mapping, key: str):
    return (_values(params, key) or [None])[-1]


def merge_saved_view(params: Mapping, view) -> dict[str, list]:
    """The saved view's filters, queue and sort, overridden by what `params` give themselves."""
    merged = {key: list(values) for key, values in (view.filters or {}).items()}
    merged[ORDERING] = [view.ordering]
    for key in (*VIEW_PARAMS, ORDERING):
        given = _values(params, key)
        if given:
            merged[key] = given
    return merged


def clean_view_filters(filters, user) -> dict[str, list[str]]:
    """Check what a saved view would keep: known parameters with values the list accepts."""
    if not isinstance(filters, Mapping):
        _refuse("filters", "Give the filters as an object of parameter names and values.")
    clean = {}
    for key, value in filters.items():
        if key not in VIEW_PARAMS:
            _refuse("filters", f"Unknown filter: {str(key)[:100]}. Use: {', '.join(VIEW_PARAMS)}.")
        values = value if isinstance(value, list) else [value]
        if len(values) > 50 or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
            _refuse("filters", f"Give {key} as a value or a list of values.")
        values = [str(v) for v in values if str(v) != ""]
        if values:
            clean[key] = values
    queue = clean.get(QUEUE)
    if queue and (len(queue) > 1 or queue[0] not in QUEUES):
        _refuse("filters", f"Unknown queue: {queue[0][:100]}.")
    try:
        filter_tickets(Ticket.objects.none(), clean, user)
    except ActionRefused as refused:
        _refuse("filters", f"{refused.field}: {refused.reason}")
    return clean


def resolve_params(user, params: Mapping) -> tuple[Mapping, SavedView | None]:
    """The parameters a list applies: with `view=<id>`, the saved view's under the given ones.

    A view the user may not use (another's personal view) answers 404.
    """
    view_id = last_value(params, VIEW)
    if view_id is None:
        return params, None
    view = access_saved_view_by_id(user, view_id)
    return merge_saved_view(params, view), view


def list_tickets(user, params: Mapping, base: QuerySet, *, default_queue: str | None = None) -> QuerySet:
    """Everything a ticket list applies, in order: the queue, the filters and the search, the
    sort. `params` are resolved (`resolve_params`). The rows of a page are read by
    `tickets.queue_rows.QueuePaginator`."""
    queue = last_value(params, QUEUE) or default_queue
    qs = queue_tickets(user, queue, base)
    return query_tickets(qs, params, user, queue_decides_hidden=queue is not None)


def rank_fallback(params: Mapping):
    """The sort that replaces best-match order when a search matches too many tickets to rank
    (see `tickets.queue_rows.RANK_LIMIT`); None when the list is not in best-match order."""
    if _values(params, SEARCH) and not last_value(params, ORDERING):
        return ORDERINGS[DEFAULT_ORDERING]
    return None
