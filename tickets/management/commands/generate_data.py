"""`manage.py generate_data --tickets N --messages-per-ticket M --seed S` (tickets/datagen.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tickets.datagen import generate


class Command(BaseCommand):
    help = "Load a realistic benchmark data set (PostgreSQL only): tickets, messages, links, tags."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=100_000)
        parser.add_argument("--messages-per-ticket", type=int, default=4)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--progress-every", type=int, default=50_000, help="print progress every N tickets"
        )

    def handle(self, *args, tickets, messages_per_ticket, seed, progress_every, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_data needs PostgreSQL (it loads rows with COPY): set DATABASE_URL to a "
                "PostgreSQL database."
            )
        if tickets < 1 or messages_per_ticket < 0:
            raise CommandError("--tickets must be at least 1 and --messages-per-ticket at least 0.")
        result = generate(
            tickets=tickets, messages=messages_per_ticket, seed=seed, out=self.stdout, every=progress_every
        )
        self.stdout.write(
            f"generated {result['tickets']:,} tickets, {result['messages']:,} messages, "
            f"{result['links']:,} links, {result['attachments']:,} attachments in {result['seconds']:.1f}s "
            f"({result['tickets'] / result['seconds']:,.0f} tickets/s)"
        )
