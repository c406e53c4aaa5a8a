"""What a ticket list shows: its page of rows, its count, and the catalogue it names.

Both the queue page and the API list page through `QueuePaginator`, which reads a page in
two short queries instead of one wide one:

1. the ids of the page, from the ticket table alone (filters, sort, OFFSET): PostgreSQL plans
   it in about a millisecond and walks one index, even on page 400;
2. those tickets with their people (requester, assignee), unread markers and tags.

Statuses, priorities, categories, types, items and teams are small tables: they come from one
UNION query (`catalogue`) and are attached in Python. A single query joining all eight
tables costs PostgreSQL some 20 ms just to plan, which is the whole budget of a page.
"""

import json
from collections.abc import Callable

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import BigIntegerField, Case, CharField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils.functional import cached_property

from accounts.models import Role, Team, User

from .models import Category, Item, Priority, SavedView, Status, Ticket, TicketType
from .queues import with_unread

# "Best match first" ranks every match: above this many, the list falls back to the most
# recently updated first, which an index serves (see QueuePaginator.ranked).
RANK_LIMIT = 1_000


class QueuePaginator(Paginator):
    """Pages of a ticket list: exact counts up to ESTIMATE_ABOVE, PostgreSQL's estimate past it.

    An exact count reads every matching row: at a million tickets, tens to hundreds of
    milliseconds for a big queue, on every page view. Counting stops at ESTIMATE_ABOVE + 1
    rows (a few milliseconds); past that the count is the planner's estimate (a plan, well
    under a millisecond). The page then says "about N", the API's `count` is that estimate,
    and a page past the true end is empty. `load_rows(ids)` reads the rows of a page (see the module doc);
    `fallback_ordering` replaces a best-match sort when there are more than RANK_LIMIT matches.
    """

    ESTIMATE_ABOVE = 1_000

    def __init__(self, object_list, per_page, *, load_rows: Callable | None = None, fallback_ordering=None):
        super().__init__(object_list, per_page)
        self.load_rows, self.fallback_ordering = load_rows, fallback_ordering

    @cached_property
    def count(self) -> int:
        qs = self.object_list.order_by().values("pk")
        bounded = qs[: self.ESTIMATE_ABOVE + 1].count()
        if bounded <= self.ESTIMATE_ABOVE:
            return bounded
        if connection.vendor != "postgresql":
            return qs.count()
        return max(bounded, planned_rows(qs))

    @property
    def estimated(self) -> bool:
        return self.count > self.ESTIMATE_ABOVE and connection.vendor == "postgresql"

    @property
    def ranked(self) -> bool:
        """Whether the page is in best-match order (a search without a sort, few enough matches)."""
        return self.fallback_ordering is not None and self.count <= RANK_LIMIT

    def validate_number(self, number):
        """Past an estimated count, any page may exist: one past the true end is empty."""
        if not self.estimated:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer")
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page  # not cut at the count: it may be an estimate
        qs = self.object_list
        if self.fallback_ordering is not None and not self.ranked:
            qs = qs.order_by(*self.fallback_ordering)
        ids = list(qs.values_list("pk", flat=True)[bottom:top])
        if self.load_rows is not None:
            rows = self.load_rows(ids)
        else:
            by_id = {t.pk: t for t in qs.filter(pk__in=ids)}
            rows = [by_id[pk] for pk in ids if pk in by_id]
        return self._get_page(rows, number, self)


