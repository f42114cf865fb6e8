"""Delivering many attempts at once: claimed in one statement, sent concurrently, recorded in bulk.

A worker claims due deliveries with one `UPDATE … RETURNING` over rows it locked with
`FOR UPDATE SKIP LOCKED` (on PostgreSQL; SQLite's single writer serialises the same
statement), so no two workers ever send the same attempt. The claim leaves out
endpoints that already have SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY requests in flight
and takes no more than that many per endpoint: one merchant's receiver is never
flooded, and a slow or failing one holds its own share of the sending threads, never
the others'. The requests run on a pool of threads that touch no database; the thread
that claimed them records the answers, many in one transaction.

Every promise of `delivery.py` holds: the claim is the same `pending` → `sending`
change with a lease, so the sweep finds the attempts of a worker that died; each
attempt stays a row of its own; failures are retried on the same schedule; endpoints
answering 410 or failing for days are disabled.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from webhooks import retries, signing, transport
from webhooks.models import (
    Delivery,
    DeliveryStatus,
    DeliveryTrigger,
    DisabledReason,
    Event,
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
from webhooks.services.scheduling import lease_until

logger = logging.getLogger("selgeo.webhooks")

# Answers are written together once this many are in, or this long after the first.
RECORD_BATCH = 100
RECORD_EVERY = 0.05
# While claiming, how long to wait for an answer before looking for new work again.
POLL_SECONDS = 0.02
IDLE_POLL_SECONDS = 0.2
# Once a pump's time is up it stops taking work for endpoints whose requests have been
# in flight this long (slow receivers) and ends when none is left.
SLOW_SECONDS = 0.5
# Undispatched events a pump fans out per round.
FAN_OUT_BATCH = 200

_CLAIM = """
WITH busy AS (
    SELECT endpoint_id, count(*) AS in_flight FROM webhooks_delivery
    WHERE status = 'sending' GROUP BY endpoint_id
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


def _db_id(value: Id) -> object:
    return Delivery._meta.pk.get_db_prep_value(  # type: ignore[union-attr]
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
) -> list[uuid.UUID]:
    """Claim up to `limit` due deliveries (of `only`, when given) in one statement.

    At most SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY attempts are in flight per endpoint,
    counting those other workers hold; the oldest due attempts go first.
    """
    if limit <= 0 or (only is not None and not only):
        return []
    cap = max(1, int(settings.SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY))
    ops = connection.ops
    params: list[object] = [ops.adapt_datetimefield_value(now + EARLY_TOLERANCE)]
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
        only=only_sql,
        exclude=exclude_sql,
        lock=" FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else "",
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [uuid.UUID(str(row[0])) for row in cursor.fetchall()]


@dataclass
class _Job:
    delivery: Delivery
    body: bytes
    headers: dict[str, str]
    submitted: float = 0.0


@dataclass
class PumpResult:
    sent: int = 0
    cancelled: int = 0
    retries: list[Delivery] = field(default_factory=list)
    # More work was due when the pump stopped: another should follow at once.
    more_due: bool = False


_pool_lock = threading.Lock()
_pool: tuple[int, int, ThreadPoolExecutor] | None = None


def _sender_pool() -> ThreadPoolExecutor:
    """The process's sending threads (made again after a fork, whose child has none)."""
    global _pool
    size = max(1, int(settings.SELGEO_WEBHOOKS_SEND_THREADS))
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid() or _pool[1] != size:
            _pool = (
                os.getpid(),
                size,
                ThreadPoolExecutor(max_workers=size, thread_name_prefix="webhook-send"),
            )
        return _pool[2]


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


def _prepare(claimed: list[uuid.UUID], now: datetime) -> tuple[list[_Job], int]:
    """The signed requests of the claimed deliveries; those not to send are cancelled."""
    deliveries = list(Delivery.objects.select_related("event", "endpoint").filter(pk__in=claimed))
    delivered = _already_delivered(deliveries)
    jobs: list[_Job] = []
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
        jobs.append(_Job(delivery, body, headers))
    for reason, ids in cancelled.items():
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.CANCELLED, error=reason, claimed_until=None
        )
    return jobs, sum(len(ids) for ids in cancelled.values())


def _send(job: _Job, timeout: float, allow_loopback: bool, ca_bundle: str) -> transport.HttpResult:
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


@transaction.atomic
def deliveries_record(
    outcomes: list[tuple[Delivery, transport.HttpResult]],
) -> list[Delivery]:
    """Write the answers of many attempts at once; returns the retries it scheduled.

    An attempt the sweep already declared lost (no longer `sending`) is left as the
    sweep wrote it: its next attempt exists already.
    """
    finished = timezone.now()
    ids = [delivery.pk for delivery, _ in outcomes]
    still_sending = set(
        Delivery.objects.select_for_update()
        .filter(pk__in=ids, status=DeliveryStatus.SENDING)
        .values_list("pk", flat=True)
    )
    recorded = [(d, r) for d, r in outcomes if d.pk in still_sending]
    for delivery, result in recorded:
        _fields(delivery, result)
    Delivery.objects.bulk_update([d for d, _ in recorded], RECORDED_FIELDS, batch_size=500)
    succeeded = {d.endpoint_id for d, r in recorded if r.ok}
    failed = [(d, r) for d, r in recorded if not r.ok]
    if succeeded:
        # Every worker delivering to a busy endpoint would queue on its row: it is
        # written only when it changes meaningfully (last_success_at to the minute).
        WebhookEndpoint.objects.filter(pk__in=succeeded).filter(
            Q(failing_since__isnull=False)
            | Q(last_success_at__isnull=True)
            | Q(last_success_at__lt=finished - SUCCESS_RESOLUTION)
        ).update(failing_since=None, last_success_at=finished)
    if not failed:
        return []
    failing = {d.endpoint_id for d, _ in failed}
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


