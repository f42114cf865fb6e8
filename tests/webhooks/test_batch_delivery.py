"""Delivery in batches: one-statement claims, bounded concurrency per endpoint, bulk records,
and the isolation of a failing endpoint from a healthy one."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import Merchant
from tests.webhooks.receiver import Receiver, Reply
from webhooks import services, tasks
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db


def _emit(merchant: Merchant, count: int, *, start: int = 0) -> list[Event]:
    with transaction.atomic():
        return [
            services.emit(merchant=merchant, mode="test", type="conversion.created", data={"n": n})
            for n in range(start, start + count)
        ]


def _pending(endpoint, count):
    """`count` due first attempts to the endpoint, not yet handed to any worker."""
    with transaction.atomic():
        events = [
            services.emit(
                merchant=endpoint.merchant, mode="test", type="conversion.created", data={"n": n}
            )
            for n in range(count)
        ]
    # Recorded outside the capture of on-commit callbacks: fanned out by hand.
    ids = services.events_fan_out(event_ids=[e.pk for e in events])
    Delivery.objects.filter(pk__in=ids).update(claimed_until=None)
    return ids


def test_a_claim_takes_at_most_the_endpoint_concurrency_and_never_twice(
    merchant, receiver, settings
):
    settings.SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY = 3
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    _pending(endpoint, 10)
    now = timezone.now()
    first = services.deliveries_claim(limit=50, now=now)
    assert len(first) == 3
    # The three in flight count against the endpoint: nothing more for it.
    assert services.deliveries_claim(limit=50, now=now) == []
    # Once two of them are answered (not yet written), two more may go.
    second = services.deliveries_claim(limit=50, now=now, answered=first[:2])
    assert len(second) == 2 and not set(second) & set(first)
    claimed = Delivery.objects.filter(status="sending")
    assert set(claimed.values_list("pk", flat=True)) == set(first) | set(second)
    assert all(d.claimed_until > now and d.attempted_at == now for d in claimed)


def test_a_claim_passes_over_a_saturated_endpoint_to_reach_the_others(
    merchant, other_merchant, receiver, settings
):
    settings.SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY = 2
    busy = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    quiet = services.endpoint_create(merchant=other_merchant, mode="test", url=receiver.url)
    older = _pending(busy, 30)
    later = _pending(quiet, 3)
    now = timezone.now()
    first = services.deliveries_claim(limit=2, now=now)
    assert set(first) <= set(older) and len(first) == 2
    rest = services.deliveries_claim(limit=10, now=now)
    # The busy endpoint's older backlog does not keep the quiet one's work waiting.
    assert set(rest) <= set(later) and len(rest) == 2


def test_a_batch_is_sent_concurrently_within_the_cap_and_recorded_in_bulk(
    merchant, receiver, settings, django_capture_on_commit_callbacks
):
    settings.SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY = 5
    receiver.default = Reply(200, delay_seconds=0.2)
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        events = _emit(merchant, 20)
    elapsed = time.monotonic() - started
    # Twenty answers of 0.2 s each, five at a time: about 0.8 s, not 4 s.
    assert elapsed < 3.0
    assert receiver.most_concurrent == 5
    deliveries = Delivery.objects.filter(endpoint=endpoint)
    assert sorted(deliveries.values_list("status", flat=True)) == ["succeeded"] * 20
    assert all(d.lag_ms is not None and d.lag_ms < 3000 for d in deliveries)
    assert all(d.latency_ms >= 200 and d.response_status == 200 for d in deliveries)
    secret = endpoint.secret
    for request in receiver.requests:
        Webhook(secret).verify(request.body, request.headers)
    assert {r.headers["webhook-id"] for r in receiver.requests} == {e.public_id for e in events}


def test_failed_answers_in_a_batch_are_retried_on_the_schedule(
    merchant, receiver, django_capture_on_commit_callbacks
):
    def half_fail(received):
        return Reply(503 if json.loads(received.body)["data"]["n"] % 2 else 200)

    receiver.choose = half_fail
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _emit(merchant, 10)
    first = Delivery.objects.filter(endpoint=endpoint, attempt=1)
    assert sorted(first.values_list("status", flat=True)) == ["failed"] * 5 + ["succeeded"] * 5
    retries = list(Delivery.objects.filter(endpoint=endpoint, attempt=2))
    assert len(retries) == 5
    for retry in retries:
        failed = first.get(event_id=retry.event_id)
        assert failed.status == "failed" and failed.error == "The endpoint answered 503"
        assert retry.status == "pending" and retry.trigger == "automatic"
        wait = retry.next_attempt_at - retry.created_at
        assert timedelta(seconds=4.5) <= wait <= timedelta(seconds=5.5)
    endpoint.refresh_from_db()
    # Half of its answers succeeded: the endpoint works, it is not failing.
    assert endpoint.failing_since is None
    assert endpoint.last_success_at is not None and endpoint.last_failure_at is not None


def test_a_failing_endpoint_backs_off_while_a_healthy_one_stays_fast(
    merchant, other_merchant, settings
):
    """The isolation property: one merchant's receiver fails slowly, another's answers."""
    settings.SELGEO_WEBHOOKS_ALLOW_LOOPBACK = True
    # Well above the failing receiver's 0.8 s, so that a loaded machine still sees its 503.
    settings.SELGEO_WEBHOOKS_TIMEOUT_SECONDS = 3.0
    settings.SELGEO_WEBHOOKS_ENDPOINT_CONCURRENCY = 4
    healthy, failing = Receiver().start(), Receiver().start()
    # Slow and failing: every answer is a 503, after 0.8 s.
    failing.default = Reply(503, delay_seconds=0.8)
    try:
        good = services.endpoint_create(merchant=merchant, mode="test", url=healthy.url)
        bad = services.endpoint_create(merchant=other_merchant, mode="test", url=failing.url)
        # Left for the pump to fan out, as a worker finds them.
        with transaction.atomic():
            for n in range(100):
                for owner in (merchant, other_merchant):
                    services.emit(
                        merchant=owner, mode="test", type="conversion.created", data={"n": n}
                    )
        committed = time.monotonic()
        result = services.deliveries_pump(seconds=3.0)
    finally:
        healthy.stop()
        failing.stop()
    lags = sorted(r.at - committed for r in healthy.requests)
    assert len(lags) == 100
    assert lags[int(0.95 * len(lags))] < 2.0
    assert Delivery.objects.filter(endpoint=good, status="succeeded").count() == 100
    # The failing receiver never had more than its share in flight, and each failure
    # waits for its retry.
    assert failing.most_concurrent <= 4
    failed = list(Delivery.objects.filter(endpoint=bad, status="failed"))
    assert len(failed) >= 4
    assert {f.error for f in failed} == {"The endpoint answered 503"}
    for attempt in failed:
        retry = Delivery.objects.get(
            event_id=attempt.event_id, endpoint=bad, attempt=attempt.attempt + 1
        )
        assert retry.next_attempt_at >= retry.created_at + timedelta(seconds=4.5)
    # What it could not send yet is waiting for the next pump, not lost or held.
    assert not Delivery.objects.filter(status="sending").exists()
    assert Delivery.objects.filter(endpoint=bad).values("event").distinct().count() == 100
    assert result.more_due


def test_the_worker_task_pumps_and_queues_a_successor_while_work_is_due(
    merchant, receiver, settings
):
    from selgeo.celery import app

    settings.SELGEO_WEBHOOKS_PUMP_SECONDS = 0.0
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    _pending(endpoint, 3)
    app.conf.task_always_eager = False
    try:
        with mock.patch.object(tasks.deliver_due, "delay") as successor:
            tasks.deliver_due()
    finally:
        app.conf.task_always_eager = True
    # With no time to run, the pump took nothing and handed over to the next message.
    successor.assert_called_once_with()
    assert Delivery.objects.filter(status="pending").count() == 3


def test_a_worker_queues_a_pump_for_retries_due_within_a_minute(merchant, receiver):
    from selgeo.celery import app

    receiver.default = Reply(500)
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    ids = _pending(endpoint, 2)
    app.conf.task_always_eager = False
    try:
        with mock.patch.object(tasks.deliver_due, "apply_async") as later:
            tasks.deliver_batch([str(i) for i in ids])
    finally:
        app.conf.task_always_eager = True
    assert Delivery.objects.filter(endpoint=endpoint, attempt=2, status="pending").count() == 2
    (countdown,) = [c.kwargs["countdown"] for c in later.call_args_list]
    assert 3.5 <= countdown <= 5.5
    assert services.retry_wait([], within=timedelta(seconds=60)) is None
    far = Delivery(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert services.retry_wait([far], within=timedelta(seconds=60)) is None


def test_events_that_cannot_be_fanned_out_together_go_one_at_a_time(merchant, receiver, caplog):
    endpoint = services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    events = _emit(merchant, 2)
    with mock.patch.object(services, "events_fan_out", side_effect=RuntimeError("lock")):
        tasks.dispatch_events([str(e.pk) for e in events])
    assert "one at a time" in caplog.text
    assert Delivery.objects.filter(endpoint=endpoint, status="succeeded").count() == 2
