import time

from django.core.management.base import BaseCommand

from tickets.jobs import JOBS


class Command(BaseCommand):
    help = "Run every lifecycle job once (auto-close, scheduled closures, purge) and report."

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running every SECONDS (for `make run` without Celery beat).",
        )

    def handle(self, loop, **options):
        while True:
            for name, job in JOBS.items():
                done = job(progress=lambda n, name=name: self.stdout.write(f"  {name}: {n}…"))
                self.stdout.write(f"{name}: {done} ticket(s)")
            if not loop:
                return
            time.sleep(loop)
