"""The periodic sweep: events never dispatched, queued work that was lost, dead workers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.webhooks.receiver import Reply
from webhooks import services, tasks
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db


def test_an_event_whose_dispatch_was_lost_at_commit_is_sent_by_the_sweep(
    merchant, endpoint, receiver, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to("2026-03-02T09:00:00Z", tick=False)
    # The on-commit callback never runs: the broker was down, or the process died.
    with django_capture_on_commit_callbacks(execute=False):
        event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    time_machine.move_to("2026-03-02T09:00:30Z", tick=False)
    tasks.sweep()
    assert receiver.requests == []
    time_machine.move_to("2026-03-02T09:01:01Z", tick=False)
    tasks.sweep()
    assert [r.headers["webhook-id"] for r in receiver.requests] == [event.public_id]
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert Delivery.objects.get().status == "succeeded"
    tasks.sweep()
    assert len(receiver.requests) == 1


def test_a_queued_delivery_whose_task_was_lost_is_queued_again_after_its_lease(
    merchant, endpoint, receiver, time_machine
):
    time_machine.move_to("2026-03-02T09:00:00Z", tick=False)
    event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    # Fanned out, but the deliver task it queued never arrived.
    (delivery_id,) = services.event_fan_out(event_id=event.pk)
    tasks.sweep()
    assert receiver.requests == []
    time_machine.move_to("2026-03-02T09:00:08Z", tick=False)
    tasks.sweep()
    assert len(receiver.requests) == 1
    assert Delivery.objects.get(pk=delivery_id).status == "succeeded"


def test_an_attempt_whose_worker_died_is_failed_and_tried_again_after_its_lease(
    merchant, endpoint, receiver, time_machine
):
    time_machine.move_to("2026-03-02T09:00:00Z", tick=False)
    event = services.emit(merchant=merchant, mode="test", type="payout.paid", data={})
    (delivery_id,) = services.event_fan_out(event_id=event.pk)
    # A worker claimed it and was killed before recording anything.
    now = timezone.now()
    Delivery.objects.filter(pk=delivery_id).update(
        status="sending", attempted_at=now, claimed_until=now + timedelta(seconds=7)
    )
    time_machine.move_to("2026-03-02T09:00:06Z", tick=False)
    tasks.sweep()
    assert receiver.requests == []
    time_machine.move_to("2026-03-02T09:00:08Z", tick=False)
    tasks.sweep()
    first, second = Delivery.objects.order_by("attempt")
    assert (first.attempt, first.status) == (1, "failed")
    assert first.error == "No answer was recorded: the worker stopped during the attempt"
    assert (second.attempt, second.status, second.trigger) == (2, "succeeded", "automatic")
    assert len(receiver.requests) == 1


def test_an_unexpected_error_during_an_inline_delivery_never_reaches_the_request(
    alice_client,
    merchant,
    endpoint,
    receiver,
    settings,
    time_machine,
    django_capture_on_commit_callbacks,
):
    settings.SELGEO_WEBHOOKS_RESOLVER = "tests.webhooks.dns.broken_resolve"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = alice_client.post(f"/api/v1/webhooks/endpoints/{endpoint.pk}/test?mode=test")
    assert len(callbacks) == 1
    assert response.status_code == 202
    event = Event.objects.get(type="endpoint.test")
    assert response.json()["id"] == event.public_id
    stuck = Delivery.objects.get()
    assert stuck.status == "sending"
    settings.SELGEO_WEBHOOKS_RESOLVER = "webhooks.ssrf.system_resolve"
    time_machine.move_to(stuck.claimed_until + timedelta(seconds=1), tick=False)
    tasks.sweep()
    assert list(Delivery.objects.order_by("attempt").values_list("status", flat=True)) == [
        "failed",
        "succeeded",
    ]
    assert len(receiver.requests) == 1


def test_a_failing_receiver_never_fails_the_request_that_emitted(
    alice_client, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.default = Reply(500, b"boom")
    url = f"/api/v1/webhooks/endpoints/{endpoint.pk}/test?mode=test"
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url)
    assert response.status_code == 202
    assert Delivery.objects.get(attempt=1).status == "failed"
    receiver.stop()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url)
    assert response.status_code == 202
    assert Delivery.objects.filter(attempt=1, status="failed").count() == 2


def test_the_sweep_is_scheduled_every_ten_seconds(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["webhooks-sweep"]
    assert (entry["task"], entry["schedule"]) == ("webhooks.sweep", 10.0)
    assert tasks.sweep.name == "webhooks.sweep"


def test_tasks_are_acknowledged_late_and_rejected_when_their_worker_is_lost():
    for task in (tasks.dispatch_event, tasks.deliver, tasks.sweep):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
