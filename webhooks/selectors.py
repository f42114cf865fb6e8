"""Reads for webhooks, always scoped to one merchant and one mode."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Merchant
from selgeo.changes import Recent
from webhooks.models import (
    Delivery,
    DeliveryStatus,
    DisabledReason,
    EndpointKind,
    Event,
    WebhookEndpoint,
)

_EVENT_ID = re.compile(r"^(?:evt_)?([0-9a-fA-F]{32}|[0-9a-fA-F-]{36})$")


def parse_event_id(raw: str) -> uuid.UUID | None:
    """An event's public id (`evt_<hex>`) or bare UUID as a UUID; None if it is neither."""
    match = _EVENT_ID.match(raw.strip())
    if not match:
        return None
    try:
        return uuid.UUID(match.group(1))
    except ValueError:
        return None


def parse_uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def endpoints_for(*, merchant: Merchant, mode: str) -> QuerySet[WebhookEndpoint]:
    """The merchant's own endpoints (a payment forward's webhook URL is not one of them)."""
    return WebhookEndpoint.objects.filter(
        merchant=merchant, mode=mode, kind=EndpointKind.MERCHANT
    ).order_by("created_at")


def endpoint_get(*, merchant: Merchant, mode: str, endpoint_id: str) -> WebhookEndpoint | None:
    pk = parse_uuid(endpoint_id)
    if pk is None:
        return None
    return endpoints_for(merchant=merchant, mode=mode).filter(pk=pk).first()


def endpoint_alerts(*, merchant: Merchant, mode: str) -> QuerySet[WebhookEndpoint]:
    """Endpoints Selgeo disabled itself: the dashboard shows these until re-enabled."""
    return endpoints_for(merchant=merchant, mode=mode).filter(
        disabled_at__isnull=False,
        disabled_reason__in=[DisabledReason.GONE, DisabledReason.FAILING],
    )


def events_for(*, merchant: Merchant, mode: str, type: str | None = None) -> QuerySet[Event]:
    events = Event.objects.filter(merchant=merchant, mode=mode)
    if type:
        events = events.filter(type=type)
    return events.order_by("-created_at", "-id")


def event_get(*, merchant: Merchant, mode: str, event_id: str) -> Event | None:
    pk = parse_event_id(event_id)
    if pk is None:
        return None
    return events_for(merchant=merchant, mode=mode).filter(pk=pk).first()


@dataclass
class EndpointDeliveries:
    endpoint: WebhookEndpoint
    attempts: list[Delivery] = field(default_factory=list)

    @property
    def status(self) -> str:
        """Delivered if any attempt succeeded, else the latest attempt's status."""
        if any(a.status == "succeeded" for a in self.attempts):
            return "succeeded"
        return self.attempts[-1].status if self.attempts else "pending"


def event_deliveries(*, event: Event) -> list[EndpointDeliveries]:
    """The event's attempts grouped per endpoint, oldest attempt first."""
    groups: dict[uuid.UUID, EndpointDeliveries] = {}
    for delivery in (
        Delivery.objects.filter(event=event)
        .select_related("endpoint")
        .order_by("endpoint__created_at", "attempt")
    ):
        groups.setdefault(delivery.endpoint_id, EndpointDeliveries(delivery.endpoint))
        groups[delivery.endpoint_id].attempts.append(delivery)
    return list(groups.values())


