"""Load demo data: an admin, two staff in two teams, three customers, a catalogue and about
50 tickets with conversations. Idempotent: a second run changes nothing and prints the logins.
"""

import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from accounts.actions import create_user, save_team
from accounts.models import Role, User
from tickets import actions
from tickets.actions.catalogue import create_catalogue_entry, save_sla_plan
from tickets.errors import ActionRefused
from tickets.lifecycle import status_of_kind
from tickets.models import Category, Priority, StatusKind

PASSWORD = "demo-pass-2026"  # nosec B105
PEOPLE = [
    ("admin@example.com", "Ada Admin", Role.ADMIN, "Support"),
    ("sam@example.com", "Sam Staff", Role.STAFF, "Support"),
    ("tess@example.com", "Tess Tech", Role.STAFF, "Field"),
    ("cora@example.com", "Cora Customer", Role.CUSTOMER, None),
    ("carl@example.com", "Carl Client", Role.CUSTOMER, None),
    ("cleo@example.com", "Cleo Consumer", Role.CUSTOMER, None),
]
CATALOGUE = {
    "Hardware": {"Laptop": ["Battery", "Screen", "Keyboard"], "Printer": ["Paper jam", "Toner"]},
    "Software": {"Email": [], "Office suite": ["Licence", "Crash"]},
    "Accounts": {},
}
SUBJECTS = [
    "Cannot log in since this morning",
    "Printer shows error 49",
    "Laptop battery drains fast",
    "Need a licence for the office suite",
    "Email stuck in outbox",
    "Screen flickers",
    "Keyboard missing keys",
    "Password reset link expired",
    "Toner empty on floor 2",
    "Office suite crashes on save",
]
# Priority: (first response, resolution) targets in hours.
SLA_PLANS = {"Emergency": (1, 4), "High": (4, 24), "Normal": (8, 72), "Low": (24, 120)}
REPLIES = [
    "Thanks, we are looking into it.",
    "Could you send a **screenshot**?",
    "Here it is:\n\n- step one\n- step two",
    "Tried a restart, no luck.",
    "Please try `Ctrl+Shift+R` and tell us.",
    "That fixed it, thank you!",
]


class Command(BaseCommand):
    help = "Load demo users, catalogue and tickets (idempotent) and print the logins."

    def handle(self, **options):
        if User.objects.filter(email=PEOPLE[0][0]).exists():
            self.stdout.write("Demo data already loaded.")
        else:
            # The demo's notifications would flood the console: keep them in memory.
            locmem = "django.core.mail.backends.locmem.EmailBackend"
            try:
                with override_settings(EMAIL_BACKEND=locmem), transaction.atomic():
                    self._load()
            except ActionRefused as error:  # e.g. a catalogue that generate_data loaded: nothing kept
                raise CommandError(
                    f"The demo data was not loaded, nothing was changed: {error} "
                    "The demo needs a database without a catalogue of its own."
                ) from error
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"\nDemo logins (password for all: {PASSWORD}):")
        for email, name, role, _team in PEOPLE:
            self.stdout.write(f"  {role:<9} {email:<22} {name}")

    def _load(self):
        rng = random.Random(2026)  # noqa: S311  # nosec B311
        teams = {name: save_team(name=name) for name in ("Support", "Field")}
        users = {}
        for email, name, role, team in PEOPLE:
            users[email] = create_user(
                email=email,
                name=name,
                role=role,
                password=PASSWORD,
                teams=[teams[team]] if team else (),
            )
        admin = users["admin@example.com"]
        for cname, types in CATALOGUE.items():
            cat = create_catalogue_entry(actor=admin, name=cname)
            for tname, items in types.items():
                typ = create_catalogue_entry(actor=admin, name=tname, parent_category=cat)
                for iname in items:
                    create_catalogue_entry(actor=admin, name=iname, parent_type=typ)
        Category.objects.filter(name="Hardware").update(default_team=teams["Field"])
        Category.objects.filter(name="Software").update(default_team=teams["Support"])
        for priority in Priority.objects.filter(name__in=SLA_PLANS):
            first, resolution = SLA_PLANS[priority.name]
            save_sla_plan(
                actor=admin,
                name=f"{priority.name} {first}h/{resolution}h",
                priority=priority,
                first_response_hours=first,
                next_response_hours=first,
                resolution_hours=resolution,
            )
        staff = [users["sam@example.com"], users["tess@example.com"]]
        customers = [u for u in users.values() if u.role == Role.CUSTOMER]
        cats = list(Category.objects.prefetch_related("types__items"))
        priorities = list(Priority.objects.all())
        for n in range(50):
            self._ticket(rng, n, cats, priorities, staff, customers)

    def _ticket(self, rng, n, cats, priorities, staff, customers):
        cat = rng.choice(cats)
        typ = rng.choice(list(cat.types.all())) if cat.types.exists() else None
        item = rng.choice(list(typ.items.all())) if typ and typ.items.exists() else None
        customer = rng.choice(customers)
        agent = rng.choice(staff)
        ticket = actions.create_ticket(
            actor=agent,
            requester=customer,
            subject=SUBJECTS[n % len(SUBJECTS)],
            description=f"Hello,\n\n{rng.choice(REPLIES)}\n\nTicket {n + 1} of the demo.",
            category=cat,
            type=typ,
            item=item,
            priority=rng.choice(priorities),
        )
        if rng.random() < 0.6:
            actions.assign_ticket(ticket=ticket, actor=agent, assignee=agent)
        for i in range(rng.randint(0, 4)):
            author = agent if i % 2 == 0 else customer
            actions.add_message(ticket=ticket, actor=author, body=rng.choice(REPLIES))
        if rng.random() < 0.3:
            actions.add_message(ticket=ticket, actor=agent, body="Internal: check warranty.", internal=True)
        fate = rng.random()
        if fate < 0.2:
            actions.resolve_ticket(ticket=ticket, actor=agent, resolution_notes="Fixed on site.")
        elif fate < 0.3:
            actions.close_ticket(ticket=ticket, actor=agent)
        elif fate < 0.5:
            actions.transition_ticket(ticket=ticket, actor=agent, status=status_of_kind(StatusKind.OPEN))
