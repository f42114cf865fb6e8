"""Sending notification mails in the background."""

from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task(
    name="notifications.send",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_notifications(kind: str, subject_ids: list[str]) -> int:
    """Send the mails about these rows (idempotent: each mail is recorded as it is sent)."""
    return services.notifications_send(kind=kind, subject_ids=subject_ids)
