"""Celery tasks for webhooks. Each takes ids, is idempotent and delegates to a service.

Redelivery of a message (acks_late after a lost worker, or the sweep queueing work a
second time) is harmless: the services claim rows with conditional UPDATEs, so a
delivery that was already sent or is being sent is not sent again by that message.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from webhooks import services

logger = logging.getLogger("selgeo.webhooks")

# A retry due this soon is queued with a countdown; later ones wait for the sweep, as
# long countdowns on the Redis broker are run again when its visibility timeout ends.
COUNTDOWN_LIMIT = timedelta(seconds=60)


def _fan_out(event_id: str) -> None:
    for delivery_id in services.event_fan_out(event_id=event_id):
        deliver.delay(str(delivery_id))


@shared_task(name="webhooks.dispatch_event", ignore_result=True)
def dispatch_event(event_id: str) -> None:
    _fan_out(event_id)


@shared_task(name="webhooks.dispatch_events", ignore_result=True)
def dispatch_events(event_ids: list[str]) -> None:
    """The events one transaction recorded, queued in one message on its commit."""
    for event_id in event_ids:
        # Each event stands alone, as with one task each: a failure leaves it to the
        # sweep and does not keep the others from being sent.
        try:
            _fan_out(event_id)
        except Exception:
            logger.exception("Could not dispatch event %s; the sweep will", event_id)


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver(delivery_id: str) -> None:
    outcome = services.delivery_attempt(delivery_id=delivery_id)
    retry = outcome.next_delivery if outcome else None
    # Eager tasks ignore countdowns: there the sweep sends retries when they are due.
    if retry is None or deliver.app.conf.task_always_eager:
        return
    wait = retry.next_attempt_at - timezone.now()
    if wait <= COUNTDOWN_LIMIT and services.delivery_mark_queued(
        delivery_id=retry.pk, due=retry.next_attempt_at
    ):
        deliver.apply_async((str(retry.pk),), countdown=max(0.0, wait.total_seconds()))


@shared_task(name="webhooks.sweep", ignore_result=True)
def sweep() -> None:
    result = services.deliveries_sweep()
    if result.recovered or result.dispatched_events:
        logger.warning(
            "Webhook sweep: %d attempts lost by their worker, %d events never dispatched",
            result.recovered,
            result.dispatched_events,
        )
    for delivery_id in result.delivery_ids:
        deliver.delay(str(delivery_id))