def _fan_out_undispatched() -> int:
    from webhooks.services.events import events_fan_out

    with transaction.atomic():
        ids = list(
            Event.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True)
            .order_by("created_at")
            .values_list("pk", flat=True)[:FAN_OUT_BATCH]
        )
        if ids:
            events_fan_out(event_ids=ids)
    return len(ids)


def deliveries_pump(
    *, only: Sequence[Id] | None = None, seconds: float | None = None
) -> PumpResult:
    """Send due deliveries concurrently until there is nothing left to send (or, with
    `seconds`, until that time is up), recording the answers in batches.

    With `only`, just those deliveries (the ones a transaction's events produced, or
    the sweep's); without, any due delivery and any event not yet fanned out, so that
    a busy worker keeps taking new events while it sends.
    """
    threads = max(1, int(settings.SELGEO_WEBHOOKS_SEND_THREADS))
    timeout = float(settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS)
    allow_loopback = bool(settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK)
    ca_bundle = str(settings.SELGEO_WEBHOOKS_CA_BUNDLE)
    pool = _sender_pool()
    remaining: set[uuid.UUID] | None = (
        {i if isinstance(i, uuid.UUID) else uuid.UUID(str(i)) for i in only}
        if only is not None
        else None
    )
    started = time.monotonic()
    deadline = started + seconds if seconds is not None else None
    hard_stop = deadline + timeout + 1.0 if deadline is not None else None
    in_flight: dict[Future[transport.HttpResult], _Job] = {}
    answers: list[tuple[Delivery, transport.HttpResult]] = []
    first_answer = 0.0
    result = PumpResult()
    idle = False

    def flush() -> None:
        nonlocal answers
        if answers:
            batch, answers = answers, []
            result.retries.extend(deliveries_record(batch))

    while True:
        clock = time.monotonic()
        claiming = True
        exclude: set[uuid.UUID] = set()
        if deadline is not None and clock >= deadline:
            slow = {
                job.delivery.endpoint_id
                for job in in_flight.values()
                if clock - job.submitted >= SLOW_SECONDS
            }
            # Past its time the pump serves the fast endpoints only until the slow
            # requests are answered, then stops taking work and lets the next pump go on.
            claiming = bool(slow) and hard_stop is not None and clock < hard_stop
            exclude = slow
        claimed_any = False
        if claiming and len(in_flight) < threads and (remaining is None or remaining):
            if remaining is None:
                _fan_out_undispatched()
            now = timezone.now()
            claimed = deliveries_claim(
                limit=threads - len(in_flight),
                now=now,
                only=sorted(remaining, key=str) if remaining is not None else None,
                exclude_endpoints=exclude,
            )
            if remaining is not None:
                remaining.difference_update(claimed)
            jobs, cancelled = _prepare(claimed, now)
            result.cancelled += cancelled
            claimed_any = bool(claimed)
            for job in jobs:
                job.submitted = time.monotonic()
                in_flight[pool.submit(_send, job, timeout, allow_loopback, ca_bundle)] = job
        if not in_flight:
            flush()
            if claimed_any:
                continue
            break
        idle = not claimed_any
        poll = None if not claiming else (IDLE_POLL_SECONDS if idle else POLL_SECONDS)
        if remaining is not None and not remaining:
            poll = None
        done, _ = wait(list(in_flight), timeout=poll, return_when=FIRST_COMPLETED)
        for future in done:
            job = in_flight.pop(future)
            try:
                answer = future.result()
            except Exception:
                # Not an answer: the attempt stays `sending` and the sweep tries again
                # once its lease is past, as for a worker that died.
                logger.exception("Webhook delivery %s failed unexpectedly", job.delivery.pk)
                continue
            if not answers:
                first_answer = time.monotonic()
            answers.append((job.delivery, answer))
            result.sent += 1
        if len(answers) >= RECORD_BATCH or (
            answers and time.monotonic() - first_answer >= RECORD_EVERY
        ):
            flush()
    flush()
    if deadline is not None and remaining is None:
        result.more_due = Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        ).exists()
    return result


def retry_wait(deliveries: list[Delivery], *, within: timedelta) -> float | None:
    """Seconds until the first of these retries is due, if one is due within `within`."""
    if not deliveries:
        return None
    first = min(d.next_attempt_at for d in deliveries)
    wait_for = first - timezone.now()
    if wait_for > within:
        return None
    return max(0.0, wait_for.total_seconds())
