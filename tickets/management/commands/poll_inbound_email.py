import time

from django.core.management.base import BaseCommand

from tickets.mail.imap import poll_mailbox


class Command(BaseCommand):
    help = "Fetch unseen messages from INBOUND_IMAP_URL and take each in once (as the Celery beat task)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=None, help="Override INBOUND_IMAP_URL.")
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS", help="Poll every SECONDS.")

    def handle(self, url, loop, **options):
        while True:
            counts = poll_mailbox(url)
            summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nothing new"
            self.stdout.write(summary)
            if not loop:
                return
            time.sleep(loop)
