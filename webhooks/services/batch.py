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
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
from webhooks.services.scheduling import bookkeeping, lease_until

logger = logging.getLogger("selgeo.webhooks")

# Answers are written together once this many are in, or this long after the first.
# Until then they do not count as in flight (see `deliveries_claim`).
RECORD_BATCH = 200
RECORD_EVERY = 0.2
# The shortest time between two claims, and between two looks for new events, while
# requests are in flight: each claim then takes many rows rather than one.
CLAIM_GAP = 0.01
FAN_OUT_GAP = 0.1
# While claiming found nothing, how long to wait for an answer before looking again,
# and how long a worker's pump with nothing to do keeps looking before it ends.
IDLE_POLL_SECONDS = 0.05
LINGER_SECONDS = 0.5
# Once a pump's time is up it stops taking work for endpoints whose requests have been
# in flight this long (slow receivers) and ends when none is left.
SLOW_SECONDS = 0.5
# A pump holds (in flight or queued) up to this many times its threads, half of it for
# one endpoint at most, and claims again once it holds half of that.
CLAIM_AHEAD = 4
# Undispatched events a pump fans out per round.
FAN_OUT_BATCH = 200

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


def _fan_out_undispatched() -> int:
    from webhooks.services.events import events_fan_out

    # A plain read first: most looks find nothing, and the fan-out locks what it takes.
    ids = list(
        Event.objects.filter(dispatched_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:FAN_OUT_BATCH]
    )
    if ids:
        events_fan_out(event_ids=ids)
    return len(ids)


