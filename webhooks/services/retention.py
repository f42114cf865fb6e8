"""Deleting webhook history past its retention, a small batch at a time.

An event goes, with its attempts, once it is older than SELGEO_WEBHOOKS_RETENTION_DAYS
(30 by default). An event some endpoint never received (a failed or cancelled attempt
to it and no success) is kept for SELGEO_WEBHOOKS_FAILED_RETENTION_DAYS (90) instead,
so that the merchant can still replay it. An event with an attempt pending or in
flight, or not yet fanned out, is never deleted.

Each batch is a transaction of its own over at most SELGEO_WEBHOOKS_PRUNE_BATCH events,
selected by primary key and locked with SKIP LOCKED: the attempts first, then the
events, so no statement holds locks on the hot tables for long and the sending workers
never wait behind a large delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from webhooks.models import Delivery, DeliveryStatus, Event
from webhooks.selectors import history_days

# One run deletes at most this many batches; the next hourly run goes on.
MAX_BATCHES = 100


@dataclass
class PruneResult:
    events: int = 0
    deliveries: int = 0


def prunable_events(*, now: datetime) -> QuerySet[Event]:
    """Events whose retention is over: the ones the prune task deletes."""
    kept, failed_kept = history_days()
    attempts = Delivery.objects.filter(event=OuterRef("pk"))
    unreceived = attempts.filter(
        status__in=[DeliveryStatus.FAILED, DeliveryStatus.CANCELLED]
    ).exclude(
        Exists(
            Delivery.objects.filter(
                event=OuterRef("event"),
                endpoint=OuterRef("endpoint"),
                status=DeliveryStatus.SUCCEEDED,
            )
        )
    )
    in_progress = attempts.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])
    return (
        Event.objects.filter(created_at__lt=now - timedelta(days=kept), dispatched_at__isnull=False)
        .exclude(Exists(in_progress))
        .filter(Q(created_at__lt=now - timedelta(days=failed_kept)) | ~Exists(unreceived))
    )


def webhook_history_prune(
    *, now: datetime | None = None, batch: int | None = None, max_batches: int = MAX_BATCHES
) -> PruneResult:
    """Delete the events (and their attempts) past retention; returns how many."""
    moment = now or timezone.now()
    size = max(1, int(batch or settings.SELGEO_WEBHOOKS_PRUNE_BATCH))
    result = PruneResult()
    for _ in range(max_batches):
        with transaction.atomic():
            ids = list(
                prunable_events(now=moment)
                .select_for_update(skip_locked=True)
                .order_by("created_at")
                .values_list("pk", flat=True)[:size]
            )
            if not ids:
                break
            deliveries, _ = Delivery.objects.filter(event_id__in=ids).delete()
            _, events = Event.objects.filter(pk__in=ids).delete()
        result.deliveries += deliveries
        result.events += events.get(Event._meta.label, 0)
        if len(ids) < size:
            break
    return result
