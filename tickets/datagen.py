"""A realistic data set for benchmarks: `manage.py generate_data` (issue 8).

Teams, categories with types and items, 50 staff, customers, SLA plans and tags are made
through the ORM; tickets and their messages, tag rows, links and attachment metadata go in
through PostgreSQL COPY, in batches with explicit ids; each batch's tickets go in through a
staging table with the search vector computed the way tickets/search.py does. Every column the
actions keep is written consistently: status_kind and priority_rank (copies of the status and
priority), the SLA due times of the ticket's plan, first_response_at and last_customer_post_at
(from the generated messages), resolved/closed/purge dates by kind. Everything random comes
from one `random.Random(seed)`: the same seed gives the same data.

COPY is PostgreSQL's: on SQLite the command refuses to run.
"""

import random
import sys
import time
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max

from accounts.models import Role, Team, User
from attachments.models import Attachment
from links.models import INVERSE, LinkType, TicketLink

from .markup import render_markdown
from .models import (
    Category,
    Item,
    Message,
    Priority,
    SLAPlan,
    Status,
    Tag,
    Ticket,
    TicketType,
)
from .search import DOCUMENT_SQL, MAX_MESSAGES_CHARS
from .sla import RUNNING_KINDS, due_times

# A skewed vocabulary: word k of the list turns up about as often as 1/k.
_WORDS = (
    "printer email laptop network vpn access screen keyboard mouse monitor outlook account login "
    "error update install license server backup phone wifi slow crash share drive folder calendar "
    "meeting excel invoice report database camera headset dock charger battery cable router "
    "firewall certificate browser token reset locked expired sync mobile tablet scanner toner "
    "paper jam driver reboot freeze noise fan power adapter projector audio video microphone "
    "speaker renewal quota storage archive restore recovery virus phishing signature mailbox "
    "forwarding alias onboarding offboarding hardware software approval purchase contract vendor "
    "warranty repair replacement shipping"
)
VOCABULARY = _WORDS.split()
# In about 40 % of the tickets' subjects (the benchmark's common word) ...
COMMON_WORD = "password"
COMMON_SHARE = 0.4
# ... in about one ticket out of 20,000 ...
RARE_WORD = "zebrafish"
RARE_EVERY = 20_000
# ... and in none (the benchmark's word that matches nothing).
ABSENT_WORD = "quixotically"

TEAMS = ["Service desk", "Network", "Workplace", "Applications", "Facilities", "Security"]
CATALOGUE = {
    "Devices": {"Laptop": ["Battery", "Screen", "Keyboard"], "Printer": ["Toner", "Paper jam"]},
    "Software": {"Office": ["Excel", "Outlook"], "Line of business": ["ERP", "CRM", "Payroll"]},
    "Network": {"Wi-Fi": ["Office", "Guest"], "VPN": ["Client", "Certificate"]},
    "Accounts": {"Access": ["New account", "Password reset"], "Offboarding": ["Leaver"]},
    "Facilities": {"Desk": ["Move", "Chair"], "Meeting room": ["Projector", "Audio"]},
    "Purchasing": {"Request": ["Hardware", "Licence"]},
}
# (kind, share): a living desk, most tickets finished.
STATUS_MIX = [
    ("closed", 0.66),
    ("resolved", 0.12),
    ("new", 0.06),
    ("open", 0.08),
    ("pending", 0.05),
    ("spam", 0.015),
    ("deleted", 0.015),
]
# Share of each priority by rank order, lowest first: Normal (second) most.
PRIORITY_SHARES = [0.2, 0.6, 0.15, 0.05]
SLA_HOURS = [(24, 120), (8, 72), (4, 24), (1, 8)]  # (first response, resolution) by rank order
SPAN_DAYS = 730
BATCH = 10_000
BODY_POOL = 600


def _pick(r: float, shares, fallback):
    """The choice whose slice of the cumulative (choice, share) pairs holds `r` (0 <= r < 1)."""
    total = 0.0
    for choice, share in shares:
        total += share
        if r < total:
            return choice
    return fallback


