"""emit(): the outbox row is written in the caller's transaction and sent only on commit."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from tests.webhooks.conftest import body_json
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks import services
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db


def test_committed_event_is_delivered_signed_and_verifies_with_standardwebhooks(
    merchant, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        event = services.emit(
            merchant=merchant,
            mode="test",
            type="conversion.created",
            data={"id": "c1", "amount_cents": 4900, "currency": "EUR"},
        )
    assert len(callbacks) == 1
    assert len(receiver.requests) == 1
    received = receiver.requests[0]
    assert received.path == "/hooks/selgeo"
    assert received.headers["content-type"] == "application/json"
    assert received.headers["webhook-id"] == event.public_id
    verified = Webhook(endpoint.secret).verify(received.body, received.headers)
    assert verified == event.payload == body_json(received.body)
    delivery = Delivery.objects.get()
    assert (delivery.event_id, delivery.endpoint_id) == (event.pk, endpoint.pk)
    assert (delivery.attempt, delivery.status, delivery.response_status) == (1, "succeeded", 200)
    assert delivery.response_excerpt == "ok"
    assert delivery.error == ""
    assert delivery.latency_ms is not None and delivery.latency_ms < 2000
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_payload_has_the_documented_shape(merchant, time_machine):
    time_machine.move_to("2026-03-01T12:00:00Z", tick=False)
    conversion_id = uuid.uuid4()
    event = services.emit(
        merchant=merchant,
        mode="live",
        type="conversion.created",
        data={"id": conversion_id, "at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC)},
    )
    assert event.payload == {
        "id": f"evt_{event.pk.hex}",
        "type": "conversion.created",
        "api_version": "v1",
        "created": 1772366400,
        "mode": "live",
        "data": {"id": str(conversion_id), "at": "2026-03-01T00:00:00Z"},
    }


def test_rolled_back_transaction_emits_nothing(
    merchant, endpoint, receiver, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.emit(merchant=merchant, mode="test", type="conversion.created", data={})
        raise RuntimeError("the caller's change failed")
    assert callbacks == []
    assert Event.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert receiver.requests == []


def test_emit_schedules_dispatch_only_on_commit(
    merchant, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.emit(merchant=merchant, mode="test", type="partner.applied", data={})
    assert len(callbacks) == 1
    assert receiver.requests == []
    assert Delivery.objects.count() == 0


@pytest.mark.parametrize("bad_type", ["conversion.paid", "", "CONVERSION.CREATED"])
def test_unknown_event_type_is_a_programming_error(merchant, bad_type):
    with pytest.raises(ValueError, match="Unknown webhook event type"):
        services.emit(merchant=merchant, mode="test", type=bad_type, data={})
    assert Event.objects.count() == 0


def test_test_pings_cannot_be_emitted_to_every_endpoint(merchant):
    with pytest.raises(ValueError, match="sent by Selgeo itself"):
        services.emit(merchant=merchant, mode="test", type="endpoint.test", data={})
    assert Event.objects.count() == 0


def test_unknown_mode_is_a_programming_error(merchant):
    with pytest.raises(ValueError, match="Unknown mode"):
        services.emit(merchant=merchant, mode="prod", type="payout.paid", data={})
    assert Event.objects.count() == 0


def test_fan_out_reaches_only_enabled_endpoints_subscribed_to_the_type(
    merchant, other_merchant, django_capture_on_commit_callbacks
):
    everything = WebhookEndpointFactory(merchant=merchant)
    conversions = WebhookEndpointFactory(merchant=merchant, event_types=["conversion.created"])
    WebhookEndpointFactory(merchant=merchant, event_types=["payout.paid"])
    WebhookEndpointFactory(merchant=merchant, disabled_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    WebhookEndpointFactory(merchant=merchant, mode="live")
    WebhookEndpointFactory(merchant=other_merchant)
    with django_capture_on_commit_callbacks(execute=False):
        event = services.emit(merchant=merchant, mode="test", type="conversion.created", data={})
    delivery_ids = services.event_fan_out(event_id=event.pk)
    deliveries = Delivery.objects.filter(pk__in=delivery_ids)
    assert {d.endpoint_id for d in deliveries} == {everything.pk, conversions.pk}
    assert {(d.attempt, d.status, d.trigger) for d in deliveries} == {(1, "pending", "automatic")}
    assert services.event_fan_out(event_id=event.pk) == []
    assert Delivery.objects.count() == 2


def test_opt_in_click_events_are_not_stored_without_an_explicit_subscriber(merchant):
    WebhookEndpointFactory(merchant=merchant)
    event = services.emit(merchant=merchant, mode="test", type="click.created", data={"id": "c"})
    assert event._state.adding is True
    assert Event.objects.count() == 0


def test_opt_in_click_events_go_only_to_endpoints_that_name_them(
    merchant, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(merchant=merchant)
    clicks = WebhookEndpointFactory(merchant=merchant, event_types=["click.created"])
    with django_capture_on_commit_callbacks(execute=False):
        event = services.emit(merchant=merchant, mode="test", type="click.created", data={})
    assert Event.objects.filter(pk=event.pk).exists()
    services.event_fan_out(event_id=event.pk)
    assert list(Delivery.objects.values_list("endpoint_id", flat=True)) == [clicks.pk]
