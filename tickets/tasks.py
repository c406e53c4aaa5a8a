"""Celery adapters: ids in, re-read, call an action or a notification. Safe to run twice."""

from smtplib import SMTPException

from celery import shared_task

from .mail.outbound import SendInProgress

# The SMTP server refused or could not be reached (the unsent email stays unsent, see
# tickets.mail.outbound), or another worker is sending it right now: a retry sends what is
# still unsent, and only that.
SMTP_ERRORS = (SMTPException, ConnectionError, TimeoutError, SendInProgress)


@shared_task(bind=True, autoretry_for=SMTP_ERRORS, retry_backoff=True, max_retries=8)
def send_notification_task(self, kind: str, ticket_id: int, message_id=None, user_id=None, event=None) -> int:
    """Send a notification; the task's id (kept by retries and redeliveries) is the event."""
    from .notifications import send_notification

    return send_notification(
        kind, ticket_id, message_id=message_id, user_id=user_id, event=event or self.request.id
    )


@shared_task(autoretry_for=SMTP_ERRORS, retry_backoff=True, max_retries=8)
def send_refusal_task(inbound_id: int) -> int:
    """Answer a reply that a closed ticket refused, once."""
    from .notifications import send_refusal

    return send_refusal(inbound_id)


@shared_task
def poll_inbound_email_task() -> dict:
    """Fetch unseen messages from INBOUND_IMAP_URL and take each in once (Celery beat)."""
    from .mail.imap import poll_mailbox

    return poll_mailbox()


@shared_task
def close_scheduled_ticket_task(ticket_id: int) -> bool:
    """Fire a scheduled closure at its time; a no-op if early, cancelled, moved or purged."""
    from .actions import fire_scheduled_closure

    return fire_scheduled_closure(ticket_id=ticket_id)


@shared_task
def run_lifecycle_jobs_task() -> dict:
    from .jobs import run_all

    return run_all()


@shared_task
def flag_overdue_task() -> int:
    """The SLA sweep on its own, for a beat entry shorter than the hourly lifecycle run."""
    from .jobs import flag_overdue

    return flag_overdue()


@shared_task(bind=True, autoretry_for=SMTP_ERRORS, retry_backoff=True, max_retries=8)
def send_access_links_task(self, user_id: int) -> int:
    """Mail a guest fresh access links to their open tickets (the visitor asked for them again)."""
    from .guest_mail import send_access_links

    return send_access_links(user_id, event=self.request.id)


@shared_task(bind=True, autoretry_for=SMTP_ERRORS, retry_backoff=True, max_retries=8)
def send_account_email_task(self, kind: str, email: str, link: str) -> int:
    """A registration email; the link is made by the action and lives only in this email."""
    from .guest_mail import send_account_email

    return send_account_email(kind, email, link, event=self.request.id)


class WebhookDeliveryFailed(Exception):
    """A webhook endpoint could not be reached or answered 5xx, 408 or 429: worth retrying."""


@shared_task(
    autoretry_for=(WebhookDeliveryFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def deliver_webhook_task(delivery_id: int) -> str:
    """POST one webhook delivery, retried with backoff (about 30 s, 1 min, 2 min, ... up to an
    hour); refused destinations and client errors are logged, not retried. Safe to run twice."""
    from .webhooks import deliver

    return deliver(delivery_id)


@shared_task(bind=True)
def run_automation_task(self, event: str, ticket_id: int) -> int:
    """Run the automation rules of an event on a ticket, after the change that fired it committed.

    The task's id (kept by a redelivery) claims the run, so the rules run once per event.
    """
    from .actions.automation import run_automation

    return run_automation(event=event, ticket_id=ticket_id, run_key=self.request.id)