class Generator:
    def __init__(self, *, tickets: int, messages: int, seed: int, out=None, every: int = 50_000):
        self.count = tickets
        self.per_ticket = messages
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311
        self.out = out or sys.stdout
        self.every = max(1, every)
        self.now = datetime.now(UTC).replace(microsecond=0)

    # The fixtures: people and catalogue, made once (found again on a second run).

    def setup(self) -> None:
        rng = self.rng
        staff = list(User.objects.filter(email__startswith="gen-staff-").order_by("pk"))
        if not staff:
            from django.contrib.auth.models import Permission

            view_all = Permission.objects.get(codename="view_all", content_type__app_label="tickets")
            User.objects.bulk_create(
                [
                    User(email=f"gen-staff-{n}@example.com", name=f"Agent {n}", role=Role.STAFF)
                    for n in range(50)
                ]
            )
            staff = list(User.objects.filter(email__startswith="gen-staff-").order_by("pk"))
            for user in staff:
                user.set_unusable_password()
            User.objects.bulk_update(staff, ["password"])
            User.user_permissions.through.objects.bulk_create(
                [User.user_permissions.through(user_id=u.pk, permission_id=view_all.pk) for u in staff]
            )
            for n, name in enumerate(TEAMS):
                team, _ = Team.objects.get_or_create(name=name)
                team.members.set(staff[n :: len(TEAMS)])
        self.staff = [u.pk for u in staff]
        self.teams = list(Team.objects.filter(name__in=TEAMS).values_list("pk", flat=True).order_by("pk"))
        wanted = min(20_000, self.count // 5 + 10)
        have = User.objects.filter(email__startswith="gen-customer-").count()
        if have < wanted:
            User.objects.bulk_create(
                [
                    User(email=f"gen-customer-{n}@example.com", name=f"Customer {n}", role=Role.CUSTOMER)
                    for n in range(have, wanted)
                ],
                batch_size=2000,
            )
        self.customers = list(
            User.objects.filter(email__startswith="gen-customer-").values_list("pk", flat=True).order_by("pk")
        )[:wanted]
        self.catalogue = []  # (category, type, item)
        for n, (cat_name, types) in enumerate(CATALOGUE.items()):
            category, _ = Category.objects.get_or_create(
                name=cat_name, defaults={"default_team_id": self.teams[n % len(self.teams)]}
            )
            for type_name, items in types.items():
                kind, _ = TicketType.objects.get_or_create(category=category, name=type_name)
                for item_name in items:
                    item, _ = Item.objects.get_or_create(type=kind, name=item_name)
                    self.catalogue.append((category.pk, kind.pk, item.pk))
        self.priorities = list(Priority.objects.order_by("rank"))
        self.priority_mix = list(zip(self.priorities, PRIORITY_SHARES, strict=False))
        self.plans = {}
        for p, (first, resolution) in zip(self.priorities, SLA_HOURS, strict=False):
            plan = SLAPlan.objects.filter(priority=p, category=None).first()
            if plan is None:
                plan = SLAPlan.objects.create(
                    name=f"{p.name} SLA", priority=p, first_response_hours=first, resolution_hours=resolution
                )
            self.plans[p.pk] = plan
        self.statuses = {}
        for s in Status.objects.filter(active=True).order_by("order", "pk"):
            self.statuses.setdefault(s.kind, s)
        self.tags = [Tag.objects.get_or_create(name=w)[0].pk for w in VOCABULARY[:30]]
        self.bodies = [self._body(rng) for _ in range(BODY_POOL)]
        self.bodies_html = [render_markdown(b) for b in self.bodies]

    def _word(self, rng) -> str:
        return VOCABULARY[min(len(VOCABULARY) - 1, int(len(VOCABULARY) * rng.random() ** 3))]

    def _body(self, rng) -> str:
        """A Markdown body of 1 to 6 paragraphs, sometimes a list, a link or code."""
        parts = []
        for _ in range(rng.choice([1, 1, 2, 2, 3, 6])):
            sentence = " ".join(self._word(rng) for _ in range(rng.randint(6, 40)))
            parts.append(sentence.capitalize() + ".")
        if rng.random() < 0.2:
            parts.append("\n".join(f"- {self._word(rng)} {self._word(rng)}" for _ in range(3)))
        if rng.random() < 0.1:
            parts.append(f"See [the guide](https://intranet.example.com/{self._word(rng)}).")
        if rng.random() < 0.05:
            parts.append(f"`error 0x{rng.randrange(16**6):06x}` on **{self._word(rng)}**")
        return "\n\n".join(parts)

    # The rows.

    def _ticket(self, pk: int, rng, columns: dict) -> tuple[list, list]:
        """Fill `columns` with one ticket's row; return its messages and its tag ids."""
        created = (
            self.now
            - timedelta(days=SPAN_DAYS)
            + timedelta(days=SPAN_DAYS) * ((pk - self.first) / self.count)
        )
        created = created.replace(microsecond=0)
        kind = _pick(rng.random(), STATUS_MIX, STATUS_MIX[-1][0])
        if kind in ("new", "open", "pending"):
            # Living tickets are recent.
            created = self.now - timedelta(days=60 * rng.random(), seconds=rng.randrange(86400))
        priority = _pick(rng.random(), self.priority_mix, self.priorities[-1])
        status = self.statuses[kind]
        requester = self.customers[int(len(self.customers) * rng.random() ** 2)]
        category, type_, item = rng.choice(self.catalogue)
        words = [self._word(rng) for _ in range(rng.randint(3, 8))]
        if rng.random() < COMMON_SHARE:
            words.insert(rng.randrange(len(words)), COMMON_WORD)
        if pk % RARE_EVERY == 7:
            words.append(RARE_WORD)
        subject = " ".join(words).capitalize()
        body = rng.randrange(BODY_POOL)
        assignee = rng.choice(self.staff) if kind != "new" or rng.random() < 0.3 else None
        team = rng.choice(self.teams) if rng.random() < 0.85 else None
        # Messages: alternate requester and staff, hours apart; some internal notes.
        messages, at = [], created
        first_response = last_customer = None
        for n in range(self.per_ticket):
            at = min(self.now, at + timedelta(minutes=rng.randint(5, 60 * 48)))
            staff_turn = n % 2 == 0
            author = (assignee or rng.choice(self.staff)) if staff_turn else requester
            internal = staff_turn and rng.random() < 0.15
            if staff_turn and not internal and first_response is None:
                first_response = at
            if not staff_turn:
                last_customer = at
            m = rng.randrange(BODY_POOL)
            messages.append((pk, author, self.bodies[m], self.bodies_html[m], internal, False, at))
        updated = at
        plan = self.plans.get(priority.pk)
        first_due, due = due_times(plan, created)
        resolved = closed = purge = previous = None
        if kind in ("resolved", "closed"):
            resolved = updated
        if kind == "resolved" and resolved < self.now - timedelta(days=6):
            # Still in its reopen window: the desk's auto-close would have closed it.
            resolved = updated = self.now - timedelta(hours=rng.randint(1, 140))
        if kind == "closed":
            closed = updated
        if kind in ("spam", "deleted"):
            previous = self.statuses["new"].pk
            purge = updated + timedelta(days=30) if updated + timedelta(days=30) > self.now else None
            if purge is None:
                updated = self.now - timedelta(days=rng.randint(1, 25))
                purge = updated + timedelta(days=30)
        sla_paused = updated if kind == "pending" else None
        overdue = (
            kind in RUNNING_KINDS
            and sla_paused is None
            and (
                (due is not None and due < self.now)
                or (first_response is None and first_due and first_due < self.now)
            )
        )
        columns.update(
            id=pk,
            subject=subject,
            description=self.bodies[body],
            description_html=self.bodies_html[body],
            requester_id=requester,
            category_id=category,
            type_id=type_,
            item_id=item,
            priority_id=priority.pk,
            priority_rank=priority.rank,
            status_id=status.pk,
            status_kind=status.kind,
            previous_status_id=previous,
            assignee_id=assignee,
            team_id=team,
            resolution_notes="Fixed." if resolved else "",
            resolved_at=resolved,
            closed_at=closed,
            purge_at=purge,
            reopened=rng.random() < 0.03,
            sla_plan_id=plan.pk if plan else None,
            first_response_due_at=first_due,
            sla_due_at=due,
            sla_paused_at=sla_paused,
            overdue=bool(overdue),
            first_response_at=first_response,
            last_customer_post_at=last_customer,
            created_at=created,
            updated_at=updated,
        )
        tags = rng.sample(self.tags, rng.choice([0, 0, 0, 1, 1, 2, 3]))
        return messages, tags

    def progress(self, done: int, started: float) -> None:
        took = time.perf_counter() - started
        rate = done / took if took else 0.0
        eta = (self.count - done) / rate if rate else 0.0
        self.out.write(
            f"generate_data: {done:,}/{self.count:,} tickets ({100 * done / self.count:.0f}%) "
            f"{rate:,.0f} tickets/s, ETA {eta:.0f}s\n"
        )
        self.out.flush()

    def run(self) -> dict:
        started = time.perf_counter()
        self.setup()
        self.first = (Ticket.objects.aggregate(last=Max("id"))["last"] or 0) + 1
        fields = [f for f in Ticket._meta.concrete_fields if f.attname != "search_vector"]
        defaults = {}
        for f in fields:
            default = f.get_default()
            defaults[f.attname] = (
                None if default is None and f.null else f.get_db_prep_save(default, connection)
            )
        ticket_cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        message_cols = "ticket_id, author_id, body, body_html, internal, deleted, created_at"
        done, next_report = 0, self.every
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (LIKE tickets_ticket INCLUDING DEFAULTS)"
            )
        attachment_rows = link_rows = 0
        while done < self.count:
            size = min(BATCH, self.every, self.count - done)
            low = self.first + done
            tickets, messages, tags = [], [], []
            for pk in range(low, low + size):
                columns = dict(defaults)
                ticket_messages, ticket_tags = self._ticket(pk, self.rng, columns)
                tickets.append([columns[f.attname] for f in fields])
                messages.extend(ticket_messages)
                tags.extend((pk, t) for t in ticket_tags)
            links = self._links(low, size)
            attachments = self._attachments(low, size)
            with transaction.atomic(), connection.cursor() as cursor:
                raw = cursor.cursor
                # Messages first (the foreign keys are checked at commit), then the tickets through
                # a staging table, so that each ticket row is written once, with its search vector.
                with raw.copy(f'COPY "{Message._meta.db_table}" ({message_cols}) FROM STDIN') as copy:
                    for row in messages:
                        copy.write_row(row)
                cursor.execute(f"TRUNCATE {STAGE}")
                with raw.copy(f"COPY {STAGE} ({ticket_cols}) FROM STDIN") as copy:
                    for row in tickets:
                        copy.write_row(row)
                insert = INSERT_SQL.format(columns=ticket_cols, document=DOCUMENT_SQL)
                cursor.execute(insert, [MAX_MESSAGES_CHARS])
                through = Ticket.tags.through._meta.db_table
                with raw.copy(f'COPY "{through}" (ticket_id, tag_id) FROM STDIN') as copy:
                    for row in tags:
                        copy.write_row(row)
                with raw.copy(
                    f'COPY "{TicketLink._meta.db_table}" (source_id, target_id, type, created_at) FROM STDIN'
                ) as copy:
                    for row in links:
                        copy.write_row(row)
                with raw.copy(
                    f'COPY "{Attachment._meta.db_table}" '
                    "(ticket_id, file, filename, size, content_type, created_at) FROM STDIN"
                ) as copy:
                    for row in attachments:
                        copy.write_row(row)
            attachment_rows += len(attachments)
            link_rows += len(links)
            done += size
            if done >= next_report or done == self.count:
                self.progress(done, started)
                next_report = (done // self.every + 1) * self.every
        with connection.cursor() as cursor:
            for model in (Ticket, Message, TicketLink, Attachment):
                table = model._meta.db_table
                cursor.execute(SETVAL_SQL.format(table=table))
            # As autovacuum leaves a living desk: statistics for the planner, and the visibility
            # map that lets the queues' covering indexes answer without reading the table.
            # (VACUUM cannot run inside a transaction, e.g. a test's: statistics only, then.)
            self.out.write("VACUUM (ANALYZE) of the loaded tables...\n")
            self.out.flush()
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        took = time.perf_counter() - started
        return {
            "tickets": self.count,
            "messages": self.count * self.per_ticket,
            "links": link_rows,
            "attachments": attachment_rows,
            "seconds": took,
        }

    def _links(self, low: int, size: int) -> list:
        """About one ticket in fifty links to an earlier one, stored both ways as the action does."""
        rows, seen = [], set()
        types = [t.value for t in LinkType]
        for pk in range(low, low + size):
            if pk > self.first and self.rng.random() < 0.02:
                target = self.rng.randrange(self.first, pk)
                kind = self.rng.choice(types)
                if (pk, target, kind) not in seen:
                    seen.add((pk, target, kind))
                    rows.append((pk, target, kind, self.now))
                    rows.append((target, pk, INVERSE[LinkType(kind)].value, self.now))
        return rows

    def _attachments(self, low: int, size: int) -> list:
        """Metadata only (no files): about one ticket in twenty has a screenshot or a log."""
        rows = []
        for pk in range(low, low + size):
            if self.rng.random() < 0.05:
                name = self.rng.choice(["screenshot.png", "error.log", "invoice.pdf"])
                kind = {"png": "image/png", "log": "text/plain", "pdf": "application/pdf"}[name[-3:]]
                rows.append(
                    (
                        pk,
                        f"attachments/gen/{pk}/{name}",
                        name,
                        self.rng.randint(2_000, 900_000),
                        kind,
                        self.now,
                    )
                )
        return rows


# Sequences past the explicit ids COPY wrote (table names are the models' own).
SETVAL_SQL = (
    "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
    'coalesce((SELECT max(id) FROM "{table}"), 1))'
)

# Where a batch of tickets waits (a temporary table, no indexes) before it goes in with its
# search vector: tickets/search.py's DOCUMENT_SQL, computed in the INSERT rather than in a
# second UPDATE (which would write every row and every index entry twice).
STAGE = "gen_ticket_stage"
INSERT_SQL = (
    "INSERT INTO tickets_ticket ({columns}, search_vector) SELECT {columns}, {document} "
    "FROM gen_ticket_stage AS t ORDER BY t.id"
)


def generate(*, tickets: int, messages: int, seed: int, out=None, every: int = 50_000) -> dict:
    return Generator(tickets=tickets, messages=messages, seed=seed, out=out, every=every).run()
