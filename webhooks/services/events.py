"""Events: recording them in the caller's transaction, fanning them out, replaying them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Merchant, Mode
from selgeo.api.errors import ValidationFailed
from webhooks import catalogue, selectors
from webhooks.models import Delivery, DeliveryStatus, DeliveryTrigger, Event, WebhookEndpoint
from webhooks.services.delivery import create_attempt
from webhooks.services.scheduling import (
    bookkeeping,
    deliver_after_commit,
    dispatch_after_commit,
    lease_until,
)


def _jsonable(data: Any) -> Any:
    # UUIDs, datetimes and Decimals become the strings the API returns for them.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _event_new(
    *,
    merchant: Merchant,
    mode: str,
    type: str,
    data: dict[str, Any],
    now: datetime,
    subscribed: bool,
    target_endpoint: WebhookEndpoint | None = None,
    json_ready: bool = False,
) -> Event:
    event = Event(
        merchant=merchant,
        mode=mode,
        type=type,
        created_at=now,
        payload={},
        target_endpoint=target_endpoint,
        # What the fan-out would conclude for an event nobody subscribes to: sent to
        # nobody, and nothing left for a task or the sweep to do.
        dispatched_at=None if subscribed else now,
    )
    event.payload = catalogue.build_payload(
        public_id=event.public_id,
        name=type,
        created=int(now.timestamp()),
        mode=mode,
        data=data if json_ready else _jsonable(data),
    )
    return event


def _record_event(
    *,
    merchant: Merchant,
    mode: str,
    type: str,
    data: dict[str, Any],
    target_endpoint: WebhookEndpoint | None = None,
    subscribed: bool = True,
) -> Event:
    event = _event_new(
        merchant=merchant,
        mode=mode,
        type=type,
        data=data,
        now=timezone.now(),
        subscribed=subscribed,
        target_endpoint=target_endpoint,
    )
    event.save()
    events_recorded([event])
    return event


def _check_emittable(*, type: str, mode: str) -> None:
    # Programming errors, not input errors.
    if not catalogue.is_known(type):
        raise ValueError(f"Unknown webhook event type: {type!r}")
    if type in catalogue.INTERNAL_TYPES:
        raise ValueError(f"{type!r} is sent by Selgeo itself, not through emit()")
    if mode not in Mode.values:
        raise ValueError(f"Unknown mode: {mode!r}")


@transaction.atomic
def emit(*, merchant: Merchant, mode: str, type: str, data: dict[str, Any]) -> Event:
    """Record an event in the caller's transaction (outbox); delivery follows on commit.

    A rolled-back transaction takes the event with it, and nothing is sent. An unknown
    type is a programming error (ValueError). Opt-in types (`click.created`) are not
    stored when no endpoint subscribes to them: the returned event is then unsaved.
    The events of one transaction are dispatched together, by one task, on its commit.

    An event of a type that no enabled endpoint of the merchant and mode subscribes to
    is stored already dispatched (to nobody) and queues no task. Subscriptions are read
    through `selectors.has_subscriber`, which keeps its answer only while the process
    hears every endpoint change (see there): an endpoint created in any process hears
    every event recorded after the change reached this one.
    """
    _check_emittable(type=type, mode=mode)
    subscribed = selectors.has_subscriber(merchant_id=merchant.pk, mode=mode, type=type)
    if catalogue.EVENT_TYPES[type].opt_in and not subscribed:
        return Event(merchant=merchant, mode=mode, type=type, payload={})
    return _record_event(merchant=merchant, mode=mode, type=type, data=data, subscribed=subscribed)


def endpoint_test_data(*, endpoint_id: str) -> dict[str, Any]:
    """The `data` of an `endpoint.test` event (the catalogue's example uses it too)."""
    return {"endpoint_id": endpoint_id, "message": "This is a test event from Selgeo."}


@transaction.atomic
def endpoint_send_test(*, endpoint: WebhookEndpoint) -> Event:
    """An `endpoint.test` event for this endpoint alone, whatever it subscribes to."""
    return _record_event(
        merchant=endpoint.merchant,
        mode=endpoint.mode,
        type="endpoint.test",
        data=endpoint_test_data(endpoint_id=str(endpoint.pk)),
        target_endpoint=endpoint,
    )


@transaction.atomic
def emit_to_endpoint(*, endpoint: WebhookEndpoint, type: str, data: dict[str, Any]) -> Event:
    """Record an event for one endpoint alone (a payment forward's webhook URL), in the
    caller's transaction; delivery follows on commit as for every event."""
    if not catalogue.is_known(type):
        raise ValueError(f"Unknown webhook event type: {type!r}")
    return _record_event(
        merchant=endpoint.merchant,
        mode=endpoint.mode,
        type=type,
        data=data,
        target_endpoint=endpoint,
    )


def _recipients(event: Event) -> list[WebhookEndpoint]:
    if event.target_endpoint_id is not None:
        return list(WebhookEndpoint.objects.filter(pk=event.target_endpoint_id))
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            merchant_id=event.merchant_id, mode=event.mode, disabled_at__isnull=True
        )
        if catalogue.subscribes(endpoint.event_types, event.type)
    ]