def deliveries_for(
    *,
    merchant: Merchant,
    mode: str,
    endpoint_id: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
    status: str | None = None,
) -> QuerySet[Delivery]:
    deliveries = Delivery.objects.filter(endpoint__merchant=merchant, endpoint__mode=mode)
    if endpoint_id is not None:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    if event_id is not None:
        deliveries = deliveries.filter(event_id=event_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.select_related("event").order_by("-created_at", "-id")


def delivery_get(*, merchant: Merchant, mode: str, delivery_id: str) -> Delivery | None:
    pk = parse_uuid(delivery_id)
    if pk is None:
        return None
    return deliveries_for(merchant=merchant, mode=mode).filter(pk=pk).first()


# Every event asks whether anyone will receive it, and the click path asks for each
# click, so that a merchant without endpoints pays no query per request. An event that
# nobody subscribes to is recorded as sent to nobody and never retried: a stale "nobody"
# would lose it. So the answer is kept only under the change generation
# (`selgeo.changes`): creating, deleting, enabling, disabling or re-subscribing an
# endpoint in any process notifies every listening process, which drops it at once.
# A process that is not listening keeps nothing and asks the database every time.
SUBSCRIBER_CACHE_SECONDS = 300.0
_SUBSCRIPTIONS: Recent[tuple[str, str], list[list[str]]] = Recent(
    seconds=lambda: SUBSCRIBER_CACHE_SECONDS, listening_only=True
)


def has_subscriber(*, merchant_id: uuid.UUID | str, mode: str, type: str) -> bool:
    """Whether an enabled endpoint of this merchant and mode receives events of `type`."""
    from webhooks import catalogue

    types = _SUBSCRIPTIONS.get(
        (str(merchant_id), mode),
        lambda: list(
            WebhookEndpoint.objects.filter(
                merchant_id=merchant_id, mode=mode, disabled_at__isnull=True
            ).values_list("event_types", flat=True)
        ),
    )
    return any(catalogue.subscribes(endpoint_types, type) for endpoint_types in types or [])


def forget_subscribers() -> None:
    """Drop the per-process subscription answers (after an endpoint changes here)."""
    _SUBSCRIPTIONS.answers.clear()


def deliveries_backlog(*, limit: int | None = None) -> int:
    """Deliveries due and not yet sent, across every merchant, counted up to `limit`."""
    due = Delivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
    )
    return due[:limit].count() if limit is not None else due.count()


# The dashboard's per-endpoint figures are read from at most this many recent attempts
# (of the last day), so that a busy endpoint's page stays quick.
HEALTH_WINDOW = timedelta(hours=24)
HEALTH_SAMPLE = 5000


@dataclass(frozen=True)
class EndpointHealth:
    """An endpoint's last day: what share of attempts succeeded, how late and how slow."""

    attempts: int
    succeeded: int
    # Of first attempts: from the event's creation to the request (what the merchant waits).
    p50_lag_ms: int | None
    p95_lag_ms: int | None
    # How long the receiver took to answer.
    p95_response_ms: int | None
    # Attempts due now and not yet sent.
    backlog: int
    # True when more attempts were made in the window than the sample holds.
    sampled: bool

    @property
    def success_percent(self) -> float | None:
        return None if not self.attempts else 100.0 * self.succeeded / self.attempts


def _percentile(values: list[int], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def endpoint_health(*, endpoint: WebhookEndpoint) -> EndpointHealth:
    now = timezone.now()
    finished = [DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]
    rows = list(
        Delivery.objects.filter(
            endpoint=endpoint, created_at__gte=now - HEALTH_WINDOW, status__in=finished
        )
        .order_by("-created_at")
        .values_list("status", "lag_ms", "latency_ms")[: HEALTH_SAMPLE + 1]
    )
    sampled = len(rows) > HEALTH_SAMPLE
    rows = rows[:HEALTH_SAMPLE]
    lags = [lag for _, lag, _ in rows if lag is not None]
    responses = [latency for _, _, latency in rows if latency is not None]
    backlog = Delivery.objects.filter(
        endpoint=endpoint, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).count()
    return EndpointHealth(
        attempts=len(rows),
        succeeded=sum(1 for status, _, _ in rows if status == DeliveryStatus.SUCCEEDED),
        p50_lag_ms=_percentile(lags, 0.5),
        p95_lag_ms=_percentile(lags, 0.95),
        p95_response_ms=_percentile(responses, 0.95),
        backlog=backlog,
        sampled=sampled,
    )


def history_days() -> tuple[int, int]:
    """How many days events are kept: delivered ones, and ones awaiting a replay."""
    kept = int(settings.SELGEO_WEBHOOKS_RETENTION_DAYS)
    return kept, max(kept, int(settings.SELGEO_WEBHOOKS_FAILED_RETENTION_DAYS))
