"""Celery tasks for webhooks. Each takes ids, is idempotent and delegates to a service.

Redelivery of a message (acks_late after a lost worker, or the sweep queueing work a
second time) is harmless: the services claim rows with conditional UPDATEs, so a
delivery that was already sent or is being sent is not sent again by that message.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from webhooks import services

logger = logging.getLogger("selgeo.webhooks")

# A retry due this soon is queued with a countdown; later ones wait for the sweep, as
# long countdowns on the Redis broker are run again when its visibility timeout ends.
COUNTDOWN_LIMIT = timedelta(seconds=60)
# The sweep's due deliveries go out in messages of this many.
SWEEP_BATCH = 200


def _send(delivery_ids: list[uuid.UUID]) -> None:
    """Send these deliveries: inline (eager) in this call, else by a worker's pump.

    Nothing fanned out means another pump took these events, and sends them.
    """
    if not delivery_ids:
        return
    if deliver_batch.app.conf.task_always_eager:
        _follow_up(services.deliveries_pump(only=delivery_ids))
    else:
        # A worker's pump takes any due work, these deliveries with it.
        _pump()


def _pump() -> None:
    _follow_up(services.deliveries_pump(seconds=float(settings.SELGEO_WEBHOOKS_PUMP_SECONDS)))


def _follow_up(result: services.PumpResult) -> None:
    """Queue a pump for retries due within a minute, and at once for work left due."""
    if deliver_due.app.conf.task_always_eager:
        # Eager tasks ignore countdowns: there the sweep sends retries when they are due.
        return
    if result.more_due:
        deliver_due.delay()
        return
    wait = services.retry_wait(result.retries, within=COUNTDOWN_LIMIT)
    if wait is not None:
        deliver_due.apply_async(countdown=wait)


@shared_task(name="webhooks.dispatch_event", ignore_result=True)
def dispatch_event(event_id: str) -> None:
    _send(services.event_fan_out(event_id=event_id))


@shared_task(name="webhooks.dispatch_events", ignore_result=True)
def dispatch_events(event_ids: list[str]) -> None:
    """The events one transaction recorded, queued in one message on its commit."""
    try:
        delivery_ids = services.events_fan_out(event_ids=event_ids)
    except Exception:
        # Each event stands alone, as with one task each: one that cannot be fanned
        # out is left to the sweep and does not keep the others from being sent.
        logger.warning("Could not dispatch events %s together; one at a time", event_ids)
        delivery_ids = []
        for event_id in event_ids:
            try:
                delivery_ids.extend(services.event_fan_out(event_id=event_id))
            except Exception:
                logger.exception("Could not dispatch event %s; the sweep will", event_id)
    _send(delivery_ids)


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


@shared_task(name="webhooks.deliver_batch", ignore_result=True)
def deliver_batch(delivery_ids: list[str]) -> None:
    """Send these deliveries concurrently (those still due and not taken by another)."""
    _follow_up(services.deliveries_pump(only=[uuid.UUID(i) for i in delivery_ids]))


@shared_task(name="webhooks.deliver_due", ignore_result=True)
def deliver_due() -> None:
    """A worker's delivery loop: fans out new events and sends due deliveries for up to
    SELGEO_WEBHOOKS_PUMP_SECONDS, then hands over to the next message."""
    _pump()


@shared_task(name="webhooks.sweep", ignore_result=True)
def sweep() -> None:
    result = services.deliveries_sweep()
    if result.recovered or result.dispatched_events:
        logger.warning(
            "Webhook sweep: %d attempts lost by their worker, %d events never dispatched",
            result.recovered,
            result.dispatched_events,
        )
    for start in range(0, len(result.delivery_ids), SWEEP_BATCH):
        chunk = result.delivery_ids[start : start + SWEEP_BATCH]
        if deliver_batch.app.conf.task_always_eager:
            deliver_batch([str(i) for i in chunk])
        else:
            deliver_batch.delay([str(i) for i in chunk])


@shared_task(name="webhooks.prune", ignore_result=True)
def prune() -> None:
    """Delete the events and attempts past their retention, in bounded batches."""
    result = services.webhook_history_prune()
    if result.events or result.deliveries:
        logger.info(
            "Webhook history: deleted %d events and %d attempts past retention",
            result.events,
            result.deliveries,
        )
