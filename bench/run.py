# ruff: noqa: E402 - the standard library is imported after the sys.path fix below
"""The benchmark suite (issue 8): `make bench`, or

    .venv/bin/python bench/run.py [--quick | --tickets N] [--regenerate] [--runs R] [--warmup W]

1. Generates N tickets x 4 messages (`manage.py generate_data`; default 1,000,000, `--quick`
   100,000) into the database `helpdesk_bench`, unless it already holds N generated tickets.
2. Adds the bench fixtures: a ticket with 50 messages, 5 attachments and 5 links, a staff
   session and an API token (bench-staff@example.com).
3. Starts the app as production would: gunicorn, 2 workers, helpdesk.settings.prod with DEBUG off
   on 127.0.0.1:<free port>, Redis db 1, and a Celery worker; BENCH_COUNT_QUERIES=1 adds the
   X-Query-Count header, BENCH_FLOOR=1 routes /bench/floor/ (a fixed 1 KB response).
4. From this process (a separate one from the server), for each scenario: W warm-up then R
   measured requests over one keep-alive connection (4 concurrent clients for the creation
   and reply throughputs); prints p50, p95, req/s, SQL queries per request, the ratio to its
   floor, and the workers' peak RSS; the floor is the 1 KB view plus, for lists, the same list
   query as raw SQL through psycopg.
   Then a memory soak: 10,000 more read requests (2,000 with --quick) on warm workers, with
   their resident memory before and after.
5. Times the lifecycle jobs over 100,000 due tickets (bench/lifecycle_jobs.py, on its own
   database `helpdesk_bench_jobs`).
6. Appends the table, with the date and the machine, to bench/RESULTS.md.

Everything is bounded in count and time and only talks to 127.0.0.1.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse
import http.client
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import threading
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DB", "helpdesk_bench")  # BENCH_DB: keep data sets of two sizes
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/1")
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "RESULTS.md"
STAFF_EMAIL = "bench-staff@example.com"
API_USERS = 40
SOAK_TOKENS = 10  # of API_USERS, for the memory soak
REQUEST_TIMEOUT = 60


def env(**extra) -> dict:
    values = dict(os.environ)
    values.update(
        DJANGO_SETTINGS_MODULE="helpdesk.settings.prod",
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"{SERVER}/{DATABASE}",
        REDIS_URL=REDIS,
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
    )
    values.update(extra)
    return values


def manage(*args: str, timeout: int = 3600) -> str:
    done = subprocess.run(  # noqa: S603 - fixed argv
        [PY, "manage.py", *args], cwd=ROOT, env=env(), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def setup_django() -> None:
    os.environ.update(env())
    import django

    django.setup()


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def generate(count: int, regenerate: bool) -> str:
    """Generate the data set unless it is there at that size; return what was done."""
    from django.db import connection

    from tickets.models import Ticket

    have = Ticket.objects.count()
    # The bench adds a few hundred tickets per run (the big ticket, the creations): still "that size".
    if not regenerate and count <= have < count + 10_000:
        return f"reused {have:,} tickets"
    if have and not regenerate:
        print(f"database holds {have:,} tickets, not {count:,}: regenerating")
    with connection.cursor() as cursor:
        cursor.execute('TRUNCATE "tickets_ticket" RESTART IDENTITY CASCADE')
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - fixed argv
        [
            PY,
            "manage.py",
            "generate_data",
            "--tickets",
            str(count),
            "--messages-per-ticket",
            "4",
            "--seed",
            "1",
        ],
        cwd=ROOT,
        env=env(),
        timeout=3600,
        check=True,
    )
    return f"generated {count:,} tickets x 4 messages in {time.perf_counter() - started:.0f}s"


def fixtures() -> dict:
    """The staff member, session, token, a big ticket, and tickets to reply to."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from accounts.actions import create_user
    from accounts.models import Role, User
    from attachments.models import Attachment
    from links.actions import link_tickets
    from links.models import TicketLink
    from tickets.actions import add_message, create_ticket
    from tickets.models import Category, Message, Ticket

    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is None:
        staff = create_user(email=STAFF_EMAIL, name="Bench Staff", role=Role.STAFF)
    session = SessionStore()
    session[SESSION_KEY] = str(staff.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
    session.create()
    token, _ = Token.objects.get_or_create(user=staff)
    # The API throttles each user (600 requests a minute): every API scenario has its own staff
    # member and token, so that the benchmark measures the app, not the limiter's 429s.
    tokens = []
    for n in range(API_USERS):
        user = User.objects.filter(email=f"bench-api-{n}@example.com").first()
        if user is None:
            user = create_user(email=f"bench-api-{n}@example.com", name=f"Bench API {n}", role=Role.STAFF)
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    category = Category.objects.filter(types__isnull=False).order_by("pk").first()
    kind = category.types.order_by("pk").first()
    item = kind.items.order_by("pk").first()
    big = Ticket.objects.filter(subject="Bench: the big ticket").first()
    if big is None:
        customer = User.objects.filter(email__startswith="gen-customer-").order_by("pk").first()
        big = create_ticket(
            actor=staff,
            subject="Bench: the big ticket",
            description="A ticket with **50 messages**, 5 attachments and 5 links.",
            category=category,
            type=kind,
            item=item,
            requester_email=customer.email,
        )
        for n in range(50 - Message.objects.filter(ticket=big).count()):
            author = staff if n % 2 else customer
            add_message(actor=author, ticket=big, body=f"Message {n}: it still **fails** after the update.")
        for n in range(5):
            Attachment.objects.create(  # bench fixture: metadata rows, no files
                ticket=big,
                file=f"attachments/bench/{n}.png",
                filename=f"shot-{n}.png",
                size=1000 + n,
                content_type="image/png",
                uploaded_by=staff,
            )
        others = Ticket.objects.exclude(pk=big.pk).order_by("pk")[:5]
        for other in others:
            try:
                link_tickets(actor=staff, source=big, target=other, type="related_to")
            except Exception as error:  # noqa: BLE001 - report and go on
                print(f"link not added: {error}")
        print(
            f"big ticket #{big.pk}: {Message.objects.filter(ticket=big).count()} messages, "
            f"{TicketLink.objects.filter(source=big).count()} links"
        )
    open_ids = list(
        Ticket.objects.filter(status_kind="open").order_by("-pk").values_list("pk", flat=True)[:8]
    )
    return {
        "session": session.session_key,
        "token": token.key,
        "tokens": tokens,
        "big": big.pk,
        "category": category.pk,
        "type": kind.pk,
        "item": item.pk,
        "open": open_ids,
        "staff": staff.pk,
        "deep_number": Ticket.objects.order_by("pk").values_list("pk", flat=True)[1000],
    }


# The server.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log) -> tuple[subprocess.Popen, subprocess.Popen]:
    server_env = env(BENCH_COUNT_QUERIES="1", BENCH_FLOOR="1")
    gunicorn = subprocess.Popen(  # noqa: S603 - fixed argv
        [str(BIN / "gunicorn"), "helpdesk.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120"],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    worker = subprocess.Popen(  # noqa: S603 - fixed argv
        [str(BIN / "celery"), "-A", "helpdesk", "worker", "-c", "1", "-l", "WARNING"],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/bench/floor/")
            if conn.getresponse().status == 200:
                return gunicorn, worker
        except OSError:
            time.sleep(0.3)
    stop(gunicorn, worker)
    raise SystemExit("gunicorn did not answer in 60 s; see var/bench_server.log")


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def worker_memory(master: int) -> dict:
    """Peak (VmHWM) and current (VmRSS) resident memory of gunicorn's workers, in MiB."""
    result = {}
    children = Path(f"/proc/{master}/task/{master}/children")
    pids = children.read_text().split() if children.exists() else []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        values = dict(re.findall(r"^(VmHWM|VmRSS):\s+(\d+) kB", status, re.M))
        result[int(pid)] = (int(values.get("VmHWM", 0)) / 1024, int(values.get("VmRSS", 0)) / 1024)
    return result


def _ticks(pid: int) -> int:
    """User + system CPU clock ticks of a process and its waited-for children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime


def _family(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        children = Path(f"/proc/{current}/task/{current}/children")
        todo += [int(c) for c in children.read_text().split()] if children.exists() else []
    return found


def cpu_snapshot(server: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each server part (a process and its children), of every PostgreSQL
    process, and of this client."""
    hz = os.sysconf("SC_CLK_TCK")
    result = {name: sum(_ticks(p) for p in _family(pid)) / hz for name, pid in server.items()}
    postgres = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    postgres = [p for p in postgres if Path(f"/proc/{p}/comm").exists() and _comm(p) == "postgres"]
    result["PostgreSQL"] = sum(_ticks(p) for p in postgres) / hz
    result["client"] = sum(os.times()[:2])
    return result


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


PROCESSES: dict[str, int] = {}  # the "web" and "worker" pids, once started
CPU_LINES: list[str] = []


# The client.


class Client:
    def __init__(self, port: int, *, session: str = "", token: str = ""):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        self.cookies = {"sessionid": session} if session else {}
        self.token = token

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        took = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return response.status, data, took, int(response.headers.get("X-Query-Count") or 0)


def memory_soak(count: int, reads: list, staff: Client, api_clients: list, master: int) -> str:
    """`count` more requests over the read scenarios (the dashboard aside), after every scenario
    has warmed the workers up: their resident memory before and after, and the growth. API
    requests take turns over `api_clients` (their own tokens: the API allows 600 a minute each)."""
    paths = [(client is staff, path) for _label, client, path, _q in reads if "dashboard" not in path]
    before = worker_memory(master)
    answers: dict[int, int] = {}
    for n in range(count):
        is_staff, path = paths[n % len(paths)]
        client = staff if is_staff else api_clients[n % len(api_clients)]
        status = client.request("GET", path)[0]
        answers[status] = answers.get(status, 0) + 1
    after = worker_memory(master)
    parts = []
    for pid, (_hwm, rss) in after.items():
        start = before.get(pid, (0, rss))[1]
        parts.append(f"pid {pid}: {start:.0f} -> {rss:.0f} MiB ({100 * (rss - start) / start:+.1f}%)")
    codes = ", ".join(f"{code}: {n:,}" for code, n in sorted(answers.items()))
    return (
        f"Memory over {count:,} more requests (all read scenarios, warm workers; answers {codes}): "
        f"{', '.join(parts)}."
    )


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


ROWS: list[dict] = []
SQL_FLOORS: dict[str, float] = {}


def measure(
    label: str,
    client: Client,
    path: str,
    *,
    warmup: int,
    runs: int,
    floor: float | None = None,
    sql: float = 0.0,
    expect: int = 200,
):
    times, queries, errors = [], [], 0
    for n in range(warmup + runs):
        status, _, took, count = client.request("GET", path)
        if status != expect:
            errors += 1
            if errors == 1:
                print(f"  {label}: HTTP {status} for {path}")
        if n >= warmup:
            times.append(took)
            queries.append(count)
    row = {
        "scenario": label,
        "p50": 1000 * statistics.median(times),
        "p95": 1000 * percentile(times, 0.95),
        "rps": len(times) / sum(times),
        "queries": statistics.median(queries),
        "errors": errors,
        "floor": floor,
        "sql": sql,
    }
    ROWS.append(row)
    print(format_row(row))
    return row


def throughput(
    label: str, port: int, make_request, *, clients: int, per_client: int, warmup: int, ok=(200, 201, 302)
):
    """`clients` threads, each its own keep-alive connection, `per_client` requests each."""
    results: list[tuple[float, int, bool]] = []
    lock = threading.Lock()

    def work(n: int):
        client, prepare = make_request(n)
        for i in range(warmup):
            client.request(*prepare(i))
        mine = []
        for i in range(per_client):
            status, _, took, count = client.request(*prepare(warmup + i))
            mine.append((took, count, status in ok))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    cpu_before = cpu_snapshot(PROCESSES) if PROCESSES else {}
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - started - 0  # warm-up included in wall: it is small
    times = [r[0] for r in results]
    row = {
        "scenario": label,
        "p50": 1000 * statistics.median(times),
        "p95": 1000 * percentile(times, 0.95),
        "rps": len(results) / wall,
        "queries": statistics.median(r[1] for r in results),
        "errors": sum(1 for r in results if not r[2]),
        "floor": None,
    }
    ROWS.append(row)
    print(format_row(row))
    if cpu_before:
        # Where the machine's CPU went, per request (warm-up included: it is small).
        spent = {k: v - cpu_before[k] for k, v in cpu_snapshot(PROCESSES).items()}
        total = clients * (per_client + warmup)
        parts = ", ".join(f"{k} {1000 * v / total:.1f}" for k, v in spent.items())
        wall_ms = 1000 * wall / total
        CPU_LINES.append(f"{label}: CPU ms per request: {parts}; wall {wall_ms:.1f} ms per request")
        print(f"  {CPU_LINES[-1]}")
    return row


def format_row(row: dict) -> str:
    ratio = f"{row['p50'] / row['floor']:.1f}x" if row.get("floor") else ""
    sql = f"{row['sql']:.1f}" if row.get("sql") else ""
    errors = f" ({row['errors']} errors)" if row["errors"] else ""
    return (
        f"| {row['scenario']:<44} | {row['p50']:8.1f} | {row['p95']:8.1f} | {row['rps']:8.1f} "
        f"| {row['queries']:5.0f} | {sql:>8} | {ratio:>6} |{errors}"
    )


HEADER = (
    f"| {'scenario':<44} | {'p50 ms':>8} | {'p95 ms':>8} | {'req/s':>8} | {'SQL':>5} | {'SQL ms':>8} "
    f"| {'floor':>6} |\n"
    f"|{'-' * 46}|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 6}:|{'-' * 9}:|{'-' * 7}:|"
)


def list_queries(query: str, staff_id: int) -> list[str]:
    """The SQL the API list runs for `query`, captured in-process (Django, no HTTP)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIRequestFactory, force_authenticate

    from accounts.models import User
    from tickets.api.tickets import TicketListApi

    request = APIRequestFactory().get(f"/api/v1/tickets/?{query}", SERVER_NAME="127.0.0.1")
    force_authenticate(request, user=User.objects.get(pk=staff_id))
    with CaptureQueriesContext(connection) as captured:
        response = TicketListApi.as_view()(request)
        response.render()
    return [q["sql"] for q in captured.captured_queries]


def raw_sql_floor(queries: list[str], runs: int) -> float:
    """p50 ms of running `queries` (the list's own SQL) raw through psycopg, one connection."""
    import psycopg

    times = []
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as conn:
        for n in range(runs + 10):
            started = time.perf_counter()
            for sql in queries:
                conn.execute(sql.encode()).fetchall()  # the app's own captured SQL
            if n >= 10:
                times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def lifecycle_jobs(count: int) -> list[str]:
    """bench/lifecycle_jobs.py over `count` due tickets, on its own database (it truncates)."""
    job_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    job_env["REDIS_URL"] = REDIS
    done = subprocess.run(  # noqa: S603 - fixed argv
        [PY, "bench/lifecycle_jobs.py", "--tickets", str(int(count))],
        cwd=ROOT,
        env=job_env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode:
        lines.append(f"lifecycle_jobs failed: {' / '.join(done.stderr.strip().splitlines()[-4:])}")
    return lines


def machine() -> str:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) // 1024
    return f"{os.cpu_count()} CPUs ({cpu}), {mem:,} MiB RAM, {platform.platform()}"


def main() -> None:  # noqa: C901, PLR0915 - one script, read top to bottom
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100,000 tickets")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--only",
        default="",
        help="scenarios whose label matches this regular expression (a look while tuning: no memory "
        "soak, no lifecycle jobs, nothing appended to RESULTS.md)",
    )
    parser.add_argument("--soak", type=int, default=None, help="memory soak requests (10,000; --quick 2,000)")
    parser.add_argument(
        "--jobs", type=int, default=100_000, help="due tickets for the lifecycle jobs (0: skip)"
    )
    args = parser.parse_args()
    count = 100_000 if args.quick else args.tickets
    if args.soak is None:
        args.soak = 2_000 if args.quick else 10_000
    if args.only:
        args.soak = args.jobs = 0

    def wanted(label: str) -> bool:
        return not args.only or re.search(args.only, label) is not None

    started = time.perf_counter()
    ensure_database()
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    setup_django()
    data = generate(count, args.regenerate)
    print(data)
    fx = fixtures()
    from django.db import connection

    # The floor of each list: its own SQL (captured from the API view in-process) run raw.
    three = urlencode({"status_kind": "open", "priority": 2, "category": fx["category"]})
    floor_queries = [f"ordering={s}" for s in ("updated", "newest", "oldest", "priority", "sla")]
    floor_queries += [
        urlencode({"ordering": s, "page": p})
        for s in ("updated", "newest", "oldest", "priority", "sla")
        for p in (1, 400)
    ]
    floor_queries += [
        "page=400",
        three,
        f"q=%23{fx['deep_number']}",
        "q=password",
        "q=zebrafish",
        "q=quixotically",
    ]
    for query in floor_queries:
        SQL_FLOORS[query] = raw_sql_floor(list_queries(query, fx["staff"]), min(args.runs, 30))
    print(f"SQL floors (ms): {', '.join(f'{k}: {v:.1f}' for k, v in SQL_FLOORS.items())}")

    connection.close()

    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / "bench_server.log", "w")  # noqa: SIM115 - open for the server's life
    port = free_port()
    gunicorn, worker = start_server(port, log)
    PROCESSES.update(web=gunicorn.pid, worker=worker.pid)
    w, r = args.warmup, args.runs
    try:
        staff = Client(port, session=fx["session"])
        api = Client(port, token=fx["token"])
        print(HEADER)
        floor_view = measure("floor: Django view, fixed 1 KB", staff, "/bench/floor/", warmup=w, runs=r)[
            "p50"
        ]
        # Read scenarios: (label, client, path, the API list query whose own SQL is the floor).
        sorts = ["updated", "newest", "oldest", "priority", "sla"]
        number = fx["deep_number"]
        big = fx["big"]
        three = urlencode({"status_kind": "open", "priority": 2, "category": fx["category"]})
        reads = []
        for sort in sorts:
            for page in (1, 400):
                query = urlencode({"ordering": sort, "page": page})
                reads.append((f"queue page {sort} p{page}", staff, f"/tickets/?{query}", query))
        for sort in sorts:
            query = f"ordering={sort}"
            reads.append((f"API list {sort}", api, f"/api/v1/tickets/?{query}", query))
        reads.append(("API list page 400", api, "/api/v1/tickets/?page=400", "page=400"))
        reads.append(("API list 3 filters", api, f"/api/v1/tickets/?{three}", three))
        reads.append(("ticket page (50 msgs, 5 att, 5 links)", staff, f"/tickets/{big}/", None))
        reads.append(("API ticket detail (same ticket)", api, f"/api/v1/tickets/{big}/", None))
        reads.append(("API messages (same ticket)", api, f"/api/v1/tickets/{big}/messages/", None))
        # The queue page answers a search for one ticket number with a redirect to the ticket.
        reads.append(("quick search by number (302)", staff, f"/tickets/?q=%23{number}", f"q=%23{number}"))
        reads.append(("full-text common word (~40%)", staff, "/tickets/?q=password", "q=password"))
        reads.append(("full-text rare word", staff, "/tickets/?q=zebrafish", "q=zebrafish"))
        reads.append(("full-text word in none", staff, "/tickets/?q=quixotically", "q=quixotically"))
        reads.append(("API full-text common word", api, "/api/v1/tickets/?q=password", "q=password"))
        reads.append(("dashboard (staff)", staff, "/dashboard/", None))
        memory_start = worker_memory(gunicorn.pid)
        pool = iter(fx["tokens"])
        for label, client, path, query in reads:
            if not wanted(label):
                continue
            if client is api:
                client = Client(port, token=next(pool))
            sql_ms = SQL_FLOORS.get(query, 0.0) if query else 0.0
            expect = 302 if "(302)" in label else 200
            measure(
                label, client, path, warmup=w, runs=r, floor=floor_view + sql_ms, sql=sql_ms, expect=expect
            )

        # Throughput with 4 concurrent clients.
        per_client = max(10, r // 2)
        body = {
            "subject": "Bench printer on fire",
            "description": "It **smokes** since the update.",
            "category": fx["category"],
            "type": fx["type"],
            "item": fx["item"],
            "requester_email": "bench-requester@example.com",
        }

        create_tokens = [next(pool) for _ in range(4)]
        reply_tokens = [next(pool) for _ in range(4)]

        def api_create(n):
            client = Client(port, token=create_tokens[n])
            payload = json.dumps(body).encode()
            return client, lambda i: (
                "POST",
                "/api/v1/tickets/",
                payload,
                {"Content-Type": "application/json"},
            )

        if wanted("create ticket, API (4 clients)"):
            throughput(
                "create ticket, API (4 clients)", port, api_create, clients=4, per_client=per_client, warmup=3
            )

        def form_create(n):
            client = Client(port, session=fx["session"])
            status, page, _, _ = client.request("GET", "/tickets/new/")
            match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            token = match.group(1).decode() if match else ""
            form = {**body, "csrfmiddlewaretoken": token, "tags": ""}
            payload = urlencode(form).encode()
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}/tickets/new/",
            }
            return client, lambda i: ("POST", "/tickets/new/", payload, headers)

        if wanted("create ticket, form (4 clients)"):
            throughput(
                "create ticket, form (4 clients)",
                port,
                form_create,
                clients=4,
                per_client=per_client,
                warmup=3,
            )

        def api_reply(n):
            client = Client(port, token=reply_tokens[n])
            target = fx["open"][n % len(fx["open"])] if fx["open"] else big
            payload = json.dumps({"body": "Thanks, **looking** into it."}).encode()
            return client, lambda i: (
                "POST",
                f"/api/v1/tickets/{target}/messages/",
                payload,
                {"Content-Type": "application/json"},
            )

        if wanted("add a reply, API (4 clients)"):
            throughput(
                "add a reply, API (4 clients)", port, api_reply, clients=4, per_client=per_client, warmup=3
            )
        soak_clients = [Client(port, token=next(pool)) for _ in range(SOAK_TOKENS)]
        soak = memory_soak(args.soak, reads, staff, soak_clients, gunicorn.pid) if args.soak else ""
        memory = worker_memory(gunicorn.pid)
    finally:
        stop(gunicorn, worker)
        log.close()
    jobs = lifecycle_jobs(args.jobs) if args.jobs else []
    for line in jobs:
        print(line)
    mem_text = ", ".join(
        f"pid {pid}: RSS {memory_start.get(pid, (0, 0))[1]:.0f} MiB after the floor's warm-up, "
        f"peak {hwm:.0f} MiB, at the end {rss:.0f} MiB"
        for pid, (hwm, rss) in memory.items()
    )
    print(f"gunicorn workers: {mem_text}")
    print(soak)
    total = time.perf_counter() - started
    if args.only:
        print(f"--only: nothing appended to {RESULTS.relative_to(ROOT)} ({total:.0f}s)")
        return
    section = [
        f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {count:,} tickets x 4 messages"
        f"{' (--quick)' if args.quick else ''}\n",
        f"Machine: {machine()}. Data: {data}. Runs: {w} warm-up + {r} measured per read scenario, one "
        f"keep-alive client; throughput: 4 clients x {max(10, r // 2)} requests. Whole run {total:.0f}s.\n",
        "floor = the scenario's p50 over its floor's p50 (lists and searches: the 1 KB view + the raw "
        "SQL list query; detail pages: the 1 KB view).\n",
        HEADER,
        *[format_row(row) for row in ROWS],
        "",
        f"Gunicorn workers' memory after the run: {mem_text}.",
        "",
        soak,
        "",
        *[f"{line}." for line in CPU_LINES],
        "",
        "Lifecycle jobs (bench/lifecycle_jobs.py):",
        "",
        *[f"    {line}" for line in jobs],
        "",
    ]
    with open(RESULTS, "a") as out:
        out.write("\n".join(section) + "\n")
    print(f"appended to {RESULTS.relative_to(ROOT)} ({total:.0f}s)")


if __name__ == "__main__":
    main()
