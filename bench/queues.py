"""Benchmark the staff queues, sorts and full-text search on a dedicated PostgreSQL database.

    .venv/bin/python bench/queues.py [--tickets N] [--runs R] [--reuse]

Creates (if needed) and migrates the database `helpdesk_bench_queues`, loads N tickets
(default 200,000) with one INSERT ... SELECT generate_series: two years of tickets, most of
them closed, a realistic spread of priorities, teams, assignees, categories and SLA due
times, subjects and descriptions drawn from a skewed vocabulary, a reply on every other
ticket, and the search vector the actions keep. `--reuse` keeps a database already loaded
with N tickets.

Then, for every sort of the queue (first page and page 400) and for a full-text search of a
common and of a rare word, it prints the key lines of EXPLAIN (ANALYZE, BUFFERS) and the
p50/p95 of R runs (default 30): at the SQL layer (the page's row query alone), and through
the app (Django's test client: session, permissions, count, rows, render). Nothing is
asserted on time.

Targets at 1,000,000 tickets: each sort p50 <= 40 ms through the app, full-text p50 <= 100 ms.
The bench sets `random_page_cost = 1.1` on its database (data in memory or on SSD), as
production should; see README "Queues, search and their speed".
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "helpdesk_bench_queues"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PAGE_SIZE = 25
DEEP_PAGE = 400
# A skewed vocabulary: word k of the list turns up about as often as 1/k (Zipf-like).
VOCABULARY = (
    "printer email password laptop network vpn access screen keyboard mouse monitor outlook "
    "account login error update install license server backup phone wifi slow crash share "
    "drive folder permission calendar meeting teams excel word invoice report database "
    "camera headset dock charger battery cable router firewall certificate browser chrome "
    "firefox java python token reset locked expired sync mobile tablet scanner toner paper "
    "jam driver bluescreen reboot freeze noise fan overheating power adapter projector "
    "conference audio video microphone speaker license renewal quota storage archive "
    "restore deleted recovery virus malware phishing spam attachment signature mailbox "
    "forwarding alias distribution group onboarding offboarding hardware software request "
    "approval purchase order contract vendor warranty repair replacement shipping"
)
WORDS = VOCABULARY.split()
RARE_WORD = "zebrafish"  # in one ticket out of 20,000


def configure() -> None:
    """Point Django's test settings at the bench database, creating it if needed."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings.test"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The data sits in memory or on SSD: random reads cost about what sequential ones do. The
    # default (4.0, for spinning disks) makes the planner walk the updated_at index through
    # 100,000 rows rather than read 10,000 from the status-kind index. Production should set it.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{DATABASE}" SET random_page_cost = 1.1')
        cursor.execute("SET random_page_cost = 1.1")


