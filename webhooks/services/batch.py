"""Delivering many attempts at once: claimed in one statement, sent concurrently, recorded in bulk.

A worker claims due deliveries with one `UPDATE … RETURNING` over rows it locked with
`FOR UPDATE SKIP LOCKED` (on PostgreSQL; SQLite's single writer serialises the same
statement), so no two workers ever send the same attempt. The claim leaves out
endpoints that already hold as many attempts as the caller may have for one endpoint
and takes no more than that: a backlog of one endpoint never keeps the others' work
waiting. `pump.py` sends what it claimed with at most SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY
requests in flight per endpoint, on threads that touch no database; the thread that
claimed them writes the answers, many in one transaction.

Every promise of `delivery.py` holds: the claim is the same `pending` → `sending`
change with a lease, so the sweep finds the attempts of a worker that died; each
attempt stays a row of its own; failures are retried on the same schedule; endpoints
answering 410 or failing for days are disabled.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from webhooks import retries, signing, transport
from webhooks.models import (
    Delivery,
    DeliveryStatus,
    DeliveryTrigger,
    DisabledReason,
    WebhookEndpoint,
)
from webhooks.services.delivery import (
    DISABLE_AFTER,
    EARLY_TOLERANCE,
    EXCERPT_BYTES,
    SUCCESS_RESOLUTION,
    Id,
    create_attempt,
    endpoint_disable,
    payload_bytes,
)
from webhooks.services.scheduling import bookkeeping, lease_until

logger = logging.getLogger("selgeo.webhooks")

_CLAIM = """
WITH busy AS (
    SELECT endpoint_id, count(*) AS in_flight FROM webhooks_delivery
    WHERE status = 'sending'{answered} GROUP BY endpoint_id
), locked AS (
    SELECT id, endpoint_id, next_attempt_at FROM webhooks_delivery
    WHERE status = 'pending' AND next_attempt_at <= %s{only}{exclude}
      AND endpoint_id NOT IN (SELECT endpoint_id FROM busy WHERE in_flight >= %s)
    ORDER BY next_attempt_at LIMIT %s{lock}
), ranked AS (
    SELECT locked.id, locked.next_attempt_at, coalesce(busy.in_flight, 0) AS in_flight,
        row_number() OVER (
            PARTITION BY locked.endpoint_id ORDER BY locked.next_attempt_at, locked.id
        ) AS place
    FROM locked LEFT JOIN busy ON busy.endpoint_id = locked.endpoint_id
), chosen AS (
    SELECT id FROM ranked WHERE place + in_flight <= %s ORDER BY next_attempt_at LIMIT %s
)
UPDATE webhooks_delivery SET status = 'sending', claimed_until = %s, attempted_at = %s
WHERE id IN (SELECT id FROM chosen) AND status = 'pending'
RETURNING id
"""


def _db_id(value: Id) -> Any:
    return Delivery._meta.pk.get_db_prep_value(
        value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)), connection
    )


def _in(column: str, values: Sequence[object]) -> str:
    return f" AND {column} IN ({', '.join(['%s'] * len(values))})"


def deliveries_claim(
    *,
    limit: int,
    now: datetime,
    only: Sequence[Id] | None = None,
    exclude_endpoints: Collection[Id] = (),
    answered: Collection[Id] = (),
    per_endpoint: int | None = None,
) -> list[uuid.UUID]:
    """Claim up to `limit` due deliveries (of `only`, when given) in one statement.

    At most SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY attempts are in flight per endpoint,
    counting those other workers hold; the oldest due attempts go first. `answered`
    are attempts of the caller's whose answer is in but not yet written: no longer in
    flight, so they do not count. `per_endpoint` (the concurrency by default) is how
    many a caller that queues attempts per endpoint may hold for each.
    """
    if limit <= 0 or (only is not None and not only):
        return []
    cap = per_endpoint or max(1, int(settings.SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY))
    ops = connection.ops
    params: list[Any] = []
    answered_sql = ""
    if answered:
        answered_sql = _in("id", list(answered)).replace(" IN ", " NOT IN ")
        params.extend(_db_id(i) for i in answered)
    params.append(ops.adapt_datetimefield_value(now + EARLY_TOLERANCE))
    only_sql = exclude_sql = ""
    if only is not None:
        only_sql = _in("id", only)
        params.extend(_db_id(i) for i in only)
    if exclude_endpoints:
        exclude_sql = _in("endpoint_id", list(exclude_endpoints)).replace(" IN ", " NOT IN ")
        params.extend(_db_id(i) for i in exclude_endpoints)
    # Locking more rows than are claimed lets the per-endpoint cap pass over a backlog
    # of one endpoint to reach the others' work.
    scan = max(limit * 4, 200)
    params += [cap, scan, cap, limit]
    params += [ops.adapt_datetimefield_value(lease_until(now)), ops.adapt_datetimefield_value(now)]
    sql = _CLAIM.format(
        answered=answered_sql,
        only=only_sql,
        exclude=exclude_sql,
        lock=" FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else "",
    )
    # One statement, in the caller's transaction or as one of its own.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [uuid.UUID(str(row[0])) for row in cursor.fetchall()]


@dataclass
class Job:
    delivery: Delivery
    body: bytes
    headers: dict[str, str]
    submitted: float = 0.0


def _already_delivered(deliveries: list[Delivery]) -> set[tuple[uuid.UUID, uuid.UUID]]:
    retried = [d for d in deliveries if d.trigger == DeliveryTrigger.AUTOMATIC and d.attempt > 1]
    if not retried:
        return set()
    rows = Delivery.objects.filter(
        event_id__in={d.event_id for d in retried},
        endpoint_id__in={d.endpoint_id for d in retried},
        status=DeliveryStatus.SUCCEEDED,
    ).values_list("event_id", "endpoint_id")
    return set(rows)


def prepare_jobs(claimed: list[uuid.UUID], now: datetime) -> tuple[list[Job], int]:
    """The signed requests of the claimed deliveries; those not to send are cancelled."""
    deliveries = list(Delivery.objects.select_related("event", "endpoint").filter(pk__in=claimed))
    delivered = _already_delivered(deliveries)
    jobs: list[Job] = []
    cancelled: dict[str, list[uuid.UUID]] = defaultdict(list)
    timestamp = int(now.timestamp())
    for delivery in deliveries:
        endpoint, event = delivery.endpoint, delivery.event
        if not endpoint.is_enabled and event.target_endpoint_id != endpoint.pk:
            cancelled["The endpoint is disabled"].append(delivery.pk)
            continue
        if (delivery.event_id, delivery.endpoint_id) in delivered:
            cancelled["Already delivered"].append(delivery.pk)
            continue
        body = payload_bytes(event)
        headers = signing.headers_for(
            secrets=endpoint.signing_secrets(now),
            msg_id=event.public_id,
            timestamp=timestamp,
            body=body,
        )
        jobs.append(Job(delivery, body, headers))
    for reason, ids in cancelled.items():
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.CANCELLED, error=reason, claimed_until=None
        )
    return jobs, sum(len(ids) for ids in cancelled.values())


def send_job(
    job: Job, timeout: float, allow_loopback: bool, ca_bundle: str
) -> transport.HttpResult:
    return transport.post(
        job.delivery.endpoint.url,
        body=job.body,
        headers=job.headers,
        timeout=timeout,
        max_body=EXCERPT_BYTES,
        allow_loopback=allow_loopback,
        ca_bundle=ca_bundle,
    )


def _fields(delivery: Delivery, result: transport.HttpResult) -> None:
    delivery.status = DeliveryStatus.SUCCEEDED if result.ok else DeliveryStatus.FAILED
    delivery.response_status = result.status_code
    delivery.latency_ms = result.latency_ms
    delivery.response_excerpt = (
        result.body_excerpt[:EXCERPT_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd")
    )
    delivery.error = result.error[:500] or (
        "" if result.ok else f"The endpoint answered {result.status_code}"
    )
    delivery.claimed_until = None
    if (
        delivery.attempt == 1
        and delivery.trigger == DeliveryTrigger.AUTOMATIC
        and delivery.attempted_at is not None
    ):
        lag = (delivery.attempted_at - delivery.event.created_at).total_seconds()
        delivery.lag_ms = max(0, int(lag * 1000))


RECORDED_FIELDS = (
    "status",
    "response_status",
    "latency_ms",
    "response_excerpt",
    "error",
    "claimed_until",
    "lag_ms",
)


_WRITE_ANSWERS = """
UPDATE webhooks_delivery AS d SET status = a.status, response_status = a.response_status,
    latency_ms = a.latency_ms, response_excerpt = a.response_excerpt, error = a.error,
    claimed_until = NULL, lag_ms = a.lag_ms
