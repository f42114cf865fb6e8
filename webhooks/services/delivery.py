"""Sending deliveries: claim, sign, send, record, schedule the next attempt, and the sweep.

Every step that decides who does the work is a conditional UPDATE that must change one
row: a pending delivery becomes `sending` for one worker only; a lost one (its lease
past) becomes `failed` for one sweep only. The HTTP request runs outside any
transaction, so no lock is held while a receiver takes its time.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from notifications.models import Kind
from notifications.services import notify_after_commit
from webhooks import retries, signing, transport
from webhooks.models import (
    Delivery,
    DeliveryStatus,
    DeliveryTrigger,
    DisabledReason,
    Event,
    WebhookEndpoint,
)
from webhooks.services.scheduling import lease_until

logger = logging.getLogger("selgeo.webhooks")

Id = uuid.UUID | str

EXCERPT_BYTES = 2048
# No success for this long, with attempts failing all along, disables an endpoint.
DISABLE_AFTER = timedelta(days=5)
SUCCESS_RESOLUTION = timedelta(minutes=1)
# A countdown may fire a little before the stored due time.
EARLY_TOLERANCE = timedelta(seconds=1)
# Events whose dispatch was queued on commit are left to that task for this long.
DISPATCH_GRACE = timedelta(seconds=60)


@dataclass
class AttemptOutcome:
    delivery: Delivery
    next_delivery: Delivery | None = None


@dataclass
class SweepResult:
    delivery_ids: list[uuid.UUID] = field(default_factory=list)
    recovered: int = 0
    dispatched_events: int = 0


def create_attempt(
    *,
    event_id: Id,
    endpoint_id: Id,
    trigger: str,
    due: datetime,
    claimed_until: datetime | None,
) -> Delivery:
    """A new attempt row numbered after the pair's last one (retried if a race took it)."""
    for _ in range(5):
        last = Delivery.objects.filter(event_id=event_id, endpoint__pk=endpoint_id).aggregate(
            last=Max("attempt")
        )["last"]
        try:
            with transaction.atomic():
                return Delivery.objects.create(
                    event_id=event_id,
                    endpoint_id=endpoint_id,
                    attempt=(last or 0) + 1,
                    trigger=trigger,
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=due,
                    claimed_until=claimed_until,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            continue
    raise RuntimeError(f"Could not number a new attempt for {event_id} -> {endpoint_id}")


def _claim(delivery_id: Id, now: datetime) -> bool:
    return (
        Delivery.objects.filter(
            pk=delivery_id,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now + EARLY_TOLERANCE,
        ).update(status=DeliveryStatus.SENDING, claimed_until=lease_until(now), attempted_at=now)
        == 1
    )


def _skip_reason(delivery: Delivery) -> str:
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.is_enabled and event.target_endpoint_id != endpoint.pk:
        return "The endpoint is disabled"
    # A retry is pointless once the pair was delivered (by a replay, say); a first
    # attempt has nothing before it, which spares the hot path a query.
    if (
        delivery.trigger == DeliveryTrigger.AUTOMATIC
        and delivery.attempt > 1
        and Delivery.objects.filter(
            event_id=event.pk, endpoint_id=endpoint.pk, status=DeliveryStatus.SUCCEEDED
        ).exists()
    ):
        return "Already delivered"
    return ""


def payload_bytes(event: Event) -> bytes:
    return json.dumps(event.payload, separators=(",", ":"), ensure_ascii=False).encode()


def delivery_attempt(*, delivery_id: Id) -> AttemptOutcome | None:
    """Send one due delivery, if this call wins its claim; None when there was nothing to do."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        # Its endpoint (and with it the delivery) was deleted after the claim.
        return None
    reason = _skip_reason(delivery)
    if reason:
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.CANCELLED, error=reason, claimed_until=None
        )
        delivery.refresh_from_db()
        return AttemptOutcome(delivery)
    endpoint, event = delivery.endpoint, delivery.event
    body = payload_bytes(event)
    timestamp = int(now.timestamp())
    result = transport.post(
        endpoint.url,
        body=body,
        headers=signing.headers_for(
            secrets=endpoint.signing_secrets(now),
            msg_id=event.public_id,
            timestamp=timestamp,
            body=body,
        ),
        timeout=float(settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS),
        max_body=EXCERPT_BYTES,
        allow_loopback=settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK,
        ca_bundle=settings.SELGEO_WEBHOOKS_CA_BUNDLE,
    )
    return _record(delivery, result)


def _excerpt_text(raw: bytes) -> str:
    # PostgreSQL text cannot hold NUL; the excerpt is for people to read anyway.
    return raw[:EXCERPT_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd")


@transaction.atomic
def _record(delivery: Delivery, result: transport.HttpResult) -> AttemptOutcome:
    finished = timezone.now()
    fields = {
        "status": DeliveryStatus.SUCCEEDED if result.ok else DeliveryStatus.FAILED,
        "response_status": result.status_code,
        "latency_ms": result.latency_ms,
        "response_excerpt": _excerpt_text(result.body_excerpt),
        "error": result.error[:500]
        or ("" if result.ok else f"The endpoint answered {result.status_code}"),
        "claimed_until": None,
    }
    updated = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        **fields
    )
    if not updated:
        # The sweep declared this attempt lost and already scheduled the next one.
        delivery.refresh_from_db()
        return AttemptOutcome(delivery)
    for name, value in fields.items():
        setattr(delivery, name, value)
    endpoints = WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
    if result.ok:
        # Every worker delivering to a busy endpoint would queue on this row: write it
        # only when it changes meaningfully (last_success_at is kept to the minute).
        endpoints.filter(
            Q(failing_since__isnull=False)
            | Q(last_success_at__isnull=True)
            | Q(last_success_at__lt=finished - SUCCESS_RESOLUTION)
        ).update(failing_since=None, last_success_at=finished)
        return AttemptOutcome(delivery)
    endpoints.update(
        failing_since=Coalesce("failing_since", Value(finished)), last_failure_at=finished
    )
    failing_since = endpoints.values_list("failing_since", flat=True).first()
    if result.status_code == 410:
        endpoint_disable(endpoint_id=delivery.endpoint_id, reason=DisabledReason.GONE)
        return AttemptOutcome(delivery)
    if failing_since is not None and failing_since <= finished - DISABLE_AFTER:
        endpoint_disable(endpoint_id=delivery.endpoint_id, reason=DisabledReason.FAILING)
        return AttemptOutcome(delivery)
    if delivery.trigger != DeliveryTrigger.AUTOMATIC:
        return AttemptOutcome(delivery)
    made = Delivery.objects.filter(
        event_id=delivery.event_id,
        endpoint_id=delivery.endpoint_id,
        trigger=DeliveryTrigger.AUTOMATIC,
    ).count()
    delay = retries.delay_after(
        made, status=result.status_code, retry_after_seconds=result.retry_after_seconds
    )
    if delay is None:
        return AttemptOutcome(delivery)
    next_delivery = create_attempt(
        event_id=delivery.event_id,
        endpoint_id=delivery.endpoint_id,
        trigger=DeliveryTrigger.AUTOMATIC,
        due=finished + delay,
        claimed_until=None,
    )
    return AttemptOutcome(delivery, next_delivery)


def delivery_mark_queued(*, delivery_id: Id, due: datetime) -> bool:
    """Record that a task was queued for this pending delivery, so the sweep leaves it."""
    return (
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
            claimed_until=lease_until(due)
        )
        == 1
    )


def endpoint_disable(*, endpoint_id: Id, reason: str) -> bool:
    """Disable an enabled endpoint (exactly once) and cancel what was waiting for it."""
    now = timezone.now()
    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint_id, disabled_at__isnull=True).update(
            disabled_at=now, disabled_reason=reason, updated_at=now
        )
        if not changed:
            return False
        Delivery.objects.filter(endpoint__pk=endpoint_id, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.CANCELLED, error="The endpoint was disabled", claimed_until=None
        )
        if reason != DisabledReason.MANUAL:
            # Mailed by the worker once the change commits, to the owners and admins who
            # have not switched this notification off.
            notify_after_commit(kind=Kind.ENDPOINT_DISABLED, subject_ids=[endpoint_id])
    return True


def _recover_lost(now: datetime, limit: int) -> list[uuid.UUID]:
    """Attempts whose worker died (lease past): failed, and tried again at once."""
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_until__lt=now)
        .order_by("claimed_until")
        .values_list("pk", flat=True)[:limit]
    )
    recovered: list[uuid.UUID] = []
    for delivery_id in ids:
        with transaction.atomic():
            lost = Delivery.objects.filter(
                pk=delivery_id, status=DeliveryStatus.SENDING, claimed_until__lt=now
            ).update(
                status=DeliveryStatus.FAILED,
                error="No answer was recorded: the worker stopped during the attempt",
                claimed_until=None,
            )
            if not lost:
                continue
            delivery = Delivery.objects.get(pk=delivery_id)
            recovered.append(
                create_attempt(
                    event_id=delivery.event_id,
                    endpoint_id=delivery.endpoint_id,
                    trigger=delivery.trigger,
                    due=now,
                    claimed_until=lease_until(now),
                ).pk
            )
    return recovered


def _claim_due(now: datetime, limit: int) -> list[uuid.UUID]:
    """Pending deliveries that are due and have no queued task trusted to come."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
            claimed_until=lease_until(now)
        )
    return ids


def deliveries_sweep(*, limit: int = 500) -> SweepResult:
    """The periodic safety net: lost attempts, due retries, events never dispatched.

    Returns the deliveries to queue now. Undispatched events are fanned out here rather
    than queued again, so a backlog on the broker does not multiply the work.
    """
    from webhooks.services.events import event_fan_out

    now = timezone.now()
    result = SweepResult()
    recovered = _recover_lost(now, limit)
    result.recovered = len(recovered)
    result.delivery_ids.extend(recovered)
    result.delivery_ids.extend(_claim_due(now, limit))
    stale_events = list(
        Event.objects.filter(dispatched_at__isnull=True, created_at__lte=now - DISPATCH_GRACE)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in stale_events:
        result.delivery_ids.extend(event_fan_out(event_id=event_id))
        result.dispatched_events += 1
    return result