def event_fan_out(*, event_id: uuid.UUID | str) -> list[uuid.UUID]:
    """First attempts for every endpoint subscribed to the event; once per event.

    Returns the deliveries to queue. A second call finds the event dispatched and does
    nothing, so the on-commit task and the sweep may both run it.
    """
    return events_fan_out(event_ids=[event_id])


def events_fan_out(*, event_ids: Sequence[uuid.UUID | str]) -> list[uuid.UUID]:
    """`event_fan_out` for many events in one transaction: one query for their
    endpoints, one insert for their first attempts, one update marking them dispatched.
    """
    ids = list(event_ids)
    # A plain look first: under load most messages find their events fanned out by a
    # worker's pump already, and this answers them in one round trip.
    if not Event.objects.filter(pk__in=ids, dispatched_at__isnull=True).exists():
        return []
    with bookkeeping():
        # Locked in one order, so that two workers fanning out overlapping sets wait
        # for each other instead of deadlocking.
        events = list(
            Event.objects.select_for_update()
            .filter(pk__in=ids, dispatched_at__isnull=True)
            .only("pk", "merchant_id", "mode", "type", "target_endpoint_id")
            .order_by("pk")
        )
        if not events:
            return []
        targets = {e.target_endpoint_id for e in events if e.target_endpoint_id is not None}
        merchants = {e.merchant_id for e in events if e.target_endpoint_id is None}
        endpoints = list(
            WebhookEndpoint.objects.filter(
                Q(pk__in=targets) | Q(merchant_id__in=merchants, disabled_at__isnull=True)
            )
        )
        by_id = {endpoint.pk: endpoint for endpoint in endpoints}
        by_owner: dict[tuple[Any, str], list[WebhookEndpoint]] = {}
        for endpoint in endpoints:
            if endpoint.disabled_at is None:
                by_owner.setdefault((endpoint.merchant_id, endpoint.mode), []).append(endpoint)
        now = timezone.now()
        deliveries: list[Delivery] = []
        for event in events:
            if event.target_endpoint_id is not None:
                found = by_id.get(event.target_endpoint_id)
                recipients = [found] if found is not None else []
            else:
                recipients = [
                    endpoint
                    for endpoint in by_owner.get((event.merchant_id, event.mode), [])
                    if catalogue.subscribes(endpoint.event_types, event.type)
                ]
            deliveries.extend(
                Delivery(
                    event=event,
                    endpoint=endpoint,
                    attempt=1,
                    trigger=DeliveryTrigger.AUTOMATIC,
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=now,
                    claimed_until=lease_until(now),
                    created_at=now,
                )
                for endpoint in recipients
            )
        # A replay by hand may have numbered an attempt 1 already: it stands for this one.
        _insert_first_attempts(deliveries, now)
        Event.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=now)
    return [d.pk for d in deliveries]


_INSERT_FIRST_ATTEMPTS = """
INSERT INTO webhooks_delivery (id, event_id, endpoint_id, attempt, trigger, status,
    next_attempt_at, claimed_until, created_at, response_excerpt, error)
SELECT a.id, a.event_id, a.endpoint_id, 1, 'automatic', 'pending', %s, %s, %s, '', ''
FROM unnest(%s::uuid[], %s::uuid[], %s::uuid[]) AS a(id, event_id, endpoint_id)
ON CONFLICT DO NOTHING
"""


def _insert_first_attempts(deliveries: list[Delivery], now: datetime) -> None:
    if connection.vendor != "postgresql" or not deliveries:
        Delivery.objects.bulk_create(deliveries, batch_size=500, ignore_conflicts=True)
        return
    # One statement with three arrays: bulk_create prepares every field of every row
    # in Python, the larger part of a fan-out's cost.
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_FIRST_ATTEMPTS,
            [
                now,
                lease_until(now),
                now,
                [d.pk for d in deliveries],
                [d.event_id for d in deliveries],
                [d.endpoint_id for d in deliveries],
            ],
        )


