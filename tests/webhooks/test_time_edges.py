"""The webhook time rules at their exact edges, with a frozen clock.

- Each retry waits its step of the schedule times a jitter factor in [0.9, 1.1]; the
  bounds are reachable and never crossed (a property over every step and Retry-After).
- A pending retry is sent at its `next_attempt_at`, not a second before.
- An endpoint is disabled by the failure that finds it failing for five days
  (`failing_since <= now - 5 days`): a failure one second earlier leaves it enabled.
- After a secret rotation the previous secret signs until `previous_secret_expires_at`,
  exclusive: one second before, two signatures; at that instant, one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from tests.webhooks.receiver import Reply
from webhooks import retries, services, tasks
from webhooks.models import Delivery
from webhooks.services.delivery import DISABLE_AFTER

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize("step", range(1, retries.MAX_ATTEMPTS))
@pytest.mark.parametrize("factor", [1 - retries.JITTER, 1 + retries.JITTER])
def test_each_step_reaches_its_jitter_bounds_exactly(monkeypatch, step, factor):
    # random.uniform(a, b) may return either bound: the schedule must stay within them.
    bounds: list[tuple[float, float]] = []

    def extreme(low: float, high: float) -> float:
        bounds.append((low, high))
        return factor

    monkeypatch.setattr(retries.random, "uniform", extreme)

    assert retries.delay_after(step) == retries.RETRY_DELAYS[step - 1] * factor
    assert bounds == [(0.9, 1.1)]


def test_the_schedule_is_the_standard_webhooks_one():
    assert [d.total_seconds() for d in retries.RETRY_DELAYS] == [
        5,
        5 * 60,
        30 * 60,
        2 * 3600,
        5 * 3600,
        10 * 3600,
        14 * 3600,
        20 * 3600,
        24 * 3600,
    ]
    assert retries.MAX_ATTEMPTS == 10


@given(
    made=st.integers(-3, retries.MAX_ATTEMPTS + 3),
    status=st.one_of(st.none(), st.sampled_from([200, 410, 429, 500, 502, 503, 504])),
    retry_after=st.one_of(st.none(), st.integers(0, 3 * 86400)),
)
def test_every_delay_is_its_step_within_jitter_or_the_capped_retry_after(made, status, retry_after):
    delay = retries.delay_after(made, status=status, retry_after_seconds=retry_after)

    if not 1 <= made < retries.MAX_ATTEMPTS:
        assert delay is None
        return
    assert delay is not None
    base = retries.RETRY_DELAYS[made - 1]
    jittered_ok = base * 0.9 <= delay <= base * 1.1
    if status in retries.RETRY_AFTER_STATUSES and retry_after is not None:
        asked = min(timedelta(seconds=retry_after), retries.MAX_RETRY_AFTER)
        assert delay >= asked
        assert delay == asked or jittered_ok
        assert delay <= max(base * 1.1, asked)
    else:
        assert jittered_ok


def _emit_and_send(merchant):
    event = services.emit(merchant=merchant, mode="test", type="conversion.created", data={})
    tasks.dispatch_event(str(event.pk))
    return event


@pytest.mark.django_db
@pytest.mark.parametrize("step", range(1, retries.MAX_ATTEMPTS))
def test_a_retry_is_sent_at_its_due_second_and_not_one_before(
    merchant, endpoint, receiver, time_machine, step
):
    receiver.default = Reply(500)
    time_machine.move_to(T0, tick=False)
    event = _emit_and_send(merchant)
    for _ in range(step - 1):
        time_machine.move_to(Delivery.objects.get(status="pending").next_attempt_at, tick=False)
        tasks.sweep()
    pending = Delivery.objects.get(status="pending")
    assert pending.attempt == step + 1
    previous = Delivery.objects.get(event=event, attempt=step)
    waited = pending.next_attempt_at - previous.attempted_at
    base = retries.RETRY_DELAYS[step - 1]
    assert base * 0.9 <= waited <= base * 1.1
    sent = len(receiver.requests)

    time_machine.move_to(pending.next_attempt_at - SECOND, tick=False)
    tasks.sweep()
    assert len(receiver.requests) == sent
    assert Delivery.objects.get(pk=pending.pk).status == "pending"

    time_machine.move_to(pending.next_attempt_at, tick=False)
    tasks.sweep()
    assert len(receiver.requests) == sent + 1
    assert Delivery.objects.get(pk=pending.pk).status == "failed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("failure_at", "disabled"),
    [(DISABLE_AFTER - SECOND, False), (DISABLE_AFTER, True), (DISABLE_AFTER + SECOND, True)],
)
def test_an_endpoint_is_disabled_by_a_failure_five_days_into_failing_not_before(
    merchant,
    endpoint,
    receiver,
    time_machine,
    mailoutbox,
    django_capture_on_commit_callbacks,
    failure_at,
    disabled,
):
    receiver.default = Reply(500)
    time_machine.move_to(T0, tick=False)
    _emit_and_send(merchant)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == T0

    time_machine.move_to(T0 + failure_at, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        _emit_and_send(merchant)

    endpoint.refresh_from_db()
    assert endpoint.failing_since == T0
    if disabled:
        assert (endpoint.disabled_at, endpoint.disabled_reason) == (T0 + failure_at, "failing")
        assert not Delivery.objects.filter(status="pending").exists()
        assert len(mailoutbox) == 1
    else:
        assert (endpoint.disabled_at, endpoint.disabled_reason) == (None, "")
        assert Delivery.objects.filter(status="pending").count() == 2
        assert mailoutbox == []


@pytest.mark.django_db
def test_a_success_a_second_before_the_fifth_day_keeps_the_endpoint(
    merchant, endpoint, receiver, time_machine
):
    receiver.default = Reply(500)
    time_machine.move_to(T0, tick=False)
    _emit_and_send(merchant)
    receiver.default = Reply(200)
    time_machine.move_to(T0 + DISABLE_AFTER - SECOND, tick=False)
    _emit_and_send(merchant)
    receiver.default = Reply(500)
    time_machine.move_to(T0 + DISABLE_AFTER + SECOND, tick=False)
    _emit_and_send(merchant)

    endpoint.refresh_from_db()
    assert endpoint.disabled_at is None
    assert endpoint.failing_since == T0 + DISABLE_AFTER + SECOND


@pytest.mark.django_db
@pytest.mark.parametrize(("offset", "signatures"), [(-SECOND, 2), (timedelta(0), 1), (SECOND, 1)])
def test_the_previous_secret_signs_until_its_grace_ends_exclusive(
    merchant, endpoint, receiver, time_machine, offset, signatures
):
    time_machine.move_to(T0, tick=False)
    old_secret = endpoint.secret
    rotated = services.endpoint_rotate_secret(endpoint=endpoint, previous_valid_hours=24)
    assert rotated.previous_secret_expires_at == T0 + timedelta(hours=24)
    time_machine.move_to(T0 + timedelta(hours=24) + offset, tick=False)

    _emit_and_send(merchant)

    (request,) = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == signatures
    Webhook(rotated.secret).verify(request.body, request.headers)
    if signatures == 2:
        Webhook(old_secret).verify(request.body, request.headers)
