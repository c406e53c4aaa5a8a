"""The Celery app and the beat schedule of the periodic lifecycle jobs (SPEC §10)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.dev")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def setup_periodic_tasks(sender, **kwargs):
    from django.conf import settings

    # add_periodic_task needs a signature: a bare task name fails when the app finalizes.
    every = settings.LIFECYCLE_JOB_INTERVAL_SECONDS
    sender.add_periodic_task(
        every, sender.signature("tickets.tasks.run_lifecycle_jobs_task"), name="lifecycle jobs"
    )
    sender.add_periodic_task(
        settings.SLA_SWEEP_INTERVAL_SECONDS,
        sender.signature("tickets.tasks.flag_overdue_task"),
        name="sla overdue sweep",
    )
    if settings.INBOUND_IMAP_URL:
        sender.add_periodic_task(
            settings.INBOUND_IMAP_INTERVAL_SECONDS,
            sender.signature("tickets.tasks.poll_inbound_email_task"),
            name="inbound email poll",
        )
