"""A delivery run through a real Celery worker killed and restarted midway: nothing is lost.

2,000 events (SELGEO_WEBHOOKS_RUN_EVENTS) for three merchants, one endpoint each, on
three receivers: one answers at once, one fails 30% of requests (503), one is slow. A
worker delivers in batches; the test kills it (SIGKILL, whole process group) once a
third has arrived, starts another and runs the sweep until nothing is due or in flight.
Then every (event, endpoint) pair has succeeded, or its latest attempt is a retry
scheduled as the schedule says; every request carried signatures that
`standardwebhooks` verifies; duplicates (sent again after the kill) are counted.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import Merchant
from tests.webhooks.receiver import Received, Receiver, Reply
from tests.webhooks.test_worker_kill import workers  # noqa: F401 (a fixture)
from webhooks import retries, services, tasks
from webhooks.models import Delivery, Event

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

EVENTS = int(os.environ.get("SELGEO_WEBHOOKS_RUN_EVENTS", "2000"))


def _flaky(received: Received) -> Reply:
    # 30% of requests fail, decided per request so that retries may succeed or fail.
    data = json.loads(received.body)["data"]
    fails = random.Random(f"{data['n']}-{received.at}").random() < 0.3
    return Reply(503, b"try later") if fails else Reply(200)


def _settled() -> bool:
    """Nothing in flight, nothing due (the 5 s retries included), nothing to fan out."""
    soon = timezone.now() + timedelta(seconds=10)
    return not Delivery.objects.filter(status="sending").exists() and not (
        Delivery.objects.filter(status="pending", next_attempt_at__lte=soon).exists()
        or Event.objects.filter(dispatched_at__isnull=True).exists()
    )


def test_a_run_with_a_killed_worker_delivers_or_schedules_every_event(
    workers,  # noqa: F811
    settings,
    record_property,
):
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    workers.env["SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY"] = "8"
    receivers = [Receiver().start() for _ in range(3)]
    receivers[1].choose = _flaky
    receivers[2].default = Reply(200, delay_seconds=0.02)
    started = time.monotonic()
    try:
        merchants = [Merchant.objects.create(name=f"Run {n}", slug=f"run-{n}") for n in range(3)]
        endpoints = [
            services.endpoint_create(merchant=m, mode="test", url=r.url)
            for m, r in zip(merchants, receivers, strict=True)
        ]
        first = workers.start("first")
        killed = False

        def kill_after_a_third() -> bool:
            # Once a third has arrived, at a moment the worker holds attempts.
            if (
                not killed
                and sum(len(r.requests) for r in receivers) >= EVENTS // 3
                and Delivery.objects.filter(status="sending").exists()
            ):
                workers.kill(first)
                return True
            return killed

        for start in range(0, EVENTS, 100):
            with transaction.atomic():
                for n in range(start, start + 100):
                    services.emit(
                        merchant=merchants[n % 3],
                        mode="test",
                        type="conversion.created",
                        data={"n": n},
                    )
            killed = kill_after_a_third()
        while not killed:
            assert time.monotonic() - started < 60, "the first worker delivered too little"
            time.sleep(0.05)
            killed = kill_after_a_third()
        workers.start("second")
        while not _settled():
            assert time.monotonic() - started < 120, "the run did not settle"
            tasks.sweep.delay()
            time.sleep(0.5)
    finally:
        for receiver in receivers:
            receiver.stop()

    events = {e.pk: e for e in Event.objects.all()}
    assert len(events) == EVENTS
    pairs: dict[tuple, list[Delivery]] = {}
    for delivery in Delivery.objects.order_by("attempt"):
        pairs.setdefault((delivery.event_id, delivery.endpoint_id), []).append(delivery)
    owner = {e.merchant_id: e.pk for e in endpoints}
    assert set(pairs) == {(pk, owner[e.merchant_id]) for pk, e in events.items()}, "lost"
    delivered = scheduled = 0
    for attempts in pairs.values():
        assert [a.attempt for a in attempts] == list(range(1, len(attempts) + 1))
        if any(a.status == "succeeded" for a in attempts):
            delivered += 1
            continue
        # Not delivered yet: the latest attempt waits for its turn on the schedule.
        *before, latest = attempts
        assert latest.status == "pending" and before and before[-1].status == "failed"
        made = len(before)
        base = retries.RETRY_DELAYS[made - 1]
        assert latest.next_attempt_at > timezone.now()
        assert base * 0.9 - timedelta(seconds=1) <= latest.next_attempt_at - latest.created_at
        assert latest.next_attempt_at - latest.created_at <= base * 1.1 + timedelta(seconds=1)
        scheduled += 1
    assert delivered + scheduled == EVENTS
    # Only the flaky receiver's events may still be waiting.
    waiting = [p[-1] for p in pairs.values() if p[-1].status == "pending"]
    assert all(d.endpoint_id == endpoints[1].pk for d in waiting)
    # Every request verifies with the endpoint's secret; every success arrived.
    answered: Counter[str] = Counter()
    for receiver, endpoint in zip(receivers, endpoints, strict=True):
        verifier = Webhook(endpoint.secret)
        for request in receiver.requests:
            verifier.verify(request.body, request.headers)
            if 200 <= request.status < 300:
                answered[request.headers["webhook-id"]] += 1
    succeeded = {events[d.event_id].public_id for d in Delivery.objects.filter(status="succeeded")}
    # (A 2xx the killed worker never wrote down was sent again, and may have failed then.)
    assert succeeded <= set(answered) and len(succeeded) == delivered
    duplicates = sum(count - 1 for count in answered.values())
    lost_to_kill = Delivery.objects.filter(error__startswith="No answer was recorded").count()
    assert lost_to_kill >= 1, "the worker was killed holding no attempt"
    record_property("webhook_run_duplicates", duplicates)
    print(
        f"\n{EVENTS} events: {delivered} delivered, {scheduled} retries scheduled, "
        f"{duplicates} duplicates, {lost_to_kill} attempts lost with the killed worker, "
        f"{time.monotonic() - started:.1f} s"
    )
