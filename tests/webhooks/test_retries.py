"""Retries over about three days, on a frozen clock driven by the sweep; then the endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.webhooks.receiver import Reply
from webhooks import retries, selectors, services, tasks
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _emit(merchant):
    return services.emit(merchant=merchant, mode="test", type="conversion.created", data={})


def _send_first(merchant):
    event = _emit(merchant)
    tasks.dispatch_event(str(event.pk))
    return event


def test_retries_follow_the_schedule_with_jitter_and_stop_after_ten_attempts(
    merchant, endpoint, receiver, time_machine
):
    receiver.default = Reply(500, b"down")
    time_machine.move_to(T0, tick=False)
    event = _send_first(merchant)
    for _ in retries.RETRY_DELAYS:
        pending = Delivery.objects.get(status="pending")
        sent_before = len(receiver.requests)
        time_machine.move_to(pending.next_attempt_at - timedelta(seconds=2), tick=False)
        tasks.sweep()
        assert len(receiver.requests) == sent_before, "sent before it was due"
        time_machine.move_to(pending.next_attempt_at, tick=False)
        tasks.sweep()
        assert len(receiver.requests) == sent_before + 1
    attempts = list(Delivery.objects.filter(event=event).order_by("attempt"))
    assert [a.attempt for a in attempts] == list(range(1, 11))
    assert {(a.status, a.trigger, a.response_status) for a in attempts} == {
        ("failed", "automatic", 500)
    }
    for previous, current, base in zip(
        attempts[:-1], attempts[1:], retries.RETRY_DELAYS, strict=True
    ):
        waited = current.attempted_at - previous.attempted_at
        assert base * 0.9 <= waited <= base * 1.1, (current.attempt, waited, base)
    total = attempts[-1].attempted_at - attempts[0].attempted_at
    assert timedelta(days=2, hours=20) < total < timedelta(days=3, hours=12)
    # The same webhook-id on every attempt: receivers deduplicate on it.
    assert {r.headers["webhook-id"] for r in receiver.requests} == {event.public_id}
    time_machine.move_to(T0 + timedelta(days=10), tick=False)
    tasks.sweep()
    assert len(receiver.requests) == 10
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is None


def test_a_one_hour_outage_recovers_without_disabling_the_endpoint(
    merchant, endpoint, receiver, time_machine
):
    time_machine.move_to(T0, tick=False)
    receiver.default = Reply(503, b"maintenance")
    _send_first(merchant)
    for _ in range(3):
        time_machine.move_to(Delivery.objects.get(status="pending").next_attempt_at, tick=False)
        tasks.sweep()
    endpoint.refresh_from_db()
    assert endpoint.failing_since == T0
    receiver.default = Reply(200)
    time_machine.move_to(Delivery.objects.get(status="pending").next_attempt_at, tick=False)
    tasks.sweep()
    assert list(Delivery.objects.order_by("attempt").values_list("status", flat=True)) == [
        "failed",
        "failed",
        "failed",
        "failed",
        "succeeded",
    ]
    endpoint.refresh_from_db()
    assert (endpoint.disabled_at, endpoint.failing_since) == (None, None)
    assert endpoint.last_success_at is not None


def test_five_days_of_failure_disable_the_endpoint_and_tell_the_merchant(
    merchant,
    alice,
    endpoint,
    receiver,
    time_machine,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    receiver.default = Reply(500)
    time_machine.move_to(T0, tick=False)
    _send_first(merchant)
    now = T0
    with django_capture_on_commit_callbacks(execute=True):
        while now + timedelta(hours=6) < T0 + timedelta(days=5):
            now += timedelta(hours=6)
            time_machine.move_to(now, tick=False)
            _send_first(merchant)
            tasks.sweep()
        endpoint.refresh_from_db()
        assert endpoint.disabled_at is None
        assert mailoutbox == []
        time_machine.move_to(T0 + timedelta(days=5, minutes=1), tick=False)
        _send_first(merchant)
    endpoint.refresh_from_db()
    assert endpoint.disabled_at == T0 + timedelta(days=5, minutes=1)
    assert endpoint.disabled_reason == "failing"
    assert list(selectors.endpoint_alerts(merchant=merchant, mode="test")) == [endpoint]
    assert not Delivery.objects.filter(status="pending").exists()
    assert Delivery.objects.filter(status="cancelled", error="The endpoint was disabled").exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [alice.email]
    assert "disabled" in mailoutbox[0].subject
    sent = len(receiver.requests)
    time_machine.move_to(T0 + timedelta(days=6), tick=False)
    _send_first(merchant)
    tasks.sweep()
    assert len(receiver.requests) == sent


def test_the_schedule_is_documented_as_ten_attempts():
    assert retries.MAX_ATTEMPTS == 10
    assert retries.delay_after(10) is None
    assert retries.delay_after(0) is None
    for made, base in enumerate(retries.RETRY_DELAYS, start=1):
        delay = retries.delay_after(made)
        assert delay is not None and base * 0.9 <= delay <= base * 1.1
