"""Filters and orderings of the ticket list (SPEC §6), shared by the API and the queue page.

`filter_tickets(qs, params, user)` reads plain query parameters (a QueryDict or a dict) and
refuses every value it does not know with `ActionRefused(..., "invalid", param)`: a typo in a
filter must never quietly show the whole queue. Nothing here knows about HTTP or DRF.
"""

import re
from collections.abc import Callable, Mapping

from django.db.models import F, Q, QuerySet

from accounts.models import Team, User

from .errors import ActionRefused
from .models import HIDDEN_KINDS, Category, Item, Priority, Status, StatusKind, Ticket, TicketType

MAX_ID = 2**63 - 1
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
NUMBER = re.compile(r"^#?([0-9]{1,18})$")

# Sorts of SPEC §6; every one ends on a unique key so that pages never overlap.
ORDERINGS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "updated": ("-updated_at", "-id"),
    "priority": ("-priority__rank", "-updated_at", "-id"),
    "sla": (F("sla_due_at").asc(nulls_last=True), "-priority__rank", "id"),
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


def ids_for(qs: QuerySet, value, param: str, *, by_name: str | None = "name") -> list[int]:
    """The ids of the rows named by `value` (an id, or a case-insensitive name)."""
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdecimal()) or not by_name:
        ids = list(qs.filter(pk=parse_id(value, param)).values_list("pk", flat=True))
    else:
        ids = list(qs.filter(**{f"{by_name}__iexact": _text(value, param)}).values_list("pk", flat=True))
    if not ids:
        _refuse(param, f"Unknown {param}: {str(value)[:100]}.")
    return ids


def lookup(qs: QuerySet, value, param: str, *, by_name: str | None = "name"):
    """The one row named by `value` (an id, or a unique name when `by_name`)."""
    ids = ids_for(qs, value, param, by_name=by_name)
    if len(ids) > 1:
        _refuse(param, f"More than one {param} is called {str(value)[:100]}; give its id.")
    return qs.get(pk=ids[0])


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
    return Q(status__kind__in=values)


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


def _flag(field: str):
    def apply(values, user) -> Q:
        return Q(**{f"{field}__in": {_bool(v, field) for v in values}})

    return apply


def _q(values, user) -> Q:
    q = Q()
    for value in values:
        text = _text(value, "q")
        number = NUMBER.match(text)
        q |= Q(subject__icontains=text)
        if number and int(number.group(1)) <= MAX_ID:
            q |= Q(pk=int(number.group(1)))
    return q


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
    "q": _q,
}


def asks_for_hidden(params: Mapping, user) -> bool:
    """Spam and deleted tickets stay out of every list unless staff filter on a status.

    With a status or status kind given, that filter alone decides: `status=Spam` lists spam,
    `status=New` cannot match a hidden ticket anyway.
    """
    if not getattr(user, "is_agent", False):
        return False
    return bool(_values(params, "status") or _values(params, "status_kind"))


def filter_tickets(qs: QuerySet, params: Mapping, user) -> QuerySet:
    """Apply the filters of SPEC §6 given in `params` to a queryset of visible tickets."""
    for param, apply in FILTERS.items():
        values = _values(params, param)
        if values:
            qs = qs.filter(apply(values, user))
    if not asks_for_hidden(params, user):
        qs = qs.exclude(status__kind__in=HIDDEN_KINDS)
    return qs


def order_tickets(qs: QuerySet, ordering: str | None = None) -> QuerySet:
    """Sort by one of ORDERINGS (default: last updated first)."""
    ordering = ordering or DEFAULT_ORDERING
    if ordering not in ORDERINGS:
        _refuse("ordering", f"Sort by one of: {', '.join(ORDERINGS)}.")
    return qs.order_by(*ORDERINGS[ordering])


def query_tickets(qs: QuerySet, params: Mapping, user) -> QuerySet:
    """Filter, then sort by the `ordering` parameter."""
    ordering = (_values(params, "ordering") or [None])[-1]
    return order_tickets(filter_tickets(qs, params, user), ordering)
