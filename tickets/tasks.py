"""Celery adapters: ids in, re-read, call an action or a notification. Safe to run twice."""

from smtplib import SMTPException

from celery import shared_task


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=8)
def send_notification_task(kind: str, ticket_id: int, message_id=None, user_id=None) -> int:
    from .notifications import send_notification

    return send_notification(kind, ticket_id, message_id=message_id, user_id=user_id)


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
