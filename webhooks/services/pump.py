"""A worker's delivery loop: claims due attempts, sends them on the sending threads,
writes the answers, and takes new events as they are committed.

A pump claims a batch (see `batch.py`), queues it per endpoint and starts requests while
each endpoint has fewer than SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY in flight; answers are
written many at a time. A worker's pump runs for SELGEO_WEBHOOKS_PUMP_SECONDS and then
hands over; an inline one (embedded mode, tests) sends the deliveries it was given.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from webhooks import transport
from webhooks.models import (
    Delivery,
    DeliveryStatus,
    Event,
)
from webhooks.services.batch import Job, deliveries_claim, deliveries_record, prepare_jobs, send_job
from webhooks.services.delivery import (
    Id,
)
from webhooks.services.scheduling import bookkeeping

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
        self.in_flight: dict[Future[transport.HttpResult], Job] = {}
        self.queued: dict[uuid.UUID, deque[Job]] = {}
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
            jobs, cancelled = prepare_jobs(claimed, now)
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
                    send_job, job, self.timeout, self.allow_loopback, self.ca_bundle
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
