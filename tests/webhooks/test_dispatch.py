"""Dispatch on commit: nothing queued for events nobody hears, one task per transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from tests.webhooks.factories import WebhookEndpointFactory
from webhooks import selectors, services, tasks
from webhooks.models import Delivery, Event
from webhooks.services import scheduling

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_subscriber_cache() -> Iterator[None]:
    selectors.forget_subscribers()
    yield
    selectors.forget_subscribers()


@pytest.fixture
def dispatches() -> Iterator[mock.MagicMock]:
    """Every `dispatch_events` message queued; the tasks still run (inline)."""
    with mock.patch.object(
        tasks.dispatch_events, "delay", wraps=tasks.dispatch_events.delay
    ) as spy:
        yield spy


@pytest.fixture
def single_dispatches() -> Iterator[mock.MagicMock]:
    with mock.patch.object(tasks.dispatch_event, "delay", wraps=tasks.dispatch_event.delay) as spy:
        yield spy


def _emit(merchant: Any, type: str = "conversion.created", **data: Any) -> Event:
    return services.emit(merchant=merchant, mode="test", type=type, data=data)


def _received(receiver: Any) -> list[str]:
    return sorted(r.headers["webhook-id"] for r in receiver.requests)


@pytest.mark.parametrize(
    "endpoints",
    [
        [],
        [{"event_types": ["payout.paid"]}],
        [{"disabled_at": timezone.now()}],
        [{"mode": "live"}],
    ],
    ids=["no endpoint", "another type", "disabled", "other mode"],
)
def test_an_event_nobody_subscribes_to_is_stored_dispatched_and_queues_no_task(
    merchant,
    endpoints,
    dispatches,
    single_dispatches,
    time_machine,
    django_capture_on_commit_callbacks,
):
    for fields in endpoints:
        WebhookEndpointFactory(merchant=merchant, **fields)
    time_machine.move_to("2026-03-02T09:00:00Z", tick=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = _emit(merchant, id="c1")
    assert callbacks == []
    dispatches.assert_not_called()
    single_dispatches.assert_not_called()
    stored = Event.objects.get()
    assert stored.pk == event.pk
    assert stored.dispatched_at == stored.created_at == timezone.now()
    assert stored.payload["data"] == {"id": "c1"}
    # The sweep finds nothing left to do for it either.
    time_machine.move_to("2026-03-02T09:05:00Z", tick=False)
    assert services.deliveries_sweep().dispatched_events == 0
    assert Delivery.objects.count() == 0


def test_a_test_ping_is_dispatched_whatever_its_endpoint_subscribes_to(
    merchant, receiver, dispatches, django_capture_on_commit_callbacks
):
    endpoint = services.endpoint_create(
        merchant=merchant, mode="test", url=receiver.url, event_types=["payout.paid"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = services.endpoint_send_test(endpoint=endpoint)
    dispatches.assert_called_once_with([str(event.pk)])
    assert _received(receiver) == [event.public_id]


def test_two_events_of_one_transaction_are_delivered_by_one_task(
    merchant, endpoint, receiver, dispatches, single_dispatches, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        first = _emit(merchant, id="c1")
        second = _emit(merchant, type="commission.created", id="m1")
    assert len(callbacks) == 2
    dispatches.assert_called_once_with([str(first.pk), str(second.pk)])
    single_dispatches.assert_not_called()
    assert _received(receiver) == sorted([first.public_id, second.public_id])
    assert sorted(Delivery.objects.values_list("event_id", "status")) == sorted(
        [(first.pk, "succeeded"), (second.pk, "succeeded")]
    )
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 0


def test_each_transaction_has_its_own_task(
    merchant, endpoint, receiver, dispatches, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _emit(merchant, id="c1")
    with django_capture_on_commit_callbacks(execute=True):
        second = _emit(merchant, id="c2")
    assert dispatches.call_args_list == [
        mock.call([str(first.pk)]),
        mock.call([str(second.pk)]),
    ]
    assert _received(receiver) == sorted([first.public_id, second.public_id])


def test_an_event_in_a_rolled_back_savepoint_is_neither_stored_nor_dispatched(
    merchant, endpoint, receiver, dispatches, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept = _emit(merchant, id="c1")
        with pytest.raises(RuntimeError), transaction.atomic():
            _emit(merchant, id="c2")
            raise RuntimeError("this part of the change failed")
        also_kept = _emit(merchant, id="c3")
    dispatches.assert_called_once_with([str(kept.pk), str(also_kept.pk)])
    assert list(Event.objects.order_by("created_at").values_list("pk", flat=True)) == [
        kept.pk,
        also_kept.pk,
    ]
    assert _received(receiver) == sorted([kept.public_id, also_kept.public_id])


def test_events_before_a_rolled_back_last_event_are_still_dispatched_at_once(
    merchant, endpoint, receiver, dispatches, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept = _emit(merchant, id="c1")
        with pytest.raises(RuntimeError), transaction.atomic():
            _emit(merchant, id="c2")
            raise RuntimeError("the last part of the change failed")
    dispatches.assert_called_once_with([str(kept.pk)])
    assert list(Event.objects.values_list("pk", flat=True)) == [kept.pk]
    assert _received(receiver) == [kept.public_id]


def test_a_transaction_whose_only_event_was_rolled_back_queues_nothing(
    merchant, endpoint, receiver, dispatches, django_capture_on_commit_callbacks
):
    # The caller's transaction goes on after the savepoint of its failed part.
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _emit(merchant, id="c1")
        raise RuntimeError("the change failed")
    assert callbacks == []
    dispatches.assert_not_called()
    assert Event.objects.count() == 0
    assert receiver.requests == []


def test_a_large_transaction_is_dispatched_in_batches(merchant, django_capture_on_commit_callbacks):
    WebhookEndpointFactory(merchant=merchant)
    total = 2 * scheduling.DISPATCH_BATCH_SIZE + 1
    # Only counted: nobody listens at the factory's URL.
    with (
        mock.patch.object(tasks.dispatch_events, "delay") as dispatches,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        ids = [str(_emit(merchant, n=n).pk) for n in range(total)]
    assert [call.args[0] for call in dispatches.call_args_list] == [
        ids[: scheduling.DISPATCH_BATCH_SIZE],
        ids[scheduling.DISPATCH_BATCH_SIZE : 2 * scheduling.DISPATCH_BATCH_SIZE],
        ids[2 * scheduling.DISPATCH_BATCH_SIZE :],
    ]


def test_an_endpoint_created_in_this_process_hears_the_next_event(
    merchant, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        unheard = _emit(merchant, id="c1")
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_create(merchant=merchant, mode="test", url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        heard = _emit(merchant, id="c2")
    assert Event.objects.get(pk=unheard.pk).dispatched_at is not None
    assert _received(receiver) == [heard.public_id]


def test_the_batch_task_skips_events_that_do_not_exist(
    merchant, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        event = _emit(merchant, id="c1")
    tasks.dispatch_events(["0b7e4d1c-2a3f-4e5d-8c9b-1a2b3c4d5e6f", str(event.pk)])
    assert _received(receiver) == [event.public_id]


@pytest.mark.django_db(transaction=True)
def test_committed_transactions_dispatch_once_each_even_when_the_last_event_rolls_back(
    merchant, endpoint, receiver, dispatches
):
    # Real commits: Django runs (and then drops) the callbacks itself.
    with transaction.atomic():
        first = _emit(merchant, id="c1")
        second = _emit(merchant, id="c2")
    with transaction.atomic():
        third = _emit(merchant, id="c3")
        with pytest.raises(RuntimeError), transaction.atomic():
            _emit(merchant, id="c4")
            raise RuntimeError("the last part of the change failed")
    fourth = _emit(merchant, id="c5")
    assert dispatches.call_args_list == [
        mock.call([str(first.pk), str(second.pk)]),
        mock.call([str(third.pk)]),
        mock.call([str(fourth.pk)]),
    ]
    assert _received(receiver) == sorted(e.public_id for e in (first, second, third, fourth))
    assert Event.objects.count() == 4
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 0
    assert timezone.now() - Event.objects.get(pk=first.pk).dispatched_at < timedelta(minutes=1)