@transaction.atomic
def event_replay(*, event: Event, endpoint: WebhookEndpoint | None = None) -> list[Delivery]:
    """Send an event again now: to one endpoint, or to every endpoint subscribed to it.

    A replay is one attempt; if it fails it is not retried on the schedule.
    """
    if endpoint is not None:
        if not endpoint.is_enabled:
            raise ValidationFailed.field(
                "endpoint_id", "The endpoint is disabled; enable it before replaying"
            )
        endpoints = [endpoint]
    else:
        endpoints = [e for e in _recipients(event) if e.is_enabled]
    now = timezone.now()
    deliveries = [
        create_attempt(
            event_id=event.pk,
            endpoint_id=e.pk,
            trigger=DeliveryTrigger.MANUAL,
            due=now,
            claimed_until=lease_until(now),
        )
        for e in endpoints
    ]
    deliver_after_commit(d.pk for d in deliveries)
    return deliveries


@transaction.atomic
def endpoint_replay_failed(*, endpoint: WebhookEndpoint, since: datetime) -> int:
    """Replay every event since `since` that this endpoint never received.

    That is each event with a failed or cancelled attempt to the endpoint, no success
    and nothing still pending or in flight. Returns how many were replayed.
    """
    if not endpoint.is_enabled:
        raise ValidationFailed.field("endpoint", "The endpoint is disabled; enable it first")
    pair = Delivery.objects.filter(event=OuterRef("pk"), endpoint=endpoint)
    candidates = (
        Event.objects.filter(merchant_id=endpoint.merchant_id, mode=endpoint.mode)
        .filter(created_at__gte=since)
        .filter(Exists(pair.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.CANCELLED])))
        .exclude(
            Exists(
                pair.filter(
                    status__in=[
                        DeliveryStatus.SUCCEEDED,
                        DeliveryStatus.PENDING,
                        DeliveryStatus.SENDING,
                    ]
                )
            )
        )
        .annotate(
            last_attempt=Subquery(
                pair.values("event").annotate(last=Max("attempt")).values("last")[:1]
            )
        )
        .values_list("pk", "last_attempt")
    )
    now = timezone.now()
    deliveries = [
        Delivery(
            event_id=event_id,
            endpoint=endpoint,
            attempt=(last or 0) + 1,
            trigger=DeliveryTrigger.MANUAL,
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            claimed_until=lease_until(now),
            created_at=now,
        )
        for event_id, last in candidates
    ]
    # Two replays at once number the same attempts: the second one's rows are dropped.
    Delivery.objects.bulk_create(deliveries, batch_size=500, ignore_conflicts=True)
    deliver_after_commit(d.pk for d in deliveries)
    return len(deliveries)


def _replace_leaves(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {key: _replace_leaves(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_replace_leaves(value, values) for value in node]
    if isinstance(node, str) and node in values:
        return values[node]
    return node


@transaction.atomic
def events_redact(*, merchant_ids: list[Any], mentioning: str, values: dict[str, Any]) -> int:
    """Overwrite personal values in the stored events that mention `mentioning` (GDPR).

    Every string in an event's payload equal to a key of `values` becomes that key's
    value; ids, types and everything else stay, so the log remains consistent.
    Returns how many events changed.
    """
    values = {old: new for old, new in values.items() if old}
    if not values:
        return 0
    changed = 0
    events = (
        Event.objects.select_for_update()
        .annotate(text=Cast("payload", TextField()))
        .filter(merchant_id__in=merchant_ids, text__contains=mentioning)
    )
    for event in events:
        redacted = _replace_leaves(event.payload, values)
        if redacted != event.payload:
            event.payload = redacted
            event.save(update_fields=["payload"])
            changed += 1
    return changed


def event_build(
    *, merchant: Merchant, mode: str, type: str, data: dict[str, Any], now: datetime
) -> Event:
    """An event to be written by the caller together with the change it reports (one
    statement or one transaction), as `emit` would record it; pass it to
    `events_recorded` once written.

    For the hot paths, which write their rows in one statement. `data` must hold JSON
    types only (strings for ids and moments, as the API representations give them): it
    is stored as it is. Opt-in types, which are stored only for subscribers, go through
    `emit`.
    """
    _check_emittable(type=type, mode=mode)
    if catalogue.EVENT_TYPES[type].opt_in:
        raise ValueError(f"{type!r} is opt-in: record it with emit()")
    subscribed = selectors.has_subscriber(merchant_id=merchant.pk, mode=mode, type=type)
    return _event_new(
        merchant=merchant,
        mode=mode,
        type=type,
        data=data,
        now=now,
        subscribed=subscribed,
        json_ready=True,
    )


def events_recorded(events: list[Event]) -> None:
    """Dispatch the written events someone subscribes to, with the rest of their
    transaction's events once it commits (at once outside a transaction)."""
    for event in events:
        if event.dispatched_at is None:
            dispatch_after_commit(event.pk)
