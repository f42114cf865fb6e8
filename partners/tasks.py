"""Background work of the partners app (Celery): each task takes ids and is idempotent."""

from __future__ import annotations

import uuid

from celery import shared_task

from partners.terms_mails import send_terms_changed_mails


@shared_task(name="partners.notify_terms_changed", ignore_result=True)
def notify_terms_changed(version_id: str) -> int:
    """Tell the program's partners about a new terms version (once per version)."""
    return send_terms_changed_mails(version_id=uuid.UUID(version_id))