def sql(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def people():
    """50 staff in 10 teams, 2,000 customers, 12 categories; the bench's staff member is
    `bench-staff-0`, in team 0, with view_all; `bench-restricted` sees team 1 only."""
    from accounts.actions import create_user, save_team, update_user
    from accounts.models import Role, Team, User
    from tickets.models import Category

    if User.objects.filter(email="bench-staff-0@example.com").exists():
        return
    staff = [
        create_user(email=f"bench-staff-{n}@example.com", name=f"Agent {n}", role=Role.STAFF, password="x")
        for n in range(50)
    ]
    for n in range(10):
        save_team(name=f"Team {n}", members=staff[n * 5 : n * 5 + 5])
    restricted = create_user(email="bench-restricted@example.com", name="Restricted", role=Role.STAFF)
    update_user(user=restricted, view_all=False, teams=[Team.objects.get(name="Team 1")])
    User.objects.bulk_create(
        [User(email=f"bench-customer-{n}@example.com", name=f"Customer {n}") for n in range(2000)]
    )
    Category.objects.bulk_create([Category(name=f"Bench category {n}") for n in range(12)])


def load(count: int) -> None:
    """Replace every ticket with `count` generated ones (one INSERT ... SELECT), then replies."""
    from django.db import connection

    from accounts.models import Role, Team, User
    from tickets.models import Category, Message, Priority, Status, Ticket

    people()
    sql(f'TRUNCATE "{Ticket._meta.db_table}" RESTART IDENTITY CASCADE')
    statuses = {s.kind: s for s in Status.objects.filter(active=True).order_by("-order")}
    priorities = list(Priority.objects.order_by("rank"))
    staff = list(User.objects.filter(role=Role.STAFF).values_list("pk", flat=True).order_by("pk"))[:50]
    customers = list(User.objects.filter(role=Role.CUSTOMER).values_list("pk", flat=True))
    teams = list(Team.objects.values_list("pk", flat=True).order_by("name"))
    categories = list(Category.objects.values_list("pk", flat=True))
    # kind, share of tickets (cumulative thresholds below)
    spread = [("closed", 0.70), ("resolved", 0.10), ("new", 0.07), ("open", 0.07), ("pending", 0.03)]
    spread += [("spam", 0.015), ("deleted", 0.015)]
    status_case, total = [], 0.0
    for kind, share in spread:
        total += share
        status_case.append((total, statuses[kind]))
    kind_sql = " ".join(f"WHEN r.s < {t:.3f} THEN '{s.kind}'" for t, s in status_case)
    status_sql = " ".join(f"WHEN r.s < {t:.3f} THEN {s.pk}" for t, s in status_case)
    prio_shares = [0.2, 0.6, 0.15, 0.05][: len(priorities)]
    prio_case, total = [], 0.0
    for p, share in zip(priorities, prio_shares, strict=False):
        total += share
        prio_case.append((total, p))
    prio_sql = " ".join(f"WHEN r.p < {t:.3f} THEN {p.pk}" for t, p in prio_case)
    rank_sql = " ".join(f"WHEN r.p < {t:.3f} THEN {p.rank}" for t, p in prio_case)
    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    # word(k): the skewed pick; subject 5 words, description 20, reply 15.
    pick = f"({words})[1 + floor({len(WORDS)} * power(random(), 3))::int]"

    def text(n: int) -> str:
        return f"(SELECT string_agg({pick}, ' ') FROM generate_series(1, {n}) WHERE g.i > 0)"

    mine = {
        "subject": "r.subject",
        "description": "r.description",
        "description_html": "'<p>' || r.description || '</p>'",
        "requester_id": f"(ARRAY{customers})[1 + mod(g.i * 7919, {len(customers)})]",
        "category_id": f"(ARRAY{categories})[1 + mod(g.i * 31, {len(categories)})]",
        "priority_id": f"CASE {prio_sql} ELSE {priorities[-1].pk} END",
        "priority_rank": f"CASE {rank_sql} ELSE {priorities[-1].rank} END",
        "status_id": f"CASE {status_sql} ELSE {statuses['deleted'].pk} END",
        "status_kind": f"CASE {kind_sql} ELSE 'deleted' END",
        "assignee_id": f"CASE WHEN r.a < 0.7 THEN (ARRAY{staff})[1 + mod(g.i * 13, {len(staff)})] END",
        "team_id": f"CASE WHEN r.t < 0.8 THEN (ARRAY{teams})[1 + mod(g.i * 17, {len(teams)})] END",
        "reopened": "r.a < 0.03",
        "overdue": "r.t < 0.05 AND r.s >= 0.80 AND r.s < 0.97",
        "created_at": f"now() - interval '730 days' + (g.i * interval '730 days' / {count})",
        "updated_at": f"now() - interval '730 days' + (g.i * interval '730 days' / {count})"
        " + r.u * interval '20 days'",
        "sla_due_at": f"CASE WHEN r.p < 0.7 THEN now() - interval '730 days' + (g.i * interval '730 days' / "
        f"{count}) + (24 + floor(r.u * 48)) * interval '1 hour' END",
        "last_customer_post_at": f"CASE WHEN r.a < 0.5 THEN now() - interval '730 days' + "
        f"(g.i * interval '730 days' / {count}) + r.u * interval '20 days' END",
        "search_vector": "setweight(to_tsvector('english', r.subject), 'A') || "
        "setweight(to_tsvector('english', r.description), 'B') || "
        "setweight(to_tsvector('english', coalesce(r.reply, '')), 'C')",
    }
    fields = [f for f in Ticket._meta.concrete_fields if not f.primary_key]
    columns, values, params = [], [], []
    for f in fields:
        columns.append(connection.ops.quote_name(f.column))
        if f.attname in mine:
            values.append(mine[f.attname])
        else:
            default = f.get_default()
            values.append("%s")
            params.append(None if default is None and f.null else f.get_db_prep_save(default, connection))
    rare = f"CASE WHEN mod(g.i, 20000) = 7 THEN ' {RARE_WORD}' ELSE '' END"
    started = time.perf_counter()
    sql(
        f'INSERT INTO "{Ticket._meta.db_table}" ({", ".join(columns)}) '
        f"SELECT {', '.join(values)} FROM generate_series(1::bigint, {count}) AS g(i) "
        f"CROSS JOIN LATERAL (SELECT initcap({text(5)}) || {rare} AS subject, {text(20)} AS description, "
        f"CASE WHEN mod(g.i, 2) = 0 THEN {text(15)} END AS reply, random() AS s, random() AS p, "
        f"random() AS a, random() AS t, random() AS u) AS r ORDER BY g.i",
        params,
    )
    # The replies that went into the vectors, as messages (bodies regenerated: same words).
    sql(
        f'INSERT INTO "{Message._meta.db_table}" (ticket_id, body, body_html, internal, deleted, created_at) '
        f"SELECT id, {text(15).replace('g.i', 't.id')}, '', false, false, updated_at "
        f'FROM "{Ticket._meta.db_table}" AS t WHERE mod(t.id, 2) = 0'
    )
    sql("VACUUM ANALYZE")
    print(f"loaded {count:,} tickets (+ {count // 2:,} replies) in {time.perf_counter() - started:.0f}s")


# --- Measuring ---------------------------------------------------------------------------


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]
    return f"p50 {statistics.median(samples):7.1f} ms  p95 {p95:7.1f} ms"