class _Pump:
    """One run of `deliveries_pump`: what it claimed, queued, sent and has yet to write.

    Claimed attempts wait in a queue per endpoint and start while the endpoint has
    fewer than SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY requests in flight, so one claim
    feeds the threads for a while (claims cost a round trip to the database each). An
    endpoint with a request in flight for SLOW_SECONDS is slow: its queued attempts are
    given back (pending again, for any worker) and it is claimed for no more while it
    stays slow, so it never holds attempts its lease could not cover.
    """

    def __init__(self, only: Sequence[Id] | None, seconds: float | None) -> None:
        self.threads = max(1, int(settings.SELGEO_WEBHOOKS_SEND_THREADS))
        self.cap = max(1, int(settings.SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY))
        self.timeout = float(settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS)
        self.allow_loopback = bool(settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK)
        self.ca_bundle = str(settings.SELGEO_WEBHOOKS_CA_BUNDLE)
        self.pool = _sender_pool()
        self.remaining: set[uuid.UUID] | None = (
            {i if isinstance(i, uuid.UUID) else uuid.UUID(str(i)) for i in only}
            if only is not None
            else None
        )
        now = time.monotonic()
        self.deadline = now + seconds if seconds is not None else None
        self.hard_stop = now + seconds + self.timeout + 1.0 if seconds is not None else None
        self.in_flight: dict[Future[transport.HttpResult], _Job] = {}
        self.queued: dict[uuid.UUID, deque[_Job]] = {}
        self.active: Counter[uuid.UUID] = Counter()
        self.answers: list[tuple[Delivery, transport.HttpResult]] = []
        self.first_answer = 0.0
        self.last_claim = self.last_fan_out = -1.0
        self.fanned_full = True
        self.result = PumpResult()

    @property
    def holding(self) -> int:
        return len(self.in_flight) + sum(len(q) for q in self.queued.values())

    def slow_endpoints(self, clock: float) -> set[uuid.UUID]:
        return {
            job.delivery.endpoint_id
            for job in self.in_flight.values()
            if clock - job.submitted >= SLOW_SECONDS
        }

    def give_back(self, endpoint_ids: Collection[uuid.UUID]) -> None:
        """Queued attempts of these endpoints go back to `pending`, unsent."""
        ids = [job.delivery.pk for e in endpoint_ids for job in self.queued.pop(e, ())]
        if self.remaining is not None:
            self.remaining.update(ids)
        if ids:
            Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.PENDING, claimed_until=None, attempted_at=None
            )

    def claim(self, clock: float, exclude: set[uuid.UUID]) -> bool:
        if self.remaining is None and (
            self.fanned_full or clock - self.last_fan_out >= FAN_OUT_GAP
        ):
            self.fanned_full = _fan_out_undispatched() >= FAN_OUT_BATCH
            self.last_fan_out = clock
        self.last_claim = clock
        now = timezone.now()
        with bookkeeping():
            claimed = deliveries_claim(
                limit=self.threads * CLAIM_AHEAD - self.holding,
                now=now,
                only=sorted(self.remaining, key=str) if self.remaining is not None else None,
                exclude_endpoints=exclude,
                answered=[delivery.pk for delivery, _ in self.answers],
                # A fast endpoint may have much queued: it drains in moments, and an
                # endpoint that turns slow gives its queue back at once.
                per_endpoint=max(self.cap, self.threads * CLAIM_AHEAD // 2),
            )
            jobs, cancelled = _prepare(claimed, now)
        if self.remaining is not None:
            self.remaining.difference_update(claimed)
        self.result.cancelled += cancelled
        for job in jobs:
            self.queued.setdefault(job.delivery.endpoint_id, deque()).append(job)
        return bool(claimed)

    def start(self) -> None:
        for endpoint_id in list(self.queued):
            queue = self.queued[endpoint_id]
            while (
                queue and self.active[endpoint_id] < self.cap and len(self.in_flight) < self.threads
            ):
                job = queue.popleft()
                job.submitted = time.monotonic()
                future = self.pool.submit(
                    _send, job, self.timeout, self.allow_loopback, self.ca_bundle
                )
                self.in_flight[future] = job
                self.active[endpoint_id] += 1
            if not queue:
                del self.queued[endpoint_id]

    def collect(self, poll: float | None) -> None:
        done, _ = wait(list(self.in_flight), timeout=poll, return_when=FIRST_COMPLETED)
        for future in done:
            job = self.in_flight.pop(future)
            self.active[job.delivery.endpoint_id] -= 1
            try:
                answer = future.result()
            except Exception:
                # Not an answer: the attempt stays `sending` and the sweep tries again
                # once its lease is past, as for a worker that died.
                logger.exception("Webhook delivery %s failed unexpectedly", job.delivery.pk)
                continue
            if not self.answers:
                self.first_answer = time.monotonic()
            self.answers.append((job.delivery, answer))
            self.result.sent += 1

    def flush(self, *, force: bool = False) -> bool:
        due = len(self.answers) >= RECORD_BATCH or (
            self.answers and time.monotonic() - self.first_answer >= RECORD_EVERY
        )
        if not self.answers or not (force or due):
            return False
        batch, self.answers = self.answers, []
        self.result.retries.extend(deliveries_record(batch))
        return True

    def run(self) -> PumpResult:
        idle_since: float | None = None
        while True:
            clock = time.monotonic()
            slow = self.slow_endpoints(clock)
            self.give_back(slow & self.queued.keys())
            claiming = True
            if self.deadline is not None and clock >= self.deadline:
                # Past its time the pump serves the fast endpoints only until the slow
                # requests are answered, then stops taking work: the next pump goes on.
                claiming = bool(slow) and self.hard_stop is not None and clock < self.hard_stop
            claimed_any = False
            if (
                claiming
                # Topped up once the queues run low, so that each claim brings many.
                and self.holding <= self.threads * CLAIM_AHEAD // 2
                and (self.remaining is None or self.remaining)
                and (not self.in_flight or clock - self.last_claim >= CLAIM_GAP)
            ):
                claimed_any = self.claim(clock, slow)
            self.start()
            if not self.in_flight:
                # Written answers free their endpoints' places for another claim.
                if self.flush(force=True) or claimed_any:
                    idle_since = None
                    continue
                # A worker's pump waits a little for more: events committed one after
                # the other are sent by it, not by a message each.
                idle_since = clock if idle_since is None else idle_since
                if self.remaining is None and claiming and clock - idle_since < LINGER_SECONDS:
                    time.sleep(IDLE_POLL_SECONDS)
                    continue
                break
            idle_since = None
            poll: float | None = CLAIM_GAP if claimed_any else IDLE_POLL_SECONDS
            if not claiming or (self.remaining is not None and not self.remaining):
                poll = None
            self.collect(poll)
            self.flush()
        self.give_back(list(self.queued))
        if self.deadline is not None and self.remaining is None:
            self.result.more_due = Delivery.objects.filter(
                status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
            ).exists()
        return self.result


def deliveries_pump(
    *, only: Sequence[Id] | None = None, seconds: float | None = None
) -> PumpResult:
    """Send due deliveries concurrently until there is nothing left to send (or, with
    `seconds`, until that time is up), recording the answers in batches.

    With `only`, just those deliveries (the ones a transaction's events produced, or
    the sweep's); without, any due delivery and any event not yet fanned out, so that
    a busy worker keeps taking new events while it sends.
    """
    return _Pump(only, seconds).run()


def retry_wait(deliveries: list[Delivery], *, within: timedelta) -> float | None:
    """Seconds until the first of these retries is due, if one is due within `within`."""
    if not deliveries:
        return None
    first = min(d.next_attempt_at for d in deliveries)
    wait_for = first - timezone.now()
    if wait_for > within:
        return None
    return max(0.0, wait_for.total_seconds())
