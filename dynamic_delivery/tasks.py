"""Background work of dynamic delivery: one attempt, and the sweep of due retries."""

from __future__ import annotations

import uuid

from celery import shared_task

from dynamic_delivery import services


@shared_task(name="dynamic_delivery.deliver", acks_late=True)
def deliver(delivery_id: str) -> str | None:
    """One attempt at a partner's dynamic delivery (idempotent: claimed by a lease)."""
    return services.dynamic_delivery_attempt(delivery_id=uuid.UUID(delivery_id))


@shared_task(name="dynamic_delivery.sweep")
def sweep() -> int:
    """Attempt every due delivery: retries wait in the database, not in the broker."""
    due = services.dynamic_deliveries_due()
    for delivery_id in due:
        deliver.delay(str(delivery_id))
    return len(due)