FROM unnest(%s::uuid[], %s::varchar[], %s::smallint[], %s::integer[], %s::text[],
    %s::varchar[], %s::integer[])
    AS a(id, status, response_status, latency_ms, response_excerpt, error, lag_ms)
WHERE d.id = a.id AND d.status = 'sending'
RETURNING d.id
"""

# Endpoints whose success this process wrote, and when (see `deliveries_record`).
_success_written: dict[uuid.UUID, datetime] = {}


def _write_answers(deliveries: list[Delivery]) -> set[uuid.UUID]:
    """Write the answers of the attempts still `sending`; returns the ones written."""
    if not deliveries:
        return set()
    if connection.vendor != "postgresql":
        still_sending = set(
            Delivery.objects.select_for_update()
            .filter(pk__in=[d.pk for d in deliveries], status=DeliveryStatus.SENDING)
            .values_list("pk", flat=True)
        )
        Delivery.objects.bulk_update(
            [d for d in deliveries if d.pk in still_sending], RECORDED_FIELDS, batch_size=500
        )
        return still_sending
    # One statement with one array per column: Django's bulk_update builds a CASE per
    # field and row, which costs more than the sending itself at these volumes.
    columns: list[list[object]] = [[] for _ in range(7)]
    for d in deliveries:
        row = (
            d.pk,
            d.status,
            d.response_status,
            d.latency_ms,
            d.response_excerpt,
            d.error,
            d.lag_ms,
        )
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    with connection.cursor() as cursor:
        cursor.execute(_WRITE_ANSWERS, columns)
        return {uuid.UUID(str(row[0])) for row in cursor.fetchall()}


def deliveries_record(
    outcomes: list[tuple[Delivery, transport.HttpResult]],
) -> list[Delivery]:
    """Write the answers of many attempts at once; returns the retries it scheduled.

    An attempt the sweep already declared lost (no longer `sending`) is left as the
    sweep wrote it: its next attempt exists already.
    """
    with bookkeeping():
        return _record(outcomes)


def _record(outcomes: list[tuple[Delivery, transport.HttpResult]]) -> list[Delivery]:
    finished = timezone.now()
    for delivery, result in outcomes:
        _fields(delivery, result)
    written = _write_answers([delivery for delivery, _ in outcomes])
    recorded = [(d, r) for d, r in outcomes if d.pk in written]
    succeeded = {d.endpoint_id for d, r in recorded if r.ok}
    failed = [(d, r) for d, r in recorded if not r.ok]
    failing = {d.endpoint_id for d, _ in failed}
    for endpoint_id in failing:
        _success_written.pop(endpoint_id, None)
    fresh = {
        endpoint_id
        for endpoint_id in succeeded - failing
        if (written_at := _success_written.get(endpoint_id)) is not None
        and written_at >= finished - SUCCESS_RESOLUTION
    }
    if succeeded - fresh:
        # Every worker delivering to a busy endpoint would queue on its row: it is
        # written only when it changes meaningfully (last_success_at to the minute),
        # and this process skips the statement while its own last write is that recent.
        WebhookEndpoint.objects.filter(pk__in=succeeded - fresh).filter(
            Q(failing_since__isnull=False)
            | Q(last_success_at__isnull=True)
            | Q(last_success_at__lt=finished - SUCCESS_RESOLUTION)
        ).update(failing_since=None, last_success_at=finished)
        for endpoint_id in succeeded - fresh - failing:
            _success_written[endpoint_id] = finished
    if not failed:
        return []
    endpoints = WebhookEndpoint.objects.filter(pk__in=failing)
    endpoints.exclude(pk__in=succeeded).update(
        failing_since=Coalesce("failing_since", Value(finished)), last_failure_at=finished
    )
    endpoints.filter(pk__in=succeeded).update(last_failure_at=finished)
    disabled: set[uuid.UUID] = set()
    gone = {d.endpoint_id for d, r in failed if r.status_code == 410}
    for endpoint_id in gone:
        endpoint_disable(endpoint_id=endpoint_id, reason=DisabledReason.GONE)
        disabled.add(endpoint_id)
    for endpoint_id, since in endpoints.exclude(pk__in=gone).values_list("pk", "failing_since"):
        if since is not None and since <= finished - DISABLE_AFTER:
            endpoint_disable(endpoint_id=endpoint_id, reason=DisabledReason.FAILING)
            disabled.add(endpoint_id)
    automatic = [
        (d, r)
        for d, r in failed
        if d.trigger == DeliveryTrigger.AUTOMATIC and d.endpoint_id not in disabled
    ]
    return _schedule_retries(automatic, finished)


def _schedule_retries(
    failed: list[tuple[Delivery, transport.HttpResult]], finished: datetime
) -> list[Delivery]:
    if not failed:
        return []
    counts = {
        (row["event_id"], row["endpoint_id"]): (row["made"], row["last"])
        for row in Delivery.objects.filter(
            event_id__in={d.event_id for d, _ in failed},
            endpoint_id__in={d.endpoint_id for d, _ in failed},
        )
        .values("event_id", "endpoint_id")
        .annotate(
            made=Count("pk", filter=Q(trigger=DeliveryTrigger.AUTOMATIC)), last=Max("attempt")
        )
    }
    planned: list[Delivery] = []
    for delivery, result in failed:
        made, last = counts.get((delivery.event_id, delivery.endpoint_id), (1, delivery.attempt))
        delay = retries.delay_after(
            made, status=result.status_code, retry_after_seconds=result.retry_after_seconds
        )
        if delay is None:
            continue
        planned.append(
            Delivery(
                event_id=delivery.event_id,
                endpoint_id=delivery.endpoint_id,
                attempt=last + 1,
                trigger=DeliveryTrigger.AUTOMATIC,
                status=DeliveryStatus.PENDING,
                next_attempt_at=finished + delay,
                claimed_until=None,
                created_at=finished,
            )
        )
    Delivery.objects.bulk_create(planned, ignore_conflicts=True)
    written = set(
        Delivery.objects.filter(pk__in=[d.pk for d in planned]).values_list("pk", flat=True)
    )
    scheduled = [d for d in planned if d.pk in written]
    # A replay numbered the same attempt meanwhile: number this retry after it.
    for lost in (d for d in planned if d.pk not in written):
        scheduled.append(
            create_attempt(
                event_id=lost.event_id,
                endpoint_id=lost.endpoint_id,
                trigger=DeliveryTrigger.AUTOMATIC,
                due=lost.next_attempt_at,
                claimed_until=None,
            )
        )
    return scheduled