def planned_rows(qs: QuerySet) -> int:
    """How many rows PostgreSQL's planner expects the query to return."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def load_ticket_rows(
    ids: list[int], *, user, lookups: dict | None = None, participants: bool = False
) -> list[Ticket]:
    """The tickets of `ids`, in that order, with all that a row of a list shows.

    Staff rows carry `unread`. `lookups` (from `catalogue`) saves reading the catalogue again.
    """
    if not ids:
        return []
    qs = Ticket.objects.filter(pk__in=ids).select_related("requester", "assignee")
    qs = qs.prefetch_related("tags", "participants") if participants else qs.prefetch_related("tags")
    if getattr(user, "is_agent", False):
        qs = with_unread(qs, user)
    by_id = {t.pk: t for t in qs}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    if lookups is None:
        lookups = catalogue(user=None)["lookups"]
    for row in rows:
        for field in LOOKUP_FIELDS:
            key = getattr(row, f"{field}_id")
            if key is not None and key in lookups[field]:
                setattr(row, field, lookups[field][key])
    return rows


# --- The catalogue in one query ----------------------------------------------------------

LOOKUP_FIELDS = ("status", "priority", "category", "type", "item", "team")


def _part(qs, kind, name="name", parent=None, position=None, extra=None, color=None):
    return qs.order_by().values_list(
        Value(kind, output_field=CharField()),
        "pk",
        name,
        parent or Cast(Value(None), BigIntegerField()),  # a typed NULL: UNION matches types by column
        position or Value(0, output_field=IntegerField()),
        extra or Value("", output_field=CharField()),
        color or Value("", output_field=CharField()),
    )


# The catalogue's SQL is compiled once per process and database vendor: building and compiling
# this UNION of eight querysets took 2.5 ms, five times longer than running it. Only the
# user's id changes between two runs; it stands in the compiled parameters as _ANYONE.
_ANYONE = -4_242_424_242
_COMPILED: dict[tuple[str, bool], tuple[str, tuple]] = {}


def _catalogue_query(user_pk: int | None) -> QuerySet:
    parts = [
        _part(Status.objects.all(), "status", position="order", extra="kind", color="color"),
        _part(Priority.objects.all(), "priority", position="rank", color="color"),
        _part(Category.objects.all(), "category"),
        _part(TicketType.objects.all(), "type", parent="category_id"),
        _part(Item.objects.all(), "item", parent="type_id"),
        _part(Team.objects.all(), "team"),
    ]
    if user_pk is not None:
        views = SavedView.objects.filter(Q(owner_id=user_pk) | Q(shared=True))
        shared = Case(When(shared=True, then=Value(1)), default=Value(0), output_field=IntegerField())
        staff = User.objects.filter(role__in=(Role.ADMIN, Role.STAFF), is_active=True)
        parts.append(_part(staff, "staff", extra="email"))
        parts.append(_part(views, "view", parent="owner_id", position=shared, extra="ordering"))
    return parts[0].union(*parts[1:], all=True)


def _catalogue_rows(user) -> list[tuple]:
    key = (connection.vendor, user is not None)
    if key not in _COMPILED:
        query = _catalogue_query(_ANYONE if user is not None else None).query
        _COMPILED[key] = query.get_compiler(connection=connection).as_sql()
    sql, params = _COMPILED[key]
    params = [user.pk if type(p) is int and p == _ANYONE else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def catalogue(user) -> dict:
    """Statuses, priorities, categories, types, items and teams in ONE query (a UNION ALL of
    the same columns); with `user`, also the staff and the user's saved views, for the queue
    page's filter bar, bulk bar and sidebar. The tables are small: all of their rows."""
    found: dict[str, list[dict]] = {kind: [] for kind in (*LOOKUP_FIELDS, "staff", "view")}
    for kind, pk, name, parent, position, extra, color in _catalogue_rows(user):
        found[kind].append(
            {"id": pk, "name": name, "parent": parent, "position": position, "extra": extra, "color": color}
        )
    return {**_arranged(found, user), "lookups": _instances(found)}


def _instances(found: dict[str, list[dict]]) -> dict[str, dict]:
    """Model instances to hang on the rows (they are read, never saved)."""
    make = {
        "status": lambda r: Status(
            pk=r["id"], name=r["name"], kind=r["extra"], order=r["position"], color=r["color"]
        ),
        "priority": lambda r: Priority(pk=r["id"], name=r["name"], rank=r["position"], color=r["color"]),
        "category": lambda r: Category(pk=r["id"], name=r["name"]),
        "type": lambda r: TicketType(pk=r["id"], name=r["name"], category_id=r["parent"]),
        "item": lambda r: Item(pk=r["id"], name=r["name"], type_id=r["parent"]),
        "team": lambda r: Team(pk=r["id"], name=r["name"]),
    }
    return {kind: {r["id"]: build(r) for r in found[kind]} for kind, build in make.items()}


def _arranged(found: dict[str, list[dict]], user) -> dict[str, list[dict]]:
    choices = {kind: [dict(row) for row in rows] for kind, rows in found.items()}
    names = {kind: {row["id"]: row["name"] for row in rows} for kind, rows in choices.items()}
    choices["status"].sort(key=lambda r: (r["position"], r["id"]))
    choices["priority"].sort(key=lambda r: -r["position"])
    for kind in ("category", "team", "view"):
        choices[kind].sort(key=lambda r: (r["name"].lower(), r["id"]))
    for row in choices["type"]:
        row["label"] = f"{names['category'].get(row['parent'], '?')} › {row['name']}"
    for row in choices["item"]:
        row["label"] = f"{names['type'].get(row['parent'], '?')} › {row['name']}"
    choices["type"].sort(key=lambda r: r["label"].lower())
    choices["item"].sort(key=lambda r: r["label"].lower())
    for row in choices["staff"]:
        row["name"] = row["name"] or row["extra"]
    choices["staff"].sort(key=lambda r: r["name"].lower())
    for row in choices["view"]:
        row["shared"], row["mine"] = bool(row["position"]), user is not None and row["parent"] == user.pk
    choices["my_views"] = [v for v in choices["view"] if v["mine"]]
    choices["shared_views"] = [v for v in choices["view"] if not v["mine"]]
    return choices