def timed(fn, runs: int) -> list[float]:
    fn()  # warm the caches once
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def explain_lines(sql_text: str, params) -> list[str]:
    """The plan's nodes with their index, and its planning and execution times."""
    rows = [r[0] for r in sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql_text}", params)]
    keep = ("Scan", "Sort", "Limit", "Index Cond", "Recheck", "Planning Time", "Execution Time")
    lines = [line for line in rows if any(k in line for k in keep)]
    buffers = next((line for line in rows if "Buffers: shared" in line), "")
    return [*lines[:7], buffers.strip(), *[line for line in lines[7:] if "Time" in line]]


def page_sql(user, params: dict, page: int) -> list[tuple[str, list]]:
    """The two statements that read a page (tickets.queue_rows): its ids, then its rows."""
    from tickets.models import Ticket
    from tickets.queries import list_tickets, rank_fallback, resolve_params
    from tickets.queue_rows import RANK_LIMIT
    from tickets.queues import with_unread

    resolved, _ = resolve_params(user, params)
    qs = list_tickets(user, resolved, Ticket.objects.all(), default_queue=params.get("queue"))
    fallback = rank_fallback(resolved)
    if fallback and qs.order_by().values("pk")[: RANK_LIMIT + 1].count() > RANK_LIMIT:
        qs = qs.order_by(*fallback)
    offset = (page - 1) * PAGE_SIZE
    ids_qs = qs.values_list("pk", flat=True)[offset : offset + PAGE_SIZE]
    ids = list(ids_qs)
    rows = with_unread(Ticket.objects.filter(pk__in=ids or [0]).select_related("requester", "assignee"), user)
    return [ids_qs.query.sql_with_params(), rows.query.sql_with_params()]


def measure(label: str, user, params: dict, runs: int, client, *, explain: bool) -> None:
    from urllib.parse import urlencode

    for page in (1, DEEP_PAGE):
        statements = page_sql(user, params, page)
        at_sql = timed(lambda s=statements: [sql(q, a) for q, a in s], runs)
        url = "/tickets/?" + urlencode({**params, "page": page})
        at_app = timed(lambda u=url: client.get(u), runs)
        status = client.get(url).status_code
        api_url = "/api/v1/tickets/?" + urlencode({**params, "page": page})
        at_api = timed(lambda u=api_url: client.get(u), runs)
        print(f"{label:<34} page {page:<4} SQL {percentiles(at_sql)} | page {percentiles(at_app)} [{status}]")
        print(f"{'':<34} {'':<9} API {percentiles(at_api)}")
        if explain:
            for line in explain_lines(*statements[0]):
                print(f"{'':<6}{line.strip()}")


def run(runs: int, explain: bool) -> None:
    from django.test import Client

    from accounts.models import User

    staff = User.objects.get(email="bench-staff-0@example.com")
    restricted = User.objects.get(email="bench-restricted@example.com")
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    print(f"\n== Sorts of the All queue ({PAGE_SIZE} a page), staff with view_all ==")
    for ordering in ("updated", "newest", "oldest", "priority", "sla"):
        measure(
            f"all, {ordering}", staff, {"queue": "all", "ordering": ordering}, runs, client, explain=explain
        )
    print("\n== Other queues and filters ==")
    month_ago = (date.today() - timedelta(days=30)).isoformat()
    cases = [
        ("default (mine + team 0)", {"queue": "default"}),
        ("unassigned, priority", {"queue": "unassigned", "ordering": "priority"}),
        ("status_kind=open", {"queue": "all", "status_kind": "open"}),
        ("overdue, sla", {"queue": "all", "overdue": "true", "ordering": "sla"}),
        ("created last 30 days", {"queue": "all", "created_after": month_ago, "ordering": "newest"}),
        ("spam queue", {"queue": "spam"}),
    ]
    for label, params in cases:
        measure(label, staff, params, runs, client, explain=explain)
    print("\n== Full-text search (best match first) ==")
    for label, word in (("common word", WORDS[0]), ("mid word", WORDS[40]), ("rare word", RARE_WORD)):
        measure(f"q={word} ({label})", staff, {"queue": "all", "q": word}, runs, client, explain=explain)
    measure(
        f"q={WORDS[0]}, updated",
        staff,
        {"queue": "all", "q": WORDS[0], "ordering": "updated"},
        runs,
        client,
        explain=explain,
    )
    print("\n== Restricted staff (team 1 only) ==")
    client.force_login(restricted)
    measure("restricted default, updated", restricted, {"queue": "default"}, runs, client, explain=explain)
    measure(
        "restricted q=common", restricted, {"queue": "default", "q": WORDS[0]}, runs, client, explain=explain
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the tickets if the count matches")
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()
    configure()
    from tickets.models import Ticket

    if not (args.reuse and Ticket.objects.count() == args.tickets):
        load(args.tickets)
    run(args.runs, explain=not args.no_explain)


if __name__ == "__main__":
    main()
