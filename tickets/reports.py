"""The staff dashboard's figures: every one an aggregate computed in the database.

Nothing here loads ticket rows into Python beyond small, bounded result sets (one row per
status, team or day, the ten most overdue tickets, the five latest survey comments), so the
page costs the same at a thousand tickets and at a million. Each figure covers the tickets the
user may see (tickets/access.py), spam and deleted ones left out.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, ExpressionWrapper, F, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Team

from .access import visible_tickets
from .models import HIDDEN_KINDS, LIVE_TICKETS, OPEN_TICKETS, Status, Survey

DAYS = 30
OVERDUE_LIST = 10
RECENT_COMMENTS = 5
# Geometry of the created-vs-resolved chart (SVG user units).
CHART_HEIGHT = 160
CHART_BAR = 8
CHART_DAY = 22


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5) over an interval (an ordered-set aggregate)."""

    function = "PERCENTILE_CONT"
    name = "median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass
class ChartDay:
    day: date
    created: int
    resolved: int
    x: int = 0
    created_height: int = 0
    resolved_height: int = 0

    @property
    def created_y(self) -> int:
        return CHART_HEIGHT - self.created_height

    @property
    def resolved_y(self) -> int:
        return CHART_HEIGHT - self.resolved_height

    @property
    def resolved_x(self) -> int:
        return self.x + CHART_BAR


# Each figure is written as its index in tickets/models.py (DASHBOARD_INDEXES) expects, so that
# PostgreSQL reads it from that index alone: COUNT(*), not COUNT(id), and the same conditions.
def _live(user) -> QuerySet:
    return visible_tickets(user).filter(LIVE_TICKETS)


def _open(user) -> QuerySet:
    return visible_tickets(user).filter(OPEN_TICKETS)


def _open_counts(user) -> list[dict]:
    """Open tickets per (status, team): at most statuses x teams rows, from one index."""
    return list(_open(user).values("status_id", "team_id").annotate(count=Count("*")).order_by())


def open_by_status(user, counts: list[dict] | None = None) -> list[dict]:
    totals: dict[int, int] = {}
    for row in _open_counts(user) if counts is None else counts:
        totals[row["status_id"]] = totals.get(row["status_id"], 0) + row["count"]
    # The statuses and teams are small tables: read whole, one query each whatever the counts.
    statuses = [status for status in Status.objects.order_by("order", "id") if status.pk in totals]
    return [
        {
            "status_id": status.pk,
            "status__name": status.name,
            "status__color": status.color,
            "status__order": status.order,
            "count": totals[status.pk],
        }
        for status in statuses
    ]


def open_by_team(user, counts: list[dict] | None = None) -> list[dict]:
    totals: dict[int | None, int] = {}
    for row in _open_counts(user) if counts is None else counts:
        totals[row["team_id"]] = totals.get(row["team_id"], 0) + row["count"]
    names = dict(Team.objects.values_list("pk", "name"))
    rows = [{"team_id": pk, "team__name": names.get(pk), "count": count} for pk, count in totals.items()]
    # Most open first; ties by name, "no team" last among equals.
    return sorted(rows, key=lambda row: (-row["count"], row["team__name"] is None, row["team__name"] or ""))


def _per_day(qs: QuerySet, field: str, since) -> dict[date, int]:
    rows = (
        qs.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(count=Count("*"))
        .order_by()
    )
    return {row["day"]: row["count"] for row in rows}


def created_vs_resolved(user, days: int = DAYS) -> list[ChartDay]:
    """One entry per day (oldest first, today last) with bar geometry for the SVG chart."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(timezone.datetime.combine(first, timezone.datetime.min.time()))
    live = _live(user)
    created = _per_day(live, "created_at", since)
    resolved = _per_day(live, "resolved_at", since)
    series = [
        ChartDay(day=day, created=created.get(day, 0), resolved=resolved.get(day, 0))
        for day in (first + timedelta(days=n) for n in range(days))
    ]
    top = max([1] + [max(d.created, d.resolved) for d in series])
    for index, entry in enumerate(series):
        entry.x = index * CHART_DAY + 4
        entry.created_height = round(entry.created * CHART_HEIGHT / top)
        entry.resolved_height = round(entry.resolved * CHART_HEIGHT / top)
    return series


def sla_breaches(user) -> tuple[int, list[dict]]:
    """How many open tickets are past their SLA, and the ten most overdue."""
    breached = _open(user).filter(overdue=True)
    worst = list(breached.order_by("sla_due_at", "id").values("id", "subject", "sla_due_at")[:OVERDUE_LIST])
    return breached.aggregate(count=Count("*"))["count"], worst


def median_first_response(user, days: int = DAYS) -> timedelta | None:
    """Median time to first staff response of tickets created in the last `days` days.

    PostgreSQL computes it (percentile_cont); other databases have no such aggregate and the
    figure is left out (None) rather than computed over rows in Python.
    """
    if connection.vendor != "postgresql":
        return None
    since = timezone.now() - timedelta(days=days)
    wait = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    result = (
        _live(user)
        .filter(created_at__gte=since, first_response_at__isnull=False)
        .aggregate(median=Median(wait))
    )
    return result["median"]


def csat(user) -> dict:
    """Average rating and count of answered surveys, and the latest comments."""
    answered = Survey.objects.filter(rating__isnull=False, answered_at__isnull=False).exclude(
        ticket__status_kind__in=sorted(kind.value for kind in HIDDEN_KINDS)
    )
    if not user.has_perm("tickets.view_all"):
        # A join for those who see everything; the visibility subquery only for restricted staff.
        answered = answered.filter(ticket__in=visible_tickets(user).values("id"))
    summary = answered.aggregate(average=Avg("rating"), count=Count("id"))
    comments = list(
        answered.exclude(comment="")
        .order_by("-answered_at", "-id")
        .values("ticket_id", "rating", "comment", "answered_at")[:RECENT_COMMENTS]
    )
    return {**summary, "comments": comments}


def format_duration(value: timedelta | None) -> str:
    """ "2 h 05 min", "3 d 4 h", "45 s": short and readable."""
    if value is None:
        return ""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min"
    return f"{seconds} s"


def dashboard(user) -> dict:
    overdue_count, most_overdue = sla_breaches(user)
    counts = _open_counts(user)
    by_status = open_by_status(user, counts)
    chart = created_vs_resolved(user)
    return {
        "by_status": by_status,
        "open_total": sum(row["count"] for row in by_status),
        "by_team": open_by_team(user, counts),
        "chart": chart,
        "chart_width": len(chart) * CHART_DAY + 8,
        "chart_height": CHART_HEIGHT,
        "chart_bar": CHART_BAR,
        "chart_created_total": sum(d.created for d in chart),
        "chart_resolved_total": sum(d.resolved for d in chart),
        "overdue_count": overdue_count,
        "most_overdue": most_overdue,
        "median_first_response": format_duration(median_first_response(user)),
        "median_supported": connection.vendor == "postgresql",
        "csat": csat(user),
        "days": DAYS,
    }
