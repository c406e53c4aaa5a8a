import time

from django.core.management.base import BaseCommand

from tickets.jobs import JOBS

WHAT = {
    "auto_close": "resolved ticket(s) closed after their reopen window",
    "scheduled_closures": "scheduled closure(s) fired",
    "purge": "ticket(s) purged",
    "sla_overdue": "ticket(s) flagged overdue",
    "orphan_files": "orphan file(s) removed",
    "archive_closed": "closed ticket(s) archived",
    "purge_archived": "archived ticket(s) purged",
    "automation_idle": "idle rule run(s)",
}


class Command(BaseCommand):
    help = "Run every lifecycle job once (auto-close, scheduled closures, purge, SLA, files) and report."

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
                started = time.monotonic()
                done = job(progress=lambda n, name=name: self.stdout.write(f"  {name}: {n}…"))
                took = time.monotonic() - started
                self.stdout.write(f"{name}: {done} {WHAT.get(name, 'done')} ({took:.2f}s)")
            if not loop:
                return
            time.sleep(loop)
