import logging
import sys

from django.core.management.base import BaseCommand

from tickets.mail.ingest import ingest_email

log = logging.getLogger(__name__)
EX_TEMPFAIL = 75  # sysexits.h: the mail server keeps the message and tries again later


class Command(BaseCommand):
    help = (
        "Take in one RFC 822 message from standard input (for a mail server's pipe): a new ticket, "
        "a reply on its ticket, or nothing for auto-replies and bounces. A message that cannot be "
        "taken in is kept in the admin's failed messages and the exit status is still 0, so the "
        "mail server does not bounce it; 75 (try again later) only when it could not even be kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", default="pipe", help="Recorded with a failed message.")

    def handle(self, source, **options):
        raw = sys.stdin.buffer.read()
        try:
            intake = ingest_email(raw, source=source)
        except Exception:  # the database is unreachable: let the mail server retry
            log.exception("Inbound email could not be stored")
            sys.exit(EX_TEMPFAIL)
        detail = f" #{intake.ticket_id}" if intake.ticket_id else ""
        self.stdout.write(f"{intake.outcome}{detail}")
